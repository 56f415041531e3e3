"""Model fields shared by the apps."""

from __future__ import annotations

import json
from typing import Any

from django.db import models


def compact_json(value: dict[str, Any] | list[Any], encoder: Any = None) -> str:
    """A JSON document as UTF-8 text without spaces, its letters as they are
    (not Django's 6-byte escape per Cyrillic letter): what ``BulkJSONField``
    writes on SQLite, and ``identification.services._insert`` for ``COPY``
    on PostgreSQL."""
    return json.dumps(value, cls=encoder, ensure_ascii=False, separators=(",", ":"))


class BulkJSONField(models.JSONField):
    """A ``JSONField`` that ``bulk_create`` inserts as ``VALUES`` on PostgreSQL.

    Since Django 5.2 ``bulk_create`` on PostgreSQL passes each column as one
    array (``INSERT ... SELECT * FROM UNNEST(...)``), and psycopg writes an array
    of JSON texts by escaping every quote of every document with a regular
    expression: storing one site's candidates (about 2,000 rows of evidence)
    took 4.9 to 8.1 s of CPU against 1.3 s with ``VALUES`` (#13). A field with
    ``get_placeholder`` makes Django use ``VALUES``; the placeholder is the
    one it uses anyway, so the SQL and the stored value are the same.
    Migrations see a plain ``JSONField`` (no schema change).

    On SQLite a document (dict or list) is stored as UTF-8 JSON text without
    spaces, its letters as they are: Django's encoding writes every Cyrillic
    letter as a 6-byte escape, and the candidates' evidence and the analyses'
    listed exclusions, in Ukrainian and English, came to 1.6 to 1.8 times the
    bytes for an update to write (#13). The same value is read back; only
    what is written changes (a lookup's value is encoded as Django does).
    A text that UTF-8 cannot encode (a lone surrogate) is stored as Django
    would store it.
    """

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if connection.vendor == "sqlite" and isinstance(value, dict | list):
            text = compact_json(value, self.encoder)
            try:
                text.encode()
            except UnicodeEncodeError:
                return super().get_db_prep_save(value, connection)
            return text
        return super().get_db_prep_save(value, connection)

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs
