"""Missing-person reports from a spreadsheet (CSV or XLSX) with a column mapping.

``imena missing import-reports FILE [--mapping M]``: one report per data row,
all or nothing through ``missing.bulk``. The mapping is ``{field: column
header}``; a field without a mapping is read from the column named like the
field (``family_name``, ...), so a file exported with Imena's field names needs
none. Fields:

- text: ``case_no``, ``family_name``, ``given_names``, ``patronymic``,
  ``aliases``, ``place_of_birth``, ``home_city``, ``home_street``,
  ``home_region``, ``last_seen_place``, ``circumstances_text``, ``description``,
  ``reporter_name``, ``reporter_relationship``, ``reporter_contact``,
  ``medical_notes``;
- codes of the vocabulary: ``sex``, ``circumstances``, ``stature_source``,
  ``build``, ``hair_colour``, ``eye_colour``;
- ``date_of_birth``: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``DD.MM.YYYY``;
  ``last_seen_date``, ``consent_date``: ``YYYY-MM-DD`` or ``DD.MM.YYYY``;
- numbers: ``stature_cm``, ``age_min``, ``age_max``;
- yes/no (``1``/``0``, ``yes``/``no``, ``так``/``ні``, ``true``/``false``):
  ``consent_identification``, ``consent_dna``, ``consent_publication``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.lib.bulk import BulkRowError, Progress, error_text
from imena.missing.bulk import BulkReports, ReportRow, missing_persons_bulk_create
from linkage.io import (
    DEFAULT_SHEET_LIMITS,
    JournalFileError,
    decode_bytes,
    sniff_delimiter,
    xlsx_iter_rows,
    xlsx_open,
)

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User

TEXT_FIELDS = (
    "case_no",
    "family_name",
    "given_names",
    "patronymic",
    "aliases",
    "place_of_birth",
    "home_city",
    "home_street",
    "home_region",
    "last_seen_place",
    "circumstances_text",
    "description",
    "reporter_name",
    "reporter_relationship",
    "reporter_contact",
    "medical_notes",
    "sex",
    "circumstances",
    "stature_source",
    "build",
    "hair_colour",
    "eye_colour",
)
INT_FIELDS = ("stature_cm", "age_min", "age_max")
DATE_FIELDS = ("last_seen_date", "consent_date")
BOOL_FIELDS = ("consent_identification", "consent_dna", "consent_publication")
FIELDS = (*TEXT_FIELDS, "date_of_birth", *INT_FIELDS, *DATE_FIELDS, *BOOL_FIELDS)

_YES = {"1", "yes", "y", "true", "так", "да", "+"}
_NO = {"", "0", "no", "n", "false", "ні", "нет", "-"}


class TableError(ValueError):
    """The file cannot be read as a table (the message names the file)."""


def read_table(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(spreadsheet row number, {header: cell})`` for every non-empty data row;
    the first non-empty row is the header (row numbers count it)."""

    try:
        if Path(filename).suffix.lower() == ".xlsx":
            rows = _xlsx_rows(data, filename)
        else:
            text, _encoding = decode_bytes(data, filename)
            delimiter = sniff_delimiter(text)
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            rows = ((n, list(r)) for n, r in enumerate(reader, start=1))
        header: list[str] | None = None
        for number, cells in rows:
            values = ["" if v is None else str(v).strip() for v in cells]
            if not any(values):
                continue
            if header is None:
                header = values
                continue
            yield number, dict(zip(header, values, strict=False))
    except JournalFileError as e:
        raise TableError(str(e)) from None


def _xlsx_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[object]]]:

    wb = xlsx_open(data, filename)
    try:
        ws = wb.worksheets[0]
        yield from xlsx_iter_rows(
            ws, data_only=True, filename=filename, limits=DEFAULT_SHEET_LIMITS
        )
    finally:
        wb.close()


def check_mapping(mapping: Mapping[str, str]) -> None:
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise TableError(
            _("unknown field(s) in the mapping: %(fields)s (known: %(known)s)")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )


def _date(value: str) -> dt.date:
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"value": value}
        ) from None


def report_fields(
    cells: Mapping[str, str], mapping: Mapping[str, str]
) -> dict[str, Any]:
    """Model fields of one row (``ValidationError`` for a cell that is not
    the right type)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def cell(name: str) -> str:
        return (cells.get(mapping.get(name, name)) or "").strip()

    for name in TEXT_FIELDS:
        value = cell(name)
        if value:
            out[name] = value
    for name in INT_FIELDS:
        value = cell(name)
        if value:
            try:
                out[name] = int(float(value.replace(",", ".")))
            except ValueError:
                errors[name] = _("%(value)s is not a number.") % {"value": value}
    for name in DATE_FIELDS:
        value = cell(name)
        if value:
            try:
                out[name] = _date(value)
            except ValidationError as e:
                errors[name] = " ".join(e.messages)
    for name in BOOL_FIELDS:
        value = cell(name).lower()
        if value in _YES:
            out[name] = True
        elif value in _NO:
            out[name] = False
        else:
            errors[name] = _("%(value)s is not yes or no.") % {"value": value}
    birth = cell("date_of_birth")
    if birth:
        m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", birth)
        d = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", birth)
        if m:
            out["birth_year"] = int(m[1])
            out["birth_month"] = int(m[2]) if m[2] else None
            out["birth_day"] = int(m[3]) if m[3] else None
        elif d:
            out["birth_year"], out["birth_month"], out["birth_day"] = (
                int(d[3]),
                int(d[2]),
                int(d[1]),
            )
        else:
            errors["date_of_birth"] = _(
                "%(value)s is not YYYY, YYYY-MM, YYYY-MM-DD or DD.MM.YYYY."
            ) % {"value": birth}
    if errors:
        raise ValidationError(errors)
    if "family_name" not in out:
        out["family_name_unknown"] = True
    out.setdefault("sex", "unknown")
    return out


def report_rows(
    data: bytes, filename: str, mapping: Mapping[str, str] | None = None
) -> list[ReportRow]:
    """Every data row as a report to store; a bad cell raises ``BulkRowError``
    naming the row (nothing is stored)."""
    mapping = dict(mapping or {})
    check_mapping(mapping)
    rows = []
    for number, cells in read_table(data, filename):
        where = _("%(file)s, row %(row)d") % {"file": filename, "row": number}
        try:
            fields = report_fields(cells, mapping)
        except ValidationError as e:
            raise BulkRowError(where, error_text(e)) from None
        case_no = fields.pop("case_no", "")
        rows.append(ReportRow(row=where, fields=fields, case_no=case_no))
    if not rows:
        raise TableError(_("%(file)s has no data rows.") % {"file": filename})
    return rows


@transaction.atomic
def import_reports(
    *,
    actor: User | None,
    organisation: Organisation,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> BulkReports:
    """Store every row of a CSV/XLSX file as a report; all or nothing, each
    batch audited with its records' SHA-256, duplicates proposed."""
    rows = report_rows(data, filename, mapping)
    digest = hashlib.sha256(data).hexdigest()
    result = missing_persons_bulk_create(
        actor=actor,
        organisation=organisation,
        rows=rows,
        source=f"{filename} (sha256 {digest})",
        action="missing.import_batch",
        progress=progress,
    )
    audit_record(
        actor=actor,
        action="missing.import_reports",
        object_type="missing.import",
        object_repr=filename[:300],
        after={
            "file": filename,
            "sha256": digest,
            "reports": len(result.persons),
            "batches": result.audit_entries,
            "possible_duplicates": [
                [a.case_no, b.case_no] for a, b in result.duplicates[:1000]
            ],
        },
        organisation_id=organisation.pk,
    )
    return result
