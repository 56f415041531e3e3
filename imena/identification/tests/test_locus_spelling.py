"""A profile typed under a lab's spelling of a locus (``VWA``, ``PENTA_D``)
gets the DNA LR of the frequency table's spelling (``vWA``, ``Penta D``) in
the identification engine, as in the national screening: one pair, one LR."""

from __future__ import annotations

from typing import Any

import pytest

from imena.identification.engine import DNA_DROPOUT, BodyIn, PersonIn, dna_lrs
from kinship.markers import load_frequency_table

LAB = {"vWA": "VWA", "Penta D": "PENTA_D", "Penta E": "PENTA_E"}


def _profile(offset: int) -> dict[str, list[str]]:
    """A profile at ten loci of the table, among them the three above: the
    alleles are the table's, picked by position so that the body and the
    father share one allele at each locus."""
    table = load_frequency_table()
    loci = [n for n in table if n not in LAB][:7] + list(LAB)
    out = {}
    for n in loci:
        alleles = list(table[n].alleles)
        out[n] = [alleles[offset % len(alleles)], alleles[(offset + 3) % len(alleles)]]
    return out


def _spelled(profile: dict[str, Any], spelling: dict[str, str]) -> dict[str, Any]:
    return {spelling.get(k, k): v for k, v in profile.items()}


def _lr(
    body_spelling: dict[str, str], family_spelling: dict[str, str]
) -> tuple[float, list[str]]:
    child, father = _profile(0), _profile(3)
    body = BodyIn(
        "b1", "g1", "1", {}, {"sex": 1, "genotypes": _spelled(child, body_spelling)}
    )
    family = {
        "id": ["FA", "MP"],
        "fid": ["0", "FA"],
        "mid": ["0", "0"],
        "sex": [1, 1],
        "missing": "MP",
        "genotypes": {"FA": _spelled(father, family_spelling)},
    }
    person = PersonIn("p1", "P-1", {}, family)
    table, _relations, notes = dna_lrs([body], [person], DNA_DROPOUT, -30.0)
    (targets, logs) = table.rows["b1"]
    assert [table.persons[t] for t in targets] == ["p1"]
    return float(logs[0]), notes


@pytest.mark.parametrize(
    ("body", "family"),
    [(LAB, {}), ({}, LAB), (LAB, LAB)],
    ids=["body", "family", "both"],
)
def test_a_lab_spelling_of_a_locus_gives_the_tables_lr(
    body: dict[str, str], family: dict[str, str]
) -> None:
    lr, notes = _lr(body, family)
    assert not notes
    assert lr == pytest.approx(_lr({}, {})[0], rel=1e-12)


def test_the_three_loci_count() -> None:
    """The LR with the three loci differs from the LR without them (so the
    test above compares LRs that read them)."""
    with_them = _lr({}, {})[0]
    drop = {k: f"NOT_A_LOCUS_{i}" for i, k in enumerate(LAB)}
    without, notes = _lr(drop, {})
    assert len(notes) == 3
    assert without != pytest.approx(with_them, rel=1e-6)
