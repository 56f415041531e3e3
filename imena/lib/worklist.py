"""Work lists: what waits for the signed-in user, contributed by each app.

An app offers ``<app>/worklist.py::work_items(user) -> list[WorkItem]`` (found by
``imena.core.hooks.app_hooks``); the home page shows every item the user's role may
act on, each with its count, a link to the whole list and the first few rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

#: Rows previewed on the home page per work item.
PREVIEW = 5


@dataclass(frozen=True)
class WorkRow:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class WorkItem:
    key: str
    title: str
    count: int
    url: str
    rows: list[WorkRow] = field(default_factory=list)


def work_item(
    key: str,
    title: str,
    rows: QuerySet[Any],
    url: str,
    row: Callable[[Any], WorkRow],
) -> WorkItem:
    """A work item: how many rows wait, and the first ``PREVIEW`` of them."""
    return WorkItem(
        key=key,
        title=title,
        count=rows.count(),
        url=url,
        rows=[row(r) for r in rows[:PREVIEW]],
    )
