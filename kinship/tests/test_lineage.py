"""Y-STR and mtDNA lineage comparisons with hand-derived values."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kinship.case import Pedigree
from kinship.errors import KinshipError
from kinship.lineage import (
    OTHER_RATE,
    clopper_pearson_upper,
    compare_locus,
    line_meioses,
    mt_differences,
    mt_lr,
    parse_haplotype,
    parse_mt,
    step_probability,
    y_lr,
)

MU = 0.002


def family() -> Pedigree:
    # GF and GM have sons F and U and a daughter A; M is F's son, C is A's son.
    return Pedigree.from_lists(
        ["GF", "GM", "F", "U", "A", "MO", "M", "X", "C"],
        [None, None, "GF", "GF", "GF", None, "F", None, "X"],
        [None, None, "GM", "GM", "GM", None, "MO", None, "A"],
        [1, 2, 1, 1, 2, 2, 1, 1, 1],
    )


@pytest.mark.parametrize(
    ("a", "b", "side", "expected"),
    [
        ("M", "U", "father", 3),  # paternal uncle
        ("M", "GF", "father", 2),
        ("M", "C", "father", None),  # C's father X is not of the line
        ("M", "A", "father", None),  # a woman has no Y
        ("A", "GM", "mother", 1),
        ("U", "C", "mother", 3),  # U and his sister's son: GM -> U, GM -> A -> C
        ("M", "U", "mother", None),  # M's mother MO is not GM's line
    ],
)
def test_line_meioses_follow_one_parent(
    a: str, b: str, side: str, expected: int | None
) -> None:
    assert line_meioses(family(), a, b, side) == expected


def test_step_probability_four_meioses_by_hand() -> None:
    q = 1 - MU
    match = q**4 + 6 * MU**2 * q**2 * (2 / 4) + MU**4 * (6 / 16)
    one = 4 * MU * q**3 * (1 / 2) + 4 * MU**3 * q * (3 / 8)
    assert step_probability(0, 4, MU) == pytest.approx(match, rel=1e-14)
    assert step_probability(1, 4, MU) == pytest.approx(one, rel=1e-14)
    assert step_probability(-1, 4, MU) == step_probability(1, 4, MU)
    assert sum(step_probability(d, 4, MU) for d in range(-4, 5)) == pytest.approx(1)


REF = {"DYS19": "14", "DYS385": "11,14", "DYS390": "24", "DYS391": "10"}
TABLE = [parse_haplotype({"DYS19": "15", "DYS385": "11,14", "DYS390": "24",
                          "DYS391": "10"})] * 999 + [parse_haplotype(REF)]  # fmt: skip


def test_y_match_through_four_meioses() -> None:
    ref = parse_haplotype(REF)
    victim = parse_haplotype({"DYS19": "14", "DYS385": ["14", "11"], "DYS390": "24",
                              "DYS391": "10"})  # fmt: skip
    res = y_lr(ref, victim, 4, TABLE, rates={"DYS19": MU, "DYS385": MU,
                                             "DYS390": MU, "DYS391": MU})  # fmt: skip
    q = 1 - MU
    match = q**4 + 3 * MU**2 * q**2 + MU**4 * (6 / 16)
    # DYS385 has two copies, each mutating on its own.
    assert res.probability == pytest.approx(match**5, rel=1e-12)
    assert (res.count, res.database) == (1, 1000)
    assert res.frequency == pytest.approx(clopper_pearson_upper(1, 1000))
    assert res.lr == pytest.approx(match**5 / res.frequency, rel=1e-12)
    assert res.matching == res.compared == 4
    assert res.explain().startswith("Y-STR: 4/4 loci match the reference (4 meioses)")


def test_a_one_step_mismatch_and_a_multi_copy_change() -> None:
    ref = parse_haplotype(REF)
    victim = parse_haplotype({"DYS19": "15", "DYS385": "11,15", "DYS390": "24"})
    res = y_lr(ref, victim, 2, TABLE, rates={"DYS19": MU, "DYS385": MU,
                                             "DYS390": MU})  # fmt: skip
    q = 1 - MU
    match, one = q**2 + MU**2 / 2, 2 * MU * q / 2
    assert [d.steps for d in res.details] == [(1,), (0, 1), (0,)]
    assert res.probability == pytest.approx(one * (match * one) * match, rel=1e-12)
    assert res.matching == 1 and res.compared == 3
    assert res.count == 0 and res.database == 1000
    assert res.frequency == pytest.approx(1 - 0.05 ** (1 / 1000), rel=1e-12)


@pytest.mark.parametrize(
    ("ref", "victim", "steps"),
    [
        (("12",), ("null",), None),  # null allele against an allele
        (("11", "14"), ("11", "14", "15"), None),  # copy number
        (("OL",), ("12",), None),  # off-ladder
        (("13.2",), ("14",), None),  # microvariant: not whole steps
        (("13.2",), ("14.2",), (1,)),
        (("OL",), ("ol",), (0,)),
    ],
)
def test_changes_no_step_explains_are_rare_not_excluding(
    ref: tuple[str, ...], victim: tuple[str, ...], steps: tuple[int, ...] | None
) -> None:
    got = compare_locus(
        "L",
        parse_haplotype({"L": list(ref)})["L"],
        parse_haplotype({"L": list(victim)})["L"],
        3,
        MU,
    )
    assert got.steps == steps
    if steps is None:
        assert got.probability == pytest.approx(1 - (1 - OTHER_RATE) ** 3)


def test_clopper_pearson_upper_bound() -> None:
    from scipy.stats import binom

    upper = clopper_pearson_upper(3, 1000)
    assert binom.cdf(3, 1000, upper) == pytest.approx(0.05, rel=1e-9)
    assert clopper_pearson_upper(0, 3000) == pytest.approx(1 - 0.05 ** (1 / 3000))


RANGE = "16024-16569 1-576"


def test_nomenclature_variants_compare_equal() -> None:
    a = parse_mt("A263G 315.1C T16519C 249del 16093Y", RANGE)
    b = parse_mt("263g 315.1c 16519C 249d 16093C", "16024-16569, 1-576")
    assert mt_differences(a, b) == ([], 546 + 576)
    assert mt_differences(a, parse_mt("263G 315.1C 16519C 249-", RANGE))[0] == []


def test_mt_differences_count_only_inside_both_ranges() -> None:
    a = parse_mt("16069T 16126C 263G", RANGE)
    b = parse_mt("16126C 263G 73G", "16100-16569 1-576")
    assert mt_differences(a, b) == (["73"], 470 + 576)


def test_mt_match_with_a_heteroplasmy() -> None:
    ref = parse_mt("16069T 16126C 263G 16093Y", RANGE)
    victim = parse_mt("16069T 16126C 263G 16093T", RANGE)
    table = [parse_mt("16126C 263G", RANGE)] * 500
    res = mt_lr(ref, victim, 3, table, rate=0.004, name="the maternal aunt")
    assert res.differences == ()
    assert res.probability == pytest.approx(math.exp(-0.012), rel=1e-14)
    assert res.lr == pytest.approx(math.exp(-0.012) / (1 - 0.05 ** (1 / 500)))
    assert "0 differences in 1,122 bases against the maternal aunt" in res.explain()


def test_bad_mt_input_is_an_error() -> None:
    with pytest.raises(KinshipError):
        parse_mt("16069Q", RANGE)
    with pytest.raises(KinshipError):
        parse_mt("263G", "1-")


def lineage_case(with_lineage: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "markers": [
            {"name": "L1", "alleles": ["1", "2", "3"], "afreq": [0.2, 0.3, 0.5]}
        ],
        "pm": {"V": {"sex": 1, "genotypes": {"L1": ["1", "2"]}}},
        "am": {
            "F1": {
                "id": ["GF", "GM", "F", "U", "MGM", "MO", "M"],
                "fid": [None, None, "GF", "GF", None, None, "F"],
                "mid": [None, None, "GM", "GM", None, "MGM", "MO"],
                "sex": [1, 2, 1, 1, 2, 2, 1],
                "genotypes": {"U": {"L1": ["1", "3"]}},
            }
        },
        "missing": ["M"],
    }
    if with_lineage:
        data["pm"]["V"]["ystr"] = {"DYS19": "14", "DYS385": "11,14"}  # type: ignore[index]
        data["pm"]["V"]["mtdna"] = {"variants": "16069T 263G", "range": RANGE}  # type: ignore[index]
        fam = data["am"]["F1"]  # type: ignore[index]
        fam["ystr"] = {"U": {"DYS19": "14", "DYS385": "14,11"}}
        fam["mtdna"] = {"MGM": {"variants": "A263G 16069T", "range": RANGE}}
        data["ystr_database"] = {
            "rates": {"DYS19": MU, "DYS385": MU},
            "haplotypes": [{"DYS19": "15", "DYS385": "11,14"}] * 3000,
        }
        data["mtdna_database"] = {
            "rate": 0.004,
            "sequences": [{"variants": "263G", "range": RANGE}] * 400,
        }
    return data


def test_lineage_lrs_multiply_into_pairwise_and_joint() -> None:
    from kinship.case import load_case
    from kinship.identify import joint, pairwise_lr

    plain = pairwise_lr(load_case(lineage_case(False)))["V"]["M"]
    case = load_case(lineage_case(True))
    q = 1 - MU
    y_match = q**3 + 3 * MU**2 * q * (2 / 4)  # 3 meioses from the paternal uncle
    y = y_match**3 / (1 - 0.05 ** (1 / 3000))
    mt = math.exp(-2 * 0.004) / (1 - 0.05 ** (1 / 400))  # 2 meioses from MGM
    assert pairwise_lr(case)["V"]["M"] == pytest.approx(plain * y * mt, rel=1e-12)
    res = joint(case)
    assert res.assignments[0].lr == pytest.approx(plain * y * mt, rel=1e-12)
    lines = res.to_json()["lineage"]["V"]["M"]
    assert lines[0].startswith(
        "Y-STR: 2/2 loci match U (3 meioses); haplotype not seen in 3,000"
    )
    assert lines[1].startswith(
        "mtDNA: 0 differences in 1,122 bases against MGM (2 meioses)"
    )
    assert "lineage" not in joint(load_case(lineage_case(False))).to_json()


@pytest.mark.parametrize("side", ["victim", "family"])
def test_a_side_typed_only_for_lineage_markers_gets_the_lineage_lr(side: str) -> None:
    from kinship.case import load_case
    from kinship.identify import joint, pairwise_lr

    data = lineage_case(True)
    if side == "victim":
        del data["pm"]["V"]["genotypes"]  # type: ignore[index]
    else:
        data["am"]["F1"]["genotypes"] = {}  # type: ignore[index]
    case = load_case(data)
    q = 1 - MU
    y = (q**3 + 3 * MU**2 * q * (2 / 4)) ** 3 / (1 - 0.05 ** (1 / 3000))
    mt = math.exp(-2 * 0.004) / (1 - 0.05 ** (1 / 400))
    assert pairwise_lr(case)["V"]["M"] == pytest.approx(y * mt, rel=1e-12)
    assert joint(case).assignments[0].lr == pytest.approx(y * mt, rel=1e-12)


def test_ystr_csv_long_and_wide_give_the_same_haplotypes() -> None:
    from kinship.lineage import read_ystr_csv

    long = read_ystr_csv(
        "Sample Name,Marker,Allele 1,Allele 2\n"
        "R1,DYS19,14,\nR1,DYS385,14,11\nR1,DYS439,null,\n"
    )
    wide = read_ystr_csv('Sample;DYS19;DYS385;DYS439\nR1;14;"11,14";null\n')
    plain = read_ystr_csv(
        "Sample,Locus,Allele1,Allele2\nR1,DYS19,14,\nR1,DYS385,14,11\nR1,DYS439,null,\n"
    )
    assert (
        long
        == wide
        == plain
        == {"R1": {"DYS19": ("14",), "DYS385": ("11", "14"), "DYS439": ("null",)}}
    )


def test_mtdna_csv_normalises() -> None:
    from kinship.lineage import read_mtdna_csv

    got = read_mtdna_csv(
        "Sample Name,Range,Variants\nV1,16024-16569 1-576,A263G 315.1c 16093Y\n"
    )
    want = parse_mt("263G 315.1C 16093Y", RANGE)
    assert got["V1"] == want
    # Long layout: one variant per row.
    long = read_mtdna_csv(
        "Sample,Range,Variant\n"
        "V1,16024-16569 1-576,A263G\nV1,16024-16569 1-576,315.1c\n"
        "V1,16024-16569 1-576,16093Y\nV2,16024-16569 1-576,\n"
    )
    assert long["V1"] == want and long["V2"] == parse_mt("", RANGE)
    with pytest.raises(KinshipError, match="V1: two ranges"):
        read_mtdna_csv("Sample,Range,Variant\nV1,1-576,263G\nV1,16024-16569,16069T\n")


HAP_REF = parse_haplotype(
    {"DYS391": "10", "DYS385": "11,14", "DYS19": "14", "DYS448": "19"}
)


@pytest.mark.parametrize(
    "victim",
    [
        {"DYS391": "10", "DYS385": "14,11", "DYS19": "14", "DYS448": "19"},  # match
        {"DYS391": "11", "DYS385": "11,14", "DYS19": "14"},  # one step, one untyped
        {"DYS391": "10", "DYS385": "11,15", "DYS19": "null", "DYS448": "OL"},
        {"DYS391": "10", "DYS385": "11,14,15", "DYS19": "16.2"},  # copy number
    ],
)
def test_the_fast_y_path_gives_the_numerator_of_the_lr(victim: dict[str, str]) -> None:
    from kinship.lineage import y_log_probability

    hap = parse_haplotype(victim)
    logp, loci = y_log_probability(HAP_REF, hap, 3, {"DYS391": 0.004})
    full = y_lr(HAP_REF, hap, 3, [HAP_REF], rates={"DYS391": 0.004})
    assert loci == tuple(d.locus for d in full.details)
    assert logp == pytest.approx(math.log(full.probability), rel=1e-12)


@pytest.mark.parametrize("variants", ["263G 16069T", "263G", "263G 16069T 16093C 73G"])
def test_the_fast_mt_path_gives_the_numerator_of_the_lr(variants: str) -> None:
    from kinship.lineage import mt_log_probability

    ref = parse_mt("263G 16069T", "16024-16569 1-576")
    victim = parse_mt(variants, "16024-16569 1-576")
    full = mt_lr(ref, victim, 4, [ref], rate=0.01)
    assert mt_log_probability(ref, victim, 4, 0.01) == pytest.approx(
        math.log(full.probability), rel=1e-12
    )


def test_references_typed_with_another_kit_give_no_comparison() -> None:
    from kinship.lineage import LineageData, lineage_results

    data = LineageData(
        y_victims={"V": parse_haplotype({"DYS391": "10"})},
        y_refs={"fam": {"U": parse_haplotype({"DYS19": "14"})}},
        y_table=[HAP_REF],
    )
    assert lineage_results(data, family(), "fam", "M", "V") == []


@pytest.mark.parametrize(
    ("differing", "verdict"), [(0, "consistent"), (1, "inconclusive"), (3, "exclusion")]
)
def test_the_verdict_follows_the_number_of_differences(
    differing: int, verdict: str
) -> None:
    hap = dict(HAP_REF)
    for locus in list(hap)[:differing]:
        hap[locus] = tuple(str(int(a) + 1) for a in hap[locus])
    assert y_lr(HAP_REF, hap, 2, [HAP_REF]).verdict == verdict


def test_the_table_index_counts_as_the_scans_do() -> None:
    import random

    from kinship.lineage import TableIndex, count_haplotype, mt_count

    rng = random.Random(5)
    loci = ["DYS19", "DYS385", "DYS391"]

    def hap() -> dict[str, tuple[str, ...]]:
        h = parse_haplotype(
            {
                "DYS19": str(rng.choice((13, 14))),
                "DYS385": f"{rng.choice((11, 12))},{rng.choice((14, 15))}",
                "DYS391": str(rng.choice((10, 11))),
            }
        )
        if rng.random() < 0.2:
            del h["DYS391"]  # untyped in some rows
        return h

    def seq() -> object:
        variants = rng.sample(["263G", "16069T", "73G", "16093C", "16093Y", "310R"], 2)
        return parse_mt(variants, rng.choice(["16024-16569 1-576", "16024-16400"]))

    y_table = [hap() for _ in range(300)]
    mt_table = [seq() for _ in range(300)]
    index = TableIndex(y_table, mt_table)  # type: ignore[arg-type]
    for _ in range(40):
        h = hap()
        use = [locus for locus in loci if locus in h]
        assert index.y_count(h, use) == count_haplotype(h, y_table, use)
        s = seq()
        assert index.mt_count(s) == mt_count(s, mt_table)  # type: ignore[arg-type]


def test_imena_dvi_reads_y_and_mt_in_case_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from kinship.cli import main

    path = tmp_path / "case.json"
    path.write_text(json.dumps(lineage_case(True)))
    q = 1 - MU
    y = (q**3 + 3 * MU**2 * q * (2 / 4)) ** 3 / (1 - 0.05 ** (1 / 3000))
    mt = math.exp(-2 * 0.004) / (1 - 0.05 ** (1 / 400))
    assert main(["pairwise", str(path)]) == 0
    with_lineage = json.loads(capsys.readouterr().out)["V"]["M"]
    plain_path = tmp_path / "plain.json"
    plain_path.write_text(json.dumps(lineage_case(False)))
    assert main(["pairwise", str(plain_path)]) == 0
    plain = json.loads(capsys.readouterr().out)["V"]["M"]
    assert with_lineage == pytest.approx(plain * y * mt, rel=1e-9)
    assert main(["joint", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignments"][0]["LR"] == pytest.approx(plain * y * mt, rel=1e-9)
    assert out["lineage"]["V"]["M"][0].startswith("Y-STR: 2/2 loci match U")
