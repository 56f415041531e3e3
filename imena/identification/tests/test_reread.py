"""``engine.reread_positions``: where a worker's register read reports again
(kept for the same two lists: every site of an update asks it)."""

from __future__ import annotations

from imena.identification import engine
from imena.identification.engine import PersonIn, reread_positions


def _reports(n: int) -> list[PersonIn]:
    return [PersonIn(str(i), f"P-{i}", {}, None) for i in range(n)]


def test_the_positions_read_again_for_each_pair_of_lists() -> None:
    last = _reports(6)
    now = list(last)
    now[2] = PersonIn("2", "P-2", {"sex": "female"}, None)
    now[5] = PersonIn("5", "P-5", {}, None)
    first = reread_positions(last, now)
    assert first == [2, 5]
    first.append(99)  # the caller's list, not the kept one
    assert reread_positions(last, now) == [2, 5]
    # Another list of the same reports, other reports, another length.
    again = list(now)
    again[0] = PersonIn("0", "P-0", {}, None)
    assert reread_positions(last, again) == [0, 2, 5]
    other = list(last)
    other[3] = PersonIn("33", "P-33", {}, None)
    assert reread_positions(last, other) is None
    assert reread_positions(last, other) is None
    assert reread_positions(last, now[:5]) is None
    assert reread_positions(now, now) == []


def test_answers_for_several_pairs_are_kept_at_once() -> None:
    # Each site of an update asks for two pairs in turn (its cache's last
    # list and the store's): both answers stay kept, not the last one only.
    engine._REREAD.clear()
    a, b = _reports(4), _reports(4)
    now = list(a)
    now[1] = PersonIn("1", "P-1", {"sex": "male"}, None)
    for _site in range(3):
        assert reread_positions(a, now) == [1]
        assert reread_positions(b, now) == [0, 1, 2, 3]
    assert {(id(k[0]), id(k[1])) for k in engine._REREAD.values()} == {
        (id(a), id(now)),
        (id(b), id(now)),
    }
    # At most ``_REREAD_KEPT`` pairs, the oldest forgotten first.
    others = [_reports(4) for _ in range(engine._REREAD_KEPT)]
    for other in others:
        reread_positions(other, now)
    assert len(engine._REREAD) == engine._REREAD_KEPT
    assert (id(a), id(now)) not in engine._REREAD
    assert (id(others[-1]), id(now)) in engine._REREAD


def test_prefix_same_allows_only_the_changed_reports() -> None:
    """``engine._prefix_same``: the reports of the last run, but the allowed
    (changed) ones at their places; an equal report read again is the same
    report; anything else is not (with and without the positions that
    ``reread_positions`` finds: the same answers)."""
    last = tuple(_reports(6))
    index = {p.person_id: j for j, p in enumerate(last)}
    changed = PersonIn("2", "P-2", {"sex": "female"}, None)
    now = list(last)
    now[2] = changed
    for kind in (tuple, list):
        assert engine._prefix_same(kind(now), last, {"2": changed}, index)
        # Not allowed: another report at 2.
        assert not engine._prefix_same(kind(now), last, {}, index)
        # An equal report read again (another object) is the same report.
        again = list(now)
        again[4] = PersonIn("4", "P-4", {}, None)
        assert engine._prefix_same(kind(again), last, {"2": changed}, index)
        # Another object at the allowed place than the one allowed.
        other = PersonIn("2", "P-2", {"sex": "male"}, None)
        assert not engine._prefix_same(kind(now), last, {"2": other}, index)
        # Another report changed too, not allowed.
        more = list(now)
        more[5] = PersonIn("5", "P-5", {"sex": "male"}, None)
        assert not engine._prefix_same(kind(more), last, {"2": changed}, index)
        # Other ids, other lengths, an allowed report not in the last run.
        ids = list(now)
        ids[3] = PersonIn("33", "P-33", {}, None)
        assert not engine._prefix_same(kind(ids), last, {"2": changed}, index)
        assert not engine._prefix_same(kind(now[:5]), last, {"2": changed}, index)
        assert not engine._prefix_same(
            kind(now), last, {"2": changed, "9": changed}, index
        )
