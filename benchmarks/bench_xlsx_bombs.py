"""Benchmark: hostile XLSX journals are refused fast and in little memory
(#19 row 1; not a unit test).

    .venv/bin/python benchmarks/bench_xlsx_bombs.py [--rows 60000]

Writes two workbooks with openpyxl and a replaced sheet: ``repeat.xlsx`` (four
million repeated cells, about 0.7 MB stored, 230 MB of sheet XML) and
``wide.xlsx`` (``--rows`` rows, the last with one cell in column XFD), then
runs ``python -m imena reconcile`` on each under ``/usr/bin/time`` and prints
its wall time, peak RSS and the one-line refusal.
Exits 1 when a file is not refused.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows_xml: str) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        '<dimension ref="A1:B2"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Номер могили</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Прізвище</t></is></c></row>'
        f"{rows_xml}</sheetData></worksheet>"
    ).encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(
                info.filename, sheet if info.filename == SHEET else src.read(info)
            )
    return out.getvalue()


def run(path: Path) -> bool:
    start = time.perf_counter()
    # /usr/bin/time measures the command itself (a fork of this process
    # would count the workbook this script holds).
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "peak-rss-kb %M", sys.executable, "-m", "imena",
         "reconcile", str(path), "--out", "/dev/null"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    lines = proc.stderr.strip().splitlines()
    peak = next((int(x.split()[1]) for x in lines if x.startswith("peak-rss-kb")), 0)
    message = next((x for x in lines if "error" in x), "")
    print(
        f"{path.name} ({path.stat().st_size / 1e6:.2f} MB): exit {proc.returncode}, "
        f"{wall:.1f} s, {peak / 1024:.0f} MB peak RSS\n  {message}"
    )
    return proc.returncode == 2 and "limit" in message


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=60_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repeat = Path(tmp) / "repeat.xlsx"
        cell = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'
        repeat.write_bytes(workbook(cell * 4_000_000))
        wide = Path(tmp) / "wide.xlsx"
        rows = "".join(
            f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'
            for i in range(2, args.rows)
        )
        last = f'<row r="{args.rows}"><c r="XFD{args.rows}"><v>1</v></c></row>'
        wide.write_bytes(workbook(rows + last))
        ok = run(repeat) & run(wide)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
