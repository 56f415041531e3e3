"""Familias .fam import and export (issue #18 item 5, docs/familias-format.md).

The synthetic files below were written by hand from the format description;
the round trips use the repository's dvir example cases.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from kinship import familias
from kinship.case import Case, Pedigree, load_case
from kinship.cli import main
from kinship.errors import KinshipWarning
from kinship.familias import (
    FamiliasError,
    fam_to_case,
    parse_fam,
    read_fam,
    write_fam_dvi,
    write_fam_pair,
)
from kinship.identify import joint, pairwise_table
from kinship.likelihood import pedigree_loglik
from kinship.mutation import MutationSpec
from tests.paths import DVI_EXAMPLES

EXAMPLES = sorted(DVI_EXAMPLES.glob("*.json"))

# One victim (PM-1) against one missing person (MP-1) of family Fam-1, whose
# parents Ref-1 (mother, 10/12) and Ref-2 (father, 11/11) are typed at L1.
STANDARD = """\
"Output from Familias, version 3.3.1"
"DO NOT EDIT!"
3.3.1
""
4
"Ref-1"
#FALSE#
-1
#FALSE#
#FALSE#
2
0
2
0
1
1
1
"Ref-2"
#FALSE#
-1
#FALSE#
#TRUE#
1
1
1
0
"MP-1"
#FALSE#
-1
#FALSE#
#TRUE#
0
"PM-1"
#FALSE#
-1
#FALSE#
#TRUE#
1
0
1
0
"Known relations"
0
0
0
2
0
"H1 PM-1 is MP-1"
0
0
2
1
3
0
3
1
"Fam-1"
0
0
2
1
2
0
2
#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )
2
#TRUE#
"Synthetic-DB"
"L1"
0
0
1
1
3
0.1
0.1
0
0
#FALSE#
0
3\t(DatabaseSize = 500 , Dropout probability = 0 , Minor allele frequency = 0.001 )
"10"
0.25
"11"
0.5
"12"
0.25
"L2"
0.001
0.002
4
4
2
0.1
0.1
1e-006
1e-006
#FALSE#
0
2\t(DatabaseSize = 500 , Dropout probability = 0 , Minor allele frequency = 0.001 )
"8"
0.6
"9.3"
0.4
"""

# A DVI file: victim V-1 (12/12) and a family whose typed father (12/12) and
# unlisted mother have the missing person as their child.
DVI = """\
"Output from Familias, version 3.3.1"
"DO NOT EDIT!"
3.3 (DVI)
""
0
"Known relations"
0
0
0
0
#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )
1
#FALSE#
"L1"
0
0
0
0
2
0.1
0.1
1e-006
1e-006
#FALSE#
0
2\t(DatabaseSize = 1000 , Dropout probability = 0 , Minor allele frequency = 0 )
"12"
0.25
"13"
0.75

[DVI]
[[Unidentified persons]]
nPersons= 1
[[[Person 1 ]]]
Name= V-1
Gender= Female
[[[[DNA data]]]]
nSystems= 1
SystemName= L1
Allele1= 12
Allele2= 12
[[Notes]]
nFamilies= 1

[[Reference Families]]
nFamilies= 1
[[[Family 1 ]]]
Name= Fam-A
[[[[Persons]]]]
nPersons= 1
[[[[[Person 1]]]]]
Name= F-1 [Father]
Gender= Male
[[[[[[DNA data]]]]]]
nSystems= 1
SystemName= L1
Allele1= 12
Allele2= 12
[[[[Pedigrees]]]]
nPedigrees= 2
[[[[[Pedigree 1]]]]]
Name= Reference pedigree
nRelations= 0
[[[[[Pedigree 2]]]]]
Name= Fam-A
nRelations= 2
Parent= F-1 [Father]
Child= Missing person
Parent= Missing female 1
Child= Missing person
[Prior]
UseList= No
Size= 1
[Advanced]
[[Direct/Identity]]
Dropin= 0
Dropout= 0
Error= 0
"""


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def edit(text: str, lineno: int, new: str | None) -> str:
    """Replace (or with None delete) 1-based line ``lineno``."""
    lines = lines_of(text)
    assert 1 <= lineno <= len(lines)
    if new is None:
        del lines[lineno - 1]
    else:
        lines[lineno - 1] = new
    return "\n".join(lines) + "\n"


def line_of(text: str, content: str, nth: int = 1) -> int:
    hits = [k + 1 for k, line in enumerate(lines_of(text)) if line == content]
    return hits[nth - 1]


def assert_same_case(a: Case, b: Case) -> None:
    assert list(a.markers) == list(b.markers)
    for name, m in a.markers.items():
        n = b.markers[name]
        assert m.alleles == n.alleles
        assert np.array_equal(m.freqs, n.freqs)  # bit-exact
        for sex in ("male_matrix", "female_matrix"):
            x, y = getattr(m, sex), getattr(n, sex)
            assert (x is None) == (y is None)
            if x is not None:
                assert np.array_equal(x, y)
    assert list(a.victims) == list(b.victims)
    for v in a.victims:
        assert a.victims[v] == b.victims[v]
    assert list(a.families) == list(b.families)
    for f in a.families:
        assert a.families[f].pedigree == b.families[f].pedigree
        assert a.families[f].genotypes == b.families[f].genotypes
    assert a.missing == b.missing


def assert_same_lrs(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    finite = np.isfinite(a)
    assert np.array_equal(finite, np.isfinite(b))
    assert np.array_equal(a[~finite], b[~finite])
    # log LRs: equal logs to 1e-12 relative on the LR scale.
    assert np.all(np.abs(a[finite] - b[finite]) <= 1e-12)


def quiet_load(path: Path) -> Case:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KinshipWarning)
        return load_case(path)


# ------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_dvi_export_reads_back_as_the_same_case_and_lrs(path: Path) -> None:
    case = quiet_load(path)
    text = write_fam_dvi(case, dropout=0.02, produced="2026-12-04")
    assert text.isascii()
    fam = parse_fam(text.encode("ascii"), source=path.stem)
    back = fam_to_case(fam)
    assert_same_case(case, back)
    assert fam.dropout == 0.02
    assert fam.theta == 0.0
    before = pairwise_table(case, dropout=0.02)
    after = pairwise_table(back, dropout=fam.dropout)
    assert_same_lrs(before.log_lr, after.log_lr)
    assert np.array_equal(before.sex_ok, after.sex_ok)
    # Exporting the imported case again gives the same file.
    assert write_fam_dvi(back, dropout=0.02, produced="2026-12-04") == text


def test_the_joint_result_survives_the_round_trip() -> None:
    case = quiet_load(DVI_EXAMPLES / "example2.json")
    back = fam_to_case(parse_fam(write_fam_dvi(case, theta=0.01)))
    a = joint(case, theta=0.01).to_json(5)
    b = joint(back, theta=0.01).to_json(5)
    assert [x["assignment"] for x in a["assignments"]] == [
        x["assignment"] for x in b["assignments"]
    ]
    for x, y in zip(a["assignments"], b["assignments"], strict=True):
        assert math.isclose(x["LR"], y["LR"], rel_tol=1e-12)


@pytest.mark.parametrize(
    ("example", "victim", "missing"),
    [("fire", "V1", "M1"), ("example2", "V2", "M2"), ("planecrash", "V3", "M3")],
)
def test_a_standard_export_gives_the_pairwise_lr_as_h1_over_h2(
    example: str, victim: str, missing: str
) -> None:
    case = quiet_load(DVI_EXAMPLES / f"{example}.json")
    text = write_fam_pair(case, victim, missing, dropout=0.05)
    fam = parse_fam(text)
    want = pairwise_table(case, dropout=0.05).to_dict()[victim][missing]
    # Familias' own reading: likelihood of H1 over H2 with drop-out on the victim.
    genos = {p.name: p.genotypes for p in fam.persons if p.genotypes}
    drop = {p.name: 0.05 for p in fam.persons if p.dropout}
    assert list(drop) == [victim]
    h1, h2 = (
        pedigree_loglik(p.pedigree, genos, fam.markers, dropout=drop)
        for p in fam.pedigrees
    )
    # A different computation (whole-pedigree likelihoods, not the pairwise
    # table's), so agreement is to rounding of log-likelihoods near -140.
    assert math.isclose(math.exp(h1 - h2), want, rel_tol=1e-8)
    back = fam_to_case(fam)
    assert list(back.victims) == [victim] and back.missing == [missing]
    family = case.families[case.missing_family[missing]]
    assert back.families[family.name].pedigree == family.pedigree
    assert back.families[family.name].genotypes == family.genotypes
    got = pairwise_table(back, dropout=fam.dropout).to_dict()[victim][missing]
    assert math.isclose(got, want, rel_tol=1e-12)


def test_the_cli_exports_and_imports_a_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = DVI_EXAMPLES / "fire.json"
    fam_path, json_path = tmp_path / "fire.fam", tmp_path / "fire.json"
    assert main(["export-fam", str(src), str(fam_path), "--theta", "0.01"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["shape"] == "dvi" and out["victims"] == 3 and out["theta"] == 0.01
    assert main(["import-fam", str(fam_path), str(json_path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["missing"] == 3 and summary["theta"] == 0.01
    data = json.loads(json_path.read_text())
    assert data["familias"]["theta"] == 0.01
    assert_same_case(quiet_load(src), load_case(json_path))
    # Re-export keeps θ from the imported JSON.
    again = tmp_path / "again.fam"
    assert main(["export-fam", str(json_path), str(again)]) == 0
    capsys.readouterr()
    assert (
        again.read_bytes().split(b"\r\n")[2:]
        == fam_path.read_bytes().split(b"\r\n")[2:]
    )
    pair = tmp_path / "pair.fam"
    code = main(
        ["export-fam", str(src), str(pair), "--victim", "V1", "--missing", "M1"]
    )
    assert code == 0 and json.loads(capsys.readouterr().out)["shape"] == "standard"


def test_the_cli_names_the_line_of_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.fam"
    bad.write_text(edit(STANDARD, 3, "2.0"))
    assert main(["import-fam", str(bad), str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "unsupported Familias version" in err
    assert not (tmp_path / "x.json").exists()


# ------------------------------------------------------- hand-written files


def test_a_standard_file_reads_into_persons_pedigrees_and_database() -> None:
    fam = parse_fam(STANDARD)
    assert (fam.version, fam.dvi, fam.database, fam.theta) == (
        "3.3.1",
        False,
        "Synthetic-DB",
        0.0,
    )
    assert [(p.name, p.sex, p.dropout) for p in fam.persons] == [
        ("Ref-1", 2, False),
        ("Ref-2", 1, False),
        ("MP-1", 1, False),
        ("PM-1", 1, False),
    ]
    assert fam.persons[0].genotypes == {"L1": ("10", "12"), "L2": ("9.3", "9.3")}
    assert fam.persons[1].genotypes == {"L1": ("11", "11")}
    assert fam.persons[3].genotypes == {"L1": ("10", "11")}
    ids = ("Ref-1", "Ref-2", "MP-1", "PM-1")
    assert [p.name for p in fam.pedigrees] == ["H1 PM-1 is MP-1", "Fam-1"]
    assert fam.pedigrees[0].pedigree == Pedigree(
        ids, (-1, -1, -1, 1), (-1, -1, -1, 0), (2, 1, 1, 1)
    )
    assert fam.pedigrees[1].pedigree == Pedigree(
        ids, (-1, -1, 1, -1), (-1, -1, 0, -1), (2, 1, 1, 1)
    )
    l1, l2 = fam.markers["L1"], fam.markers["L2"]
    assert l1.alleles == ("10", "11", "12") and list(l1.freqs) == [0.25, 0.5, 0.25]
    assert l1.mutation is None  # rate 0: no mutation whatever the code
    assert l2.alleles == ("8", "9.3") and list(l2.freqs) == [0.6, 0.4]
    assert l2.mutation is not None
    assert l2.mutation.female == MutationSpec(
        "stepwise_unstable", {"rate": 0.001, "range": 0.1, "rate2": 1e-6}
    )
    assert l2.mutation.male == MutationSpec(
        "stepwise_unstable", {"rate": 0.002, "range": 0.1, "rate2": 1e-6}
    )
    assert fam.locus_info["L1"].database_size == 500
    assert fam.locus_info["L1"].maf == 0.001


def test_a_standard_file_becomes_a_one_victim_case_with_the_trio_lr() -> None:
    case = fam_to_case(parse_fam(STANDARD))
    assert list(case.victims) == ["PM-1"] and case.missing == ["MP-1"]
    fam = case.families["Fam-1"]
    assert fam.pedigree == Pedigree(
        ("Ref-1", "Ref-2", "MP-1"), (-1, -1, 1), (-1, -1, 0), (2, 1, 1)
    )
    # PM-1 10/11, mother 10/12, father 11/11: P = 1/2 / (2 * 0.25 * 0.5) = 2;
    # L2 (PM-1 untyped) adds nothing.
    assert pairwise_table(case).to_dict()["PM-1"]["MP-1"] == pytest.approx(2.0)


def test_a_hand_written_dvi_file_reads_into_a_case() -> None:
    fam = parse_fam(DVI)
    assert fam.dvi and fam.database is None and fam.settings_dropout == 0.0
    case = fam_to_case(fam)
    assert list(case.victims) == ["V-1"]
    assert case.victims["V-1"].sex == 2
    assert case.victims["V-1"].genotypes == {"L1": ("12", "12")}
    assert case.missing == ["Missing person"]
    family = case.families["Fam-A"]
    # The unlisted mother's sex is the opposite of the father's; the missing
    # person's is not in the file.
    assert family.pedigree == Pedigree(
        ("F-1 [Father]", "Missing female 1", "Missing person"),
        (-1, -1, 0),
        (-1, -1, 1),
        (1, 2, 0),
    )
    assert family.genotypes == {"F-1 [Father]": {"L1": ("12", "12")}}
    # Father 12/12, victim 12/12 at p = 0.25: LR = 0.25 / 0.25^2 = 4.
    assert pairwise_table(case).to_dict()["V-1"]["Missing person"] == pytest.approx(4)


def test_the_hypotheses_of_a_standard_file_get_familias_lrs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Familias ends a non-DVI file with [Advanced] right after the database.
    text = S + "[Advanced]\n[[Direct/Identity]]\nDropin= 0\nDropout= 0.2\nError= 0\n"
    path = tmp_path / "trio.fam"
    path.write_text(text)
    assert main(["fam-lr", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in out["pedigrees"]] == ["H1 PM-1 is MP-1", "Fam-1"]
    assert out["LR"]["H1 PM-1 is MP-1"] == pytest.approx(2.0)
    assert out["LR"]["Fam-1"] == 1.0
    # Dropout= is the DVI module's setting: not the standard case's drop-out.
    assert parse_fam(text).dropout == 0.0
    # log10 P(Ref-1 10/12, 9.3/9.3; Ref-2 11/11; PM-1 10/11 | H1)
    want = math.log10(2 * 0.25 * 0.25 * 0.4**2 * 0.5**2 * 0.5)
    assert out["pedigrees"][0]["log10_likelihood"] == pytest.approx(want)
    bad = tmp_path / "theta.fam"
    bad.write_text(S.replace("Fst: 0 )", "Fst: 0.01 )"))
    assert main(["fam-lr", str(bad)]) == 2
    assert "computed without θ only" in capsys.readouterr().err


def test_crlf_windows_1252_and_a_bom_are_read() -> None:
    text = STANDARD.replace('"Ref-1"', '"Ref-\u00e9"').replace("\n", "\r\n")
    with pytest.warns(KinshipWarning, match="Windows-1252"):
        fam = parse_fam(text.encode("cp1252"))
    assert fam.persons[0].name == "Ref-\u00e9"
    assert parse_fam(b"\xef\xbb\xbf" + STANDARD.encode()).persons[0].name == "Ref-1"


def test_without_the_blank_fourth_line_the_count_is_read() -> None:
    assert len(parse_fam(edit(STANDARD, 4, None)).persons) == 4


# -------------------------------------------------------------- rejections

S = STANDARD
D = DVI
S_DB = line_of(S, "#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )")
S_L1_INFO = S_DB + 16
D_DB = line_of(D, "#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )")

REJECTIONS: list[tuple[str, str, int, str]] = [
    ("version", edit(S, 3, "2.0"), 3, "unsupported Familias version"),
    ("count", edit(S, 5, "four"), 5, "expected the number of persons (an integer)"),
    ("negative count", edit(S, 11, "-2"), 11, "must be ≥ 0"),
    ("counts", edit(S, 5, "3"), 33, 'expected "Known relations"'),
    ("huge count", edit(S, 5, "999999999"), 5, "only"),
    ("sex", edit(S, 10, "yes"), 10, "#TRUE# or #FALSE#"),
    ("unquoted", edit(S, 6, "Ref-1"), 6, "in double quotes"),
    ("quote", edit(S, 6, '"Ref"1"'), 6, "contains a double quote"),
    ("duplicate person", edit(S, 18, '"Ref-1"'), 18, "duplicate person name"),
    ("allele index", edit(S, 12, "3"), 14, "allele index 3 out of range"),
    ("locus index", edit(S, 17, "2"), 17, "locus index 2 out of range"),
    ("locus twice", edit(S, 17, "0"), 17, "listed twice"),
    ("person index", edit(S, 52, "9"), 53, "person index 9 out of range"),
    ("same-sex parents", edit(S, 54, "2"), 55, "two parents of the same sex"),
    ("own parent", edit(edit(S, 52, "3"), 54, "3"), 53, "their own parent"),
    ("twins", edit(S, 52, "Direct 1 3"), 52, "twins / direct relations"),
    ("pedigree index", edit(S, 47, "1"), 47, "pedigree index 0"),
    (
        "stored results",
        edit(S, S_DB, "#TRUE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )"),
        S_DB,
        "stored results",
    ),
    (
        "databases",
        edit(S, S_DB, "#FALSE# (#Databases: 2 ;Theta/Kinship/Fst: 0 )"),
        S_DB,
        "#Databases: 1",
    ),
    (
        "theta",
        edit(S, S_DB, "#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 1 )"),
        S_DB,
        "θ must lie in [0, 1)",
    ),
    (
        "theta comma",
        edit(S, S_DB, "#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0,01 )"),
        S_DB,
        "decimal comma",
    ),
    ("frequency comma", edit(S, S_DB + 18, "0,25"), S_DB + 18, "decimal comma"),
    ("frequency zero", edit(S, S_DB + 18, "0"), S_DB + 18, "must be > 0"),
    ("frequency text", edit(S, S_DB + 18, "abc"), S_DB + 18, "(a number)"),
    ("rate", edit(S, S_DB + 5, "1.5"), S_DB + 5, "must lie in [0, 1]"),
    ("model code", edit(S, S_DB + 7, "5"), S_DB + 7, "must be 0–4"),
    ("silent", edit(S, S_DB + 14, "#TRUE#"), S_DB + 14, "silent alleles"),
    ("allele count", edit(S, S_L1_INFO - 7, "4"), S_L1_INFO, "silent alleles"),
    ("info line", edit(S, S_L1_INFO, "3 (DatabaseSize = 500)"), S_L1_INFO, "<TAB>"),
    (
        "duplicate allele",
        edit(S, S_L1_INFO + 3, '"10"'),
        S_L1_INFO + 3,
        "duplicate allele label",
    ),
    (
        "duplicate locus",
        edit(S, S_L1_INFO + 7, '"L1"'),
        S_L1_INFO + 7,
        "duplicate locus name",
    ),
    (
        "stepwise label",
        edit(S, S_L1_INFO + 22, '"9.25"'),
        S_L1_INFO + 7,
        "stepwise mutation model needs allele labels",
    ),
    (
        "stepwise range",
        edit(S, S_L1_INFO + 13, "0"),
        S_L1_INFO + 7,
        "range must lie in (0, 1)",
    ),
    (
        "truncated",
        "\n".join(lines_of(S)[:-1]) + "\n",
        S_L1_INFO + 19,
        "only 3 lines follow",
    ),
    ("truncated header", "\n".join(lines_of(S)[:41]) + "\n", 42, "end of file"),
    ("trailing", S + "[Results]\nx= 1\n", len(lines_of(S)) + 1, "unexpected section"),
    ("trailing text", S + "garbage\n", len(lines_of(S)) + 1, "unexpected line"),
    ("dvi flag", edit(D, 3, "3.3"), line_of(D, "[DVI]"), "does not end in ' (DVI)'"),
    (
        "dvi locus",
        edit(D, line_of(D, "SystemName= L1"), "SystemName= L9"),
        line_of(D, "SystemName= L1"),
        "locus 'L9' is not in the database",
    ),
    (
        "dvi allele",
        edit(D, line_of(D, "Allele1= 12"), "Allele1= 14"),
        line_of(D, "Allele1= 12"),
        "allele '14' of locus 'L1' is not in the database",
    ),
    (
        "dvi gender",
        edit(D, line_of(D, "Gender= Female"), "Gender= Unknown"),
        line_of(D, "Gender= Female"),
        "Gender= Male or Female",
    ),
    (
        "dvi count",
        edit(D, line_of(D, "nPersons= 1"), "nPersons= 2"),
        line_of(D, "[[Notes]]"),
        "expected the heading [[[Person 2]]]",
    ),
    (
        "dvi no missing",
        D.replace("Child= Missing person", "Child= Kid"),
        line_of(D, "nPedigrees= 2"),
        "no 'Missing person'",
    ),
    (
        "dvi parent sex",
        D.replace("Parent= F-1 [Father]", "Parent= Someone"),
        line_of(D, "Parent= F-1 [Father]"),
        "cannot be decided",
    ),
    (
        "dvi pedigrees",
        edit(D, line_of(D, "Name= Reference pedigree"), "Name= Other"),
        line_of(D, "Name= Fam-A", 2),
        "2 different pedigrees",
    ),
    (
        "dvi listed missing",
        edit(D, line_of(D, "Name= F-1 [Father]"), "Name= Missing person"),
        line_of(D, "Name= F-1 [Father]"),
        "must not be listed under Persons",
    ),
    (
        "dvi dropout",
        edit(D, line_of(D, "Dropout= 0"), "Dropout= 1"),
        line_of(D, "Dropout= 0"),
        "Dropout= must be < 1",
    ),
]


@pytest.mark.parametrize(
    ("text", "lineno", "message"),
    [r[1:] for r in REJECTIONS],
    ids=[r[0] for r in REJECTIONS],
)
def test_the_importer_rejects_with_the_line_and_what_was_expected(
    text: str, lineno: int, message: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KinshipWarning)
        with pytest.raises(FamiliasError) as err:
            fam_to_case(parse_fam(text, source="t.fam"))
    assert f"t.fam line {lineno}:" in str(err.value)
    assert message in str(err.value)


def test_each_rejection_case_differs_from_a_valid_file() -> None:
    fam_to_case(parse_fam(S))
    fam_to_case(parse_fam(D))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'"Output"\n\x81\x8d\n', "neither UTF-8 nor Windows-1252"),
        (b'"Output"\x00\n', "NUL byte"),
    ],
)
def test_undecodable_bytes_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FamiliasError, match=message):
        parse_fam(data)


def test_a_file_over_the_size_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(familias, "MAX_BYTES", 100)
    with pytest.raises(FamiliasError, match="larger than"):
        parse_fam(S.encode())
    path = tmp_path / "big.fam"
    path.write_text(S)
    with pytest.raises(FamiliasError, match="larger than"):
        read_fam(path)


def test_a_file_without_the_fam_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text(S)
    with pytest.raises(FamiliasError, match="ending in .fam"):
        read_fam(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace(
                "-1\n#FALSE#\n#TRUE#\n1\n1\n1\n0",
                "-1 (Consider dropouts)\n#FALSE#\n#TRUE#\n1\n1\n1\n0",
                1,
            ),
            "drop-out is flagged on 'Ref-2'",
        ),
        (
            lambda t: t.replace(
                "Dropout probability = 0 ,", "Dropout probability = 0.1 ,", 1
            ).replace("Dropout probability = 0 ,", "Dropout probability = 0.2 ,"),
            "different drop-out probabilities",
        ),
        (
            lambda t: t.replace('"H1 PM-1 is MP-1"\n0\n0\n2', '"H1"\n0\n0\n0').replace(
                "1\n3\n0\n3\n", ""
            ),
            "found 0 victim(s)",
        ),
    ],
    ids=["flag on a reference", "per-locus values", "not the one-victim shape"],
)
def test_a_standard_file_that_is_not_an_imena_case_is_refused(
    change: Callable[[str], str], message: str
) -> None:
    with pytest.raises(
        FamiliasError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        fam_to_case(parse_fam(change(S)))


def test_the_exporter_refuses_what_familias_cannot_hold() -> None:
    case = quiet_load(DVI_EXAMPLES / "example2.json")
    case.victims["V1"].sex = 0
    with pytest.raises(FamiliasError, match="unknown sex"):
        write_fam_dvi(case)
    case = quiet_load(DVI_EXAMPLES / "example2.json")
    case.victims["Missing V"] = case.victims.pop("V1")
    case.victims["Missing V"].name = "Missing V"
    with pytest.raises(FamiliasError, match="may start with 'Missing'"):
        write_fam_dvi(case)
    case = quiet_load(DVI_EXAMPLES / "example2.json")
    case.victims['V"1'] = case.victims.pop("V1")
    case.victims['V"1'].name = 'V"1'
    with pytest.raises(FamiliasError, match="double quotes"):
        write_fam_dvi(case)
    with pytest.raises(FamiliasError, match="theta"):
        write_fam_dvi(quiet_load(DVI_EXAMPLES / "example2.json"), theta=1.0)
    case = quiet_load(DVI_EXAMPLES / "example2.json")
    with pytest.raises(FamiliasError, match="differ in sex"):
        write_fam_pair(case, "V3", "M1")  # V3 female, M1 male
    case.lineage.y_victims["V1"] = {"DYS19": ("14",)}
    with pytest.warns(KinshipWarning, match="Y-STR / mtDNA"):
        write_fam_dvi(case)


def test_unlisted_parents_get_their_sex_along_a_chain_of_co_parents() -> None:
    text = D.replace(
        "nRelations= 2\nParent= F-1 [Father]",
        "nRelations= 4\nParent= Y\nChild= Z\nParent= Missing female 1\nChild= Z\n"
        "Parent= F-1 [Father]",
    )
    family = fam_to_case(parse_fam(text)).families["Fam-A"]
    sex = dict(zip(family.pedigree.ids, family.pedigree.sex, strict=True))
    # Y is known only through Missing female 1, known only through F-1.
    assert sex == {
        "F-1 [Father]": 1,
        "Y": 1,
        "Z": 0,
        "Missing female 1": 2,
        "Missing person": 0,
    }


def test_many_pedigrees_of_many_persons_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(familias, "MAX_PEDIGREE_ENTRIES", 7)
    with pytest.raises(FamiliasError, match="more than 7 pedigree entries"):
        parse_fam(S)
