"""Reading burial journals (CSV and XLSX) into raw and parsed rows. Pure.

``read_journal(path)`` returns a :class:`Journal` with

* ``raw_rows``: each data row as :class:`RawRow` (cells verbatim, by header),
* ``rows``: each data row as :class:`ParsedRow` (normalised fields + problems),
* what was detected: format, encoding, delimiter, header, column mapping,
  SHA-256 of the file bytes.

Row numbers are 1-based record numbers as a spreadsheet shows them: the header
is row 1 (or later, if title lines precede it), the first data row the next.

A file that cannot be read at all raises :class:`JournalFileError`, whose
message names the file (and row/column when they are known).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linkage.normalize import (
    GraveNumber,
    NameParts,
    PartialDate,
    age_from_note,
    is_unknown_name,
    is_unnumbered_grave,
    nfc,
    parse_age,
    parse_date,
    parse_grave_number,
    split_full_name,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "FIELDS",
    "DEFAULT_MAX_BYTES",
    "Journal",
    "JournalFileError",
    "ParsedRow",
    "Problem",
    "RawRow",
    "decode_bytes",
    "file_sha256",
    "guess_mapping",
    "parse_row",
    "read_journal",
    "read_journal_bytes",
    "sniff_delimiter",
]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

#: Canonical field names a journal column can be mapped to.
FIELDS = (
    "row_id",
    "grave",
    "site",
    "surname",
    "given_name",
    "patronymic",
    "full_name",
    "birth_date",
    "age",
    "death_date",
    "burial_date",
    "cause",
    "brought_by",
    "notes",
)


class JournalFileError(Exception):
    """The file cannot be read as a journal. ``str(err)`` is one line naming
    the file and, where known, the row and column."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong or suspicious in one cell/row/file."""

    column: str | None
    code: str
    message: str


@dataclass(slots=True)
class RawRow:
    row_number: int
    cells: dict[str, str]


@dataclass(slots=True)
class ParsedRow:
    """One journal row, normalised. Also the record type ``reconcile`` takes
    (``JournalRecord`` is an alias)."""

    source: str
    row_number: int
    grave_raw: str = ""
    grave: GraveNumber | None = None
    site: str = ""
    surname: str = ""
    given_name: str = ""
    patronymic: str = ""
    full_name: str = ""
    name_swapped: bool = False
    birth_date: PartialDate | None = None
    age: tuple[int, int] | None = None
    death_date: PartialDate | None = None
    burial_date: PartialDate | None = None
    cause: str = ""
    brought_by: str = ""
    notes: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def grave_key(self) -> str:
        return self.grave.key if self.grave else ""


JournalRecord = ParsedRow


@dataclass(slots=True)
class Journal:
    path: str
    source: str
    sha256: str
    format: str  # "csv" | "xlsx"
    encoding: str | None  # "utf-8" | "utf-8-sig" | "cp1251" | "utf-16" | None
    delimiter: str | None
    header: list[str]
    header_row: int
    mapping: dict[str, str]  # field -> header
    raw_rows: list[RawRow]
    rows: list[ParsedRow]
    problems: list[Problem] = field(default_factory=list)  # file-level


# ------------------------------------------------------------------- helpers


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def decode_bytes(data: bytes, filename: str = "<bytes>") -> tuple[str, str]:
    """Decode journal bytes; returns (text, encoding name).

    UTF-8 with BOM -> ``utf-8-sig``; UTF-16 with BOM -> ``utf-16``; valid
    UTF-8 -> ``utf-8``; otherwise Windows-1251 (``cp1251``) if it decodes and
    looks like Cyrillic text."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise JournalFileError(
                filename, f"UTF-8 BOM but invalid UTF-8 at byte {e.start}"
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise JournalFileError(filename, f"invalid UTF-16: {e.reason}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as e:
        raise JournalFileError(
            filename,
            f"not UTF-8 and not Windows-1251 text (undecodable byte at {e.start})",
        ) from None
    if "\x00" in text:
        raise JournalFileError(filename, "binary data, not a text journal")
    return text, "cp1251"


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter among ``; , TAB |`` from the first lines."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        pass
    lines = [ln for ln in sample.splitlines() if ln.strip()][:20]
    best, best_score = ",", -1.0
    for d in ";,\t|":
        counts = [ln.count(d) for ln in lines]
        if not counts or max(counts) == 0:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = consistent * 10 + min(counts)
        if score > best_score:
            best, best_score = d, score
    return best


_HEADER_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("birth_date", re.compile(r"(дата|date|д\.).*(народж|рожд|birth)|^(народж|рожд|birth|dob|р\.н)")),
    ("death_date", re.compile(r"(дата|date|д\.).*(смерт|death|загиб)|^(смерт|death|died|загиб)")),
    ("burial_date", re.compile(r"(дата|date|д\.).*(похов|захорон|burial|buried)|^(похов|захорон|burial)")),
    ("age", re.compile(r"^(вік|возраст|age|років|лет|повних років)")),
    ("cause", re.compile(r"причин|cause")),
    ("brought_by", re.compile(r"(хто|кто|ким|кем).*(привіз|привез|достав|передав)|brought|delivered|доставлен|доставив")),
    ("notes", re.compile(r"приміт|примеч|^notes?$|коментар|комментар|remark|comment|особлив")),
    ("full_name", re.compile(r"^(піб|пib|фио|п і б|ф и о|full ?name|name|прізвище ім.я|фамилия имя)")),
    ("surname", re.compile(r"прізвищ|фамили|surname|last ?name|family ?name")),
    ("given_name", re.compile(r"^(ім.я|имя|given|first ?name|forename)")),
    ("patronymic", re.compile(r"батьков|отчеств|patronym|middle ?name")),
    ("grave", re.compile(r"могил|grave|^номер$|^номер\b|^№ ?мог|plot")),
    ("site", re.compile(r"ділянк|участ|кладовищ|кладбищ|цвинтар|site|cemetery|sector|сектор|квартал")),
    ("row_id", re.compile(r"^(№|#|no|n|nr|п/п|№ п/п|№п/п|порядк.*|id)$")),
]  # fmt: skip


def _norm_header(h: str) -> str:
    h = nfc(h).replace("\ufeff", "").casefold().strip()
    h = re.sub(r"[\u02bc'’`]", "'", h)
    h = re.sub(r"[.,:()\"]", " ", h)
    return " ".join(h.split())


def guess_mapping(
    headers: Iterable[str], overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map canonical fields (see ``FIELDS``) to headers, guessing from
    Ukrainian, Russian and English header texts. ``overrides`` (field ->
    header) win over guesses."""
    headers = list(headers)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    if overrides:
        for f, h in overrides.items():
            if f not in FIELDS:
                raise ValueError(f"unknown field {f!r} in mapping; known: {FIELDS}")
            if h not in headers:
                raise ValueError(f"mapping names column {h!r} not in header {headers}")
            mapping[f] = h
            taken.add(h)
    for h in headers:
        if h in taken or not h.strip():
            continue
        n = _norm_header(h)
        for f, rx in _HEADER_RULES:
            if f not in mapping and rx.search(n):
                mapping[f] = h
                taken.add(h)
                break
    return mapping


_FORMULA_START = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")


def _cell_str(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ------------------------------------------------------------------- parsing


def _names(cells: Mapping[str, str], mapping: Mapping[str, str]) -> NameParts:
    def g(f: str) -> str:
        h = mapping.get(f)
        return " ".join(cells.get(h, "").split()) if h else ""

    surname, given, patr, full = (
        g("surname"),
        g("given_name"),
        g("patronymic"),
        g("full_name"),
    )
    if surname or given or patr:
        if full and not (surname and given):
            sp = split_full_name(full)
            return NameParts(
                surname or sp.surname, given or sp.given, patr or sp.patronymic
            )
        if surname and not given and not patr and len(surname.split()) >= 2:
            return split_full_name(surname)
        return NameParts(surname, given, patr)
    return split_full_name(full)


def parse_row(raw: RawRow, mapping: Mapping[str, str], source: str) -> ParsedRow:
    """Turn one raw row into a :class:`ParsedRow`, recording problems."""
    cells = raw.cells
    problems: list[Problem] = []

    def cell(f: str) -> str:
        h = mapping.get(f)
        return cells.get(h, "").strip() if h else ""

    grave_raw = cell("grave")
    grave: GraveNumber | None = None
    gh = mapping.get("grave")
    if not grave_raw:
        problems.append(Problem(gh, "missing_grave_number", "no grave number"))
    elif is_unnumbered_grave(grave_raw):
        problems.append(
            Problem(
                gh, "unnumbered_grave", f"grave marked as unnumbered: {grave_raw!r}"
            )
        )
    else:
        grave = parse_grave_number(grave_raw)
        if grave is None:
            problems.append(
                Problem(
                    gh,
                    "unparseable_grave_number",
                    f"cannot read grave number {grave_raw!r}",
                )
            )

    names = _names(cells, mapping)
    name_text = " ".join(p for p in (names.surname, names.given, names.patronymic) if p)
    unknown_as_written = ""
    if is_unknown_name(name_text):
        col = mapping.get("full_name") or mapping.get("surname")
        problems.append(
            Problem(col, "unknown_person", f"name recorded as unknown: {name_text!r}")
        )
        names = NameParts()
        unknown_as_written = name_text
    elif not (names.surname or names.given):
        col = mapping.get("full_name") or mapping.get("surname")
        problems.append(Problem(col, "missing_name", "no name"))

    def date(f: str, pivot: int = 30) -> PartialDate | None:
        v = cell(f)
        if not v:
            return None
        d = parse_date(v, pivot=pivot)
        if d is None:
            problems.append(
                Problem(mapping.get(f), "unparseable_date", f"cannot read date {v!r}")
            )
        return d

    death, burial = date("death_date"), date("burial_date")
    event = death or burial
    # two-digit birth years: born no later than the death/burial year
    birth = date("birth_date", pivot=(event.year % 100) if event else 25)
    age = None
    if a := cell("age"):
        age = parse_age(a)
        if age is None:
            problems.append(
                Problem(mapping.get("age"), "unparseable_age", f"cannot read age {a!r}")
            )
    else:
        # a funeral home without an age column writes "~50 лет" in the notes
        age = age_from_note(cell("notes"))
    if death and burial and burial.first_day() < death.first_day():
        problems.append(
            Problem(mapping.get("burial_date"), "burial_before_death",
                    "burial date is before death date")
        )  # fmt: skip
    ref = death or burial
    if age and birth and ref:
        lo, hi = ref.year - age[1] - 1, ref.year - age[0]
        if not lo - 1 <= birth.year <= hi + 1:
            problems.append(
                Problem(mapping.get("age"), "age_birth_mismatch",
                        f"age {age[0]} does not fit birth year {birth.year}")
            )  # fmt: skip

    for h, v in cells.items():
        if (
            v.startswith(_FORMULA_START)
            and not _PLAIN_NUMBER.match(v)
            and (v.strip("-— ") != "")
        ):
            problems.append(
                Problem(h, "formula_like",
                        f"cell starts with {v[0]!r} (possible formula injection); kept verbatim")
            )  # fmt: skip

    return ParsedRow(
        source=source,
        row_number=raw.row_number,
        grave_raw=grave_raw,
        grave=grave,
        site=cell("site"),
        surname=names.surname,
        given_name=names.given,
        patronymic=names.patronymic,
        # an unknown person's name cell as written ("Невідома жінка"): no
        # name parts, but the words say the sex
        full_name=" ".join(
            p for p in (names.surname, names.given, names.patronymic) if p
        )
        or unknown_as_written,
        name_swapped=names.swapped,
        birth_date=birth,
        age=age,
        death_date=death,
        burial_date=burial,
        cause=cell("cause"),
        brought_by=cell("brought_by"),
        notes=cell("notes"),
        problems=problems,
    )


# ------------------------------------------------------------------- reading


def _find_header(
    rows: list[tuple[int, list[str]]],
    filename: str,
    overrides: Mapping[str, str] | None,
) -> tuple[int, list[str], dict[str, str]]:
    """Return (index into rows, header cells, mapping)."""
    first_nonempty: tuple[int, list[str]] | None = None
    for idx, (_rn, cells) in enumerate(rows[:15]):
        if not any(c.strip() for c in cells):
            continue
        if first_nonempty is None:
            first_nonempty = (idx, cells)
        header = [c.strip() for c in cells]
        if overrides and all(h in header for h in overrides.values()):
            return idx, header, guess_mapping(header, overrides)
        mapping = guess_mapping(header)
        has_name = any(f in mapping for f in ("surname", "full_name", "given_name"))
        if len(mapping) >= 2 and (has_name or "grave" in mapping):
            if overrides:
                mapping = guess_mapping(header, overrides)
            return idx, header, mapping
    if first_nonempty is None:
        raise JournalFileError(filename, "the file is empty")
    rn = rows[first_nonempty[0]][0]
    sample = ", ".join(repr(c) for c in first_nonempty[1][:4])
    raise JournalFileError(
        filename,
        f"no header row found (expected column names such as 'Номер могили', "
        f"'ПІБ', 'Фамилия'); first row looks like data: {sample}",
        row=rn,
    )


def _build(
    rows: list[tuple[int, list[str]]],
    *,
    path: str,
    source: str,
    sha: str,
    fmt: str,
    encoding: str | None,
    delimiter: str | None,
    mapping_overrides: Mapping[str, str] | None,
    cell_problems: dict[tuple[int, int], Problem] | None = None,
    file_problems: list[Problem] | None = None,
) -> Journal:
    filename = Path(path).name
    for rn, cells in rows:
        for ci, c in enumerate(cells):
            if "\x00" in c:
                raise JournalFileError(
                    filename,
                    "a NUL character (\\0) in the cell, which the database cannot "
                    "store; remove it and upload the file again",
                    row=rn,
                    column=str(ci + 1),
                )
    hidx, header, mapping = _find_header(rows, filename, mapping_overrides)
    problems = list(file_problems or [])
    # make header names unique
    seen: dict[str, int] = {}
    uniq: list[str] = []
    for i, h in enumerate(header):
        h = h or f"column_{i + 1}"
        if h in seen:
            seen[h] += 1
            problems.append(Problem(h, "duplicate_header", f"column {h!r} repeated"))
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        uniq.append(h)
    if uniq != header:
        mapping = guess_mapping(uniq, mapping_overrides)
    header = uniq
    if hidx > 0:
        problems.append(
            Problem(None, "preamble_rows", f"{hidx} line(s) above the header ignored")
        )
    unmapped = [h for h in header if h not in mapping.values()]
    if unmapped:
        problems.append(
            Problem(
                None, "unmapped_columns", "columns not used: " + ", ".join(unmapped)
            )
        )
    header_row = rows[hidx][0]
    n = len(header)
    raw_rows: list[RawRow] = []
    parsed: list[ParsedRow] = []
    for rn, cells in rows[hidx + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        row_problems: list[Problem] = []
        if len(cells) != n:
            extra = cells[n:]
            if len(cells) > n and not any(c.strip() for c in extra):
                pass  # trailing empty cells are harmless
            else:
                row_problems.append(
                    Problem(None, "ragged_row",
                            f"{len(cells)} cells, header has {n}")
                )  # fmt: skip
        d = {header[i]: (cells[i] if i < len(cells) else "") for i in range(n)}
        for j, v in enumerate(cells[n:], start=1):
            if v.strip():
                d[f"_extra_{j}"] = v
        raw = RawRow(rn, d)
        pr = parse_row(raw, mapping, source)
        pr.problems[:0] = row_problems
        if cell_problems:
            for ci in range(max(n, len(cells))):
                cp = cell_problems.get((rn, ci))
                if cp:
                    pr.problems.append(cp)
        raw_rows.append(raw)
        parsed.append(pr)
    return Journal(
        path=path,
        source=source,
        sha256=sha,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        header_row=header_row,
        mapping=mapping,
        raw_rows=raw_rows,
        rows=parsed,
        problems=problems,
    )


def _read_csv(
    data: bytes, path: str, source: str, sha: str, overrides: Mapping[str, str] | None,
    delimiter: str | None,
) -> Journal:  # fmt: skip
    filename = Path(path).name
    text, enc = decode_bytes(data, filename)
    delim = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[str]]] = []
    try:
        for i, r in enumerate(reader, start=1):
            rows.append((i, [nfc(c) for c in r]))
    except csv.Error as e:
        raise JournalFileError(
            filename, f"malformed CSV: {e}", row=len(rows) + 1
        ) from None
    return _build(
        rows, path=path, source=source, sha=sha, fmt="csv", encoding=enc,
        delimiter=delim, mapping_overrides=overrides,
    )  # fmt: skip


# ----------------------------------------------------------------- XLSX bounds


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """Bounds on what reading one XLSX workbook may cost.

    Checked before parsing (``max_xml_bytes``, ``max_ratio``, ``max_members``,
    no DTD) from the ZIP directory and each member's content, then while the
    sheet streams (``max_rows``, ``max_columns``, ``max_cells``) on the cells
    really present, not on the declared ``<dimension>``. Python's ``zipfile``
    stops a member at its declared size (a longer stream fails its CRC), so the
    declared sizes are the real bound on decompression."""

    max_xml_bytes: int = 256 * 1024 * 1024
    max_ratio: int = 200
    max_members: int = 2000
    max_rows: int = 500_000
    max_columns: int = 512
    max_cells: int = 10_000_000


DEFAULT_SHEET_LIMITS = SheetLimits()

#: Members smaller than this are not held to ``max_ratio`` (tiny XML parts
#: compress very well and cost nothing).
_RATIO_FLOOR = 1024 * 1024
_DTD_MARKERS = (
    b"<!DOCTYPE",
    b"<!ENTITY",
    "<!DOCTYPE".encode("utf-16-le"),
    "<!DOCTYPE".encode("utf-16-be"),
)


def xlsx_check(zf: zipfile.ZipFile, filename: str, limits: SheetLimits) -> None:
    """Refuse a workbook whose parts would decompress past ``limits`` or that
    carries a DTD (entity expansion); one-line ``JournalFileError``."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise JournalFileError(
            filename,
            f"the workbook has {len(infos)} parts, over the limit of "
            f"{limits.max_members}",
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_xml_bytes:
            raise JournalFileError(
                filename,
                f"the workbook decompresses to more than {limits.max_xml_bytes} "
                "bytes (decompressed-size limit)",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise JournalFileError(
                filename,
                f"part {info.filename!r} decompresses {ratio:.0f} times its "
                f"stored size, over the compression-ratio limit of "
                f"{limits.max_ratio} (a decompression bomb?)",
            )
    tail = b""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    window = tail + chunk
                    if any(m in window for m in _DTD_MARKERS):
                        raise JournalFileError(
                            filename,
                            f"part {info.filename!r} declares a DTD; workbooks "
                            "with a DTD are refused",
                        )
                    tail = window[-32:]
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as e:
            raise JournalFileError(
                filename, f"not a readable XLSX workbook: {e}"
            ) from None
        tail = b""


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx_iter_rows(
    ws: object,
    *,
    data_only: bool,
    filename: str,
    limits: SheetLimits,
    merges: list[tuple[int, int, int, int]] | None = None,
) -> Iterable[tuple[int, list[object]]]:
    """Stream ``(row number, values)`` of an openpyxl read-only worksheet.

    Only rows present in the file are yielded, each only as long as its last
    present cell (no padding to the declared or widest column). Raises
    ``JournalFileError`` as soon as the real extent passes ``limits``. When
    ``merges`` is given, the sheet's merged ranges are appended to it at the
    end (0-based columns)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent  # type: ignore[attr-defined]
    cells_seen = 0
    with ws._get_source() as src:  # type: ignore[attr-defined]  # noqa: SLF001
        parser = WorkSheetParser(
            src,
            ws._shared_strings,  # type: ignore[attr-defined]  # noqa: SLF001
            data_only=data_only,
            epoch=wb.epoch,
            date_formats=wb._date_formats,  # noqa: SLF001
            timedelta_formats=wb._timedelta_formats,  # noqa: SLF001
        )
        for rn, row in parser.parse():
            if rn > limits.max_rows:
                raise JournalFileError(
                    filename,
                    f"the sheet has data in row {rn}, over the limit of "
                    f"{limits.max_rows} rows",
                    row=rn,
                )
            if not row:
                yield rn, []
                continue
            width = max(c["column"] for c in row)
            if width > limits.max_columns:
                raise JournalFileError(
                    filename,
                    f"the sheet has data in column {_col_letters(width)} "
                    f"({width}), over the limit of {limits.max_columns} columns",
                    row=rn,
                )
            cells_seen += width
            if cells_seen > limits.max_cells:
                raise JournalFileError(
                    filename,
                    f"the sheet has more than {limits.max_cells} cells "
                    "(rows x columns limit)",
                    row=rn,
                )
            values: list[object] = [None] * width
            for c in row:
                values[c["column"] - 1] = c["value"]
            yield rn, values
        if merges is not None and parser.merged_cells is not None:
            for rng in parser.merged_cells.mergeCell:
                b = rng.ref.replace("$", "")
                if ":" not in b:
                    continue
                m = _RANGE_RE.fullmatch(b)
                if m:
                    merges.append(
                        (int(m[2]), _col_index(m[1].encode()),
                         int(m[4]), _col_index(m[3].encode()))
                    )  # fmt: skip


_RANGE_RE = re.compile(r"([A-Z]+)(\d+):([A-Z]+)(\d+)")


def xlsx_open(
    data: bytes, filename: str, limits: SheetLimits = DEFAULT_SHEET_LIMITS
) -> Workbook:
    """A read-only openpyxl workbook, after :func:`xlsx_check`."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as e:
        raise JournalFileError(filename, f"not a readable XLSX workbook: {e}") from None
    with zf:
        xlsx_check(zf, filename, limits)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise JournalFileError(filename, f"not a readable XLSX workbook: {e}") from None
    except (ValueError, TypeError, SyntaxError) as e:  # malformed XML parts
        raise JournalFileError(filename, f"not a readable XLSX workbook: {e}") from None


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _read_xlsx(
    data: bytes, path: str, source: str, sha: str, overrides: Mapping[str, str] | None,
    sheet: str | None, limits: SheetLimits = DEFAULT_SHEET_LIMITS,
) -> Journal:  # fmt: skip
    """XLSX via openpyxl in read-only mode, streamed and bounded by ``limits``
    (see :class:`SheetLimits`). Formulas: the sheet is parsed twice side by
    side; a formula cell takes its *cached value* and is flagged
    ``formula_cached_value``; without a cached value the formula text is kept
    and flagged ``formula_no_cached_value``. Merged ranges are filled with the
    top-left value and flagged ``merged_cell_filled``."""
    filename = Path(path).name
    wb = xlsx_open(data, filename, limits)
    cell_problems: dict[tuple[int, int], Problem] = {}
    rows: list[tuple[int, list[str]]] = []
    merges: list[tuple[int, int, int, int]] = []
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise JournalFileError(filename, f"no sheet named {sheet!r}")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        formulas = xlsx_iter_rows(
            ws, data_only=False, filename=filename, limits=limits, merges=merges
        )
        values = xlsx_iter_rows(ws, data_only=True, filename=filename, limits=limits)
        for (rn, rf), (_rn, rv) in zip(formulas, values, strict=False):
            cells: list[str] = []
            for ci, (vf, vv) in enumerate(zip(rf, rv, strict=False)):
                if isinstance(vf, str) and vf.startswith("=") and vv != vf:
                    if vv is not None:
                        cells.append(nfc(_cell_str(vv)))
                        cell_problems[(rn, ci)] = Problem(
                            None, "formula_cached_value",
                            f"column {ci + 1} held formula {vf!r}; used its cached value",
                        )  # fmt: skip
                    else:
                        cells.append(nfc(vf))
                        cell_problems[(rn, ci)] = Problem(
                            None, "formula_no_cached_value",
                            f"column {ci + 1} holds formula {vf!r} with no cached value",
                        )  # fmt: skip
                else:
                    cells.append(nfc(_cell_str(vf)))
            while cells and not cells[-1].strip():
                cells.pop()
            rows.append((rn, cells))
    except (ValueError, TypeError, SyntaxError, KeyError, zipfile.BadZipFile) as e:
        raise JournalFileError(filename, f"not a readable XLSX sheet: {e}") from None
    finally:
        wb.close()
    by_rn = dict(rows)
    # A merged range counts only within the real extent (A1:XFD1048576 fills
    # nothing beyond the rows and columns that hold data).
    last_row = max(by_rn, default=0)
    last_col = max((len(c) for c in by_rn.values()), default=0) - 1
    for r1, c1, r2, c2 in merges:
        r2, c2 = min(r2, last_row), min(c2, last_col)
        top = by_rn.get(r1, [])
        val = top[c1] if c1 < len(top) else ""
        for r in range(r1, r2 + 1):
            merged = by_rn.get(r)
            if merged is None:
                continue
            for c in range(c1, c2 + 1):
                if (r, c) == (r1, c1):
                    continue
                while len(merged) <= c:
                    merged.append("")
                if not merged[c]:
                    merged[c] = val
                cell_problems[(r, c)] = Problem(
                    None, "merged_cell_filled",
                    f"column {c + 1} is part of a merged range; filled with {val!r}",
                )  # fmt: skip
    return _build(
        rows, path=path, source=source, sha=sha, fmt="xlsx", encoding=None,
        delimiter=None, mapping_overrides=overrides, cell_problems=cell_problems,
    )  # fmt: skip


def read_journal_bytes(
    data: bytes,
    filename: str,
    *,
    mapping: Mapping[str, str] | None = None,
    source: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | None = None,
    delimiter: str | None = None,
    limits: SheetLimits = DEFAULT_SHEET_LIMITS,
) -> Journal:
    """Read a journal from bytes (e.g. an upload). ``filename`` decides the
    format by extension (``.xlsx``/``.xlsm`` or anything else = CSV; a ZIP
    signature also means XLSX). ``source`` names the journal (default: file
    stem). ``mapping`` overrides column guesses (field -> header)."""
    name = Path(filename).name
    if len(data) > max_bytes:
        raise JournalFileError(
            name, f"file is {len(data)} bytes, over the limit of {max_bytes}"
        )
    sha = hashlib.sha256(data).hexdigest()
    src = source or Path(filename).stem
    is_xlsx = (
        Path(filename).suffix.lower() in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04"
    )
    if Path(filename).suffix.lower() == ".xls":
        raise JournalFileError(name, "old .xls format: save it as .xlsx or .csv")
    if is_xlsx:
        return _read_xlsx(data, filename, src, sha, mapping, sheet, limits)
    return _read_csv(data, filename, src, sha, mapping, delimiter)


def read_journal(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    source: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | None = None,
    delimiter: str | None = None,
    limits: SheetLimits = DEFAULT_SHEET_LIMITS,
) -> Journal:
    """Read a journal file (CSV in UTF-8 / UTF-8 BOM / cp1251, or XLSX)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise JournalFileError(p.name, f"cannot open: {e.strerror}") from None
    if size > max_bytes:
        raise JournalFileError(
            p.name, f"file is {size} bytes, over the limit of {max_bytes}"
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise JournalFileError(p.name, f"cannot read: {e.strerror}") from None
    return read_journal_bytes(
        data, str(p), mapping=mapping, source=source, max_bytes=max_bytes,
        sheet=sheet, delimiter=delimiter, limits=limits,
    )  # fmt: skip
