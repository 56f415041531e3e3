"""Run the scenario and write every output file."""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ampm import build_findings, build_reports
from .dna import build_dna
from .journals import (
    FUNERAL_FILE,
    FUNERAL_HEADER,
    VOLUNTEERS_FILE,
    VOLUNTEERS_HEADER,
    build_journals,
    render_csv,
)
from .world import GRAVES_PER_UNIT, World, build_world

GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class Summary:
    """What one run wrote."""

    out: Path
    seed: int
    graves_per_unit: int
    scale: int
    sites: int
    graves: int
    bodies: int
    persons: int
    funeral_rows: int
    volunteer_rows: int
    reports: int
    families: int
    pm_profiles: int
    files: dict[str, int] = field(default_factory=dict)  # path -> bytes

    @property
    def journal_rows(self) -> int:
        return self.funeral_rows + self.volunteer_rows


def _compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _pretty(obj: Any, depth: int, indent: str, parts: list[str]) -> None:
    if depth == 0 or not isinstance(obj, (dict, list)) or not obj:
        parts.append(_compact(obj))
        return
    inner = indent + " "
    if isinstance(obj, dict):
        parts.append("{")
        for i, key in enumerate(sorted(obj)):
            parts.append(("," if i else "") + "\n" + inner + _compact(key) + ": ")
            _pretty(obj[key], depth - 1, inner, parts)
        parts.append("\n" + indent + "}")
    else:
        parts.append("[")
        for i, item in enumerate(obj):
            parts.append(("," if i else "") + "\n" + inner)
            _pretty(item, depth - 1, inner, parts)
        parts.append("\n" + indent + "]")


def dumps(obj: Any, depth: int = 2) -> bytes:
    """Deterministic JSON: sorted keys, UTF-8, final newline.

    The first ``depth`` levels are indented one space per level; everything deeper
    sits on one line, so each record (a report, a body, a grave) is one line and the
    C encoder does the bulk of the work.
    """
    parts: list[str] = []
    _pretty(obj, depth, "", parts)
    parts.append("\n")
    return "".join(parts).encode()


def _sites_json(world: World) -> dict[str, Any]:
    return {
        "sites": [
            {
                "code": s.code,
                "name": s.name,
                "settlement": s.settlement,
                "region": s.region,
                "lat": s.lat,
                "lon": s.lon,
                "graves": [
                    {
                        "id": g.gid,
                        "marker": g.marker,
                        "number": g.number,
                        "kind": g.kind,
                        "x": g.x,
                        "y": g.y,
                        "lat": g.lat,
                        "lon": g.lon,
                    }
                    for g in s.graves
                ],
            }
            for s in world.sites
        ]
    }


def _person_json(world: World, pid: str) -> dict[str, Any]:
    p = world.persons[pid]
    return {
        "family_name": p.surname_uk,
        "given_name": p.given_uk,
        "patronymic": p.patronymic_uk,
        "family_name_ru": p.surname_ru,
        "given_name_ru": p.given_ru,
        "patronymic_ru": p.patronymic_ru,
        "sex": p.sex,
        "date_of_birth": p.dob.isoformat(),
        "date_of_death": p.dod.isoformat() if p.at_site else None,
        "last_seen_date": None if p.at_site else p.dod.isoformat(),
        "category": p.category,
        "at_site": p.at_site,
        "circumstances": p.circumstance,
        "cause": p.cause,
        "body": p.body,
        "grave": p.grave,
        "stature_cm": p.stature,
        "build": p.build,
        "hair_colour": p.hair,
        "eye_colour": p.eyes,
        "particulars": p.particulars,
        "fractures": p.fractures,
        "dental": p.dental,
        "torture_indicators": p.torture,
        "identity_document": p.document,
    }


def simulate(
    seed: int, out: Path, graves: int | None = None, scale: int = 1
) -> Summary:
    """Generate the Izium-like scenario for ``seed`` into ``out``; same seed, same bytes."""
    if seed < 0:
        raise ValueError("seed must be 0 or more")
    per_unit = GRAVES_PER_UNIT if graves is None else graves
    if per_unit < 1:
        raise ValueError("graves must be 1 or more")
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    # The run allocates millions of small objects and frees nothing until the end;
    # the cyclic collector would rescan the growing heap again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _simulate(seed, Path(out), per_unit, scale)
    finally:
        if enabled:
            gc.enable()


def _simulate(seed: int, out: Path, per_unit: int, scale: int) -> Summary:
    world = build_world(seed, per_unit, scale)
    funeral, volunteers = build_journals(world, seed)
    reports, links, family_pids = build_reports(world, seed)
    dna = build_dna(world, family_pids, seed)
    findings, doc_person = build_findings(world, seed, dna.profiles)

    reported = {link.pid for link in links}
    with_family = set(family_pids)
    truth: dict[str, Any] = {
        "seed": seed,
        "persons": {pid: _person_json(world, pid) for pid in sorted(world.persons)},
        "graves": {
            g.gid: {
                "site": g.site,
                "marker": g.marker,
                "number": g.number,
                "kind": g.kind,
                "burial_date": g.burial.isoformat(),
                "bodies": list(g.bodies),
            }
            for g in world.graves.values()
        },
        "bodies": {
            pm: {
                "person_id": b.pid,
                "grave": b.grave,
                "unnamed_at_burial": b.unnamed,
                "preservation": b.preservation,
                "dna_profile": dna.profiles[pm]["status"],
                "dna_dropout_loci": dna.profiles[pm]["dropout"],
                "dna_missing_loci": dna.profiles[pm]["missing_loci"],
                "document_person_id": doc_person[pm],
                "has_report": b.pid in reported,
                "has_dna_family": b.pid in with_family,
            }
            for pm, b in sorted(world.bodies.items())
        },
        "journal_rows": [r.truth for r in funeral] + [r.truth for r in volunteers],
        "reports": {
            link.am: {"person_id": link.pid, "duplicate_of": link.duplicate_of}
            for link in links
        },
        "families": {
            fam.fid: {
                "person_id": fam.pid,
                "missing_member": fam.missing_id,
                "pedigree": fam.kind,
                "references": [
                    {"id": m.id, "relationship": m.relationship}
                    for m in fam.members
                    if m.typed
                ],
            }
            for fam in dna.families
        },
    }
    files: dict[str, tuple[bytes, int]] = {
        "sites.json": (dumps(_sites_json(world), depth=4), len(world.graves)),
        FUNERAL_FILE: (
            render_csv(FUNERAL_HEADER, funeral, ";").encode("cp1251"),
            len(funeral),
        ),
        VOLUNTEERS_FILE: (
            render_csv(VOLUNTEERS_HEADER, volunteers, ",").encode("utf-8-sig"),
            len(volunteers),
        ),
        "missing/reports.json": (dumps({"reports": reports}), len(reports)),
        "dna/case.json": (dumps(dna.case), len(dna.case["pm"]) + len(dna.case["am"])),
        "pm/findings.json": (dumps({"findings": findings}), len(findings)),
        "truth.json": (dumps(truth), len(truth["journal_rows"])),
    }
    for rel, (data, _rows) in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    manifest = {
        "generator": "imena.simulation",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "parameters": {"graves": per_unit, "scale": scale},
        "files": [
            {
                "path": rel,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "rows": rows,
            }
            for rel, (data, rows) in sorted(files.items())
        ],
    }
    (out / "manifest.json").write_bytes(dumps(manifest, depth=4))
    return Summary(
        out=out,
        seed=seed,
        graves_per_unit=per_unit,
        scale=scale,
        sites=len(world.sites),
        graves=len(world.graves),
        bodies=len(world.bodies),
        persons=len(world.persons),
        funeral_rows=len(funeral),
        volunteer_rows=len(volunteers),
        reports=len(reports),
        families=len(dna.families),
        pm_profiles=len(dna.case["pm"]),
        files={rel: len(data) for rel, (data, _rows) in sorted(files.items())},
    )
