"""Pedigrees, profiles and DVI cases in the interchange JSON format.

The case format is that of ``tests/data/dvi-examples/*.json``::

    {"markers": [{"name", "alleles", "afreq", "mutation"?}],
     "pm": {victim: {"sex": 1|2|0, "genotypes": {locus: [a, b]}}},
     "am": {family: {"id": [], "fid": [], "mid": [], "sex": [],
                     "genotypes": {member: {locus: [a, b]}}}},
     "missing": [missing person ids]}

Sex is 1 (male), 2 (female) or 0 (unknown).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kinship.errors import KinshipError, KinshipWarning
from kinship.genemapper import Genotype, parse_genotype
from kinship.lineage import LineageData, lineage_from_dict
from kinship.markers import Marker
from kinship.mutation import mutation_from_json

Profile = dict[str, Genotype]


@dataclass(frozen=True)
class Pedigree:
    """A pedigree: ids, parent positions (-1 for none) and sexes."""

    ids: tuple[str, ...]
    father: tuple[int, ...]
    mother: tuple[int, ...]
    sex: tuple[int, ...]

    @classmethod
    def from_lists(
        cls,
        ids: Sequence[str],
        fid: Sequence[str | None],
        mid: Sequence[str | None],
        sex: Sequence[int],
        *,
        name: str = "pedigree",
    ) -> Pedigree:
        """Build and validate a pedigree from parallel lists (None: no parent)."""
        ids = [str(i) for i in ids]
        if not (len(ids) == len(fid) == len(mid) == len(sex)):
            raise KinshipError(f"{name}: id, fid, mid and sex differ in length")
        if len(set(ids)) != len(ids):
            raise KinshipError(f"{name}: duplicated individual ids")
        pos = {i: k for k, i in enumerate(ids)}

        def parent(value: str | None, child: str, role: str) -> int:
            if value is None or value in ("", "0", "NA"):
                return -1
            value = str(value)
            if value not in pos:
                raise KinshipError(f"{name}: {role} {value!r} of {child!r} is unknown")
            return pos[value]

        sexes = []
        for i, s in zip(ids, sex, strict=True):
            try:
                s = int(s) if s is not None else 0
            except (TypeError, ValueError):
                raise KinshipError(f"{name}: bad sex {s!r} for {i!r}") from None
            if s not in (0, 1, 2):
                raise KinshipError(f"{name}: bad sex {s!r} for {i!r}")
            sexes.append(s)
        fa = [parent(f, i, "father") for f, i in zip(fid, ids, strict=True)]
        mo = [parent(m, i, "mother") for m, i in zip(mid, ids, strict=True)]
        for k, i in enumerate(ids):
            if fa[k] >= 0 and sexes[fa[k]] == 2:
                raise KinshipError(f"{name}: father {ids[fa[k]]!r} of {i!r} is female")
            if mo[k] >= 0 and sexes[mo[k]] == 1:
                raise KinshipError(f"{name}: mother {ids[mo[k]]!r} of {i!r} is male")
            if fa[k] >= 0 and fa[k] == mo[k]:
                raise KinshipError(f"{name}: {i!r} has the same father and mother")
        ped = cls(tuple(ids), tuple(fa), tuple(mo), tuple(sexes))
        ped.topological_order(name=name)
        return ped

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, ident: str) -> int:
        """Return the position of an individual."""
        try:
            return self.ids.index(ident)
        except ValueError:
            raise KinshipError(f"{ident!r} is not in the pedigree") from None

    def topological_order(self, *, name: str = "pedigree") -> list[int]:
        """Return positions with parents before children; error on a cycle."""
        state = [0] * len(self.ids)
        order: list[int] = []
        for start in range(len(self.ids)):
            if state[start]:
                continue
            stack: list[tuple[int, int]] = [(start, 0)]
            while stack:
                node, step = stack.pop()
                if step == 0:
                    if state[node] == 2:
                        continue
                    if state[node] == 1:
                        raise KinshipError(
                            f"{name}: the pedigree has a cycle through "
                            f"{self.ids[node]!r}"
                        )
                    state[node] = 1
                    stack.append((node, 1))
                    for par in (self.father[node], self.mother[node]):
                        if par >= 0:
                            if state[par] == 1:
                                raise KinshipError(
                                    f"{name}: the pedigree has a cycle through "
                                    f"{self.ids[par]!r}"
                                )
                            if state[par] == 0:
                                stack.append((par, 0))
                else:
                    state[node] = 2
                    order.append(node)
        return order

    def is_founder(self, k: int) -> bool:
        """Return True if individual ``k`` has no parent in the pedigree."""
        return self.father[k] < 0 and self.mother[k] < 0


@dataclass
class Family:
    """A reference family: a pedigree and the typed members' profiles."""

    name: str
    pedigree: Pedigree
    genotypes: dict[str, Profile] = field(default_factory=dict)


@dataclass
class Victim:
    """A post-mortem sample: sex and profile."""

    name: str
    sex: int
    genotypes: Profile = field(default_factory=dict)


@dataclass
class Case:
    """A DVI case: markers, victims, reference families and missing persons."""

    markers: dict[str, Marker]
    victims: dict[str, Victim]
    families: dict[str, Family]
    missing: list[str]
    lineage: LineageData = field(default_factory=LineageData)

    @property
    def missing_family(self) -> dict[str, str]:
        """Map each missing person to the family holding it."""
        out: dict[str, str] = {}
        for fam in self.families.values():
            for i in fam.pedigree.ids:
                if i in self.missing:
                    out[i] = fam.name
        return out

    def missing_sex(self, missing: str) -> int:
        """Return the sex of a missing person."""
        fam = self.families[self.missing_family[missing]]
        return fam.pedigree.sex[fam.pedigree.index(missing)]


def read_profile(
    raw: Any, sample: str, markers: Mapping[str, Marker] | None, unknown: set[str]
) -> Profile:
    """Read ``{locus: [a, b]}``; loci outside ``markers`` go to ``unknown``.

    With ``markers`` None every locus is read.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise KinshipError(f"sample {sample!r}: genotypes must be an object")
    out: Profile = {}
    for locus, value in raw.items():
        g = parse_genotype(value, sample, locus)
        if g is None:
            continue
        if markers is not None and locus not in markers:
            unknown.add(locus)
            continue
        out[str(locus)] = g
    return out


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise KinshipError(f"{where}: missing key {key!r}")
    return obj[key]


def extend_markers(
    markers: dict[str, Marker],
    profiles: Sequence[Mapping[str, Genotype]],
    *,
    seen: Mapping[str, Mapping[str, None]] | None = None,
) -> dict[str, Marker]:
    """Add alleles seen in ``profiles`` but absent from the markers.

    ``seen``: ``seen_alleles`` of profiles that come before ``profiles``
    (the same markers as adding them all at once, in the same order)."""
    found = {k: dict(v) for k, v in (seen or {}).items()}
    return _with_alleles(markers, seen_alleles(markers, profiles, found))


def seen_alleles(
    markers: Mapping[str, Marker],
    profiles: Sequence[Mapping[str, Genotype]],
    seen: dict[str, dict[str, None]] | None = None,
) -> dict[str, dict[str, None]]:
    """The alleles of ``profiles`` absent from the markers, per locus, in the
    order they are first seen (added to ``seen``)."""
    seen = {} if seen is None else seen
    known = {locus: m.positions() for locus, m in markers.items()}
    for prof in profiles:
        for locus, g in prof.items():
            at = known.get(locus)
            if at is not None:
                for a in g:
                    if a not in at:
                        seen.setdefault(locus, {})[a] = None
    return seen


def _with_alleles(
    markers: dict[str, Marker], seen: Mapping[str, Mapping[str, None]]
) -> dict[str, Marker]:
    out = dict(markers)
    for locus, extra in seen.items():
        out[locus] = markers[locus].with_alleles(extra)
    return out


def read_victims(
    pm: Mapping[str, Any], markers: Mapping[str, Marker] | None, unknown: set[str]
) -> dict[str, Victim]:
    """Read the ``pm`` part of a case; see :func:`read_profile` for ``markers``."""
    victims: dict[str, Victim] = {}
    for vid, v in pm.items():
        if not isinstance(v, Mapping):
            raise KinshipError(f"victim {vid}: expected an object")
        try:
            sex = int(v.get("sex") or 0)
        except (TypeError, ValueError):
            raise KinshipError(f"victim {vid}: bad sex {v.get('sex')!r}") from None
        victims[str(vid)] = Victim(
            str(vid),
            sex,
            read_profile(
                # A victim typed only for Y-STR / mtDNA has no autosomal genotypes.
                v.get("genotypes") or {}
                if v.get("ystr") or v.get("mtdna")
                else _require(v, "genotypes", f"victim {vid}"),
                str(vid),
                markers,
                unknown,
            ),
        )
    return victims


def read_families(
    am: Mapping[str, Any], markers: Mapping[str, Marker] | None, unknown: set[str]
) -> dict[str, Family]:
    """Read the ``am`` part of a case: validated pedigrees and typed members."""
    families: dict[str, Family] = {}
    for fname, f in am.items():
        where = f"family {fname}"
        if not isinstance(f, Mapping):
            raise KinshipError(f"{where}: expected an object")
        ped = Pedigree.from_lists(
            _require(f, "id", where),
            _require(f, "fid", where),
            _require(f, "mid", where),
            _require(f, "sex", where),
            name=where,
        )
        genos: dict[str, Profile] = {}
        for member, prof in (f.get("genotypes") or {}).items():
            if str(member) not in ped.ids:
                raise KinshipError(f"{where}: typed member {member!r} not in pedigree")
            genos[str(member)] = read_profile(prof, str(member), markers, unknown)
        families[str(fname)] = Family(str(fname), ped, genos)
    return families


def case_from_dict(data: Mapping[str, Any]) -> Case:
    """Build a :class:`Case` from the interchange JSON structure."""
    if not isinstance(data, Mapping):
        raise KinshipError("case: expected a JSON object")
    raw_markers = _require(data, "markers", "case")
    pm = _require(data, "pm", "case")
    am = _require(data, "am", "case")
    missing = [str(m) for m in _require(data, "missing", "case")]
    markers: dict[str, Marker] = {}
    for k, m in enumerate(raw_markers):
        where = f"marker {k + 1}"
        name = str(_require(m, "name", where))
        alleles = tuple(str(a) for a in _require(m, "alleles", f"marker {name}"))
        afreq = _require(m, "afreq", f"marker {name}")
        markers[name] = Marker(
            name,
            alleles,
            np.array(afreq, dtype=float),
            mutation_from_json(m.get("mutation")),
        )
    unknown: set[str] = set()
    victims = read_victims(pm, markers, unknown)
    families = read_families(am, markers, unknown)
    if unknown:
        warnings.warn(
            f"locus/loci {', '.join(sorted(unknown))} not in the marker set; skipped",
            KinshipWarning,
            stacklevel=2,
        )
    profiles = [v.genotypes for v in victims.values()] + [
        p for f in families.values() for p in f.genotypes.values()
    ]
    markers = extend_markers(markers, profiles)
    case = Case(markers, victims, families, missing, lineage_from_dict(data))
    located = case.missing_family
    for m in missing:
        if m not in located:
            raise KinshipError(f"missing person {m!r} is in no family")
    for fam in families.values():
        for m in missing:
            if m in fam.genotypes and fam.genotypes[m]:
                raise KinshipError(f"{fam.name}: missing person {m!r} is typed")
    return case


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load a case from a JSON file path, a JSON string or a parsed dict."""
    if isinstance(source, Mapping):
        return case_from_dict(source)
    text: str
    if isinstance(source, Path) or not str(source).lstrip().startswith("{"):
        try:
            text = Path(source).read_text("utf-8")
        except OSError as exc:
            raise KinshipError(f"cannot read case {source}: {exc.strerror}") from None
    else:
        text = str(source)
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise KinshipError(f"case {source}: JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, a non-finite number, a huge integer
        raise KinshipError(f"case {source}: invalid JSON ({exc})") from None
    return case_from_dict(data)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")
