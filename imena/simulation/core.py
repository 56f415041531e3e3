"""Run the scenario and write every output file."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .ampm import build_findings, build_national_reports, build_reports
from .dna import build_dna
from .journals import (
    FUNERAL_FILE,
    FUNERAL_HEADER,
    VOLUNTEERS_FILE,
    VOLUNTEERS_HEADER,
    build_journals,
    render_csv,
)
from .national import NationalSize, build_national_world, national_size
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
    references: int | None = None  # typed reference profiles (national scenario)

    @property
    def journal_rows(self) -> int:
        return self.funeral_rows + self.volunteer_rows


def _compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


class LazyMap(Mapping[str, Any]):
    """A mapping whose values are built when written (one at a time)."""

    def __init__(self, keys: list[str], value: Callable[[str], Any]) -> None:
        self._keys = keys
        self._value = value

    def __getitem__(self, key: str) -> Any:
        return self._value(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class _Parts(list[str]):
    """The parts of a JSON text, flushed to a file every few thousand parts."""

    def __init__(self, sink: _Sink) -> None:
        super().__init__()
        self.sink = sink

    def append(self, part: str) -> None:
        super().append(part)
        if len(self) >= 4096:
            self.flush()

    def flush(self) -> None:
        self.sink.write("".join(self).encode())
        self.clear()


class _Sink:
    """A file written once, with its SHA-256 and size."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file: IO[bytes] = path.open("wb")
        self.hash = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.hash.update(data)
        self.bytes += len(data)

    def close(self) -> tuple[str, int]:
        self.file.close()
        return self.hash.hexdigest(), self.bytes


def write_json(path: Path, obj: Any, depth: int = 2) -> tuple[str, int]:
    """``dumps(obj, depth)`` streamed to ``path``; returns (sha256, bytes)."""
    sink = _Sink(path)
    parts = _Parts(sink)
    _pretty(obj, depth, "", parts)
    parts.append("\n")
    parts.flush()
    return sink.close()


def _pretty(obj: Any, depth: int, indent: str, parts: list[str]) -> None:
    if depth == 0 or not isinstance(obj, (Mapping, list)) or not obj:
        parts.append(_compact(obj))
        return
    inner = indent + " "
    if isinstance(obj, Mapping):
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
    seed: int,
    out: Path,
    graves: int | None = None,
    scale: int = 1,
    *,
    national: bool = False,
    sites: int | None = None,
    bodies: int | None = None,
    missing: int | None = None,
) -> Summary:
    """Generate the Izium-like scenario for ``seed`` into ``out``; same seed, same bytes.

    ``national`` (or any of ``sites``, ``bodies``, ``missing``) writes the
    national scenario instead: ``sites`` burial sites (default 40) with
    ``bodies`` exhumed bodies in all (default 10,000, or 250 per site) and a
    national register of ``missing`` reports (default 55,000, or 5.5 per body).
    """
    if seed < 0:
        raise ValueError("seed must be 0 or more")
    if national or sites is not None or bodies is not None or missing is not None:
        if graves is not None or scale != 1:
            raise ValueError("graves and scale apply to the one-site scenario only")
        size = national_size(sites, bodies, missing)
        enabled = gc.isenabled()
        gc.disable()
        try:
            return _simulate_national(seed, Path(out), size)
        finally:
            if enabled:
                gc.enable()
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
        "dna/ystr_table.json": (
            dumps(dna.tables["ystr_database"]),
            len(dna.tables["ystr_database"]["haplotypes"]),
        ),
        "dna/mtdna_table.json": (
            dumps(dna.tables["mtdna_database"]),
            len(dna.tables["mtdna_database"]["sequences"]),
        ),
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


def _person_truth(world: World) -> LazyMap:
    return LazyMap(sorted(world.persons), lambda pid: _person_json(world, pid))


def _simulate_national(seed: int, out: Path, size: NationalSize) -> Summary:
    """The national scenario: written file by file, never all of it in memory."""
    world, p_unexhumed = build_national_world(seed, size)
    files: dict[str, tuple[str, int, int]] = {}  # path -> sha256, bytes, rows

    def put(rel: str, data: bytes, rows: int) -> None:
        sink = _Sink(out / rel)
        sink.write(data)
        digest, n = sink.close()
        files[rel] = (digest, n, rows)

    def put_json(rel: str, obj: Any, rows: int, depth: int = 2) -> None:
        digest, n = write_json(out / rel, obj, depth)
        files[rel] = (digest, n, rows)

    put_json("sites.json", _sites_json(world), len(world.graves), depth=4)

    # Each site's two journals record every burial there, exhumed or not.
    burials: dict[str, list[Any]] = {s.code: [] for s in world.sites}
    for b in [*world.bodies.values(), *world.unexhumed]:
        burials[world.graves[b.grave].site].append(b)
    journal_truth: list[dict[str, Any]] = []
    funeral_rows = volunteer_rows = 0
    for site in world.sites:
        names = (
            f"journals/{site.code}/funeral_home.csv",
            f"journals/{site.code}/volunteers.csv",
        )
        funeral, volunteers = build_journals(
            world,
            seed,
            burials=burials.pop(site.code),
            stream=f"journals:{site.code}",
            files=names,
        )
        put(
            names[0],
            render_csv(FUNERAL_HEADER, funeral, ";").encode("cp1251"),
            len(funeral),
        )
        put(
            names[1],
            render_csv(VOLUNTEERS_HEADER, volunteers, ",").encode("utf-8-sig"),
            len(volunteers),
        )
        journal_truth += [r.truth for r in funeral] + [r.truth for r in volunteers]
        funeral_rows += len(funeral)
        volunteer_rows += len(volunteers)
        del funeral, volunteers

    reports, links, family_pids = build_national_reports(
        world, seed, reports=size.missing, p_unexhumed=p_unexhumed
    )
    # People missing elsewhere whom nobody reported are dropped: in the register
    # only through a report.
    reported = {link.pid for link in links}
    for pid in [p.pid for p in world.persons.values() if not p.at_site]:
        if pid not in reported:
            del world.persons[pid]
    n_reports = len(reports)
    put_json("missing/reports.json", {"reports": reports}, n_reports)
    del reports
    fid_width = max(4, len(str(size.missing)))
    # No lineage markers in the national preset: its identification benchmark
    # (docs/benchmarks.md) stays comparable; lineage LRs are pure Python per pair.
    dna = build_dna(
        world,
        family_pids,
        seed,
        fid_width=fid_width,
        favour_pairs=True,
        lineage=False,
    )
    n_profiles = len(dna.case["pm"])
    n_references = sum(len(f["genotypes"]) for f in dna.case["am"].values())
    put_json("dna/case.json", dna.case, len(dna.case["pm"]) + len(dna.case["am"]))
    dna.case.clear()
    for kind, rows in (("ystr", "haplotypes"), ("mtdna", "sequences")):
        if f"{kind}_database" in dna.tables:
            table = dna.tables[f"{kind}_database"]
            put_json(f"dna/{kind}_table.json", table, len(table[rows]))
    findings, doc_person = build_findings(world, seed, dna.profiles)
    put_json("pm/findings.json", {"findings": findings}, len(findings))
    del findings

    with_family = set(family_pids)
    truth = {
        "seed": seed,
        "national": {
            "sites": size.sites,
            "bodies": len(world.bodies),
            "missing": n_reports,
            "reference_profiles": n_references,
            "unexhumed_people": len(world.unexhumed),
        },
        "persons": _person_truth(world),
        "graves": {
            g.gid: {
                "site": g.site,
                "marker": g.marker,
                "number": g.number,
                "kind": g.kind,
                "burial_date": g.burial.isoformat(),
                "exhumed": g.exhumed,
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
        "journal_rows": journal_truth,
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
    put_json("truth.json", truth, len(journal_truth))
    manifest = {
        "generator": "imena.simulation",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "parameters": {
            "national": True,
            "sites": size.sites,
            "bodies": size.bodies,
            "missing": size.missing,
        },
        "files": [
            {"path": rel, "sha256": digest, "bytes": n, "rows": rows}
            for rel, (digest, n, rows) in sorted(files.items())
        ],
    }
    (out / "manifest.json").write_bytes(dumps(manifest, depth=4))
    return Summary(
        out=out,
        seed=seed,
        graves_per_unit=0,
        scale=1,
        sites=len(world.sites),
        graves=len(world.graves),
        bodies=len(world.bodies),
        persons=len(world.persons),
        funeral_rows=funeral_rows,
        volunteer_rows=volunteer_rows,
        reports=n_reports,
        families=len(dna.families),
        pm_profiles=n_profiles,
        files={rel: n for rel, (_d, n, _r) in sorted(files.items())},
        references=n_references,
    )
