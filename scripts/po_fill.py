"""Fill msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

For plural entries the JSON value is a list of Ukrainian plural forms (one, few, many).
Usage: python scripts/po_fill.py locale/uk/LC_MESSAGES/django.po translations.json
"""

from __future__ import annotations

import json
import sys

import polib


def main(po_path: str, json_path: str) -> int:
    po = polib.pofile(po_path)
    with open(json_path, encoding="utf-8") as f:
        table = json.load(f)
    missing = []
    for entry in po:
        value = table.get(entry.msgid)
        if value is None:
            if not entry.msgstr and not any(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value] * 3
            entry.msgstr_plural = {i: forms[min(i, len(forms) - 1)] for i in range(4)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Language"] = "uk"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(po_path)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
