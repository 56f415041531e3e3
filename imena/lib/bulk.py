"""Shared pieces of the bulk paths (imports and scenario loads): the error that
names a row, and a progress bar on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Model
from django.utils.translation import gettext as _

#: ``progress(done, total)``.
Progress = Callable[[int, int], None]


class BulkRowError(ValidationError):
    """One row of a bulk import is wrong; nothing was stored."""

    def __init__(self, row: str, message: str) -> None:
        self.row = row
        self.reason = message
        super().__init__(
            _("%(row)s: %(message)s Nothing was stored.")
            % {"row": row, "message": message.rstrip(".") + "."}
        )


def error_text(error: ValidationError) -> str:
    """One line from a validation error: ``field: message; ...``."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def progress_bar(label: str, stream: IO[str] | None = None) -> Progress:
    """A one-line progress bar (``label [#####.....] done/total, rate/s``)."""
    out = stream if stream is not None else sys.stderr
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(time.perf_counter() - start, 1e-6)
        out.write(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{total} ({rate:,.0f}/s)"
        )
        if done >= total:
            out.write("\n")
        out.flush()

    return progress


def update_rows(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of saved objects with one prepared UPDATE run for every
    row (``executemany``): ``bulk_update``'s CASE expressions grow with the
    batch and cost seconds per thousand rows."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    field_objs: list[Any] = [meta.get_field(name) for name in fields]
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in field_objs)
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {assignments} "
        f"WHERE {qn(str(meta.pk.column))} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(o, f.attname), connection) for f in field_objs]
        + [o.pk]
        for o in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])
