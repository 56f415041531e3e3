"""Labels for a draft's fields and coded answers, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from imena.odk.formdefs import LABEL_EN, LABEL_UK, definition


@dataclass
class Row:
    name: str
    label: str
    value: str
    is_file: bool = False


@dataclass
class Block:
    label: str
    rows: list[Row] = field(default_factory=list)


HIDDEN = {"started", "finished", "deviceid"}


def draft_blocks(form_id: str, data: dict[str, Any]) -> list[Block]:
    """The answers as labelled rows; each repeat item is a block of its own."""
    form = definition(form_id)
    uk = (get_language() or "en").startswith("uk")
    labels: dict[str, str] = {}
    lists: dict[str, dict[str, str]] = {}
    binary: set[str] = set()
    for row in form.survey:
        name = row.get("name", "")
        labels[name] = row.get(LABEL_UK if uk else LABEL_EN, name)
        parts = row["type"].split()
        if parts[0] in ("select_one", "select_multiple") and len(parts) == 2:
            lists[name] = {
                c["name"]: c[LABEL_UK if uk else LABEL_EN]
                for c in form.lists.get(parts[1], [])
            }
        if parts[0] == "image":
            binary.add(name)

    def rows_of(values: dict[str, Any]) -> tuple[list[Row], list[Block]]:
        rows: list[Row] = []
        blocks: list[Block] = []
        for name, value in values.items():
            if name in HIDDEN:
                continue
            if isinstance(value, list):
                for i, item in enumerate(value, start=1):
                    inner, _nested = rows_of(item)
                    blocks.append(Block(f"{labels.get(name, name)} {i}", inner))
                continue
            text = str(value)
            if name in lists:
                text = ", ".join(lists[name].get(v, v) for v in text.split())
            rows.append(Row(name, labels.get(name, name), text, name in binary))
        return rows, blocks

    top, blocks = rows_of(data)
    return [Block("", top), *blocks]
