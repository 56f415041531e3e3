"""The listed exclusions a worker's cache keeps (``engine._listed``,
``SiteCache.forget_persons``): a changed report's entry is never reused."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from imena.identification.engine import SiteCache, _listed


class _Site:
    """What ``_listed`` reads of a site: its persons' ids, the cache, and
    each blocked person's reasons (counted)."""

    def __init__(self, cache: SiteCache, pids: list[str]) -> None:
        self.cache = cache
        self.pids = pids
        self.asked: list[str] = []

    def blocked_reasons(self, b: Any, j: int) -> list[dict[str, str]]:
        self.asked.append(self.pids[j])
        return [{"key": "sex", "reason": f"asked {len(self.asked)}"}]


def test_a_listing_kept_through_two_changes_reuses_neither_changed_entry() -> None:
    cache = SiteCache()
    site = _Site(cache, ["11", "12", "13", "14"])
    body: Any = SimpleNamespace(body_id="7")
    listed = _listed(site, body, np.array([0, 1, 2, 3]))  # type: ignore[arg-type]
    assert [pid for pid, _rows in listed] == ["11", "12", "13", "14"]
    assert site.asked == ["11", "12", "13", "14"]
    # Two reports changed, one update after the other, with no listing of
    # the body in between (the first change left it kept, to be relisted).
    cache.forget_persons(["11"])
    cache.forget_persons(["13"])
    site.asked.clear()
    # The body's first blocked persons are others now (14 no longer blocked).
    listed = _listed(site, body, np.array([0, 1, 2]))  # type: ignore[arg-type]
    assert site.asked == ["11", "13"]
    assert [pid for pid, _rows in listed] == ["11", "12", "13"]
    # The entry of 12 is the one computed first.
    assert dict(listed)["12"] == [{"key": "sex", "reason": "asked 2"}]
    # A listing with the same first persons is reused whole.
    site.asked.clear()
    _listed(site, body, np.array([0, 1, 2]))  # type: ignore[arg-type]
    assert site.asked == []
