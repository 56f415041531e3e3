"""Consistency checks over a simulated directory and its truth.json."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from .journals import FUNERAL_FILE, FUNERAL_HEADER, VOLUNTEERS_FILE, VOLUNTEERS_HEADER
from .world import MASS_GRAVE_SIZE


def read_journal(directory: Path, rel: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of one journal, decoded with its contract encoding."""
    raw = (directory / rel).read_bytes()
    if rel.endswith("funeral_home.csv"):
        text, delimiter = raw.decode("cp1251"), ";"
    else:
        text, delimiter = raw.decode("utf-8-sig"), ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], rows[1:]


def _load(directory: Path, rel: str) -> Any:
    return json.loads((directory / rel).read_text("utf-8"))


def check_truth(directory: Path | str) -> list[str]:
    """Return every inconsistency found (empty when the directory is sound)."""
    d = Path(directory)
    problems: list[str] = []
    manifest = _load(d, "manifest.json")
    for entry in manifest["files"]:
        path = d / entry["path"]
        if not path.exists():
            problems.append(f"manifest lists missing file {entry['path']}")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            problems.append(f"sha256 differs for {entry['path']}")
    truth = _load(d, "truth.json")
    persons, graves, bodies = truth["persons"], truth["graves"], truth["bodies"]

    # One site: journals/funeral_home.csv and volunteers.csv; the national
    # scenario: the same two files under journals/<SITE>/.
    by_file: dict[str, list[dict[str, Any]]] = {}
    if "national" not in truth:
        by_file = {FUNERAL_FILE: [], VOLUNTEERS_FILE: []}
    for row in truth["journal_rows"]:
        by_file.setdefault(row["file"], []).append(row)
    for rel in sorted(by_file):
        funeral = rel.endswith("funeral_home.csv")
        raw = (d / rel).read_bytes()
        if funeral:
            try:
                raw.decode("utf-8")
                problems.append(f"{rel} decodes as UTF-8; it must be cp1251")
            except UnicodeDecodeError:
                pass
        elif not raw.startswith(b"\xef\xbb\xbf"):
            problems.append(f"{rel} has no UTF-8 BOM")
    for rel in sorted(by_file):
        header = (
            FUNERAL_HEADER if rel.endswith("funeral_home.csv") else VOLUNTEERS_HEADER
        )
        got_header, rows = read_journal(d, rel)
        if got_header != header:
            problems.append(f"{rel}: header {got_header!r} differs from the contract")
        truth_rows = sorted(by_file[rel], key=lambda r: r["row"])
        if [r["row"] for r in truth_rows] != list(range(1, len(rows) + 1)):
            problems.append(
                f"{rel}: {len(rows)} rows but truth numbers them differently"
            )
            continue
        for cells, t in zip(rows, truth_rows, strict=True):
            if len(cells) != len(header):
                problems.append(f"{rel} row {t['row']}: {len(cells)} cells")
            if cells[0] != str(t["row"]):
                problems.append(f"{rel} row {t['row']}: first cell {cells[0]!r}")
            if (cells[1] or None) != t["grave_written"]:
                problems.append(f"{rel} row {t['row']}: grave cell differs from truth")
            for key in ("person_id", "name_person_id"):
                if t[key] is not None and t[key] not in persons:
                    problems.append(f"{rel} row {t['row']}: unknown {key} {t[key]}")
            if t["grave"] not in graves:
                problems.append(f"{rel} row {t['row']}: unknown grave {t['grave']}")
            elif (
                t["person_id"] is not None
                and persons[t["person_id"]]["grave"] != t["grave"]
            ):
                problems.append(f"{rel} row {t['row']}: person is not in that grave")

    seen: Counter[str] = Counter()
    for gid, g in graves.items():
        seen.update(g["bodies"])
        if (
            g["kind"] == "mass"
            and g.get("exhumed", True)
            and len(g["bodies"]) != MASS_GRAVE_SIZE
        ):
            problems.append(f"mass grave {gid} holds {len(g['bodies'])} bodies")
        if not g["bodies"] and g.get("exhumed", True):
            problems.append(f"grave {gid} is empty")
        for pm in g["bodies"]:
            if pm not in bodies or bodies[pm]["grave"] != gid:
                problems.append(f"body {pm} listed in {gid} but not linked back")
    for pm, b in bodies.items():
        if seen[pm] != 1:
            problems.append(f"body {pm} is in {seen[pm]} graves")
        pid = b["person_id"]
        if pid is not None and (pid not in persons or persons[pid]["body"] != pm):
            problems.append(f"body {pm} and person {pid} do not point at each other")
    sites = _load(d, "sites.json")
    site_graves = {g["id"] for s in sites["sites"] for g in s["graves"]}
    if site_graves != set(graves):
        problems.append("sites.json graves differ from truth graves")

    reports = _load(d, "missing/reports.json")["reports"]
    report_ids = {r["am_case_no"] for r in reports}
    if report_ids != set(truth["reports"]):
        problems.append("reports.json and truth reports differ")
    for am, link in truth["reports"].items():
        if link["person_id"] not in persons:
            problems.append(f"report {am} points at unknown person")
        dup = link["duplicate_of"]
        if (
            dup is not None
            and truth["reports"].get(dup, {}).get("person_id") != link["person_id"]
        ):
            problems.append(f"report {am} duplicates {dup} of another person")

    case = _load(d, "dna/case.json")
    if set(case["am"]) != set(truth["families"]):
        problems.append("case.json families differ from truth families")
    if sorted(case["missing"]) != sorted(
        f["missing_member"] for f in truth["families"].values()
    ):
        problems.append("case.json missing list differs from truth")
    for fid, fam in truth["families"].items():
        if fam["person_id"] not in persons:
            problems.append(f"family {fid} points at unknown person")
        if fid in case["am"] and fam["missing_member"] not in case["am"][fid]["id"]:
            problems.append(f"family {fid} pedigree lacks its missing member")
    for pm in case["pm"]:
        if pm not in bodies:
            problems.append(f"case.json PM profile {pm} is not a body")
    for pm, b in bodies.items():
        if (pm in case["pm"]) != (b["dna_profile"] != "none"):
            problems.append(f"body {pm}: DNA profile presence differs from truth")
    findings = _load(d, "pm/findings.json")["findings"]
    if sorted(f["pm_case_no"] for f in findings) != sorted(bodies):
        problems.append("pm/findings.json does not cover every body exactly once")
    return problems
