"""Server-side lists: one page, one sort order, at most ``MAX_PER_PAGE`` rows.

Every list page of Imena goes through :func:`paginate`, so no page renders thousands
of rows whatever the size of the register. Sorting is by a key the view names
(``?sort=key`` ascending, ``?sort=-key`` descending); an unknown key falls back to the
default, so a hand-edited URL never reaches ``order_by``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Listing:
    """One page of a list with the sort order it was taken in."""

    page: Page
    sort: str = ""
    sort_keys: tuple[str, ...] = field(default_factory=tuple)
    page_param: str = "page"
    sort_param: str = "sort"

    @property
    def rows(self) -> Sequence[Any]:
        return list(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    def sort_link(self, key: str) -> str:
        """The ``sort`` value a column header links to: flips when already sorted."""
        return f"-{key}" if self.sort == key else key

    def sorted_by(self, key: str) -> str:
        """``asc``/``desc`` when the list is sorted by ``key``, else ``""``."""
        if self.sort == key:
            return "asc"
        if self.sort == f"-{key}":
            return "desc"
        return ""


def text_search(q: str, *fields: str) -> Q:
    """Rows where any of ``fields`` contains ``q``, ignoring case in any script.

    SQLite's ``LIKE`` folds only ASCII letters, so Cyrillic text is also tried in
    its lower, upper, capitalised and title forms (PostgreSQL's ``ILIKE`` folds all).
    """
    cond = Q()
    for form in {q, q.lower(), q.upper(), q.capitalize(), q.title()}:
        for name in fields:
            cond |= Q(**{f"{name}__icontains": form})
    return cond


def _per_page(request: HttpRequest, default: int) -> int:
    try:
        wanted = int(request.GET.get("per_page", default))
    except ValueError:
        return default
    return max(1, min(wanted, MAX_PER_PAGE))


def paginate(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    sorts: Mapping[str, str | Sequence[str]] | None = None,
    default_sort: str = "",
    per_page: int = PER_PAGE,
    prefix: str = "",
) -> Listing:
    """Sort ``rows`` by the request's ``sort`` key (if ``sorts`` names it) and page them.

    ``sorts`` maps a public key to the model field(s) it orders by; a leading ``-``
    on the key reverses every field. ``default_sort`` is used when the request names
    no known key. A page number past the end gives the last page. ``prefix`` names
    the query parameters (``<prefix>page``, ``<prefix>sort``) when a page shows
    several lists.
    """
    page_param, sort_param = f"{prefix}page", f"{prefix}sort"
    sort = ""
    if sorts:
        sort = request.GET.get(sort_param, "") or default_sort
        if sort.lstrip("-") not in sorts:
            sort = default_sort
        if sort and isinstance(rows, QuerySet):
            fields = sorts[sort.lstrip("-")]
            fields = [fields] if isinstance(fields, str) else list(fields)
            if sort.startswith("-"):
                fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
            rows = rows.order_by(*fields, "pk" if not sort.startswith("-") else "-pk")
    paginator = Paginator(rows, _per_page(request, per_page))
    page = paginator.get_page(request.GET.get(page_param))
    return Listing(
        page=page,
        sort=sort,
        sort_keys=tuple(sorts or ()),
        page_param=page_param,
        sort_param=sort_param,
    )
