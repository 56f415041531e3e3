"""``engine.dna_lrs`` keeps the screening's tables of a site's bodies and of
a few families for its next call with the same objects and markers (a
changed family is screened against each site in turn): the same LRs as
without them, and a changed family or body is read again."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

from imena.identification import engine
from imena.identification.engine import DNA_DROPOUT, BodyIn, PersonIn, dna_lrs
from kinship.markers import load_frequency_table

# (The module: ``kinship.screen`` is also the package's function.)
screen = importlib.import_module("kinship.screen")


def _profile(offset: int) -> dict[str, list[str]]:
    table = load_frequency_table()
    out = {}
    for n in list(table)[:12]:
        alleles = list(table[n].alleles)
        out[n] = [alleles[offset % len(alleles)], alleles[(offset + 2) % len(alleles)]]
    return out


def _family(offset: int) -> dict[str, Any]:
    return {
        "id": ["FA", "MP"],
        "fid": ["0", "FA"],
        "mid": ["0", "0"],
        "sex": [1, 1],
        "missing": "MP",
        "genotypes": {"FA": _profile(offset)},
    }


def _rows(found: engine.DnaLRs) -> dict[str, list[tuple[str, float]]]:
    table = found[0]
    return {
        body: [
            (table.persons[t], float(x))
            for t, x in zip(ts.tolist(), xs.tolist(), strict=True)
        ]
        for body, (ts, xs) in table.rows.items()
    }


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the tables are built (not taken from the memo)."""
    calls = {"victims": 0, "families": 0}
    victim_rows, targets_tables = screen._victim_rows, screen._targets_tables

    def v(*a: Any) -> Any:
        calls["victims"] += 1
        return victim_rows(*a)

    def t(*a: Any) -> Any:
        calls["families"] += 1
        return targets_tables(*a)

    monkeypatch.setattr(screen, "_victim_rows", v)
    monkeypatch.setattr(screen, "_targets_tables", t)
    monkeypatch.setattr(engine, "_SCREEN_MEMO", {})
    return calls


def test_the_kept_tables_give_the_same_lrs_and_a_change_is_read_again(
    counted: dict[str, int],
) -> None:
    # More bodies than ``screen_pairs`` screens at their genotypes only.
    bodies = [
        BodyIn(f"b{i}", "g1", str(i), {}, {"sex": 1, "genotypes": _profile(i)})
        for i in range(screen.POINT_VICTIMS + 1)
    ]
    person = PersonIn("p1", "P-1", {}, _family(1))
    first = _rows(dna_lrs(bodies, [person], DNA_DROPOUT, 1e-30))
    assert counted == {"victims": 1, "families": 1}
    again = _rows(dna_lrs(bodies, [person], DNA_DROPOUT, 1e-30))
    assert again == first
    assert counted == {"victims": 1, "families": 1}  # (both kept)
    # A new family for the report (another object): its table built again,
    # the bodies' kept; the LRs those of a computation without the memo.
    changed = PersonIn("p1", "P-1", {}, _family(3))
    now = _rows(dna_lrs(bodies, [changed], DNA_DROPOUT, 1e-30))
    assert counted == {"victims": 1, "families": 2}
    engine._SCREEN_MEMO.clear()
    assert now == _rows(dna_lrs(bodies, [changed], DNA_DROPOUT, 1e-30))
    assert now != first
    # A body's new profile (another object): the bodies' tables built again.
    bodies[2] = BodyIn("b2", "g1", "2", {}, {"sex": 1, "genotypes": _profile(7)})
    moved = _rows(dna_lrs(bodies, [changed], DNA_DROPOUT, 1e-30))
    built = dict(counted)
    engine._SCREEN_MEMO.clear()
    assert moved == _rows(dna_lrs(bodies, [changed], DNA_DROPOUT, 1e-30))
    assert built["victims"] == 3
    assert np.isfinite([x for row in moved.values() for _p, x in row]).all()


def test_a_few_bodies_have_the_lrs_of_the_whole_tables(
    counted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new PM profile against the register's families: computed at its
    genotypes only (no family's whole table), the same LRs."""
    bodies = [
        BodyIn(f"b{i}", "g1", str(i), {}, {"sex": 1, "genotypes": _profile(i)})
        for i in range(2)
    ]
    persons = [PersonIn(f"p{k}", f"P-{k}", {}, _family(k)) for k in range(6)]
    few = _rows(dna_lrs(bodies, persons, DNA_DROPOUT, 1e-30))
    assert counted["families"] == 0
    monkeypatch.setattr(screen, "POINT_VICTIMS", 0)
    whole = _rows(dna_lrs(bodies, persons, DNA_DROPOUT, 1e-30))
    assert counted["families"] > 0
    assert len(few["b0"]) >= 2
    assert few == whole  # to the bit


def test_evidence_of_many_bodies_at_once_equals_body_by_body() -> None:
    """``_Site.evidence_all`` (a few reports against a site's bodies, DNA
    first: a body whose DNA excludes every report is not compared) gives
    each body ``_evidence``'s numbers, with and without a report that has
    no DNA."""
    from imena.identification.engine import Params, _Site, person_table
    from matching.documentary import Reliability

    bodies = [
        BodyIn(
            f"b{i}",
            f"g{i % 3}",
            str(i),
            {"sex": "male", "age_min": 30 + i, "age_max": 40 + i, "stature_cm": 170},
            {"sex": 1, "genotypes": _profile(i)},
        )
        for i in range(12)
    ]
    typed = PersonIn(
        "p1", "P-1", {"sex": "male", "age_min": 35, "age_max": 45}, _family(1)
    )
    untyped = PersonIn("p2", "P-2", {"sex": "male", "stature_cm": 171}, None)
    params = Params(p_unlisted=0.3, reliability=Reliability(0.02, 0.015))
    for persons in ([typed], [typed, untyped]):
        found = dna_lrs(bodies, persons, DNA_DROPOUT)

        at_once, one_by_one = (
            _Site(
                bodies,
                persons,
                (),
                params,
                {},
                3,
                {},
                person_table(persons),
                1e-300,
                found,
            )
            for _ in range(2)
        )
        at_once.evidence_all(bodies)
        none_typed = 0
        for b in bodies:
            got, want = at_once.memo[b.body_id], one_by_one._evidence(b)
            assert [x.tolist() for x in got] == [x.tolist() for x in want]
            none_typed += len(persons) == 1 and len(want[0]) == 0
        # The family excludes some bodies by DNA (those not compared).
        assert len(persons) == 2 or 0 < none_typed < len(bodies)
