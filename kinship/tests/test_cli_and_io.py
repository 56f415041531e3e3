"""CLI behaviour, bad input, GeneMapper import, screening and the frequency table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kinship.case import Pedigree, load_case
from kinship.cli import main
from kinship.errors import KinshipError
from kinship.genemapper import read_genemapper_csv
from kinship.identify import pairwise_lr
from kinship.markers import MIN_FREQUENCY, load_frequency_table
from kinship.screen import screen, screen_case, screen_pairs, simulate_genotypes
from tests.paths import DVI_EXAMPLES

EXAMPLES = DVI_EXAMPLES
EX2 = EXAMPLES / "example2.json"


def example2() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EX2.read_text())
    return data


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_it_prints_pairwise_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "pairwise", str(EX2))
    assert code == 0
    assert json.loads(out)["V2"]["M2"] == pytest.approx(5.0)


def test_it_prints_joint_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "joint", str(EX2), "--top", "2")
    data = json.loads(out)
    assert code == 0 and len(data["assignments"]) == 2
    assert data["assignments"][0]["LR"] == pytest.approx(250)
    assert data["marginals"]["V3"]["M3"] == pytest.approx(5 / 6)


def test_mutation_override_changes_fire(capsys: pytest.CaptureFixture[str]) -> None:
    fire = str(EXAMPLES / "fire.json")
    _, out, _ = run_cli(capsys, "pairwise", fire, "--mutation", "none")
    assert json.loads(out)["V3"]["M1"] != pytest.approx(0.002019597, rel=1e-3)


def write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    return str(path)


def bad_three_alleles(d: dict[str, Any]) -> None:
    d["pm"]["V1"]["genotypes"]["L1"] = ["1", "2", "3"]


def bad_cycle(d: dict[str, Any]) -> None:
    d["am"]["F1"]["fid"][0] = "M2"


def bad_female_father(d: dict[str, Any]) -> None:
    d["am"]["F1"]["sex"][0] = 2


def bad_missing_key(d: dict[str, Any]) -> None:
    del d["am"]


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (bad_three_alleles, "V1"),
        (bad_cycle, "cycle"),
        (bad_female_father, "female"),
        (bad_missing_key, "'am'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate: Callable[[dict[str, Any]], None],
    needle: str,
) -> None:
    data = example2()
    mutate(data)
    code, out, err = run_cli(capsys, "joint", write(tmp_path, data))
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_unknown_allele_and_locus_warn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = example2()
    data["pm"]["V1"]["genotypes"]["L1"] = ["1", "99"]
    data["pm"]["V1"]["genotypes"]["XYZ"] = ["1", "2"]
    code, out, err = run_cli(capsys, "pairwise", write(tmp_path, data))
    assert code == 0 and "99" in err and "XYZ" in err
    json.loads(out)


def test_unknown_allele_gets_minimum_frequency() -> None:
    data = example2()
    data["markers"][0]["afreq"] = [0.1] * 10
    data["pm"]["V1"]["genotypes"]["L1"] = ["1", "99"]
    with pytest.warns(UserWarning):
        case = load_case(data)
    marker = case.markers["L1"]
    assert marker.freqs[marker.index("99")] == pytest.approx(MIN_FREQUENCY / 1.001)


def test_pedigree_rejects_male_mother() -> None:
    with pytest.raises(KinshipError, match="male"):
        Pedigree.from_lists(
            ["a", "b", "c"], [None, None, "a"], [None, None, "b"], [1, 1, 1]
        )


def test_genemapper_long_and_wide() -> None:
    long = (
        "Sample Name,Marker,Allele 1,Allele 2,Allele 3\n"
        "S1,TH01,6,9.3,\nS1,vWA,17,,\nS2,TH01,7,8,\n"
    )
    assert read_genemapper_csv(long) == {
        "S1": {"TH01": ("6", "9.3"), "vWA": ("17", "17")},
        "S2": {"TH01": ("7", "8")},
    }
    wide = "Sample Name,TH01 Allele 1,TH01 Allele 2,vWA Allele 1,vWA Allele 2\nS1,6,9.3,17,18\n"
    assert read_genemapper_csv(wide) == {
        "S1": {"TH01": ("6", "9.3"), "vWA": ("17", "18")}
    }
    with pytest.raises(KinshipError, match="S1.*TH01"):
        read_genemapper_csv(
            "Sample Name,Marker,Allele 1,Allele 2,Allele 3\nS1,TH01,6,7,8\n"
        )


def test_norstr_table_loads() -> None:
    table = load_frequency_table()
    assert len(table) == 50 and "Penta E" in table and "SE33" in table
    assert all(abs(m.freqs.sum() - 1) < 1e-9 for m in table.values())


def test_screening_agrees_with_pairwise() -> None:
    case = load_case(EXAMPLES / "fire.json")
    res = screen_case(case, threshold=1.0, top_k=3)
    lr = pairwise_lr(case)
    for victim, row in res.top.items():
        for cand in row:
            assert cand.lr == pytest.approx(lr[victim][cand.missing], rel=1e-8)


@pytest.mark.parametrize("threshold", [1e-13, 1.0])
def test_screen_pairs_gives_the_pairs_of_screen(threshold: float) -> None:
    case = load_case(EXAMPLES / "fire.json")
    targets = [(case.families[case.missing_family[m]], m) for m in case.missing]
    victims = {name: v.genotypes for name, v in case.victims.items()}
    res = screen(
        victims,
        targets,
        case.markers,
        top_k=1,
        block=2,
        threshold=threshold,
        dropout=0.05,
    )
    names, v, t, log10 = screen_pairs(
        victims, targets, case.markers, block=2, threshold=threshold, dropout=0.05
    )
    got = {
        (names[i], targets[j][1]): x
        for i, j, x in zip(v.tolist(), t.tolist(), log10.tolist(), strict=True)
    }
    want = {(c.victim, c.missing): c.log10_lr for c in res.candidates}
    assert got == want
    # Sorted by victim, then by target (the blocks are written in place).
    pairs = list(zip(v.tolist(), t.tolist(), strict=True))
    assert pairs == sorted(pairs) and len(set(pairs)) == len(pairs)
    assert [v.dtype, t.dtype, log10.dtype] == [
        np.dtype(np.int32),
        np.dtype(np.int32),
        np.dtype(np.float64),
    ]


def test_simulation_gives_complete_profiles() -> None:
    ped = Pedigree.from_lists(
        ["f", "m", "c"], [None, None, "f"], [None, None, "m"], [1, 2, 1]
    )
    table = load_frequency_table()
    markers = {k: table[k] for k in ("TH01", "vWA")}
    prof = simulate_genotypes(ped, markers, np.random.default_rng(1))
    assert set(prof["c"]) == {"TH01", "vWA"}
    assert set(prof["c"]["TH01"]) & set(prof["f"]["TH01"] + prof["m"]["TH01"])


@pytest.mark.parametrize(
    "text",
    [
        '{"pm": {"V1": {"sex": 1e999}}}',
        '{"pm": {"V1": {"sex": NaN}}}',
        '{"pm": {"V1": {"sex": 1' + "0" * 5000 + "}}}",
        '{"pm": ' + "[" * 40_000 + "]" * 40_000 + "}",
    ],
    ids=["infinite", "nan", "huge-integer", "deep"],
)
def test_hostile_case_json_is_a_kinship_error(text: str) -> None:
    from kinship.case import load_case

    with pytest.raises(KinshipError, match="JSON"):
        load_case(text)
