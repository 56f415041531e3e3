"""``engine.reread_positions``: where a worker's register read reports again
(kept for the same two lists: every site of an update asks it)."""

from __future__ import annotations

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
