"""Write the XLSForms in ``imena/odk/xlsforms/`` from ``formdefs`` and build XForms.

Run ``imena odk build-forms`` (or ``python -m imena.odk.build_forms``) after a
change to the definitions, the vocabulary or a model's choices, and commit the
``.xlsx`` files: they are what the server publishes and what a team uploads to
KoboToolbox or ODK Central.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import django

from imena.odk.formdefs import (
    CHOICE_COLUMNS,
    SETTINGS_COLUMNS,
    SURVEY_COLUMNS,
    FormDef,
    definitions,
)

XLSFORM_DIR = Path(__file__).resolve().parent / "xlsforms"
SHEET_COLUMNS = {
    "survey": SURVEY_COLUMNS,
    "choices": CHOICE_COLUMNS,
    "settings": SETTINGS_COLUMNS,
}
# A fixed document date keeps regenerated files identical when nothing changed.
FIXED_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None)


class FormBuildError(Exception):
    """An XLSForm that pyxform or ODK Validate refuses."""


def xlsx_path(form_id: str, directory: Path = XLSFORM_DIR) -> Path:
    return directory / f"{form_id}.xlsx"


def write_xlsx(form: FormDef, path: Path) -> None:
    # openpyxl is heavy and only needed for XLSX files; imported on use.
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for sheet, rows in form.sheets().items():
        ws = wb.create_sheet(sheet)
        columns = SHEET_COLUMNS[sheet]
        ws.append(columns)
        for row in rows:
            ws.append([row.get(col, "") for col in columns])
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    wb.properties.creator = "imena build_forms"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def read_xlsx(path: Path) -> dict[str, list[dict[str, str]]]:
    """The sheets of an XLSForm as lists of rows, empty cells left out."""
    # openpyxl is heavy and only needed for XLSX files; imported on use.
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    sheets: dict[str, list[dict[str, str]]] = {}
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(rows, ())]
        out = []
        for values in rows:
            row = {
                header[i]: str(v)
                for i, v in enumerate(values)
                if i < len(header) and header[i] and v not in (None, "")
            }
            if row:
                out.append(row)
        sheets[ws.title] = out
    wb.close()
    return sheets


def normalise(
    sheets: dict[str, list[dict[str, Any]]],
) -> dict[str, list[dict[str, str]]]:
    """Rows without empty values, for comparing definitions with files."""
    return {
        name: [
            {k: str(v) for k, v in row.items() if v not in (None, "")} for row in rows
        ]
        for name, rows in sheets.items()
    }


def to_xform(sheets: dict[str, list[dict[str, str]]], *, validate: bool = False) -> str:
    """Convert XLSForm sheets to XForm XML with pyxform (ODK Validate if asked)."""
    # pyxform is heavy and only needed to build forms; imported on use.
    from pyxform import xls2xform

    try:
        result = xls2xform.convert(
            xlsform={k: list(v) for k, v in sheets.items()},
            validate=validate,
            pretty_print=False,
            form_name="data",
        )
    except Exception as e:  # pyxform and ODK Validate raise several types
        raise FormBuildError(str(e)) from None
    return result.xform


def build_all(directory: Path = XLSFORM_DIR) -> list[Path]:
    """Write every form's .xlsx file; return the paths written."""
    paths = []
    for form in definitions().values():
        path = xlsx_path(form.form_id, directory)
        write_xlsx(form, path)
        paths.append(path)
    return paths


def main() -> None:

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    for path in build_all():
        print(path)


if __name__ == "__main__":
    main()
