"""Check the committed XLSForms against the vocabulary and the models.

A vocabulary list or model choice that changed without the forms being rebuilt
is drift: Collect would offer codes the database refuses, or miss new ones.
"""

from __future__ import annotations

from pathlib import Path

from imena.odk.build_forms import XLSFORM_DIR, normalise, read_xlsx, xlsx_path
from imena.odk.formdefs import LABEL_EN, LABEL_UK, definitions, source_choices


def drift_report(directory: Path = XLSFORM_DIR) -> list[str]:
    """One line per problem; empty when every form matches its sources."""
    problems: list[str] = []
    for form_id, form in definitions().items():
        path = xlsx_path(form_id, directory)
        if not path.exists():
            problems.append(f"{path.name}: missing; run `imena odk build-forms`")
            continue
        sheets = read_xlsx(path)
        in_file: dict[str, list[tuple[str, str, str]]] = {}
        for row in sheets.get("choices", []):
            in_file.setdefault(row.get("list_name", ""), []).append(
                (row.get("name", ""), row.get(LABEL_EN, ""), row.get(LABEL_UK, ""))
            )
        for list_name, source in form.sources.items():
            if source.kind == "local":
                continue
            want = source_choices(source)
            got = in_file.get(list_name, [])
            want_codes = [c for c, _en, _uk in want]
            got_codes = [c for c, _en, _uk in got]
            if want_codes != got_codes:
                missing = [c for c in want_codes if c not in got_codes]
                extra = [c for c in got_codes if c not in want_codes]
                problems.append(
                    f"{path.name}: list {list_name} differs from {source.describe()}"
                    f" (missing {missing or '—'}, not in source {extra or '—'}"
                    f"{', order differs' if not missing and not extra else ''})"
                )
                continue
            # Ukrainian labels are compared for the vocabulary (pure data) only.
            width = 3 if source.kind == "vocabulary" else 2
            if [w[:width] for w in want] != [g[:width] for g in got]:
                problems.append(
                    f"{path.name}: labels of list {list_name} differ from "
                    f"{source.describe()}"
                )
        if normalise(sheets) != normalise(form.sheets()):
            problems.append(
                f"{path.name}: differs from its definition in imena/odk/formdefs.py; "
                "run `imena odk build-forms` and commit the file"
            )
    return problems
