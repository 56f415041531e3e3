"""Names that other apps know for a grave: a small registry of plain functions.

The burials app sits below the journals and identification apps, so it cannot
ask them; they register here when they start (``AppConfig.ready``). A
*searcher* turns the text typed in a site's grave list into a condition on
``Grave`` (a name in a journal, the person identified); a *namer* gives the
name to show for each of a page of graves, with the lowest ``rank`` winning
(an identification before a journal's proposal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q

Searcher = Callable[[str], Q]
Namer = Callable[[list[int]], dict[int, str]]

SEARCHERS: list[Searcher] = []
NAMERS: list[tuple[int, Namer]] = []


def register_searcher(searcher: Searcher) -> None:
    if searcher not in SEARCHERS:
        SEARCHERS.append(searcher)


def register_namer(namer: Namer, *, rank: int) -> None:
    if all(n is not namer for _r, n in NAMERS):
        NAMERS.append((rank, namer))
        NAMERS.sort(key=lambda item: item[0])


def name_condition(text: str) -> Q:
    """Graves with ``text`` in any name the registered apps know; nothing if none."""
    cond = Q(pk__in=[])
    for searcher in SEARCHERS:
        cond |= searcher(text)
    return cond


def names_for(grave_ids: Iterable[int]) -> dict[int, str]:
    """The name to show per grave (first registered rank that knows one)."""
    ids = list(grave_ids)
    out: dict[int, str] = {}
    for _rank, namer in NAMERS:
        for pk, name in namer([i for i in ids if i not in out]).items():
            if name:
                out.setdefault(pk, name)
    return out
