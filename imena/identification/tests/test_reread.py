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
