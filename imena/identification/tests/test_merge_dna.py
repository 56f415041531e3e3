"""``engine.merge_dna``: the DNA LRs of more families added to a table (a
new or changed family's, in a worker's update)."""

from __future__ import annotations

import numpy as np

from imena.identification.engine import DnaTable, merge_dna


def _table(
    persons: list[str], rows: dict[str, tuple[list[int], list[float]]]
) -> DnaTable:
    return DnaTable(
        persons,
        {
            b: (np.array(t, dtype=np.int64), np.array(lg, dtype=float))
            for b, (t, lg) in rows.items()
        },
    )


def test_merged_rows_hold_both_tables_and_bodies_without_hits_keep_theirs() -> None:
    old = _table(["p0", "p1"], {"b0": ([0, 1], [2.0, -1.0]), "b1": ([1], [0.5])})
    new = _table(
        ["p2"],
        {"b0": ([0], [3.0]), "b1": ([], []), "b2": ([0], [1.5]), "b3": ([], [])},
    )
    old_b1 = old.rows["b1"]
    for into in (False, True):
        before = {b: (r[0].copy(), r[1].copy()) for b, r in old.rows.items()}
        table, relations, notes = merge_dna(
            (old, {"p0": ["x"]}, ["n0"]), (new, {"p2": ["y"]}, ["n0", "n1"]), into=into
        )
        assert table.persons == ["p0", "p1", "p2"]
        assert table.target["p2"] == 2
        assert relations == {"p0": ["x"], "p2": ["y"]} and notes == ["n0", "n1"]
        assert table.get(("b0", "p2")) == 3.0 and table.get(("b0", "p1")) == -1.0
        assert table.get(("b2", "p2")) == 1.5 and table.get(("b1", "p2")) is None
        assert [t.tolist() for t, _lg in [table.rows["b0"]]] == [[0, 1, 2]]
        # A body where the new family has no hit: the same row.
        assert (
            table.rows["b1"][0].tolist() == [1] and table.rows["b3"][0].tolist() == []
        )
        if into:
            assert table is old and old.rows["b1"] is old_b1
        else:
            # The old table as it was.
            assert old.persons == ["p0", "p1"]
            assert {b: (r[0].tolist(), r[1].tolist()) for b, r in old.rows.items()} == {
                b: (r[0].tolist(), r[1].tolist()) for b, r in before.items()
            }
