"""Hostile XLSX workbooks are refused with one line naming the limit (#19 rows 1, 11)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from linkage.cli import main
from linkage.io import JournalFileError, SheetLimits, read_journal_bytes

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER_XML = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Номер могили</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Прізвище</t></is></c></row>'
)


def _workbook(sheet_xml: str | bytes) -> bytes:
    """A real workbook written by openpyxl with its first sheet replaced."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.worksheets[0].append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    body = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = body if info.filename == SHEET else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


def _sheet(rows: str, dimension: str = "A1:B2") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{HEADER_XML}{rows}'
        "</sheetData></worksheet>"
    )


def test_small_sheet_reads() -> None:
    data = _workbook(
        _sheet('<row r="2"><c r="A2"><v>7</v></c>'
               '<c r="B2" t="inlineStr"><is><t>Коваль</t></is></c></row>')
    )  # fmt: skip
    j = read_journal_bytes(data, "j.xlsx")
    assert [(r.grave_key, r.surname) for r in j.rows] == [("7", "Коваль")]


def test_repeated_cells_bomb_is_refused_by_ratio() -> None:
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'
    data = _workbook(_sheet(row * 100_000))  # ~5 MB of XML, a few KB stored
    assert len(data) < 100_000
    with pytest.raises(JournalFileError, match="compression-ratio limit of 200"):
        read_journal_bytes(data, "bomb.xlsx")


def test_decompressed_size_limit_is_named() -> None:
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'
    data = _workbook(_sheet(row * 1000))
    with pytest.raises(JournalFileError, match="decompressed-size limit"):
        read_journal_bytes(data, "j.xlsx", limits=SheetLimits(max_xml_bytes=20_000))


def test_one_cell_in_the_last_column_is_refused_not_padded() -> None:
    data = _workbook(_sheet('<row r="2"><c r="XFD2"><v>1</v></c></row>'))
    with pytest.raises(JournalFileError, match=r"column XFD \(16384\), over the limit"):
        read_journal_bytes(data, "wide.xlsx")


def test_real_extent_counts_not_the_declared_dimension() -> None:
    # The dimension claims two rows; the sheet holds 30 rows of 3 cells.
    rows = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="C{i}"><v>1</v></c></row>'
        for i in range(2, 32)
    )
    data = _workbook(_sheet(rows, dimension="A1:B2"))
    with pytest.raises(JournalFileError, match=r"more than 50 cells \(rows x columns"):
        read_journal_bytes(data, "j.xlsx", limits=SheetLimits(max_cells=50))
    assert len(read_journal_bytes(data, "j.xlsx").rows) == 30


def test_far_row_is_refused_and_rows_are_not_padded() -> None:
    data = _workbook(_sheet('<row r="1000000"><c r="A1000000"><v>1</v></c></row>'))
    with pytest.raises(JournalFileError, match="row 1000000, over the limit of 500000"):
        read_journal_bytes(data, "tall.xlsx")
    # Under a higher limit the gap costs nothing: only present rows are kept.
    j = read_journal_bytes(data, "tall.xlsx", limits=SheetLimits(max_rows=2_000_000))
    assert [r.row_number for r in j.rows] == [1000000]


def test_workbook_with_a_dtd_is_refused() -> None:
    xml = _sheet("").replace(
        "<worksheet",
        '<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet',
        1,
    )
    data = _workbook(xml)
    with pytest.raises(JournalFileError, match="declares a DTD"):
        read_journal_bytes(data, "dtd.xlsx")


def test_reconcile_refuses_a_bomb_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "wide.xlsx"
    p.write_bytes(_workbook(_sheet('<row r="2"><c r="XFD2"><v>1</v></c></row>')))
    assert main([str(p), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "limit of 512 columns" in err
