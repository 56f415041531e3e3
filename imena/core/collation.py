"""Ukrainian alphabetical order for names, in Python, SQLite and PostgreSQL.

Code-point order puts Є, І and Ї before А and Ґ after Я. The order here is the
Ukrainian alphabet (А Б В Г Ґ Д Е Є Ж З И І Ї Й К Л М Н О П Р С Т У Ф Х Ц Ч
Ш Щ Ь Ю Я), with the Russian-only letters next to their neighbours (Ё after
Е, Ъ and Ы before Ь, Э before Ю) and Latin letters after Cyrillic. Case,
apostrophes and hyphens count only to break ties, as in a printed index.

- Python: ``uk_sort_key(text)``.
- SQLite: the ``uk`` collation, registered on every connection (``CoreConfig``).
- PostgreSQL: the ICU collation ``uk-x-icu`` (CLDR's Ukrainian order).
- Queries: ``order_by(Ukrainian("family_name"))``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Expression
from django.db.models.functions import Collate

ALPHABET = "абвгґдеёєжзиіїйклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz"
_RANK = {ch: i for i, ch in enumerate(ALPHABET)}
_IGNORED = set("'’ʼ`-‐ ")
#: Past every letter: digits and other signs keep their code-point order.
_OTHER = len(ALPHABET) + 1


def uk_sort_key(text: str) -> tuple[tuple[int, ...], str]:
    """A key that sorts names in Ukrainian alphabetical order."""
    primary = tuple(
        _RANK.get(ch, _OTHER + ord(ch))
        for ch in unicodedata.normalize("NFC", text).casefold()
        if ch not in _IGNORED
    )
    return primary, text


def uk_compare(a: str | None, b: str | None) -> int:
    """The ``uk`` collation of SQLite: -1, 0 or 1."""
    ka, kb = uk_sort_key(a or ""), uk_sort_key(b or "")
    return (ka > kb) - (ka < kb)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: teach SQLite the ``uk`` collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation("uk", uk_compare)


class Ukrainian(Collate):
    """``expression`` in Ukrainian alphabetical order (for ``order_by``)."""

    def __init__(self, expression: Expression | str) -> None:
        super().__init__(expression, "uk")

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        extra_context["collation"] = connection.ops.quote_name("uk-x-icu")
        return self.as_sql(compiler, connection, **extra_context)
