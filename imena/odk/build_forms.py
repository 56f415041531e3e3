"""Write the XLSForms in ``imena/odk/xlsforms/`` from ``formdefs`` and build XForms.

Run ``imena odk build-forms`` (or ``python -m imena.odk.build_forms``) after a
change to the definitions, the vocabulary or a model's choices, and commit the
``.xlsx`` files: they are what the server publishes and what a team uploads to
KoboToolbox or ODK Central.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
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
H = "{http://www.w3.org/1999/xhtml}"
XF = "{http://www.w3.org/2002/xforms}"
JR_TEMPLATE = "{http://openrosa.org/javarosa}template"
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
    """Convert XLSForm sheets to XForm XML with pyxform (ODK Validate if asked).

    Repeats named in the settings' ``empty_repeats`` lose the first entry
    pyxform writes, before ODK Validate checks the result.
    """
    # pyxform is heavy and only needed to build forms; imported on use.
    from pyxform import xls2xform

    settings = (sheets.get("settings") or [{}])[0]
    empty = str(settings.get("empty_repeats", "")).split()
    try:
        result = xls2xform.convert(
            xlsform={k: list(v) for k, v in sheets.items()},
            validate=validate and not empty,
            pretty_print=False,
            form_name="data",
        )
    except Exception as e:  # pyxform and ODK Validate raise several types
        raise FormBuildError(str(e)) from None
    if not empty:
        return result.xform
    xml = without_first_entries(result.xform, set(empty))
    if validate:
        odk_validate(xml)
    return xml


def without_first_entries(xml: str, repeats: set[str]) -> str:
    """The XForm without the first (non-template) entry of the named repeats.

    A repeat whose only node in the primary instance is its ``jr:template``
    starts with no entry: Collect asks whether to add one when it gets there.
    """
    # lxml is only needed to build forms; imported on use.
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    primary = next(
        i
        for i in root.iterfind(f"{H}head/{XF}model/{XF}instance")
        if "id" not in i.attrib
    )
    found = set()
    for el in list(primary.iter()):
        name = etree.QName(el).localname
        parent = el.getparent()
        if name not in repeats or el.get(JR_TEMPLATE) is not None or parent is None:
            continue
        if any(s.tag == el.tag and s.get(JR_TEMPLATE) is not None for s in parent):
            parent.remove(el)
            found.add(name)
    missing = repeats - found
    if missing:
        raise FormBuildError(f"not repeats of this form: {', '.join(sorted(missing))}")
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return out.decode("utf-8")


def odk_validate(xml: str) -> None:
    """Run ODK Validate (Java) on an XForm; raise FormBuildError if it refuses."""
    from pyxform.validators import odk_validate as validator

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.xml"
        path.write_text(xml, encoding="utf-8")
        try:
            validator.check_xform(str(path))
        except Exception as e:  # ODKValidateError, or Java missing
            raise FormBuildError(str(e)) from None


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
