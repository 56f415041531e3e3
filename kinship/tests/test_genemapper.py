"""Allele cells, locus names and the CSV layouts of ``kinship.genemapper``."""

from __future__ import annotations

import pytest

from kinship.errors import KinshipError
from kinship.genemapper import (
    amelogenin_sex,
    canonical_locus,
    known_loci,
    parse_genotype,
    read_genemapper_csv,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("6/9.3", ("6", "9.3")),
        ("20,22", ("20", "22")),
        ("9;12", ("9", "12")),
        ("17", ("17", "17")),
        ([15, 16], ("15", "16")),
        (15, ("15", "15")),
        (["17", ""], ("17", "17")),
        ("", None),
        ("NA", None),
        ("OL?", None),
        (None, None),
    ],
)
def test_an_allele_cell_is_read(cell: object, expected: object) -> None:
    assert parse_genotype(cell, "S1", "TH01") == expected


def test_three_alleles_name_the_sample_and_the_locus() -> None:
    with pytest.raises(KinshipError, match="sample S1, locus FGA: 3 alleles"):
        parse_genotype("20/21/22", "S1", "FGA")


@pytest.mark.parametrize(
    ("written", "norstr"),
    [
        ("VWA", "vWA"),
        ("vwa", "vWA"),
        ("PENTA_D", "Penta D"),
        ("Penta D", "Penta D"),
        ("penta-e", "Penta E"),
        ("THO1", "TH01"),
        ("d3s1358", "D3S1358"),
        ("AMEL", None),
        ("DYS391", None),
    ],
)
def test_a_locus_gets_its_norstr_spelling(written: str, norstr: str | None) -> None:
    assert canonical_locus(written) == norstr


def test_known_loci_keeps_the_marker_set_spelling_and_lists_the_rest() -> None:
    known, unknown = known_loci(
        {"VWA": ("16", "17"), "L1": ("1", "2"), "DYS999": ("5", "5")},
        ["vWA", "L1"],
    )
    assert known == {"vWA": ("16", "17"), "L1": ("1", "2")}
    assert unknown == ["DYS999"]


@pytest.mark.parametrize(
    ("profile", "sex"),
    [({"AMEL": ["X", "Y"]}, 1), ({"Amelogenin": ["X", "X"]}, 2), ({"TH01": ["6"]}, 0)],
)
def test_amelogenin_gives_the_sex(profile: dict[str, list[str]], sex: int) -> None:
    assert amelogenin_sex(profile) == sex


@pytest.mark.parametrize(
    "text",
    [
        "Sample Name,Locus,Allele 1,Allele 2\nS1,TH01,6,9.3\nS1,vWA,17,\n",
        "Sample,Locus,Allele1,Allele2\nS1,TH01,6,9.3\nS1,vWA,17,\n",
        "Sample Name;TH01 Allele 1;TH01 Allele 2;vWA Allele 1\nS1;6;9.3;17\n",
        "Sample_Name,TH01_Allele1,TH01_Allele2,vWA_Allele1\nS1,6,9.3,17\n",
        "Sample Name\tTH01 1\tTH01 2\tvWA 1\nS1\t6\t9.3\t17\n",
        "Sample Name\tTH01\tvWA\nS1\t6/9.3\t17\n",
    ],
    ids=[
        "long-locus",
        "long-plain",
        "wide-semicolon",
        "wide-underscore",
        "wide-numbered",
        "wide-cell",
    ],
)
def test_every_layout_gives_the_same_profile(text: str) -> None:
    assert read_genemapper_csv(text) == {
        "S1": {"TH01": ("6", "9.3"), "vWA": ("17", "17")}
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "Sample Name,Marker,Allele 1\nS1,TH01,6\nS1,TH01,7\n",
            "row 3: .*appears twice",
        ),
        ("Sample Name,Marker,Allele 1\n,TH01,6\n", "row 2: no sample name"),
        ("Marker,Allele 1\nTH01,6\n", "no 'Sample Name' column"),
        ("Sample Name,Marker\nS1,TH01\n", "no 'Allele 1' column"),
    ],
)
def test_a_bad_file_is_an_error(text: str, error: str) -> None:
    with pytest.raises(KinshipError, match=error):
        read_genemapper_csv(text)
