"""Fields a migration added to a model after an audit entry described its records.

An entry keeps a record's state as it was stored then. When a later migration
adds a field (``AddField``), every existing row gets the field's default, and
an older entry cannot know the field: ``imena audit verify --records`` and
``audit_batch_check`` compare such a field only with that default, and the
rest of the record as before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddField


@cache
def _added(alias: str) -> dict[str, list[tuple[dt.datetime, str]]]:
    """{model label: [(when its migration was applied, field name)]}."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied = loader.applied_migrations or {}
    added: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for key, record in applied.items():
        migration = loader.disk_migrations.get(key)
        when = getattr(record, "applied", None)  # a MigrationRecorder row
        if migration is None or when is None:
            continue
        for op in migration.operations:
            if isinstance(op, AddField):
                label = f"{key[0]}.{op.model_name_lower}"
                added[label].append((when, op.name))
    return dict(added)


def fields_added_after(
    model: type[models.Model], when: dt.datetime, alias: str = DEFAULT_DB_ALIAS
) -> set[str]:
    """Names of the fields of ``model`` that a migration applied after ``when`` added."""
    return {
        name
        for applied, name in _added(alias).get(model._meta.label_lower, [])
        if applied > when
    }


def forget_migrations() -> None:
    """Read the applied migrations again (after ``migrate`` in the same process)."""
    _added.cache_clear()
