"""The identification computation on plain data: no Django in here.

``imena.identification.adapters`` builds the inputs from the models (or from a
simulator folder); ``services`` stores what comes out. Everything here calls
the pure packages ``matching`` (physical comparison, journal LR, combination)
and ``kinship`` (DNA screening). See ``docs/identification.md``.

Steps for a site:

1. every open missing person is a candidate for every body (nobody plausible
   is dropped); hard exclusions (physical rules, DNA inconsistencies) are kept
   with their reasons. Blocking: the pairs a hard rule excludes (sex, age,
   DNA) are found for a whole row of persons at once with numpy
   (``matching.vectorised``) and never computed one by one; the posteriors are
   those of the pair-by-pair computation (``compute_site(blocking=False)``);
2. journal LR per grave from the reconciled clusters whose name matches a
   missing person (``matching.documentary.journal_lrs``), plus a penalty for a
   person the journals put in *another* grave (see ``elsewhere_lr``);
3. physical LR (``matching.physical.compare``), with reviewers' overrides;
4. DNA LR (``kinship.screen`` with a drop-out probability);
5. posterior: uniform prior over the open persons, ``p_unlisted`` for "none of
   these"; graves with several bodies are solved jointly
   (``matching.combine.identify_grave``) over the candidates that matter.
"""

from __future__ import annotations

import functools
import gc
import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from imena.identification.lineage import LineageScorer, add_lineage, lineage_data
from matching import combine, physical, vectorised
from matching.combine import Candidate, Evidence, Potential
from matching.documentary import JournalRecord, Reliability, journal_lrs, unlisted_lr
from matching.records import AMRecord, PMRecord

#: Evidence kinds, in display order.
KINDS = ("journal", "physical", "dna")

#: A DNA LR below this (log10) is treated as an exclusion by DNA.
DNA_EXCLUDE_LOG10 = -12.0
#: Drop-out probability of the DNA LRs (degraded PM samples).
DNA_DROPOUT = 0.05


@dataclass(frozen=True)
class BodyIn:
    body_id: str
    grave_id: str
    grave_number: str
    pm: Mapping[str, Any]
    dna: Mapping[str, Any] | None = None  # {"sex": 0|1|2, "genotypes": {...}}


@dataclass(frozen=True)
class PersonIn:
    person_id: str
    label: str
    am: Mapping[str, Any]
    # Kinship ``am`` family format plus "missing": the missing member's id.
    family: Mapping[str, Any] | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class LeadIn:
    """A reconciled journal person placed on a grave."""

    grave_id: str
    key: str
    name: str
    journals: tuple[str, ...]
    persons: tuple[str, ...]  # matched missing persons; () = nobody on the list


@dataclass(frozen=True)
class Params:
    p_unlisted: float
    reliability: Reliability
    dependence: float = 0.25
    dna_dropout: float = DNA_DROPOUT
    keep_per_body: int = 10
    # The physical LR is capped: the traits (teeth of one mouth above all) are
    # not independent, and physical evidence alone should not decide.
    physical_cap: float = 1e4
    # ... and tempered (log LR times this factor), for the same reason.
    physical_temper: float = 0.5
    # Iterations of the site-wide "one person, one body" correction (0: off).
    competition_rounds: int = 3
    joint_extra: int = 12
    max_suggestions: int = 3
    # relation code -> expected log10 LR of a new reference from that relative
    dna_expected: Mapping[str, float] = field(default_factory=dict)
    # Y-STR / mtDNA population tables (``imena.dna.selectors.lineage_tables``).
    lineage_tables: Mapping[str, Any] = field(default_factory=dict)
    # The register size (open reports, for the journal LRs) and each body's
    # prior mass (the sum of its persons' weights, which the prior divides by)
    # are rounded up on a grid of this many points per octave (relative step
    # at most 1/register_grid), so that one more report changes neither unless
    # the rounded value moves; 0: exact. See ``grid_up``.
    register_grid: int = 128
    # The "one person, one body" factors (1 - a person's mass at other graves)
    # are rounded up on such a grid too, so that a tiny change of a person's
    # mass elsewhere changes no weight; 0: exact.
    competition_grid: int = 128


@dataclass
class PairResult:
    """One body x candidate, with the LR of each kind (1 when absent)."""

    person_id: str
    lr: dict[str, float]
    exclusions: list[dict[str, str]] = field(default_factory=list)
    journal_text: tuple[str, str] = ("", "")
    dna_text: tuple[str, str] = ("", "")

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)

    @property
    def total(self) -> float:
        if self.excluded:
            return 0.0
        return math.prod(self.lr.values())


@dataclass
class BodyResult:
    body_id: str
    grave_id: str
    posterior: combine.BodyPosterior
    pairs: dict[str, PairResult]
    kept: list[str]  # person ids with full evidence, best first
    others_mass: float  # posterior of candidates not kept
    n_considered: int
    # Persons (indices into ``SiteResult.person_ids``) with an LR above 0, and
    # their journal, physical and DNA LRs (3 x len(live)).
    live: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    live_lr: np.ndarray = field(default_factory=lambda: np.ones((3, 0)))
    # Pairs excluded by blocking (never computed one by one), and the first
    # ``EXCLUSIONS_LISTED`` of them with their reasons.
    blocked: int = 0
    blocked_listed: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)
    # What the prior divided the weights by (``Competition.norm``).
    norm: float = 0.0


@dataclass
class SiteResult:
    bodies: dict[str, BodyResult]
    params: Params
    notes: list[str] = field(default_factory=list)
    # The physical model used (site age distribution, within-mouth dependence).
    physical_model: physical.PhysicalModel = physical.DEFAULT_MODEL
    person_ids: list[str] = field(default_factory=list)
    # The bodies whose posteriors this run computed (the others kept those of
    # the cache's last run: nothing they depend on changed). Every body
    # without a cache.
    recomputed: set[str] = field(default_factory=set)
    # The bodies whose listed exclusions differ from the cache's last run's
    # (or that have no last result).
    relisted: set[str] = field(default_factory=set)
    # The bodies whose result is the one of an earlier run although reports
    # were added since, each with a bound on how far any of its posteriors
    # may be from the exact one (``SiteCache.defer_below``); empty when
    # every result is exact.
    deferred: dict[str, float] = field(default_factory=dict)


# --- Sizes on a grid ----------------------------------------------------------


def grid_up(x: float, points: int) -> float:
    """``x`` rounded up to the next ``k * 2**e`` with ``k`` an integer in
    ``[points, 2 * points]``: a relative step of at most ``1 / points``.

    Exact (a function of ``x``'s bits alone), so a full and an incremental run
    round alike; integers below ``2 * points`` are kept (for a power of two).
    ``points`` 0: ``x`` unchanged.
    """
    if points <= 0 or not x > 0 or not math.isfinite(x):
        return x
    m, e = math.frexp(x)  # x = m * 2**e, 0.5 <= m < 1
    return math.ldexp(math.ceil(m * 2 * points), e - 1) / points


def grid_up_array(x: np.ndarray, points: int) -> np.ndarray:
    """``grid_up`` of each value (the same numbers, element by element)."""
    x = np.asarray(x, dtype=float)
    if points <= 0:
        return x
    m, e = np.frexp(x)
    out: np.ndarray = np.where(
        x > 0, np.ldexp(np.ceil(m * 2 * points), e - 1) / points, x
    )
    return out


def register_size(n: int, params: Params) -> int:
    """The number of open reports the journal LRs use: ``n`` on the grid."""
    return int(grid_up(float(n), params.register_grid))


# --- Journal ------------------------------------------------------------------


def elsewhere_factor(rel: Reliability, neighbour: bool, n_graves: int) -> float:
    """LR for "body in H is x" from one journal putting x in another grave G.

    If x is in H the entry at G is a grave slip: p_wrong_grave, landing on G with
    1/n_slip_targets when G is a neighbour of H (number ±2, transposed digits,
    letter suffix), else 1/n_graves. If the body in H is someone unlisted, x is
    most likely where the journal says: p_correct. Not in ``matching``: listed
    in the report as an adapter addition.
    """
    share = 1.0 / rel.n_slip_targets if neighbour else 1.0 / max(1, n_graves)
    return max(rel.p_wrong_grave * share, 1e-9) / rel.p_correct


def _elsewhere_lr(
    rel: Reliability,
    journals: Sequence[str],
    neighbour: bool,
    n_graves: int,
    dependence: float,
) -> float:
    f = elsewhere_factor(rel, neighbour, n_graves)
    out = 1.0
    for i, _j in enumerate(journals):
        if i == 0:
            out *= f
        else:  # a second journal may have copied the first
            num = dependence + (1 - dependence) * rel.p_wrong_grave * (
                f * rel.p_correct / rel.p_wrong_grave
            )
            den = dependence + (1 - dependence) * rel.p_correct
            out *= num / den
    return out


def _number_parts(number: str) -> tuple[int | None, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else None), number


def graves_are_neighbours(a: str, b: str) -> bool:
    """Numbers within 2 of each other, or the same digits in another order."""
    na, _ = _number_parts(a)
    nb, _ = _number_parts(b)
    if na is None or nb is None:
        return False
    if abs(na - nb) <= 2:
        return True
    return sorted(str(na)) == sorted(str(nb))


# --- DNA -----------------------------------------------------------------------


@dataclass
class DnaTable:
    """The log10 LRs kept by the screening, per body, as numpy arrays.

    ``persons[t]`` is the person of target ``t``; ``rows[body]`` holds the
    body's targets (sorted) and their log10 LRs. At national scale a sixth of
    the body x family pairs is kept: a dict of tuples would not fit.
    """

    persons: list[str] = field(default_factory=list)
    rows: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # Explanation lines of the pairs with lineage markers (issue 18).
    lineage: LineageScorer | None = None

    def __post_init__(self) -> None:
        self.target = {pid: t for t, pid in enumerate(self.persons)}

    def get(self, key: tuple[str, str]) -> float | None:
        """The log10 LR of (body, person), None when not kept."""
        row = self.rows.get(key[0])
        t = self.target.get(key[1])
        if row is None or t is None:
            return None
        k = int(np.searchsorted(row[0], t))
        if k < len(row[0]) and row[0][k] == t:
            return float(row[1][k])
        return None

    def __len__(self) -> int:
        return sum(len(r[0]) for r in self.rows.values())


def carries_dna(dna: Mapping[str, Any] | None, tables: Mapping[str, Any]) -> bool:
    """True if ``dna`` (a body's or a family's) carries DNA evidence: autosomal
    genotypes, or Y-STR / mtDNA with the population table of that kind.

    A side typed only for lineage markers is screened like the others: its
    autosomal LR is 1 against every pair and the lineage LR multiplies in.
    """
    if not dna:
        return False
    if dna.get("genotypes"):
        return True
    return any(dna.get(k) and f"{k}_database" in tables for k in ("ystr", "mtdna"))


#: log10 LRs per (body, person), relations per person, notes (from ``dna_lrs``).
DnaLRs = tuple[DnaTable, dict[str, list[str]], list[str]]


class DnaSieve(Protocol):
    """Tells which families a body's DNA LR may reach a threshold with,
    without screening it against all of them (``SiteCache.dna_sieve``:
    ``services`` gives the national screening's stored family tables,
    ``screening_tables.EngineSieve``)."""

    def candidates(
        self, body: BodyIn, persons: Sequence[PersonIn], log10_threshold: float
    ) -> list[PersonIn] | None:
        """The persons of ``persons`` (in order) whose family's DNA LR with
        ``body`` may be ``10 ** log10_threshold`` or more, as ``dna_lrs``
        computes it: every other one's is certainly below. None: cannot tell
        for this body (then it is screened against every family)."""
        ...


def dna_lrs(
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    dropout: float,
    threshold: float = 1e-300,
    lineage_tables: Mapping[str, Any] | None = None,
) -> DnaLRs:
    """log10 LR per (body, person) with typed references; relations per person.

    Only pairs with an LR of ``threshold`` or more are returned (the others are
    exclusions by DNA whatever their exact value).  With ``lineage_tables``,
    the Y-STR and mtDNA LRs of these pairs multiply in
    (``imena.identification.lineage``).
    """
    # Submodules: the editable install may expose `kinship` as a namespace package.
    from kinship.case import Family, extend_markers, seen_alleles
    from kinship.screen import _targets_tables, _victim_rows, screen_pairs

    notes: list[str] = []
    tables = lineage_tables or {}
    fams = [
        (p, p.family) for p in persons if p.family and carries_dna(p.family, tables)
    ]
    victims_raw = {
        b.body_id: b.dna for b in bodies if b.dna and carries_dna(b.dna, tables)
    }
    if not fams or not victims_raw:
        return DnaTable(), {}, notes
    table = _frequency_table()
    # Loci as the frequency table spells them (``VWA`` is ``vWA``), as the
    # national screening reads them: one pair, one LR.
    victim_parsed = {name: _parsed_victim(name, v) for name, v in victims_raw.items()}
    loci: set[str] = set()
    for loci_of, _prof in victim_parsed.values():
        loci |= loci_of
    parsed_fams = [_parsed_family(p, f) for p, f in fams]
    for loci_of, _parsed in parsed_fams:
        loci |= loci_of
    markers = {k: m for k, m in table.items() if k in loci}
    unknown: set[str] = set()
    for locus in sorted(loci - set(markers)):
        notes.append(f"locus {locus} has no allele frequencies; ignored")
    victims = {
        name: _at_markers(prof, markers, unknown)
        for name, (_loci, prof) in victim_parsed.items()
    }
    targets = []
    relations: dict[str, list[str]] = {}
    for (p, f), (_loci, parsed) in zip(fams, parsed_fams, strict=True):
        if isinstance(parsed, str):
            notes.append(f"{p.label}: pedigree not usable ({parsed})")
            continue
        ped, profiles_all = parsed
        genos = {
            m: _at_markers(prof, markers, unknown) for m, prof in profiles_all.items()
        }
        fam = Family(p.person_id, ped, genos)
        targets.append((fam, str(f["missing"])))
        relations[p.person_id] = list(f.get("relations") or [])
    # The alleles of the bodies' profiles that the markers lack: kept while
    # the bodies' profiles and the markers are the same (a changed family
    # is screened against each site's bodies at each update).
    read_v = tuple(victim_parsed[name] for name in victims)
    seen_v = _memoised(
        ("alleles", tuple(victims), tuple(markers)),
        (*read_v, *markers.values()),
        lambda: seen_alleles(markers, list(victims.values())),
    )
    markers = extend_markers(
        markers,
        [g for fam, _m in targets for g in fam.genotypes.values()],
        seen=seen_v,
    )
    # The screening's tables of these bodies and of a few families, kept for
    # the next call with the same markers (a changed family is screened
    # against each site's bodies in turn, each site against its bodies).
    sig = _markers_key(markers.values())
    read_f = {
        p.person_id: (f, parsed)
        for (p, f), (_l, parsed) in zip(fams, parsed_fams, strict=True)
    }

    def victim_rows(
        vs: Mapping[str, Any], mlist: Sequence[Any]
    ) -> tuple[list[str], np.ndarray, int]:
        return _memoised(  # type: ignore[no-any-return]
            ("victims", tuple(vs), sig), read_v, lambda: _victim_rows(vs, mlist)
        )

    def targets_tables(
        chunk: Sequence[tuple[Any, str]], mlist: Sequence[Any], drop: float, th: float
    ) -> np.ndarray:
        if len(chunk) > _MEMO_FAMILIES:
            return _targets_tables(chunk, mlist, drop, th)
        return _memoised(  # type: ignore[no-any-return]
            ("families", tuple((f.name, m) for f, m in chunk), sig, drop, th),
            tuple(x for f, _m in chunk for x in read_f[f.name]),
            lambda: _targets_tables(chunk, mlist, drop, th),
        )

    names, hit_v, hit_t, hit_log10 = screen_pairs(
        victims,
        targets,
        markers,
        threshold=threshold,
        dropout=dropout,
        victim_rows=victim_rows,
        targets_tables=targets_tables,
    )
    scorer = None
    lineage = lineage_data(tables, victims_raw, {p.person_id: f for p, f in fams})
    if lineage is not None:
        members = {p.person_id: f.get("members") or {} for p, f in fams}
        scorer = add_lineage(lineage, names, targets, hit_v, hit_t, hit_log10, members)
    bounds = np.searchsorted(hit_v, np.arange(len(names) + 1))
    rows = {
        name: (
            hit_t[bounds[i] : bounds[i + 1]],
            hit_log10[bounds[i] : bounds[i + 1]],
        )
        for i, name in enumerate(names)
    }
    found = DnaTable([fam.name for fam, _m in targets], rows, scorer)
    return found, relations, notes


@functools.cache
def _frequency_table() -> dict[str, Any]:
    """The bundled allele frequencies, read once (``dna_lrs`` runs for each
    site at each update; it only reads the markers)."""
    from kinship.markers import load_frequency_table

    return load_frequency_table()


#: The screening's tables kept by ``dna_lrs``: key -> (the objects read,
#: kept while they are the same, and the table). Tables of at most
#: ``_MEMO_FAMILIES`` families (a changed family's, not the register's).
_SCREEN_MEMO: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
_SCREEN_MEMO_MAX = 256
_MEMO_FAMILIES = 8


def _memoised(key: tuple[Any, ...], objs: tuple[Any, ...], make: Any) -> Any:
    """``make()``, kept in ``_SCREEN_MEMO`` under ``key`` while the objects
    it read are ``objs`` (the same objects); the memo emptied when full."""
    kept = _SCREEN_MEMO.get(key)
    if kept is not None and all(map(operator.is_, kept[0], objs)):
        return kept[1]
    out = make()
    if len(_SCREEN_MEMO) >= _SCREEN_MEMO_MAX:
        _SCREEN_MEMO.clear()
    _SCREEN_MEMO[key] = (objs, out)
    return out


def _markers_key(markers: Iterable[Any]) -> tuple[Any, ...]:
    """The markers as a key: names, alleles, frequencies, mutation."""
    return tuple(
        (m.name, m.alleles, m.freqs.tobytes(), repr(m.mutation)) for m in markers
    )


#: person id -> (its family mapping, the pedigree and every member's profile
#: read, or why the pedigree is not usable): a worker screens the same
#: families again for each new PM profile; reading them was a fifth of that.
_FAMILIES: dict[str, tuple[Mapping[str, Any], Any]] = {}
_FAMILIES_MAX = 200_000


#: body id -> (its DNA mapping, its loci and profile read): as ``_FAMILIES``.
_VICTIMS: dict[str, tuple[Mapping[str, Any], Any]] = {}


def _kept(
    store: dict[str, tuple[Mapping[str, Any], Any]],
    key: str,
    obj: Mapping[str, Any],
    make: Any,
) -> Any:
    """``make()``, kept in ``store`` under ``key`` while ``obj`` is the same
    object (the store emptied when it reaches ``_FAMILIES_MAX``)."""
    kept = store.get(key)
    if kept is not None and kept[0] is obj:
        return kept[1]
    out = make()
    if len(store) >= _FAMILIES_MAX:
        store.clear()
    store[key] = (obj, out)
    return out


def _at_markers(
    profile: Mapping[str, Any], markers: Mapping[str, Any], unknown: set[str]
) -> dict[str, Any]:
    """A profile read at every locus, at ``markers`` only (as ``read_profile``
    with them: the other loci go to ``unknown``)."""
    out = {k: g for k, g in profile.items() if k in markers}
    if len(out) != len(profile):
        unknown.update(k for k in profile if k not in markers)
    return out


def _parsed_victim(
    body_id: str, dna: Mapping[str, Any]
) -> tuple[frozenset[str], dict[str, Any]]:
    """A body's loci (as ``canonical_profile`` spells them) and its profile
    read at every locus; kept while the body has the same DNA object."""
    from kinship.case import read_profile
    from kinship.genemapper import canonical_profile

    def read() -> tuple[frozenset[str], dict[str, Any]]:
        genotypes = canonical_profile(dna.get("genotypes") or {})
        return frozenset(genotypes), read_profile(genotypes, body_id, None, set())

    return _kept(_VICTIMS, body_id, dna, read)  # type: ignore[no-any-return]


def _parsed_family(p: PersonIn, f: Mapping[str, Any]) -> Any:
    """The loci of ``p``'s family ``f`` (as ``canonical_profile`` spells
    them) and its pedigree with the members' profiles (every locus, as
    ``read_profile`` reads them without markers), or the error message of a
    pedigree that is not usable; kept while ``p``
    has the same family object (the worker's register keeps the objects of
    the reports it did not read again)."""
    from kinship.case import Pedigree, read_profile
    from kinship.genemapper import canonical_profile

    def read() -> tuple[frozenset[str], Any]:
        genotypes = f.get("genotypes") or {}
        loci = frozenset(
            locus for g in genotypes.values() for locus in canonical_profile(g)
        )
        try:
            ped = Pedigree.from_lists(
                f["id"], f["fid"], f["mid"], f["sex"], name=p.person_id
            )
        except Exception as e:  # noqa: BLE001 - a bad pedigree skips one family
            return loci, str(e)
        return loci, (
            ped,
            {
                str(m): read_profile(canonical_profile(g), str(m), None, set())
                for m, g in genotypes.items()
            },
        )

    return _kept(_FAMILIES, p.person_id, f, read)


# --- Physical, fast path ------------------------------------------------------------

# Traits whose result depends only on a few fields of each side: computed once
# per distinct pair of values (the site has hundreds of bodies and persons).
_CACHE_KEYS = vectorised.TRAIT_READS


class FastComparer:
    """``matching.physical.compare`` with memoised simple traits and early exit.

    Without overrides, the simple traits are computed once per distinct pair of
    values; when one of them excludes, the other traits are not computed (the
    pair is excluded whatever they say, and the exclusion reasons listed are
    those of the simple traits). With overrides the full comparison runs.
    """

    def __init__(self, model: physical.PhysicalModel = physical.DEFAULT_MODEL) -> None:
        self.model = model
        self.cache: dict[tuple[Any, ...], physical.TraitResult] = {}
        self.order = [t for t in physical.COMPARATORS if t in _CACHE_KEYS] + [
            t for t in physical.COMPARATORS if t not in _CACHE_KEYS
        ]

    def compare(
        self, am: AMRecord, pm: PMRecord, overrides: Mapping[str, str] | None = None
    ) -> physical.PhysicalComparison:
        if overrides:
            return physical.compare(am, pm, overrides, self.model)
        results: list[physical.TraitResult] = []
        for trait in self.order:
            fn = physical.COMPARATORS[trait]
            if trait in _CACHE_KEYS:
                ak, pk = _CACHE_KEYS[trait]
                key = (
                    trait,
                    *(getattr(am, k) for k in ak),
                    *(getattr(pm, k) for k in pk),
                )
                r = self.cache.get(key)
                if r is None:
                    r = self.cache[key] = fn(am, pm, self.model)
            else:
                if any(r.exclusion for r in results):
                    break
                r = fn(am, pm, self.model)
            results.append(r)
        exclusions = tuple(r for r in results if r.exclusion)
        lr = 0.0 if exclusions else math.prod(r.lr for r in results)
        return physical.PhysicalComparison(
            am.person_id, pm.body_id, tuple(results), lr, exclusions, {}, ()
        )


# --- The whole site --------------------------------------------------------------


def site_physical_model(
    pms: Iterable[PMRecord], base: physical.PhysicalModel = physical.DEFAULT_MODEL
) -> physical.PhysicalModel:
    """The physical model with the age distribution of the site's dead.

    Every physical LR compares with "someone not on the list, from the dead of
    the site"; the default age reference (uniform on 15-90) has no children, so
    a child's body would match every missing child with an LR of 10^2 (age)
    times 10^6 or more (stature against the adult distribution). The reference
    ages are estimated from the bodies' PM age ranges (``matching.physical.
    population_pieces_from_ranges``); stature is conditioned on the PM age.

    The teeth of one mouth are not independent (someone who lost many teeth
    shares them with every other person who lost many): the within-mouth
    concentration of each dental feature is estimated from the bodies' charts
    (``matching.physical.dental_concentration``), unless ``base`` sets one.
    """
    pms = list(pms)
    model = base
    ranges = [
        (p.age_min, p.age_max if p.age_max is not None else p.age_min)
        for p in pms
        if p.age_min is not None
    ]
    if ranges:
        pieces = physical.population_pieces_from_ranges(ranges, base.age.population_age)
        model = replace(model, age=replace(model.age, population_pieces=pieces))
    if model.dental.concentration is None:
        conc = physical.dental_concentration([p.dental for p in pms if p.dental])
        model = replace(
            model,
            dental=replace(
                model.dental, concentration=conc or DENTAL_CONCENTRATION_DEFAULT
            ),
        )
    return model


#: Within-mouth concentration used when the site has too few charts to estimate
#: it (a design value: about what the simulated sites give for lost teeth).
DENTAL_CONCENTRATION_DEFAULT: dict[str, float] = dict.fromkeys(
    ("missing", "filled", "crown", "root_filling", "implant", "bridge", "root_only"),
    6.0,
)


def _exclusion_rows(comp: physical.PhysicalComparison) -> list[dict[str, str]]:
    rows = []
    for r in comp.exclusions:
        keys = [i.trait for i in r.items if i.exclusion] or [r.trait]
        for key in keys:
            item = next((i for i in r.items if i.trait == key), r)
            rows.append(
                {
                    "kind": "physical",
                    "key": key,
                    "en": item.explanation_en,
                    "uk": item.explanation_uk,
                }
            )
    return rows


#: Blocked exclusions listed with their reasons per body (the others are counted).
EXCLUSIONS_LISTED = 200


def person_table(persons: Sequence[PersonIn]) -> vectorised.PersonTable:
    """The persons' AM records and keys; build once, pass to every site."""
    return vectorised.PersonTable.build(
        [AMRecord.from_dict({**p.am, "am_case_no": p.person_id}) for p in persons]
    )


def person_table_reusing(
    persons: Sequence[PersonIn],
    old: vectorised.PersonTable,
    fresh: Iterable[str],
) -> vectorised.PersonTable:
    """``person_table(persons)``, with the AM records of ``old`` for the
    persons not in ``fresh`` (the same ``PersonIn``: the same record).
    Building the AM records is most of the table's cost (seconds at 55,000
    reports); the keys are built again for all."""
    redo = set(fresh)
    have = {r.person_id: r for r in old.records}
    return vectorised.PersonTable.build(
        [
            have[p.person_id]
            if p.person_id in have and p.person_id not in redo
            else AMRecord.from_dict({**p.am, "am_case_no": p.person_id})
            for p in persons
        ]
    )


@dataclass
class _Reuse:
    """One body's result in the last run and the inputs of its posteriors:
    its row (persons, LRs of each kind), its competition weights and prior
    mass, its pairs computed one by one, its overrides and grave's leads."""

    result: BodyResult | None
    live: np.ndarray
    live_lr: np.ndarray
    total: np.ndarray
    norm: float
    w_nz: np.ndarray
    pairs: dict[str, Any]
    overrides: dict[str, Any]
    leads: tuple[LeadIn, ...]


@dataclass
class SiteCache:
    """What ``compute_site`` keeps between runs of one site (incremental updates).

    Per body: the persons no hard rule excludes, with their physical and DNA
    LRs (``rows``, indices into ``person_ids``); the physical comparisons and
    potentials of the pairs computed one by one; the DNA LRs. A run with the
    cache computes only what it lacks: the persons not in ``person_ids`` (new
    reports) against every body, and the bodies not in ``rows`` against every
    person. Journals, competition and posteriors are recomputed in full (every
    person's prior depends on the others), so the result equals a run without
    the cache. ``sync`` (called by ``compute_site``) compares the inputs with
    the last run's: a changed PM record forgets its body, a changed report
    its person, a changed body DNA profile that body's DNA LRs (the body is
    screened again against every family, new families against every body); a change of the site's physical model (the age
    distribution and dental concentration of its bodies) empties the cache.
    """

    model: physical.PhysicalModel | None = None
    person_ids: list[str] = field(default_factory=list)
    rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )
    comps: dict[tuple[str, str], physical.PhysicalComparison] = field(
        default_factory=dict
    )
    pots: dict[tuple[str, str], tuple[Potential, ...]] = field(default_factory=dict)
    # Per (body, person): the last candidate built, with the pair (object),
    # weight and potentials flag it was built from (``_posteriors``).
    cands: dict[tuple[str, str], tuple[PairResult, float, bool, Candidate]] = field(
        default_factory=dict
    )
    reasons: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    dna: DnaLRs | None = None
    dna_bodies: frozenset[str] = frozenset()
    # The persons' AM records and keys, extended when reports are added.
    table: vectorised.PersonTable | None = None
    # Each body's PM record, with the ``BodyIn`` it was read from.
    pm_records: dict[str, tuple[BodyIn, PMRecord]] = field(default_factory=dict)
    # Per body: the first blocked persons' ids and their listed reasons.
    listed: dict[
        str, tuple[tuple[str, ...], list[tuple[str, list[dict[str, str]]]]]
    ] = field(default_factory=dict)
    # Per listing kept by ``forget_persons`` (``_RELIST``): the persons whose
    # entries it may not reuse. (A set left over is harmless: ``_listed``
    # only computes again the entries of the persons it names.)
    unlisted: dict[str, set[str]] = field(default_factory=dict)
    # The inputs of the last run, to find what changed (``sync``).
    bodies: dict[str, BodyIn] = field(default_factory=dict)
    persons: dict[str, PersonIn] = field(default_factory=dict)

    def sync(self, bodies: Sequence[BodyIn], persons: Sequence[PersonIn]) -> None:
        """Forget what the changed bodies and persons of this run invalidate.

        ``appended``: the number of persons of the last run when this run's
        bodies are the same and its persons are the last run's followed by new
        ones (``_appended_run``), else None.
        """
        last_b, last_p = self.body_list or [], self.person_list
        if (
            last_p is not None
            and len(bodies) == len(last_b)
            and len(persons) >= len(last_p)
            and all(map(operator.is_, bodies, last_b))
            and all(map(operator.is_, persons, last_p))
            and not any(p.person_id in self.persons for p in persons[len(last_p) :])
        ):
            # The same objects (a worker's inputs): only new persons.
            self.changed_bodies, self.changed_persons = set(), set()
            self.changed_labels = set()
            for p in persons[len(last_p) :]:
                self.persons[p.person_id] = p
            self.appended = len(last_p)
            self.person_list = _kept_list(persons)
            return
        same_ids = self._sync(bodies, persons)
        k = len(last_p) if last_p is not None else -1
        # (Changed reports: ``_appended_run`` takes those whose family alone
        # changed; a closed report changes the ids.)
        if (
            last_p is None
            or self.changed_bodies
            or [b.body_id for b in bodies] != [b.body_id for b in last_b]
        ):
            self.appended = None
        elif same_ids:
            self.appended = k
        else:
            ids = [p.person_id for p in persons]
            self.appended = (
                k
                if ids[:k] == [p.person_id for p in last_p]
                and len(set(ids[k:]) & {p.person_id for p in last_p}) == 0
                else None
            )
        self.body_list, self.person_list = list(bodies), _kept_list(persons)

    def _sync_persons(self, others: Sequence[PersonIn]) -> None:
        """The reports' part of ``_sync`` when they are the same ones as in
        the last run, ``others`` of them other objects."""
        gone = self._persons_changed(others)
        self.changed_persons = set(gone)
        for p in others:
            self.persons[p.person_id] = p

    def _persons_changed(self, persons: Sequence[PersonIn]) -> list[str]:
        """Forget the reports of ``persons`` that changed since the last run
        (other objects, other fields) and return their ids; note those whose
        case number changed (``changed_labels``: in bodies' stored
        exclusions)."""
        gone = [
            p.person_id
            for p in persons
            if (old_p := self.persons.get(p.person_id)) is not None
            and old_p is not p
            and old_p != p
        ]
        if gone:
            self.forget_persons(gone)
        self.changed_labels = {
            p.person_id
            for p in persons
            if (old_p := self.persons.get(p.person_id)) is not None
            and old_p is not p
            and old_p.label != p.label
        }
        return gone

    def _sync(self, bodies: Sequence[BodyIn], persons: Sequence[PersonIn]) -> bool:
        """``sync`` of bodies that are other objects: True when the
        reports are the last run's (the same ids in the same order)."""
        changed, dna_changed = [], []
        for b in bodies:
            old = self.bodies.get(b.body_id)
            if old is not None and old is not b and old != b:
                changed.append(b.body_id)
                if old.dna != b.dna:
                    dna_changed.append(b.body_id)
        # A body no longer in the site: its pairs forgotten (were it to come
        # back, they would be computed again).
        left = self.bodies.keys() - {b.body_id for b in bodies}
        if left:
            changed += sorted(left)
        if changed:
            self.forget_bodies(changed)
        if dna_changed:
            self.forget_dna_bodies(dna_changed)
        self.changed_bodies = set(changed)
        self.bodies = {b.body_id: b for b in bodies}
        # The same reports as the last run, a few of them other objects
        # (the worker's register read them again): only those compared.
        diff = (
            reread_positions(self.person_list, persons)
            if self.person_list is not None
            else None
        )
        if diff is not None:
            self._sync_persons([persons[i] for i in diff])
            return True
        gone = self._persons_changed(persons)
        # What the last results of untouched bodies cannot reflect: these
        # bodies, and the persons changed or no longer open (``_reusable``).
        now = {p.person_id for p in persons}
        self.changed_persons = set(gone) | {p for p in self.persons if p not in now}
        self.persons = {p.person_id: p for p in persons}
        return False

    dna_persons: set[str] = field(default_factory=set)
    # Bodies whose DNA profile changed since their DNA LRs were screened.
    dna_stale: set[str] = field(default_factory=set)
    # The last run's result per body, with what it was computed from
    # (``_Reuse``): a body whose inputs are all the same keeps it.
    last: dict[str, _Reuse] = field(default_factory=dict)
    last_key: Any = None
    changed_bodies: set[str] = field(default_factory=set)
    changed_persons: set[str] = field(default_factory=set)
    # Of those, the persons whose label changed.
    changed_labels: set[str] = field(default_factory=set)
    # Journal LRs per (grave, person) and the key of the inputs they came from.
    journal_memo: dict[tuple[str, str], tuple[float, tuple[str, str]]] = field(
        default_factory=dict
    )
    journal_key: Any = None
    journal_state: Any = None
    # The caller's own data kept with the cache (``services``: the run that
    # stored the last result, and the stored evidence of pairs).
    extra: dict[str, Any] = field(default_factory=dict)
    person_ids_last: list[str] = field(default_factory=list)
    # The last run's inputs as given (``sync``), its ``_Site`` and
    # competition (``CompetitionState``): what a run that only adds persons
    # extends (``_appended_run``).
    body_list: list[BodyIn] | None = None
    person_list: Sequence[PersonIn] | None = None
    appended: int | None = None
    site: Any = None
    comp_state: Any = None
    # Set by the caller before a run: the bodies whose DNA profile is new or
    # changed are screened only against the families it names (``DnaSieve``).
    dna_sieve: DnaSieve | None = None
    # Of the last run: bodies screened through ``dna_sieve``, families it
    # named for them, bodies screened against every family.
    dna_sieved: tuple[int, int, int] = (0, 0, 0)
    # Set by the caller before a run: a body that a run adding reports moves
    # by less than this keeps its last result (``_appended_run``: the new
    # reports' share of its posterior mass, summed over such runs, bounds
    # how far any of its posteriors is from the exact one); 0: every result
    # exact. The bodies deferred so, with that sum; a run with a smaller
    # bound (or a full run) computes them again.
    defer_below: float = 0.0
    deferred: dict[str, float] = field(default_factory=dict)
    # New reports that ``hold_persons`` found to move every body by less
    # than the bound: in no run yet (the next run of the site takes them).
    held: list[PersonIn] = field(default_factory=list)
    # Changed reports held so (by id: the report as it is now).
    changed_held: dict[str, PersonIn] = field(default_factory=dict)
    # Posteriors where a decision changes (a work list's, a proposal's): a
    # body with a posterior at or above one of them by less than its bound is
    # never deferred (deferring only lowers posteriors, by at most the bound).
    thresholds: tuple[float, ...] = ()
    # Why the last ``hold_persons`` could not hold its reports ("" when it
    # did): "shown" (a changed report is a candidate here), "bound 3e-03" (a
    # body would move by the bound or more: the first such bound),
    # "threshold" (a body near a decision threshold), "grid", "listed",
    # "weight", "inputs".
    hold_reason: str = ""
    # What ``hold_persons`` last found of the reports it asked about (the
    # reports, their DNA LRs and their evidence against the site's bodies),
    # for the next run.
    hold_found: Any = None
    # Why the last run computed the site in full rather than extend the
    # last one (``_appended_run``): "" when it extended it.
    full_reason: str = ""

    def clear(self) -> None:
        self.last = {}
        self.deferred = {}
        self.cands = {}
        self.person_ids = []
        self.rows = {}
        self.comps = {}
        self.pots = {}
        self.reasons = {}
        self.listed = {}
        self.unlisted = {}

    def forget_bodies(self, body_ids: Iterable[str]) -> None:
        ids = set(body_ids)
        for bid in ids:
            self.rows.pop(bid, None)
        self.comps = {k: v for k, v in self.comps.items() if k[0] not in ids}
        self.pots = {k: v for k, v in self.pots.items() if k[0] not in ids}
        self.reasons = {k: v for k, v in self.reasons.items() if k[0] not in ids}
        self.listed = {}
        self.unlisted = {}

    def forget_persons(self, person_ids: Iterable[str]) -> None:
        """Forget what the last runs computed of these persons (reports):
        each step touches only their entries (at 55,000 reports, building
        the lists and indexes again cost a tenth of a second a site)."""
        ids = set(person_ids)
        if not ids:
            return
        index = self.site.index if self.site is not None else {}
        at = [index.get(pid) for pid in ids]
        person_ids = list(self.person_ids)
        # (A person is once in ``person_ids``, at its index in the site.)
        if all(
            j is not None and j < len(person_ids) and person_ids[j] == pid
            for j, pid in zip(at, ids, strict=True)
        ):
            for j in at:
                assert j is not None
                person_ids[j] = ""
        else:
            person_ids = ["" if pid in ids else pid for pid in person_ids]
        self.person_ids = person_ids
        # Their pairs: looked up at each body of the last run when that is
        # fewer than the entries (the stores hold no other body's: ``_sync``
        # forgets a body that leaves the site).
        for store in (self.comps, self.pots, self.reasons):
            if len(self.bodies) * len(ids) < len(store):
                for bid in self.bodies:
                    for pid in ids:
                        store.pop((bid, pid), None)
            else:
                for key in [k for k in store if k[1] in ids]:
                    del store[key]
        # The listings that name them: their reasons may change. Kept, with
        # the persons whose entries they may not reuse (``unlisted``;
        # ``_listed`` asks only theirs again): dropping a listing of 200
        # persons and building it again cost a tenth of a millisecond a
        # body, for a report listed at most bodies, and so did copying it
        # without their entries.
        unlisted = self.unlisted
        for body, (first, entries) in self.listed.items():
            if first is _RELIST:
                unlisted.setdefault(body, set()).update(ids)
            elif not ids.isdisjoint(first):
                self.listed[body] = (_RELIST, entries)
                unlisted[body] = set(ids)
        if self.dna is not None:
            table, relations, notes = self.own_dna()
            # The persons' targets blanked (a person has one).
            for pid in ids:
                t = table.target.pop(pid, None)
                if t is not None:
                    table.persons[t] = ""
                relations.pop(pid, None)
        self.dna_persons -= ids
        self.table = None

    # The DNA LRs given to the site's first run to share with other sites
    # (``compute_site(dna=...)``): copied before they are changed here.
    dna_given: Any = None

    def own_dna(self) -> DnaLRs:
        """The cache's DNA LRs, as its own objects (a table, its lists and
        indexes, the relations) that it may change in place: copied once
        when they were given to share between sites, else the same."""
        assert self.dna is not None
        if self.dna[0] is self.dna_given:
            self.dna = _dna_copy(self.dna)
        return self.dna

    def forget_dna_bodies(self, body_ids: Iterable[str]) -> None:
        """Forget the DNA LRs of these bodies (their profiles changed); the
        next run screens them again against every family, the other bodies'
        DNA LRs are kept."""
        ids = set(body_ids)
        if self.dna is not None:
            table, relations, notes = self.dna
            # A new table: the old one may be shared with other sites (``dna=``).
            rows = {k: v for k, v in table.rows.items() if k not in ids}
            self.dna = (DnaTable(table.persons, rows, table.lineage), relations, notes)
        self.dna_stale |= ids

    def forget_dna(self) -> None:
        self.last = {}
        self.deferred = {}
        self.dna = None
        self.dna_persons = set()
        self.dna_stale = set()
        self.rows = {}
        self.comps = {}
        self.reasons = {}
        self.listed = {}
        self.unlisted = {}


def _merge_dna_into(old: DnaLRs, new: DnaLRs) -> DnaLRs:
    """``merge_dna(old, new)`` with ``old``'s objects changed in place."""
    t_old, rel_old, notes_old = old
    t_new, rel_new, notes_new = new
    off = len(t_old.persons)
    rows = t_old.rows
    for body, (t, lg) in t_new.rows.items():
        if body in rows:
            if not len(t):
                # (No hit of the new families here: the row as it is. A
                # family's screening names every body, most with no hit;
                # copying each body's row cost 15 ms a site's update.)
                continue
            rows[body] = (
                np.concatenate([rows[body][0], t + off]),
                np.concatenate([rows[body][1], lg]),
            )
        else:
            rows[body] = (t + off, lg)
    t_old.persons.extend(t_new.persons)
    for k, pid in enumerate(t_new.persons, start=off):
        t_old.target[pid] = k
    t_old.lineage = None
    rel_old.update(rel_new)
    return t_old, rel_old, notes_old + [n for n in notes_new if n not in notes_old]


def _kept_list(persons: Sequence[PersonIn]) -> Sequence[PersonIn]:
    """The reports a cache keeps as its last run's: a tuple as it is (it
    cannot change; the worker's register gives every site the same one, so
    that ``reread_positions`` compares it with the next read once for all
    sites), else a copy."""
    return persons if type(persons) is tuple else list(persons)


def reread_positions(
    last: Sequence[PersonIn], now: Sequence[PersonIn]
) -> list[int] | None:
    """The positions where ``now`` holds other objects than ``last``, when
    both hold the same reports in the same order (a worker's register read
    those again); else None."""
    if len(now) != len(last):
        return None
    key = (id(last), id(now))
    kept = _REREAD.get(key)
    if kept is not None and kept[0] is last and kept[1] is now and kept[2] == len(now):
        return None if kept[3] is None else list(kept[3])
    # (A byte per position, searched in C: no integer made for each of the
    # 55,000 positions, as ``compress(range(...))`` did; a third of the time.)
    other = bytes(map(operator.is_not, now, last))
    found: list[int] = []
    i = other.find(1)
    while i >= 0:
        found.append(i)
        i = other.find(1, i + 1)
    diff: list[int] | None = found
    if not all(now[i].person_id == last[i].person_id for i in diff or ()):
        diff = None
    # The last answers, for the same two lists: every site of a worker's
    # update compares the register's lists of its last and this read, twice
    # (``SiteCache.sync`` and the store's changed persons), and sites whose
    # last runs read the register at different times compare other lists.
    _REREAD.pop(key, None)
    _REREAD[key] = (last, now, len(now), diff)
    while len(_REREAD) > _REREAD_KEPT:
        del _REREAD[next(iter(_REREAD))]
    return None if diff is None else list(diff)


#: (id of last, id of now) -> (last, now, length, answer): the lists are
#: kept with their answer (their ids are not reused while they are).
_REREAD: dict[tuple[int, int], tuple[Any, Any, int, list[int] | None]] = {}
_REREAD_KEPT = 8


def _typed_bodies(
    bodies: Iterable[BodyIn], tables: Mapping[str, Any]
) -> frozenset[str]:
    """The bodies with a DNA profile (adding one without keeps the DNA LRs)."""
    return frozenset(b.body_id for b in bodies if carries_dna(b.dna, tables))


def merge_dna(old: DnaLRs, new: DnaLRs, *, into: bool = False) -> DnaLRs:
    """The DNA LRs of two sets of families against the same bodies, as one.
    ``into``: ``old``'s table and relations take the new ones in place (and
    are returned): at 90,000 families a copy of their indexes costs about
    as much as the rest of a site's update; else ``old`` is left as it was."""
    return _merge_dna_into(old if into else _dna_copy(old), new)


def _dna_copy(dna: DnaLRs) -> DnaLRs:
    """A copy of DNA LRs whose table (lists, indexes) and relations can be
    changed without changing ``dna``'s (the rows' arrays are shared: they
    are replaced, never written)."""
    table, relations, notes = dna
    copy = DnaTable.__new__(DnaTable)
    copy.persons, copy.rows = list(table.persons), dict(table.rows)
    copy.lineage, copy.target = table.lineage, dict(table.target)
    return copy, dict(relations), list(notes)


def _extend_dna(
    cache: SiteCache,
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    new: Sequence[PersonIn],
    params: Params,
    threshold: float,
) -> DnaLRs:
    """Screen the ``new`` families against ``bodies`` and merge their DNA LRs
    into the cache's (``cache.dna`` must hold the LRs of the same bodies);
    ``persons`` are all the families, the new ones included. Returns the new
    families' own LRs."""
    assert cache.dna is not None
    found = dna_lrs(bodies, new, params.dna_dropout, threshold, params.lineage_tables)
    _merge_found(cache, bodies, persons, new, params, found)
    return found


def _lineage_scorer(
    tables: Mapping[str, Any],
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    *parts: LineageScorer | None,
) -> LineageScorer | None:
    """The lineage scorer of DNA LRs merged from ``parts`` (screenings of
    some bodies or some families): the lineage data of every body and family,
    the families of every part (a lineage LR depends only on its pair and the
    population tables, so the merged LRs are those of one screening)."""
    if all(part is None for part in parts):
        return None
    data = lineage_data(
        tables,
        {b.body_id: b.dna for b in bodies if b.dna and carries_dna(b.dna, tables)},
        {
            p.person_id: p.family
            for p in persons
            if p.family and carries_dna(p.family, tables)
        },
    )
    if data is None:
        return None
    targets: dict[str, tuple[Any, str]] = {}
    relation_of: dict[str, Mapping[str, str]] = {}
    for part in parts:
        if part is not None:
            targets.update(part.targets)
            relation_of.update(part.relation_of)
    return LineageScorer(data, targets, relation_of)


class _Site:
    """What every pair of a site shares: journal leads, DNA, the physical model."""

    def __init__(
        self,
        bodies: Sequence[BodyIn],
        persons: Sequence[PersonIn],
        leads: Sequence[LeadIn],
        params: Params,
        overrides: Mapping[tuple[str, str], Mapping[str, str]],
        n_graves: int,
        grave_numbers: Mapping[str, str],
        table: vectorised.PersonTable,
        dna_threshold: float,
        dna: DnaLRs | None,
        cache: SiteCache | None = None,
        shared: _Site | None = None,
    ) -> None:
        """``shared``: a site of the same bodies whose PM records and physical
        model this one reuses (the persons a cache lacks)."""
        self.persons = persons
        self.params = params
        self.overrides = overrides
        self.n_graves = n_graves
        self.grave_numbers = grave_numbers
        self.table = table
        self.bodies = bodies
        self.index = {p.person_id: j for j, p in enumerate(persons)}
        known = cache.pm_records if cache is not None else {}
        if shared is not None:
            shared_pm: dict[str, PMRecord] = shared.pm
            known = {b.body_id: (b, shared_pm[b.body_id]) for b in bodies}
        self.pm: dict[str, PMRecord] = {
            b.body_id: known[b.body_id][1]
            if b.body_id in known and known[b.body_id][0] is b
            else PMRecord.from_dict({**b.pm, "body_id": b.body_id})
            for b in bodies
        }
        if cache is not None:
            cache.pm_records = {b.body_id: (b, self.pm[b.body_id]) for b in bodies}
        self.n_unlisted = max(1.0, params.p_unlisted * len(bodies))
        self.cache = cache if cache is not None else SiteCache()
        self.model: physical.PhysicalModel = (
            shared.site_model()
            if shared is not None
            else site_physical_model(self.pm.values())
        )
        if self.cache.model != self.model:
            self.cache.clear()
            self.cache.model = self.model
        self.dna_threshold = dna_threshold
        if dna is not None:
            # Given (shared between sites): it covers these bodies and persons;
            # later runs with the cache screen only the families added since.
            self.cache.dna = dna
            self.cache.dna_given = dna[0]
            self.cache.dna_bodies = _typed_bodies(bodies, params.lineage_tables)
            self.cache.dna_persons = {p.person_id for p in persons}
            self.cache.dna_stale = set()
        self.dna, self.relations, self.notes = self._dna(bodies, persons)
        self.typed = set(self.relations)
        self.typed_mask = np.array([p.person_id in self.typed for p in persons])
        # Person index of each DNA target (-1: not an open person here, or an
        # earlier family of a corrected report).
        get = self.index.get
        self.target_person = np.array(
            [get(pid, -1) for pid in self.dna.persons], dtype=np.int64
        )
        canonical = np.zeros(len(self.dna.persons), dtype=bool)
        canonical[list(self.dna.target.values())] = True
        self.target_person[~canonical] = -1
        # Cached rows: each cached column's index now (-1: gone), and the
        # persons the cache lacks.
        self.old_rows = self.cache.rows
        self.cache.rows = {}
        self.cache_columns: np.ndarray | None = None
        self.cache_missing = np.zeros(0, dtype=np.int64)
        if self.old_rows:
            cached = self.cache.person_ids
            self.cache_columns = np.array(
                [self.index.get(pid, -1) if pid else -1 for pid in cached],
                dtype=np.int64,
            )
            have = set(cached)
            self.cache_missing = np.array(
                [j for j, p in enumerate(persons) if p.person_id not in have],
                dtype=np.int64,
            )
        self.cache.person_ids = [p.person_id for p in persons]
        self._missing_site: _Site | None = None
        self.placed: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        self.leads_by_grave: dict[str, list[LeadIn]] = defaultdict(list)
        for lead in leads:
            self.leads_by_grave[lead.grave_id].append(lead)
            for pid in lead.persons:
                self.placed[pid].append((lead.grave_id, lead.journals))
        self.comparer = FastComparer(self.model)
        self.jev: dict[str, Mapping[str, Any]] = {}
        self.journal_memo: dict[tuple[str, str], tuple[float, tuple[str, str]]] = {}
        self.none_lr: dict[str, float] = {}
        self.pids = [p.person_id for p in persons]
        # The persons the journals place somewhere (sorted indices).
        self.placed_idx = np.array(
            sorted(self.index[pid] for pid in self.placed if pid in self.index),
            dtype=np.int64,
        )
        # Exclusion rows of a simple trait, per pair of values (``blocked_reasons``).
        self.reasons: dict[tuple[Any, ...], list[dict[str, str]]] = {}
        self.memo: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.leads_key: tuple[LeadIn, ...] = tuple(leads)
        # Per body, the pairs of the last run (``pair_of``; appended runs only).
        self.prev_pairs: Mapping[str, Mapping[str, PairResult]] = {}
        # A run that only adds persons (``_appended_run``; ``evidence``).
        self.appending = False

    def _dna(self, bodies: Sequence[BodyIn], persons: Sequence[PersonIn]) -> DnaLRs:
        """DNA LRs of every family: the cached ones plus the families not yet
        screened against these bodies (all again with lineage markers)."""
        cache, params = self.cache, self.params
        body_ids = _typed_bodies(bodies, params.lineage_tables)
        if (
            cache.dna is not None
            and cache.dna_bodies
            and body_ids
            and (cache.dna_stale or cache.dna_bodies != body_ids)
        ):
            self._dna_bodies(bodies, persons, body_ids)
        new = [p for p in persons if p.person_id not in cache.dna_persons]
        if new and cache.dna is not None and cache.dna_bodies == body_ids:
            _extend_dna(cache, bodies, persons, new, params, self.dna_threshold)
            return cache.dna
        elif cache.dna is not None and cache.dna_bodies == body_ids:
            return cache.dna
        cache.dna = dna_lrs(
            bodies,
            persons,
            params.dna_dropout,
            self.dna_threshold,
            params.lineage_tables,
        )
        cache.dna_bodies = body_ids
        cache.dna_persons = {p.person_id for p in persons}
        cache.dna_stale = set()
        return cache.dna

    def _dna_bodies(
        self,
        bodies: Sequence[BodyIn],
        persons: Sequence[PersonIn],
        body_ids: frozenset[str],
    ) -> None:
        """Screen only the bodies whose DNA profile is new or changed against
        the families already screened; drop the rows of withdrawn profiles."""
        cache, params = self.cache, self.params
        assert cache.dna is not None
        table, relations, notes = cache.dna
        redo = (body_ids - cache.dna_bodies) | (cache.dna_stale & body_ids)
        known = [p for p in persons if p.person_id in cache.dna_persons]
        redo_bodies = [b for b in bodies if b.body_id in redo]
        # With a sieve (the national screening's tables): each body against
        # the families whose LR may reach the threshold only; the others'
        # are below it, so ``dna_lrs`` would not keep them either.
        sieved: list[tuple[BodyIn, list[PersonIn]]] = []
        if cache.dna_sieve is not None and known:
            log10_thr = math.log10(self.dna_threshold)
            for b in redo_bodies:
                some = cache.dna_sieve.candidates(b, known, log10_thr)
                if some is not None:
                    sieved.append((b, some))
        done = {b.body_id for b, _some in sieved}
        everyone = [b for b in redo_bodies if b.body_id not in done]
        cache.dna_sieved = (
            len(sieved),
            sum(len(some) for _b, some in sieved),
            len(everyone),
        )
        parts = [
            dna_lrs(
                [b],
                some,
                params.dna_dropout,
                self.dna_threshold,
                params.lineage_tables,
            )
            for b, some in sieved
        ]
        if everyone or not parts:
            parts.append(
                dna_lrs(
                    everyone,
                    known,
                    params.dna_dropout,
                    self.dna_threshold,
                    params.lineage_tables,
                )
            )
        targets = list(table.persons)
        index = dict(table.target)
        rows = {k: v for k, v in table.rows.items() if k in body_ids and k not in redo}
        for found_table, found_rel, found_notes in parts:
            for pid in found_table.persons:
                if pid not in index:
                    index[pid] = len(targets)
                    targets.append(pid)
            remap = np.array(
                [index[pid] for pid in found_table.persons], dtype=np.int64
            )
            for body, (t, lg) in found_table.rows.items():
                t = remap[t] if len(t) else t
                order = np.argsort(t, kind="stable")
                rows[body] = (t[order], lg[order])
            notes = notes + [n for n in found_notes if n not in notes]
            relations = {**relations, **found_rel}
        for b, _some in sieved:  # no family may reach the threshold
            rows.setdefault(b.body_id, (np.zeros(0, np.int64), np.zeros(0)))
        scorer = _lineage_scorer(
            params.lineage_tables,
            bodies,
            known,
            table.lineage,
            *(part[0].lineage for part in parts),
        )
        cache.dna = DnaTable(targets, rows, scorer), relations, notes
        cache.dna_bodies = body_ids
        cache.dna_stale = set()

    def site_model(self) -> physical.PhysicalModel:
        return self.model

    def missing_site(self) -> _Site:
        """The persons the cache lacks, as a site of their own (same bodies)."""
        if self._missing_site is None:
            sub = [self.persons[j] for j in self.cache_missing.tolist()]
            self._missing_site = _Site(
                list(self.bodies),
                sub,
                (),
                self.params,
                {},
                self.n_graves,
                self.grave_numbers,
                vectorised.PersonTable.build(
                    [self.table.records[j] for j in self.cache_missing.tolist()]
                ),
                self.dna_threshold,
                (self.dna, self.relations, self.notes),
                shared=self,
            )
        return self._missing_site

    def grave_journal(self, grave_id: str, n_bodies: int) -> None:
        """Journal LRs of the persons named on this grave, and "none of these"."""
        p, rel = self.params, self.params.reliability
        # On the grid: one more report leaves the journal LRs as they were.
        n_open = register_size(len(self.persons), p)
        records = []
        # Explanations name the grave as its marker reads, never by database id.
        label = self.grave_numbers.get(grave_id) or "—"
        for lead in self.leads_by_grave.get(grave_id, []):
            who = lead.persons or (f"~{lead.key}",)
            for pid in who:
                for j in lead.journals:
                    records.append(JournalRecord(j, pid, label))
        self.jev[grave_id] = (
            journal_lrs(records, rel, n_open, max(1, n_bodies), p.dependence)
            if records
            else {}
        )
        self.none_lr[grave_id] = (
            unlisted_lr(
                records,
                rel,
                n_open,
                [r.person for r in records if r.person.startswith("~")],
                self.n_unlisted,
                max(1, n_bodies),
                p.dependence,
            )
            if records
            else 1.0
        )

    def journal(self, grave_id: str, pid: str) -> tuple[float, tuple[str, str]]:
        key = (grave_id, pid)
        found = self.journal_memo.get(key)
        if found is None:
            found = self.journal_memo[key] = self._journal(grave_id, pid)
        return found

    def _journal(self, grave_id: str, pid: str) -> tuple[float, tuple[str, str]]:
        rel, params = self.params.reliability, self.params
        lr, text = 1.0, ("", "")
        jev = self.jev[grave_id]
        if pid in jev:
            e = jev[pid]
            lr, text = e.lr_vs_unlisted, (e.explanation_en, e.explanation_uk)
        elsewhere = [(g, js) for g, js in self.placed.get(pid, []) if g != grave_id]
        if elsewhere and pid not in jev:
            here = self.grave_numbers.get(grave_id, "")
            f = 1.0
            names = []
            for g, js in elsewhere:
                nb = graves_are_neighbours(here, self.grave_numbers.get(g, ""))
                f *= _elsewhere_lr(rel, js, nb, self.n_graves, params.dependence)
                names.append(self.grave_numbers.get(g, "") or g)
            lr = f
            where = ", ".join(names)
            text = (
                f"the journals put this person in grave {where}, not here; LR {f:.3g}",
                f"журнали записують цю особу в могилу {where}, а не сюди; LR {f:.3g}",
            )
        none_lr = self.none_lr[grave_id]
        if none_lr > 1.0:
            lr /= none_lr
            note = (
                f"; the journals name here someone with no report "
                f"(“none of these” ×{none_lr:.3g})",
                f"; журнали називають тут особу без заяви "
                f"(«ніхто з цих» ×{none_lr:.3g})",
            )
            text = ((text[0] or "journal") + note[0], (text[1] or "журнал") + note[1])
        return lr, text

    def pair(self, b: BodyIn, pid: str) -> PairResult:
        """One pair, evidence by evidence, with the reasons of any exclusion."""
        params = self.params
        pr = PairResult(pid, dict.fromkeys(KINDS, 1.0))
        pr.lr["journal"], pr.journal_text = self.journal(b.grave_id, pid)
        over = self.overrides.get((b.body_id, pid))
        comp = None if over else self.cache.comps.get((b.body_id, pid))
        if comp is None:
            comp = self.comparer.compare(
                self.table.records[self.index[pid]], self.pm[b.body_id], over
            )
            if not over:
                self.cache.comps[(b.body_id, pid)] = comp
        if comp.excluded:
            pr.exclusions = _exclusion_rows(comp)
            pr.lr["physical"] = 0.0
        else:
            pr.lr["physical"] = min(
                comp.lr**params.physical_temper, params.physical_cap
            )
        if pid in self.typed and carries_dna(b.dna, params.lineage_tables):
            log10 = self.dna.get((b.body_id, pid))
            if log10 is None or log10 < DNA_EXCLUDE_LOG10:
                if "dna" not in (over or {}):
                    pr.exclusions.append(
                        {
                            "kind": "dna",
                            "key": "dna",
                            "en": "DNA: the body's profile is incompatible with the "
                            "family's references",
                            "uk": "ДНК: профіль тіла несумісний з профілями родичів",
                        }
                    )
                pr.lr["dna"] = 10.0 ** max(log10 or -300.0, -300.0)
            else:
                pr.lr["dna"] = 10.0 ** min(log10, 300.0)
            rels = ", ".join(self.relations.get(pid, [])) or "?"
            pr.dna_text = (
                f"kinship LR {pr.lr['dna']:.3g} against the references ({rels})",
                f"LR спорідненості {pr.lr['dna']:.3g} щодо зразків родичів ({rels})",
            )
            lines = self.dna.lineage.text(b.body_id, pid) if self.dna.lineage else None
            if lines:
                pr.dna_text = (
                    f"{pr.dna_text[0]}; {lines[0]}",
                    f"{pr.dna_text[1]}; {lines[1]}",
                )
        return pr

    def pair_of(self, b: BodyIn, pid: str) -> PairResult:
        """``pair``, or the same pair of the last run when this run only adds
        reports (``_appended_run`` sets ``prev_pairs``: an earlier report's
        pair with a body has the same inputs then)."""
        prev = self.prev_pairs.get(b.body_id)
        if prev is not None:
            pr = prev.get(pid)
            if pr is not None:
                return pr
        return self.pair(b, pid)

    def row(self, b: BodyIn, blocking: bool) -> SparseRow:
        """The persons with an LR above 0 and their LR of each evidence kind,
        the pairs computed one by one, and the blocked persons (exclusions never
        computed pair by pair)."""
        n = len(self.persons)
        pids = self.pids
        pairs: dict[str, PairResult] = {}
        # Pairs computed one by one: journal leads on this grave, overrides, and
        # every pair when blocking is off.
        # (An override may name a person who is no longer open: not a candidate.)
        forced = {pid for pid in self.jev[b.grave_id] if pid in self.index}
        forced |= {
            pid
            for (bid, pid) in self.overrides
            if bid == b.body_id and pid in self.index
        }
        if not blocking:
            forced = set(pids)
        f_idx = np.array(sorted(self.index[pid] for pid in forced), dtype=np.int64)
        f_kinds = np.ones((3, len(f_idx)))
        for k, j in enumerate(f_idx.tolist()):
            pid = pids[j]
            pr = pairs[pid] = self.pair_of(b, pid)
            f_kinds[:, k] = [pr.lr[kind] for kind in KINDS]
            if pr.excluded:
                f_kinds[:, k] = np.nan  # total 0
        if not blocking:
            idx, kinds = f_idx, f_kinds
            blocked = np.zeros(0, dtype=np.int32)
        else:
            idx, phys, dna = self.evidence(b)
            free = ~np.isin(idx, f_idx) if len(f_idx) else np.ones(len(idx), bool)
            idx, phys, dna = idx[free].astype(np.int64), phys[free], dna[free]
            # Journal: "none of these" for everyone, more or less for the persons
            # the journals place somewhere.
            none_lr = self.none_lr[b.grave_id]
            journal = np.full(len(idx), 1.0 / none_lr if none_lr > 1.0 else 1.0)
            if len(self.placed_idx) and len(idx):
                pos = np.minimum(np.searchsorted(idx, self.placed_idx), len(idx) - 1)
                for k in np.nonzero(idx[pos] == self.placed_idx)[0].tolist():
                    pid = pids[int(self.placed_idx[k])]
                    journal[pos[k]] = self.journal(b.grave_id, pid)[0]
            kinds = np.vstack([journal, phys, dna])
            mask = np.ones(n, dtype=bool)
            mask[idx] = False
            mask[f_idx] = False
            blocked = np.nonzero(mask)[0].astype(np.int32)
            if len(f_idx):
                idx = np.concatenate([idx, f_idx])
                kinds = np.hstack([kinds, f_kinds])
                order = np.argsort(idx, kind="stable")
                idx, kinds = idx[order], kinds[:, order]
        excluded = np.isnan(kinds[0])
        total = np.where(excluded, 0.0, kinds[0] * kinds[1] * kinds[2])
        live = total > 0
        return SparseRow(
            idx[live].astype(np.int32),
            kinds[:, live],
            total[live],
            pairs,
            blocked,
            len(blocked),
        )

    def evidence(self, b: BodyIn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The persons no hard rule excludes for this body, with their physical
        LR (tempered, capped) and DNA LR: what a row costs, cached in ``cache``.

        Persons the cache lacks (new reports, corrected ones) are computed on
        their own and merged in.
        """
        cache = self.cache
        have = self.old_rows.get(b.body_id)
        if have is not None and self.appending:
            # A run that only adds persons: theirs come after every cached one.
            idx_old, phys_old, dna_old = have
            if len(self.cache_missing):
                sidx, sphys, sdna = self.missing_site().evidence_memo(b)
                if len(sidx):
                    idx_old = np.concatenate(
                        [idx_old, self.cache_missing[sidx].astype(np.int32)]
                    )
                    phys_old = np.concatenate([phys_old, sphys])
                    dna_old = np.concatenate([dna_old, sdna])
            out = idx_old.astype(np.int32), phys_old, dna_old
        elif have is not None and self.cache_columns is not None:
            cols = self.cache_columns
            idx_old, phys_old, dna_old = have
            js = cols[idx_old]
            keep = js >= 0
            parts = [(js[keep], phys_old[keep], dna_old[keep])]
            missing = self.cache_missing
            if len(missing):
                sub = self.missing_site()
                sidx, sphys, sdna = sub.evidence_memo(b)
                parts.append((missing[sidx], sphys, sdna))
            idx = np.concatenate([p[0] for p in parts]).astype(np.int32)
            phys = np.concatenate([p[1] for p in parts])
            dna = np.concatenate([p[2] for p in parts])
            order = np.argsort(idx, kind="stable")
            out = idx[order], phys[order], dna[order]
        else:
            out = self._evidence(b)
        cache.rows[b.body_id] = out
        return out

    def evidence_memo(self, b: BodyIn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``_evidence``, once per body."""
        found = self.memo.get(b.body_id)
        if found is None:
            found = self.memo[b.body_id] = self._evidence(b)
        return found

    def evidence_all(self, bodies: Sequence[BodyIn]) -> None:
        """``evidence_memo`` of every body of ``bodies`` at once: ``_evidence``
        body by body, vectorised over the bodies (a site of a few persons, the
        new reports, against all its bodies). The same numbers."""
        params, table, model = self.params, self.table, self.model
        todo = [b for b in bodies if b.body_id not in self.memo]
        if not todo:
            return
        k = len(self.persons)
        empty = (np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(0))
        # DNA first: a body whose DNA excludes every person has no pair to
        # compare (a typed family against a site's typed bodies: most of
        # them). The other bodies' rows are the same numbers (each body's
        # row is computed on its own).
        dna = np.ones((len(todo), k))
        by_dna = [self._dna_row(b, dna[r]) for r, b in enumerate(todo)]
        rows = [r for r, x in enumerate(by_dna) if x is None or not x.all()]
        if len(rows) < len(todo):
            kept = set(rows)
            for r, b in enumerate(todo):
                if r not in kept:
                    self.memo[b.body_id] = empty
            todo = [todo[r] for r in rows]
            by_dna = [by_dna[r] for r in rows]
            dna = dna[rows]
            if not todo:
                return
        pms = [self.pm[b.body_id] for b in todo]
        phys, excluded = vectorised.simple_rows(table, pms, model)
        for r, x in enumerate(by_dna):
            if x is not None:
                excluded[r] |= x
        need = ~excluded & vectorised.item_traits_needed_rows(table, pms)
        for r in np.nonzero(need.any(axis=1))[0].tolist():
            js = np.nonzero(need[r])[0]
            lr, out = vectorised.item_traits_row(table, js, pms[r], model)
            excluded[r, js[out]] = True
            phys[r, js[~out]] *= lr[~out]
        live = ~excluded
        lrs = np.minimum(phys**params.physical_temper, params.physical_cap)
        for r, b in enumerate(todo):
            if not live[r].any():
                self.memo[b.body_id] = empty
                continue
            idx = np.nonzero(live[r])[0]
            self.memo[b.body_id] = (idx.astype(np.int32), lrs[r, idx], dna[r, idx])

    def _dna_row(self, b: BodyIn, dna: np.ndarray) -> np.ndarray | None:
        """Write ``b``'s DNA LRs into ``dna`` (one value per person) and
        return the persons its DNA excludes (a typed family below
        ``DNA_EXCLUDE_LOG10`` or without a kept pair); None when DNA does
        not apply to ``b``."""
        if not (self.typed and carries_dna(b.dna, self.params.lineage_tables)):
            return None
        dna_ok = ~self.typed_mask
        row = self.dna.rows.get(b.body_id)
        if row is not None:
            ok = row[1] >= DNA_EXCLUDE_LOG10
            js = self.target_person[row[0][ok]]
            keep = js >= 0
            js = js[keep]
            dna_ok[js] = True
            dna[js] = 10.0 ** np.minimum(row[1][ok][keep], 300.0)
        return ~dna_ok

    def _evidence(self, b: BodyIn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        params = self.params
        pm = self.pm[b.body_id]
        n = len(self.persons)
        simple, excluded = vectorised.simple_row(self.table, pm, self.model)
        dna = np.ones(n)
        by_dna = self._dna_row(b, dna)
        if by_dna is not None:
            excluded |= by_dna
        phys = simple.copy()
        need = np.nonzero(~excluded & vectorised.item_traits_needed(self.table, pm))[0]
        lr, out = vectorised.item_traits_row(self.table, need, pm, self.model)
        # A tooth, a mark or an item excludes: blocked after all.
        excluded[need[out]] = True
        phys[need[~out]] *= lr[~out]
        idx = np.nonzero(~excluded)[0].astype(np.int32)
        return (
            idx,
            np.minimum(phys[idx] ** params.physical_temper, params.physical_cap),
            dna[idx],
        )

    def blocked_reasons(self, b: BodyIn, j: int) -> list[dict[str, str]]:
        """Why a blocked pair is excluded: the rule that blocked it."""
        key = (b.body_id, self.persons[j].person_id)
        rows = self.cache.reasons.get(key)
        if rows is None:
            rows = self.cache.reasons[key] = self._blocked_reasons(b, j)
        return [dict(row) for row in rows]

    def _blocked_reasons(self, b: BodyIn, j: int) -> list[dict[str, str]]:
        am, pm = self.table.records[j], self.pm[b.body_id]
        model = self.model
        rows: list[dict[str, str]] = []
        for trait in ("sex", "age", "stature"):
            if trait == "age" and am.age_min is not None and pm.age_min is not None:
                a2 = am.age_max if am.age_max is not None else am.age_min
                hi = pm.age_max if pm.age_max is not None else pm.age_min
                gap = max(0.0, pm.age_min - a2, am.age_min - hi)
                if gap <= model.age.exclude_beyond_years:
                    continue
            if trait == "stature" and model.stature.exclude_z is None:
                continue
            ak, pk = _CACHE_KEYS[trait]
            key = (trait, *(getattr(am, k) for k in ak), *(getattr(pm, k) for k in pk))
            reason = self.reasons.get(key)
            if reason is None:
                r = physical.COMPARATORS[trait](am, pm, model)
                comp = physical.PhysicalComparison(
                    am.person_id, pm.body_id, (r,), 0.0, (r,), {}
                )
                reason = self.reasons[key] = (
                    _exclusion_rows(comp) if r.exclusion else []
                )
            rows += [dict(row) for row in reason]
        if not rows and self.dna_excluded(b, self.persons[j].person_id):
            rows.append(_DNA_REASON)
        if not rows:  # excluded by a tooth, a mark or an item
            comp = self.comparer.compare(am, pm)
            rows = _exclusion_rows(comp)
        return rows

    def dna_excluded(self, b: BodyIn, pid: str) -> bool:
        if pid not in self.typed or not carries_dna(b.dna, self.params.lineage_tables):
            return False
        log10 = self.dna.get((b.body_id, pid))
        return log10 is None or log10 < DNA_EXCLUDE_LOG10


_DNA_REASON = {
    "kind": "dna",
    "key": "dna",
    "en": "DNA: the body's profile is incompatible with the family's references",
    "uk": "ДНК: профіль тіла несумісний з профілями родичів",
}


def dna_threshold(blocking: bool = True) -> float:
    """The smallest DNA LR ``dna_lrs`` must return (blocking drops the others)."""
    return 10.0 ** (DNA_EXCLUDE_LOG10 - 1) if blocking else 1e-300


def compute_site(
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    leads: Sequence[LeadIn],
    params: Params,
    *,
    overrides: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
    n_graves: int = 1,
    grave_numbers: Mapping[str, str] | None = None,
    blocking: bool = True,
    table: vectorised.PersonTable | None = None,
    dna: DnaLRs | None = None,
    cache: SiteCache | None = None,
) -> SiteResult:
    """Candidates, evidence and posteriors for every body of a site.

    With ``blocking`` (the default) a pair is computed in full only when it can
    be a candidate: pairs that a hard rule excludes (definite opposite sex, ages
    more than ``AgeModel.exclude_beyond_years`` apart, stature beyond
    ``StatureModel.exclude_z`` when set, a DNA LR below 10^``DNA_EXCLUDE_LOG10``)
    are found for a whole row of persons at once (``matching.vectorised``) and
    skipped; the same rules would give them LR 0 one by one, so the posteriors
    are those of ``blocking=False`` (every pair one by one). A person or body
    lacking a field is not blocked by it ("no block"). Journal leads and
    reviewers' overrides are always computed one by one. ``table``: from
    ``person_table(persons)``, and ``dna``: from ``dna_lrs`` over the bodies of
    several sites (with ``dna_threshold(blocking)``), to share between sites.
    ``cache``: a ``SiteCache`` kept from the site's previous run, which this
    run reads and updates (incremental updates: only the persons and bodies
    that are new or changed since are computed again); the result is the
    same without it.
    """
    if cache is not None:
        cache.sync(bodies, persons)
        cache.dna_sieved = (0, 0, 0)
        # Every person of ``persons`` is in this run (those held included).
        cache.held = []
        cache.changed_held = {}
    if table is None and cache is not None:
        table = cache.table = _cached_table(cache.table, persons)
    table = table or person_table(persons)
    with collector_paused():
        if cache is not None:
            cache.full_reason = "" if blocking else "no blocking"
        fast = (
            _appended_run(
                bodies,
                persons,
                leads,
                params,
                overrides or {},
                n_graves,
                grave_numbers or {},
                table,
                dna,
                cache,
            )
            if cache is not None and blocking
            else None
        )
        if cache is not None:
            cache.hold_found = None  # (what ``hold_persons`` found: this run's only)
        if fast is not None:
            return fast
        return _compute_site(
            bodies,
            persons,
            leads,
            params,
            overrides,
            n_graves,
            grave_numbers,
            blocking,
            table,
            dna,
            cache,
        )


@dataclass
class _FamilyChange:
    """Reports whose family alone changed since the last run (``SiteCache.
    sync``), compared with every body (``_family_change``)."""

    persons: list[tuple[int, PersonIn]]
    found: DnaLRs
    # Per body with a changed evidence row: the new row (``SiteCache.rows``).
    rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    # Per body index: the changed persons' new (LR kinds, total) in its row,
    # None for a pair that is gone.
    pairs: dict[int, dict[int, tuple[np.ndarray, float] | None]]
    # Per body: the changed persons now excluded there (blocked, sorted).
    blocked: dict[str, list[int]]
    # The bodies that show a changed report (a candidate, a pair computed
    # one by one, a listed exclusion): computed, or listed, again.
    shown: set[str]
    listed: set[str]


def _family_change(
    site: _Site,
    cache: SiteCache,
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    k0: int,
    params: Params,
    table: vectorised.PersonTable,
    overrides: Mapping[tuple[str, str], Mapping[str, str]],
) -> _FamilyChange | None:
    """The reports of ``cache.changed_persons`` compared with every body
    again, when only their families changed (the same AM record, label and
    weight), none is placed by a journal or named by an override, and no
    pair appears where the last run's row had none (its place in the kept
    competition is then missing); else None (the site is computed in full).
    Reads the cache, changes nothing."""
    ids = cache.changed_persons
    chg: list[tuple[int, PersonIn]] = []
    for pid in ids:
        j = site.index.get(pid)
        if j is None or j >= k0 or persons[j].person_id != pid:
            _full_run(cache, "report")
            return None
        if pid in site.placed:
            _full_run(cache, "named")
            return None
        now = persons[j]
        if replace(site.persons[j], family=now.family) != now:
            _full_run(cache, "report")
            return None
        chg.append((j, now))
    chg.sort(key=lambda x: x[0])
    if any(pid in ids for (_b, pid) in overrides):
        _full_run(cache, "named")
        return None
    ask = [p for _j, p in chg]
    js = np.array([j for j, _p in chg], dtype=np.int64)
    # The DNA LRs ``hold_persons`` found for these same reports (objects), if
    # it did (the same bodies, parameters and threshold: those of the last
    # run, which this run's inputs are), else screened here.
    kept = cache.hold_found
    reuse = kept is not None and len(kept[0]) == len(ask)
    if reuse:
        by_id = {p.person_id: p for p in kept[0]}
        reuse = all(by_id.get(p.person_id) is p for p in ask)
    found = (
        kept[1]
        if reuse
        else dna_lrs(
            bodies, ask, params.dna_dropout, site.dna_threshold, params.lineage_tables
        )
    )
    if reuse and all(map(operator.is_, kept[0], ask)):
        # Its evidence too (the same reports in the same order, AM records,
        # bodies and PM records).
        sub = kept[2]
    else:
        sub = _Site(
            list(bodies),
            ask,
            (),
            params,
            {},
            site.n_graves,
            site.grave_numbers,
            vectorised.PersonTable.build([table.records[j] for j in js.tolist()]),
            site.dna_threshold,
            found,
            shared=site,
        )
    sub.evidence_all(bodies)
    out = _FamilyChange(chg, found, {}, {}, {}, set(), set())
    # One changed report (a new or replaced reference profile): a body where
    # its evidence is as it was is found with scalars (the arrays below, of
    # one entry each, cost 30 µs a body; most bodies are these).
    one = int(js[0]) if len(js) == 1 else None
    for i, b in enumerate(bodies):
        have = cache.rows.get(b.body_id)
        last = cache.last.get(b.body_id)
        if have is None or last is None or last.result is None:
            _full_run(cache, "no last result")
            return None
        res = last.result
        if _shows(res, ids):
            out.shown.add(b.body_id)
        if not ids.isdisjoint(map(_FIRST, res.blocked_listed)):
            out.listed.add(b.body_id)
        sidx, sphys, sdna = sub.evidence_memo(b)
        idx_old, phys_old, dna_old = have
        if one is not None:
            p = int(idx_old.searchsorted(one)) if len(idx_old) else 0
            was = p < len(idx_old) and int(idx_old[p]) == one
            if not len(sidx):
                if not was:
                    continue  # no pair, as before
            elif was and phys_old[p] == sphys[0] and dna_old[p] == sdna[0]:
                continue  # the same pair's evidence
        at = np.minimum(np.searchsorted(idx_old, js), max(len(idx_old) - 1, 0))
        in_old = idx_old[at] == js if len(idx_old) else np.zeros(len(js), dtype=bool)
        in_new = np.zeros(len(js), dtype=bool)
        in_new[sidx] = True
        new_phys = np.zeros(len(js))
        new_dna = np.zeros(len(js))
        new_phys[sidx], new_dna[sidx] = sphys, sdna
        same = in_old & in_new
        same[same] = (phys_old[at[same]] == new_phys[same]) & (
            dna_old[at[same]] == new_dna[same]
        )
        if bool(np.all(same == (in_old | in_new))):
            continue  # no changed report's evidence moved here
        if bool(np.any(in_new & ~in_old)):
            _full_run(cache, "new pair")
            return None
        # The body's evidence row now.
        keep = np.ones(len(idx_old), dtype=bool)
        keep[at[in_old & ~in_new]] = False
        phys_now, dna_now = phys_old.copy(), dna_old.copy()
        upd = in_old & in_new
        phys_now[at[upd]], dna_now[at[upd]] = new_phys[upd], new_dna[upd]
        out.rows[b.body_id] = (idx_old[keep], phys_now[keep], dna_now[keep])
        gone = js[in_old & ~in_new]
        if len(gone):
            out.blocked[b.body_id] = gone.tolist()
        # Its row: the changed persons' entries (a row holds the evidence
        # rows' persons with a total LR above 0; none of these is forced).
        live = last.live
        none_lr = site.none_lr[b.grave_id]
        journal = 1.0 / none_lr if none_lr > 1.0 else 1.0
        patch: dict[int, tuple[np.ndarray, float] | None] = {}
        for c in np.nonzero(in_old | in_new)[0].tolist():
            j = int(js[c])
            p = int(np.searchsorted(live, j))
            was_live = p < len(live) and int(live[p]) == j
            if in_new[c]:
                kinds = np.array([journal, new_phys[c], new_dna[c]])
                total = float(kinds[0] * kinds[1] * kinds[2])
                if total > 0:
                    if not was_live:
                        _full_run(cache, "new pair")
                        return None
                    if not (
                        np.array_equal(last.live_lr[:, p], kinds)
                        and float(last.total[p]) == total
                    ):
                        patch[j] = (kinds, total)
                    continue
            if was_live:
                patch[j] = None
        if patch:
            out.pairs[i] = patch
    return out


def _full_run(cache: SiteCache, why: str) -> None:
    """Why ``_appended_run`` returns None (the site is computed in full):
    ``SiteCache.full_reason``."""
    cache.full_reason = why


def _patched_row(
    live: np.ndarray,
    kinds: np.ndarray,
    total: np.ndarray,
    patch: Mapping[int, tuple[np.ndarray, float] | None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A body's row with the changed persons' entries replaced (or removed:
    None)."""
    kinds, total = kinds.copy(), total.copy()
    keep = np.ones(len(live), dtype=bool)
    for j, new in patch.items():
        p = int(np.searchsorted(live, j))
        if new is None:
            keep[p] = False
        else:
            kinds[:, p], total[p] = new
    return live[keep], kinds[:, keep], total[keep]


def _merge_found(
    cache: SiteCache,
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    new: Sequence[PersonIn],
    params: Params,
    found: DnaLRs,
) -> None:
    """Merge the DNA LRs ``found`` of the families ``new`` into the cache's."""
    assert cache.dna is not None
    scorer = _lineage_scorer(
        params.lineage_tables,
        bodies,
        persons,
        cache.dna[0].lineage,
        found[0].lineage,
    )
    cache.dna = merge_dna(cache.own_dna(), found, into=True)
    cache.dna[0].lineage = scorer
    cache.dna_persons |= {p.person_id for p in new}


def _appended_run(
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    leads: Sequence[LeadIn],
    params: Params,
    overrides: Mapping[tuple[str, str], Mapping[str, str]],
    n_graves: int,
    grave_numbers: Mapping[str, str],
    table: vectorised.PersonTable,
    dna: DnaLRs | None,
    cache: SiteCache,
) -> SiteResult | None:
    """A run whose only change since the cache's last run is new persons
    (reports) at the end of ``persons``, computing only what they touch;
    None when it does not apply (then ``_compute_site`` runs).

    Applies when the bodies, earlier persons, leads, overrides, parameters
    and the register size's grid point are those of the last run, and the
    new persons leave the first prior mass on its grid point. The new
    persons are compared with every body (blocking, their DNA); the
    competition is extended (``CompetitionState.append``: the bodies whose
    weights or prior mass move); the graves of the bodies where a new
    person has an LR above 0 or whose weights moved are computed again as a
    full run computes them, every other body keeps its last result (the
    same numbers: its row, weights and prior mass are the last run's). The
    result equals a run without the cache (``test_incremental``).

    A new report moves the first prior mass off its grid point once per
    growth of the register by 1/``register_grid`` (about every 430 reports
    at 55,000 open reports with the default 128 points per octave): that
    run is a full one.
    """
    site: _Site | None = cache.site
    state: CompetitionState | None = cache.comp_state
    k0 = cache.appended
    n1 = len(persons)
    if site is None or state is None or k0 is None:
        _full_run(cache, "no last run")
        return None
    if dna is not None or cache.dna is None or cache.dna_stale:
        _full_run(cache, "dna")
        return None
    if (
        len(site.pids) != k0
        or state.n != k0
        or len(table) != n1
        or not params.competition_grid
        or not params.register_grid
        or register_size(n1, params) != register_size(k0, params)
        or cache.last_key != (params, register_size(k0, params), site.model, n_graves)
        or site.n_graves != n_graves
        or site.overrides != overrides
        or dict(site.grave_numbers) != dict(grave_numbers)
        or (site.leads_key is not leads and site.leads_key != tuple(leads))
        or cache.dna_bodies != _typed_bodies(bodies, params.lineage_tables)
        or len(cache.last) != len(bodies)
    ):
        _full_run(cache, "inputs")
        return None
    new = list(persons[k0:])
    new_ids = {p.person_id for p in new}
    # A new person that the journals or an override name: computed in full
    # (the leads name persons by id whether they are open or not).
    if any(pid in new_ids for (_b, pid) in overrides) or any(
        pid in site.placed for pid in new_ids
    ):
        _full_run(cache, "named")
        return None
    weights = np.array([p.weight for p in new], dtype=float)
    if not state.can_append(weights):
        _full_run(cache, "grid")
        return None
    # Reports whose family alone changed (a new or withdrawn reference
    # profile): their pairs' LRs changed in place.
    fam: _FamilyChange | None = None
    if cache.changed_persons:
        fam = _family_change(site, cache, bodies, persons, k0, params, table, overrides)
        if fam is None:
            return None  # (``_family_change`` says why)
    chg_state: dict[int, float] = {}
    if fam is not None:
        for i, patch in fam.pairs.items():
            for j, now in patch.items():
                at = state.pair_position(i, j)
                if at is None:
                    _full_run(cache, "no pair kept")
                    return None
                chg_state[at] = 0.0 if now is None else now[1]
    # From here on the cache is updated. The changed and new families' DNA LRs.
    if fam is not None:
        _merge_found(
            cache, bodies, persons, [p for _j, p in fam.persons], params, fam.found
        )
        site.dna, site.relations, site.notes = cache.dna
        site.typed = set(site.relations)
        chg_js = np.array([j for j, _p in fam.persons], dtype=np.int64)
        site.target_person[np.isin(site.target_person, chg_js)] = -1
        site.target_person = np.concatenate(
            [
                site.target_person,
                np.array(
                    [site.index.get(pid, -1) for pid in fam.found[0].persons],
                    dtype=np.int64,
                ),
            ]
        )
        site.typed_mask[chg_js] = [p.person_id in site.typed for _j, p in fam.persons]
        cache.rows.update(fam.rows)
    sub: _Site | None = None
    if new:
        found = _extend_dna(cache, bodies, persons, new, params, site.dna_threshold)
        site.dna, site.relations, site.notes = cache.dna
        site.typed |= set(found[1])
        for j, p in enumerate(new, start=k0):
            site.index[p.person_id] = j
        site.pids.extend(p.person_id for p in new)
        site.typed_mask = np.concatenate(
            [site.typed_mask, np.array([p.person_id in site.typed for p in new], bool)]
        )
        site.target_person = np.concatenate(
            [
                site.target_person,
                np.array(
                    [site.index.get(pid, -1) for pid in found[0].persons],
                    dtype=np.int64,
                ),
            ]
        )
        sub = _Site(
            list(bodies),
            new,
            (),
            params,
            {},
            n_graves,
            grave_numbers,
            vectorised.PersonTable.build(list(table.records[k0:n1])),
            site.dna_threshold,
            found,
            shared=site,
        )
    site.persons = persons
    site.table = table
    site.bodies = bodies
    # Each body's cached row gets the new persons no hard rule excludes.
    site.old_rows = dict(cache.rows)
    site.cache_columns = np.arange(k0, dtype=np.int64)
    site.cache_missing = np.arange(k0, n1, dtype=np.int64)
    site.appending = True
    site._missing_site = sub
    cache.person_ids = list(site.pids)
    new_rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    new_kinds: dict[str, np.ndarray] = {}
    evid: dict[str, np.ndarray] = {}
    if sub is not None:
        sub.evidence_all(bodies)
        for i, b in enumerate(bodies):
            idx, phys, dna_lr = sub.evidence_memo(b)
            if not len(idx):
                continue
            evid[b.body_id] = idx
            # A row's LRs (``_Site.row``): "none of these", physical, DNA.
            none_lr = site.none_lr[b.grave_id]
            journal = np.full(len(idx), 1.0 / none_lr if none_lr > 1.0 else 1.0)
            total = journal * phys * dna_lr
            live = total > 0
            if live.any():
                new_rows[i] = (k0 + idx[live].astype(np.int64), total[live])
                new_kinds[b.body_id] = np.vstack([journal, phys, dna_lr])[:, live]
    if new or chg_state:
        moved = state.append(weights, new_rows, changed=chg_state)
        moved_weights = state.moved_weights
    else:
        moved, moved_weights = set(), set()
    comp = state.competition()
    order_of = {b.body_id: i for i, b in enumerate(bodies)}
    by_grave: dict[str, list[BodyIn]] = defaultdict(list)
    for b in bodies:
        by_grave[b.grave_id].append(b)
    touched = {bodies[i].grave_id for i in moved}
    # Bodies whose changed rows or shown reports a deferral does not cover.
    not_deferred: set[int] = set()
    if fam is not None:
        touched |= {bodies[i].grave_id for i in fam.pairs}
        touched |= {b.grave_id for b in bodies if b.body_id in fam.shown}
        not_deferred = set(fam.pairs) | {order_of[bid] for bid in fam.shown}
    # Bodies deferred by earlier runs whose bound this run does not allow.
    defer = cache.defer_below
    grave_of = {b.body_id: b.grave_id for b in bodies}
    touched |= {
        grave_of[bid]
        for bid, bound in cache.deferred.items()
        if not bound < defer and bid in grave_of
    }
    deferred_now = _deferrable(
        site,
        bodies,
        by_grave,
        touched,
        moved - moved_weights - not_deferred,
        new_rows,
        comp,
        cache,
    )
    if fam is not None:
        deferred_now.update(
            _family_deferrable(
                bodies,
                by_grave,
                fam,
                moved - moved_weights,
                new_rows,
                cache,
                params,
            )
        )
    touched -= {grave_of[bid] for bid in deferred_now}
    rows: dict[str, SparseRow] = {}
    # An earlier report's pair with a body: the last run's (same inputs),
    # but a changed report's.
    gone = cache.changed_persons if fam is not None else set()
    site.prev_pairs = {
        bid: (
            {pid: pr for pid, pr in last.result.pairs.items() if pid not in gone}
            if gone
            else last.result.pairs
        )
        for bid, last in cache.last.items()
        if last.result is not None
    }
    reuse = cache.last

    def row_now(b: BodyIn, last: _Reuse) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The body's last row with the changed persons' LRs and the new
        persons' entries at its end (their indices are last): what
        ``_Site.row`` computes, without going through every pair."""
        i = order_of[b.body_id]
        idx, kinds, total = last.live, last.live_lr, last.total
        patch = fam.pairs.get(i, {}) if fam is not None else {}
        if patch:
            idx, kinds, total = _patched_row(idx, kinds, total, patch)
        add = new_rows.get(i)
        if add is not None:
            idx = np.concatenate([idx, add[0].astype(idx.dtype)])
            kinds = np.hstack([kinds, new_kinds[b.body_id]])
            total = np.concatenate([total, add[1]])
        return idx, kinds, total

    def blocked_now(b: BodyIn, res: BodyResult) -> tuple[int, Any, bool]:
        """The body's blocked persons now (the new ones come last, changed
        ones newly excluded in their place): their number, the first ones
        listed, and whether those changed."""
        seen = evid.get(b.body_id)
        blocked_new = (
            np.setdiff1d(
                np.arange(k0, n1, dtype=np.int64),
                k0 + (seen if seen is not None else np.zeros(0, np.int64)),
            )
            if n1 > k0
            else _NONE_BLOCKED
        )
        now_blocked = fam.blocked.get(b.body_id, []) if fam is not None else []
        n_blocked = res.blocked + len(blocked_new) + len(now_blocked)
        relist = fam is not None and b.body_id in fam.listed
        # (New persons blocked can enter the listing only while it is short.)
        listed_more = bool(now_blocked) or bool(
            len(blocked_new) and res.blocked < EXCLUSIONS_LISTED
        )
        if not (relist or listed_more):
            return n_blocked, res.blocked_listed, False
        if not listed_more:
            # The same persons listed: a changed report's reasons again.
            assert fam is not None
            listed_now = dict(res.blocked_listed)
            if all(
                listed_now[pid] == site.blocked_reasons(b, site.index[pid])
                for pid in cache.changed_persons
                if pid in listed_now
            ):
                return n_blocked, res.blocked_listed, False
        first = np.concatenate(
            [
                np.sort(
                    np.array(
                        [site.index[pid] for pid, _r in res.blocked_listed]
                        + list(now_blocked),
                        dtype=np.int64,
                    )
                ),
                blocked_new,
            ]
        )
        listed = _listed(site, b, first)
        return n_blocked, listed, listed != res.blocked_listed

    listed_of: dict[str, Any] = {}
    for g in touched:
        for b in by_grave[g]:
            # (Its row: the last run's as it is now, ``row_now``.)
            last = reuse[b.body_id]
            assert last.result is not None
            forced = {pid for pid in site.jev[b.grave_id] if pid in site.index}
            forced |= {
                pid
                for (bid, pid) in site.overrides
                if bid == b.body_id and pid in site.index
            }
            pairs = {
                site.pids[j]: site.pair_of(b, site.pids[j])
                for j in sorted(site.index[pid] for pid in forced)
            }
            idx, kinds, total = row_now(b, last)
            n_blocked, listed, _changed = blocked_now(b, last.result)
            listed_of[b.body_id] = listed
            rows[b.body_id] = SparseRow(
                idx, kinds, total, pairs, np.zeros(0, np.int32), n_blocked
            )
    for b in bodies:
        if b.body_id in evid:
            site.evidence(b)  # the cached evidence, for later runs
    order = order_of
    out: dict[str, BodyResult] = {}
    recomputed: set[str] = set()
    relisted: set[str] = set()
    for g, grave_bodies in by_grave.items():
        if g in touched:
            # What the posteriors are computed from, before ``_posteriors``
            # adds the candidates' pairs to the rows (as ``_compute_site``
            # records it: else no later run could keep these bodies).
            nows = {
                b.body_id: _reuse_of(site, b, rows[b.body_id], comp, order[b.body_id])
                for b in grave_bodies
            }
            posts = _posteriors(site, grave_bodies, rows, comp, order)
            for b in grave_bodies:
                bp, kept, others = posts[b.body_id]
                r = rows[b.body_id]
                out[b.body_id] = BodyResult(
                    b.body_id,
                    g,
                    bp,
                    r.pairs,
                    kept,
                    others,
                    n1,
                    live=r.idx,
                    live_lr=r.kinds,
                    blocked=r.n_blocked,
                    blocked_listed=listed_of[b.body_id],
                    norm=float(comp.norm[order[b.body_id]]),
                )
                was = reuse.get(b.body_id)
                was_res = was.result if was is not None else None
                if not _exclusions_same(was_res, out[b.body_id], cache):
                    relisted.add(b.body_id)
                reuse[b.body_id] = replace(nows[b.body_id], result=out[b.body_id])
                recomputed.add(b.body_id)
            continue
        for b in grave_bodies:
            last = reuse[b.body_id]
            res = last.result
            assert res is not None
            n_blocked, listed, changed = blocked_now(b, res)
            if changed:
                relisted.add(b.body_id)
            if b.body_id not in deferred_now and (
                res.n_considered == n1
                and res.blocked == n_blocked
                and res.blocked_listed is listed
            ):
                out[b.body_id] = res  # (nothing of it changed: the same object)
                continue
            res = replace(
                res,
                n_considered=n1,
                blocked=n_blocked,
                blocked_listed=listed,
            )
            if b.body_id in deferred_now:
                # Its result stays; its row takes the new persons and the
                # changed ones' LRs (what a later run computes it from), and
                # their weights.
                i = order_of[b.body_id]
                idx, kinds, total = row_now(b, last)
                last = replace(
                    last,
                    live=idx,
                    live_lr=kinds,
                    total=total,
                    norm=float(comp.norm[i]),
                    w_nz=comp.w_nz[i],
                )
                res = replace(res, live=idx, live_lr=kinds)
            out[b.body_id] = res
            reuse[b.body_id] = replace(last, result=out[b.body_id])
    for bid in recomputed:
        cache.deferred.pop(bid, None)
    cache.deferred.update(deferred_now)
    cache.person_ids_last = list(site.pids)
    site.old_rows, site._missing_site, site.prev_pairs = {}, None, {}
    site.appending = False
    result = SiteResult(out, params, site.notes, site.model)
    result.person_ids = list(site.pids)
    result.recomputed = recomputed
    result.relisted = relisted
    result.deferred = dict(cache.deferred)
    return result


_NONE_BLOCKED = np.zeros(0, dtype=np.int64)


def _deferrable(
    site: _Site,
    bodies: Sequence[BodyIn],
    by_grave: Mapping[str, Sequence[BodyIn]],
    touched: set[str],
    only_new: set[int],
    new_rows: Mapping[int, tuple[np.ndarray, np.ndarray]],
    comp: Competition,
    cache: SiteCache,
) -> dict[str, float]:
    """The bodies of ``touched`` graves that this run may leave with their
    last result (``SiteCache.defer_below``), each with its bound.

    A body alone in its grave whose only change is new persons' pairs (its
    other persons' weights and its prior mass as in the last run: ``only_new``
    holds its index) has its posteriors multiplied by ``z / (z + t)``, ``t``
    the new terms and ``z`` its normaliser; every candidate it keeps moves
    by less than ``s = t / (z + t)``, the new persons' share of its mass,
    and a new person enters its candidates only with a posterior below
    ``s``. The bound is ``s`` summed over the runs that deferred the body;
    a body is deferred while that sum stays below ``defer_below``."""
    defer = cache.defer_below
    out: dict[str, float] = {}
    if not defer > 0:
        return out
    p_u = site.params.p_unlisted
    order = {b.body_id: i for i, b in enumerate(bodies)}
    for g in touched:
        grave_bodies = by_grave[g]
        if len(grave_bodies) != 1:
            continue  # a joint solution: computed
        b = grave_bodies[0]
        i = order[b.body_id]
        add = new_rows.get(i)
        last = cache.last.get(b.body_id)
        if i not in only_new or add is None or last is None or last.result is None:
            continue
        w = comp.w_nz[i]
        k_old = len(last.total)
        if len(w) != k_old + len(add[1]):
            continue
        scale = (1.0 - p_u) / (float(comp.norm[i]) or 1.0)
        # (Products summed, not ``np.dot``: no BLAS call per body.)
        t_old = float((w[:k_old] * last.total).sum()) * scale
        t_new = float((w[k_old:] * add[1]).sum()) * scale
        z = p_u + t_old + t_new
        if not (z > 0 and np.isfinite(z)):
            continue
        bound = cache.deferred.get(b.body_id, 0.0) + t_new / z
        if bound < defer and not _near_threshold(last.result, bound, cache):
            out[b.body_id] = bound
    return out


def _family_deferrable(
    bodies: Sequence[BodyIn],
    by_grave: Mapping[str, Sequence[BodyIn]],
    fam: _FamilyChange,
    only_new: set[int],
    new_rows: Mapping[int, Any],
    cache: SiteCache,
    params: Params,
) -> dict[str, float]:
    """The bodies whose only change is changed reports' LRs (``fam.pairs``)
    that this run may leave with their last result (``SiteCache.
    defer_below``), each with its bound.

    A body alone in its grave, its weights and prior mass as in the last
    run (``only_new``), no new report's pair, not deferred already, showing
    no changed report: with ``D`` the sum of the changed terms' moves
    (``|t'_j - t_j|``, a pair gone: ``t_j``) and ``z`` its last normaliser,
    every posterior moves by at most ``D / z`` (``_move_bound``). A changed
    report leaves the candidates out when its term did not grow (the others'
    posteriors grow with it), or when its new posterior stays below the last
    candidate's by more than the bound; no posterior may be within the bound
    of a decision threshold."""
    defer = cache.defer_below
    out: dict[str, float] = {}
    if not defer > 0:
        return out
    p_u = params.p_unlisted
    for i, patch in fam.pairs.items():
        b = bodies[i]
        last = cache.last.get(b.body_id)
        if (
            len(by_grave[b.grave_id]) != 1
            or i not in only_new
            or i in new_rows
            or b.body_id in fam.shown
            or b.body_id in cache.deferred
            or last is None
            or (res := last.result) is None
            or not last.norm > 0
            or len(last.w_nz) != len(last.live)
        ):
            continue
        scale = (1.0 - p_u) / last.norm
        z = p_u + scale * float((last.w_nz * last.total).sum())
        u = res.posterior.posterior_unlisted
        if not (np.isfinite(z) and u > 0) or abs(p_u / u - z) > 1e-9 * z:
            continue
        d, moves = 0.0, []
        for j, now in patch.items():
            p = int(np.searchsorted(last.live, j))
            t_old = scale * float(last.w_nz[p]) * float(last.total[p])
            t_new = 0.0 if now is None else scale * float(last.w_nz[p]) * now[1]
            d += abs(t_new - t_old)
            moves.append((t_old, t_new))
        if not (np.isfinite(d) and z > 2 * d):
            continue
        bound = _move_bound(d, z)
        if not bound < defer:
            continue
        low = min((c.posterior for c in res.posterior.candidates), default=0.0)
        if any(
            t_new > t_old and not t_new / (z - d) + bound < low
            for t_old, t_new in moves
        ):
            continue
        if _near_threshold_either(res, bound, cache):
            continue
        out[b.body_id] = bound
    return out


def _listed(
    site: _Site, b: BodyIn, blocked: np.ndarray
) -> list[tuple[str, list[dict[str, str]]]]:
    """The first blocked persons of a body with their reasons (kept in the
    cache while they are the same persons; a person's entry while the
    person is the same)."""
    at = blocked[:EXCLUSIONS_LISTED].tolist()
    first = tuple(site.pids[j] for j in at)
    was = site.cache.listed.get(b.body_id)
    if was is None or was[0] != first:
        gone = site.cache.unlisted.pop(b.body_id, ())
        kept = (
            {pid: rows for pid, rows in was[1] if pid not in gone}
            if was is not None
            else {}
        )
        was = site.cache.listed[b.body_id] = (
            first,
            [
                (pid, kept[pid] if pid in kept else site.blocked_reasons(b, j))
                for pid, j in zip(first, at, strict=True)
            ],
        )
    return [(pid, [dict(x) for x in rows_]) for pid, rows_ in was[1]]


#: The first persons of a listing that ``SiteCache.forget_persons`` kept
#: without some of its entries: no body's (no report's id is empty).
_RELIST: tuple[str, ...] = ("",)


def _cached_table(
    table: vectorised.PersonTable | None, persons: Sequence[PersonIn]
) -> vectorised.PersonTable:
    """``table`` extended with the persons it lacks, when it holds the first ones."""
    if table is None or len(table) > len(persons):
        return person_table(persons)
    for rec, p in zip(table.records, persons, strict=False):
        if rec.person_id != p.person_id:
            return person_table(persons)
    if len(table) == len(persons):
        return table
    return table.extended(person_table(persons[len(table) :]).records)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a site's computation.

    The computation allocates millions of small objects while the persons'
    records (and a ``SiteCache``) hold millions more: every full collection
    walks them all, which cost about 40 % of an incremental update.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compute_site(
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    leads: Sequence[LeadIn],
    params: Params,
    overrides: Mapping[tuple[str, str], Mapping[str, str]] | None,
    n_graves: int,
    grave_numbers: Mapping[str, str] | None,
    blocking: bool,
    table: vectorised.PersonTable,
    dna: DnaLRs | None,
    cache: SiteCache | None,
) -> SiteResult:
    site = _Site(
        bodies,
        persons,
        leads,
        params,
        overrides or {},
        n_graves,
        grave_numbers or {},
        table,
        dna_threshold(blocking),
        dna,
        cache,
    )
    bodies_by_grave: dict[str, list[BodyIn]] = defaultdict(list)
    for b in bodies:
        bodies_by_grave[b.grave_id].append(b)
    n = len(persons)
    rows: dict[str, SparseRow] = {}
    cache_ = site.cache
    cache_.cands = {}  # (this run's candidates only)
    # The journal LRs of the last run, when their inputs are the same.
    jkey = (
        tuple(leads),
        params.reliability,
        params.dependence,
        register_size(n, params),
        site.n_unlisted,
        n_graves,
        tuple(sorted(site.grave_numbers.items())),
        tuple((g, len(bs)) for g, bs in bodies_by_grave.items()),
    )
    if cache is not None and cache.journal_key == jkey:
        site.jev, site.none_lr = cache_.journal_state
        site.journal_memo = cache_.journal_memo
    else:
        for grave_id, grave_bodies in bodies_by_grave.items():
            site.grave_journal(grave_id, len(grave_bodies))
        cache_.journal_key, cache_.journal_state = jkey, (site.jev, site.none_lr)
        cache_.journal_memo = site.journal_memo
    for b in bodies:
        rows[b.body_id] = site.row(b, blocking)
    ordered = [rows[b.body_id] for b in bodies]
    base = np.array([p.weight for p in persons], dtype=float)
    # Kept for runs that only add reports (``_appended_run``).
    record: dict[str, Any] | None = {} if cache is not None and blocking else None
    comp = sparse_competition(
        [r.idx for r in ordered],
        [r.total for r in ordered],
        base,
        [b.grave_id for b in bodies],
        params,
        record=record,
    )
    order = {b.body_id: i for i, b in enumerate(bodies)}
    out: dict[str, BodyResult] = {}
    # A body's posteriors depend on its grave's rows, competition weights,
    # prior masses, pairs computed one by one, overrides and leads: a grave
    # whose bodies have all of them as in the last run keeps its results
    # (the "others", kept candidates and evidence are those of the same
    # numbers). Everything else is computed again.
    key = (params, register_size(n, params), site.model, n_graves)
    last = cache_.last if cache is not None and cache_.last_key == key else {}
    columns = _columns(cache_.person_ids_last, site.index) if last else None
    cache_.last_key = key
    reuse: dict[str, _Reuse] = {}
    recomputed: set[str] = set()
    relisted: set[str] = set()
    # Bodies this run leaves with their last result (``_moved_bound``).
    deferred_now: dict[str, float] = {}
    defer = cache_.defer_below if cache is not None and blocking else 0.0
    for grave_id, grave_bodies in bodies_by_grave.items():
        now = {
            b.body_id: _reuse_of(site, b, rows[b.body_id], comp, order[b.body_id])
            for b in grave_bodies
        }
        prev = {b.body_id: last.get(b.body_id) for b in grave_bodies}
        olds = {
            bid: k.result
            for bid, k in prev.items()
            if k is not None
            and k.result is not None
            and columns is not None
            and _same(k, now[bid], columns, cache_)
        }
        moved = (
            _moved_bound(
                prev[grave_bodies[0].body_id],
                now[grave_bodies[0].body_id],
                columns,
                cache_,
                params,
            )
            if defer > 0 and len(grave_bodies) == 1 and len(olds) == 0
            else None
        )
        if moved is not None:
            # A body alone whose row is the last run's, moved only by its
            # weights and prior mass, by less than the bound: deferred.
            bid = grave_bodies[0].body_id
            olds = {bid: prev[bid].result}  # type: ignore[union-attr,dict-item]
            deferred_now[bid] = moved
        if len(olds) == len(grave_bodies):
            posts = {
                bid: (res.posterior, res.kept, res.others_mass)
                for bid, res in olds.items()
            }
            pairs_of = {bid: res.pairs for bid, res in olds.items()}
        else:
            posts = _posteriors(site, grave_bodies, rows, comp, order)
            pairs_of = {b.body_id: rows[b.body_id].pairs for b in grave_bodies}
            recomputed |= {b.body_id for b in grave_bodies}
            olds = {}
        for b in grave_bodies:
            bp, kept, others = posts[b.body_id]
            r = rows[b.body_id]
            listed = _listed(site, b, r.blocked)
            prev_b = prev[b.body_id]
            was_res = olds.get(b.body_id) or (
                prev_b.result if prev_b is not None else None
            )
            out[b.body_id] = BodyResult(
                b.body_id,
                grave_id,
                bp,
                pairs_of[b.body_id],
                kept,
                others,
                n,
                live=r.idx,
                live_lr=r.kinds,
                blocked=r.n_blocked,
                blocked_listed=listed,
                norm=float(comp.norm[order[b.body_id]]),
            )
            if not _exclusions_same(was_res, out[b.body_id], cache_):
                relisted.add(b.body_id)
            reuse[b.body_id] = replace(now[b.body_id], result=out[b.body_id])
    cache_.last = reuse
    cache_.deferred = deferred_now
    cache_.person_ids_last = [p.person_id for p in persons]
    if record is not None:
        cache_.comp_state = CompetitionState(record, base, params)
        cache_.site = site
        site.old_rows, site._missing_site = {}, None
    else:
        cache_.comp_state = cache_.site = None
    result = SiteResult(out, params, site.notes, site.model)
    result.person_ids = [p.person_id for p in persons]
    result.recomputed = recomputed
    result.relisted = relisted
    result.deferred = dict(deferred_now)
    return result


def _moved_bound(
    last: _Reuse | None,
    now: _Reuse,
    columns: np.ndarray | None,
    cache: SiteCache,
    params: Params,
) -> float | None:
    """How far a body alone in its grave, whose row (persons, LRs, pairs,
    overrides, leads) is its last result's but whose competition weights or
    prior mass moved, may be from its exact posteriors: the bound under
    which a run may leave it with its last result (``SiteCache.
    defer_below``), or None.

    With ``t_k`` a person's term (``(1 - p_unlisted) * weight / prior mass *
    LR``) in the last result and ``t'_k`` now, ``D = sum |t'_k - t_k|`` and
    ``z`` the last normaliser (``p_unlisted + sum t_k``), every posterior
    moves by at most ``D / z`` (``_move_bound``). The persons kept (the top
    of the row) stay the same when the gap below the last one kept is more
    than twice the bound; a body near a decision threshold (either way) is
    computed. Only a body whose last result is exact (not deferred
    already)."""
    defer = cache.defer_below
    if last is None or columns is None or (a := last.result) is None:
        return None
    if a.body_id in cache.deferred or a.body_id in cache.changed_bodies:
        return None
    if cache.changed_persons and any(
        c.person_id in cache.changed_persons for c in a.posterior.candidates
    ):
        return None
    idx = columns[last.live] if len(last.live) else last.live.astype(np.int64)
    if not (
        len(idx) == len(now.live)
        and len(last.w_nz) == len(now.w_nz) == len(idx)
        and bool(np.all(idx >= 0))
        and np.array_equal(idx, now.live)
        and np.array_equal(last.live_lr, now.live_lr)
        and last.pairs == now.pairs
        and last.overrides == now.overrides
        and last.leads == now.leads
        and last.norm > 0
        and now.norm > 0
    ):
        return None
    p_u = params.p_unlisted
    t_old = (1.0 - p_u) * last.w_nz / last.norm * last.total
    t_new = (1.0 - p_u) * now.w_nz / now.norm * now.total
    d = float(np.abs(t_new - t_old).sum())
    z = p_u + float(t_old.sum())
    # (The last result's normaliser, as its posterior of "none of these"
    # gives it: else the row is not what the posteriors came from.)
    u = a.posterior.posterior_unlisted
    if not (np.isfinite(d) and np.isfinite(z) and u > 0 and z > 2 * d):
        return None
    if abs(p_u / u - z) > 1e-9 * z:
        return None
    bound = _move_bound(d, z)
    if not bound < defer:
        return None
    width = params.keep_per_body
    if len(t_old) > width:
        top = np.partition(t_old, len(t_old) - width - 1)[len(t_old) - width - 1 :]
        # the last kept and the first left out, as posteriors
        if not (np.sort(top)[1] - top.min()) / z > 2.0 * bound:
            return None
    if _near_threshold_either(a, bound, cache):
        return None
    return bound


def _exclusions_same(old: BodyResult | None, new: BodyResult, cache: SiteCache) -> bool:
    """The body's exclusions as stored (its pairs computed one by one and
    excluded, then the first blocked ones) are those of its last result,
    and name no report whose case number changed since."""
    if old is None or old.blocked_listed != new.blocked_listed:
        return False
    a = [(pid, pr.exclusions) for pid, pr in old.pairs.items() if pr.excluded]
    b = [(pid, pr.exclusions) for pid, pr in new.pairs.items() if pr.excluded]
    if a != b:
        return False
    gone = cache.changed_labels
    return not gone or not any(
        pid in gone for pid in (*(x[0] for x in a), *(x[0] for x in old.blocked_listed))
    )


def _reuse_of(
    site: _Site, b: BodyIn, r: SparseRow, comp: Competition, i: int
) -> _Reuse:
    """What body ``b``'s posteriors are computed from in this run."""
    return _Reuse(
        None,
        r.idx,
        r.kinds,
        r.total,
        float(comp.norm[i]),
        comp.w_nz[i],
        {
            pid: (pr.lr, pr.exclusions, pr.journal_text, pr.dna_text)
            for pid, pr in r.pairs.items()
        },
        {pid: o for (bid, pid), o in site.overrides.items() if bid == b.body_id},
        tuple(site.leads_by_grave.get(b.grave_id, ())),
    )


def _columns(last_ids: Sequence[str], index: Mapping[str, int]) -> np.ndarray:
    """Each person of the last run's list: its index now (-1: not open now)."""
    return np.array([index.get(pid, -1) for pid in last_ids], dtype=np.int64)


def _same(last: _Reuse, now: _Reuse, columns: np.ndarray, cache: SiteCache) -> bool:
    """True if a body's posteriors computed now would be those of the last run."""
    a = last.result
    if a is None or a.body_id in cache.changed_bodies or a.body_id in cache.deferred:
        return False
    if cache.changed_persons and any(
        c.person_id in cache.changed_persons for c in a.posterior.candidates
    ):
        return False
    idx = columns[last.live] if len(last.live) else last.live.astype(np.int64)
    return (
        last.norm == now.norm
        and len(idx) == len(now.live)
        and bool(np.all(idx >= 0))
        and np.array_equal(idx, now.live)
        and np.array_equal(last.live_lr, now.live_lr)
        and np.array_equal(last.w_nz, now.w_nz)
        and last.pairs == now.pairs
        and last.overrides == now.overrides
        and last.leads == now.leads
    )


@dataclass
class SparseRow:
    """One body's persons with an LR above 0 (``idx``, sorted), their journal,
    physical and DNA LRs (3 x k) and total LR; the pairs computed one by one;
    the blocked persons (the first ``EXCLUSIONS_LISTED`` at least) and their
    number."""

    idx: np.ndarray
    kinds: np.ndarray
    total: np.ndarray
    pairs: dict[str, PairResult]
    blocked: np.ndarray
    n_blocked: int


def competition_weights(
    totals: np.ndarray,
    base: np.ndarray,
    graves: Sequence[str],
    params: Params,
) -> np.ndarray:
    """Per body, each person's prior weight times P(not another site's body).

    ``totals``: bodies x persons LRs. One person is at most one body, across the
    whole site. Solving that jointly for hundreds of bodies is out of reach, so
    each person's weight at body b is scaled by 1 - (the posterior mass the
    person has at the *other* bodies of the site, outside b's grave),
    recomputed ``competition_rounds`` times (a mean-field approximation; floor
    0.01). Inside a grave the exact joint solution already enforces it.

    The dense reference of ``sparse_competition`` (which ``compute_site``
    uses): bodies x persons, for tests.
    """
    lr = np.nan_to_num(totals, posinf=1e300)
    w = np.tile(base, (len(graves), 1))
    p_u = params.p_unlisted
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(graves):
        rows_of[g].append(i)
    order = np.array([i for rows in rows_of.values() for i in rows], dtype=np.int64)
    starts = np.cumsum([0] + [len(rows) for rows in rows_of.values()])[:-1]
    grave_of = np.empty(len(graves), dtype=np.int64)
    for k, rows in enumerate(rows_of.values()):
        grave_of[rows] = k
    for _ in range(params.competition_rounds):
        norm = grid_up_array(w.sum(axis=1, keepdims=True), params.register_grid)
        prior = (1 - p_u) * w / norm
        terms = prior * lr
        post = terms / (p_u + terms.sum(axis=1, keepdims=True))
        total = post.sum(axis=0)
        if not len(graves):
            break
        by_grave = np.add.reduceat(post[order], starts, axis=0)
        w = base * grid_up_array(
            np.clip(1.0 - (total - by_grave[grave_of]), 0.01, 1.0),
            params.competition_grid,
        )
    return w


@dataclass
class Competition:
    """The weights of ``competition_weights`` without the bodies x persons matrix.

    A person with no posterior mass anywhere keeps its base weight; one with
    mass keeps ``base * h`` at the bodies of graves where it has none, and
    ``base * f`` (one value per grave and person, ``gkeys``/``gf``) in the graves
    where it has some. Built from the pairs with an LR above 0 only: the cost is
    that of the nonzero pairs (plus a few passes over the persons).
    """

    base: np.ndarray  # per person
    h: np.ndarray  # per person: the factor outside the graves where it has mass
    grave_of: np.ndarray  # per body: grave code
    gkeys: np.ndarray  # sorted grave code * n_persons + person, with mass there
    gf: np.ndarray  # the factor of each of ``gkeys``
    row_w: np.ndarray  # per body: the sum of its weights over every person
    w_nz: list[np.ndarray]  # per body: the weights of its ``idx`` persons
    # per body: what the prior divides the weights by, ``row_w`` on the grid
    # (``Params.register_grid``): prior = (1 - p_unlisted) * weight / norm.
    norm: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def weights(self, i: int, js: np.ndarray) -> np.ndarray:
        """Body ``i``'s weights of the persons ``js`` (any persons)."""
        n = len(self.base)
        js = np.asarray(js, dtype=np.int64)
        if not len(js):
            return np.zeros(0)
        keys = int(self.grave_of[i]) * n + js
        if len(self.gkeys):
            pos = np.minimum(np.searchsorted(self.gkeys, keys), len(self.gkeys) - 1)
            hit = self.gkeys[pos] == keys
            f = np.where(hit, self.gf[pos], self.h[js])
        else:
            f = self.h[js]
        out: np.ndarray = self.base[js] * f
        return out


def sparse_competition(
    idx: Sequence[np.ndarray],
    totals: Sequence[np.ndarray],
    base: np.ndarray,
    graves: Sequence[str],
    params: Params,
    record: dict[str, Any] | None = None,
) -> Competition:
    """``competition_weights`` from each body's nonzero LRs (``idx``, ``totals``).

    The same rounds, on the nonzero pairs only: equal to the dense computation
    up to the order of the sums (``test_engine_sparse``). ``record``: filled
    with the arrays of every round (``CompetitionState``).
    """
    n, n_b = len(base), len(graves)
    codes: dict[str, int] = {}
    grave_of = np.array(
        [codes.setdefault(g, len(codes)) for g in graves], dtype=np.int64
    )
    sizes = np.array([len(x) for x in idx], dtype=np.int64)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    cols = (
        np.concatenate([np.asarray(x, dtype=np.int64) for x in idx])
        if n_b
        else np.zeros(0, dtype=np.int64)
    )
    lr = np.nan_to_num(
        np.concatenate(list(totals)) if n_b else np.zeros(0), posinf=1e300
    )
    body_of = np.repeat(np.arange(n_b, dtype=np.int64), sizes)
    # The (grave, person) pairs with an LR above 0, sorted, and each nonzero
    # pair's place among them: a body alone in its grave adds its own persons
    # (already sorted and distinct); only the graves of several bodies merge.
    members: list[list[int]] = [[] for _ in codes]
    for i, g in enumerate(grave_of.tolist()):
        members[g].append(i)
    inv = np.empty(len(cols), dtype=np.int64)
    g_grave_parts, g_person_parts = [], []
    off = 0
    for g, its in enumerate(members):
        if len(its) == 1:
            a, b = int(bounds[its[0]]), int(bounds[its[0] + 1])
            persons_g = cols[a:b]
            inv[a:b] = np.arange(off, off + b - a)
        else:
            where = np.concatenate(
                [np.arange(bounds[i], bounds[i + 1]) for i in its]
            ).astype(np.int64)
            persons_g, local = np.unique(cols[where], return_inverse=True)
            inv[where] = off + local.reshape(-1)
        g_person_parts.append(persons_g)
        g_grave_parts.append(np.full(len(persons_g), g, dtype=np.int64))
        off += len(persons_g)
    g_person = (
        np.concatenate(g_person_parts) if g_person_parts else np.zeros(0, np.int64)
    )
    g_grave = np.concatenate(g_grave_parts) if g_grave_parts else np.zeros(0, np.int64)
    gkeys = g_grave * n + g_person
    base_nz = base[cols]
    w_nz = base_nz.copy()
    row_w = np.full(n_b, float(base.sum()))
    norm = grid_up_array(row_w, params.register_grid)
    h = np.ones(n)
    gf = np.ones(len(gkeys))
    p_u = params.p_unlisted
    grid = params.competition_grid
    # Every grave of one body: each nonzero pair is its own (grave, person).
    alone = all(len(its) == 1 for its in members)
    if record is not None:
        record.update(
            cols=cols,
            lr=lr,
            base_nz=base_nz,
            body_of=body_of,
            bounds=bounds,
            inv=inv,
            g_person=g_person,
            g_grave=g_grave,
            grave_of=grave_of,
            members=members,
            rounds=[],
        )
    for _ in range(params.competition_rounds):
        if not n_b:
            break
        norm_in = norm
        terms = (1 - p_u) * w_nz / norm[body_of] * lr
        sums = np.bincount(body_of, terms, minlength=n_b)
        z = p_u + sums
        post = terms / z[body_of]
        total = np.bincount(cols, post, minlength=n)
        by_grave = post if alone else np.bincount(inv, post, minlength=len(gkeys))
        gf = grid_up_array(np.clip(1.0 - (total[g_person] - by_grave), 0.01, 1.0), grid)
        h = grid_up_array(np.clip(1.0 - total, 0.01, 1.0), grid)
        w_nz = base_nz * (gf if alone else gf[inv])
        bh = base * h
        corr = np.bincount(
            g_grave, base[g_person] * gf - bh[g_person], minlength=len(codes)
        )
        row_w = float(bh.sum()) + corr[grave_of]
        norm = grid_up_array(row_w, params.register_grid)
        if record is not None:
            record["rounds"].append((norm_in, z, total, by_grave, gf, h, corr, sums))
    if record is not None:
        record.update(norm=norm, row_w=row_w)
    return Competition(
        base,
        h,
        grave_of,
        gkeys,
        gf,
        row_w,
        [w_nz[bounds[i] : bounds[i + 1]] for i in range(n_b)],
        norm,
    )


# --- The competition, kept and extended (new reports) ------------------------


def _grid_cell(g: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The values ``v`` whose ``grid_up(clip(v, 0.01, 1), points)`` is ``g``:
    the interval ``(lo, hi]`` of each ``g`` (the factors of the competition)."""
    g = np.asarray(g, dtype=float)
    m, e = np.frexp(g)
    k = np.rint(m * 2 * points)
    lo = np.where(
        k > points,
        np.ldexp(k - 1, e - 1) / points,
        np.ldexp(float(2 * points - 1), e - 2) / points,
    )
    lo = np.where(g == grid_up(0.01, points), -np.inf, lo)
    hi = np.where(g == grid_up(1.0, points), np.inf, g)
    return lo, hi


def _spare(a: np.ndarray, used: int) -> np.ndarray:
    """``a`` (``used`` entries) with room for about 1/16 more (later appends)."""
    return _grown(a, used + used // 16 + 1024)


def _grown(a: np.ndarray, size: int) -> np.ndarray:
    """``a`` with room for ``size`` entries (amortised growth)."""
    if len(a) >= size:
        return a
    out = np.empty(max(size, len(a) + len(a) // 4 + 16), dtype=a.dtype)
    out[: len(a)] = a
    return out


#: A body whose normaliser a new report moves by at most this share (its
#: posteriors all scale by the same factor) is not visited pair by pair in
#: ``CompetitionState.append``: the change of every person's total mass is
#: bounded instead, and only the persons whose factors that bound leaves in
#: doubt are computed again. A choice of cost, not of result.
_RHO_VISIT = 1e-3

#: Margin of the error bound on a person's total mass updated by differences
#: (``CompetitionState.append``), relative to 1 + the total: far above the
#: rounding of sums of a few thousand terms, far below a grid step (1/256).
_TOTAL_EPS = 1e-11


@dataclass
class _Round:
    """One round of ``sparse_competition``: its input prior mass (``norm``,
    per body), normalisers ``z`` (per body), each person's total mass (with
    ``err``: a bound on its distance to the exactly summed total when it was
    updated by differences), the factors it made (``gf`` per (grave, person)
    key, ``h`` per person), the graves' corrections of the prior mass, and
    per person the room its factors have before a grid point moves (``sd``
    downwards, ``su`` upwards, in ``1 - total``)."""

    norm: np.ndarray
    z: np.ndarray
    total: np.ndarray
    err: np.ndarray
    gf: np.ndarray
    h: np.ndarray
    corr: np.ndarray
    sd: np.ndarray
    su: np.ndarray
    # per body: the sum of its terms (``z`` is ``p_unlisted`` + it), as
    # ``np.bincount`` adds them (in the order of the body's pairs)
    s: np.ndarray


class CompetitionState:
    """``sparse_competition`` of a site, kept to add new persons (reports)
    without computing it again over every pair.

    The pairs of persons added later are appended after the first ones, in
    (person, body) order: every sum of the competition (a body's normaliser,
    a person's total, a (grave, person) key's mass, a grave's correction)
    then adds the same numbers in the same order as a full computation over
    the new rows, so the numbers computed again are equal to the bit. A
    person whose total changes only because the normaliser of some bodies
    changed gets its total by difference, with an error bound; its factors
    are computed again exactly only when the bound leaves a grid point in
    doubt (``Params.competition_grid``). ``append`` returns the bodies whose
    weights or prior mass changed.
    """

    def __init__(self, rec: dict[str, Any], base: np.ndarray, params: Params) -> None:
        self.p_u = params.p_unlisted
        self.points = params.competition_grid
        self.register_grid = params.register_grid
        self.n = n = len(base)
        self.base = np.array(base, dtype=float)
        self.m = m = len(rec["cols"])
        self.cols = np.asarray(rec["cols"], dtype=np.int64)
        self.lr = np.asarray(rec["lr"], dtype=float)
        self.base_nz = np.asarray(rec["base_nz"], dtype=float)
        self.body_of = np.asarray(rec["body_of"], dtype=np.int64)
        self.inv = np.asarray(rec["inv"], dtype=np.int64)
        self.bounds = np.asarray(rec["bounds"], dtype=np.int64)
        self.grave_of = np.asarray(rec["grave_of"], dtype=np.int64)
        self.members: list[list[int]] = rec["members"]
        n_b, n_g = len(self.grave_of), len(self.members)
        self.body_extra: list[list[int]] = [[] for _ in range(n_b)]
        self.q = q = len(rec["g_person"])
        self.g_person = np.asarray(rec["g_person"], dtype=np.int64)
        self.g_grave = np.asarray(rec["g_grave"], dtype=np.int64)
        self.key_bounds = np.searchsorted(self.g_grave, np.arange(n_g + 1))
        self.grave_extra: list[list[int]] = [[] for _ in range(n_g)]
        # Each person's pairs and keys (persons of the first computation).
        self.n_main = n
        self.p_perm = np.argsort(self.cols[:m], kind="stable")
        self.p_ptr = np.concatenate(
            [[0], np.cumsum(np.bincount(self.cols[:m], minlength=n))]
        ).astype(np.int64)
        self.k_perm = np.argsort(self.g_person[:q], kind="stable")
        self.k_ptr = np.concatenate(
            [[0], np.cumsum(np.bincount(self.g_person[:q], minlength=n))]
        ).astype(np.int64)
        self.p_extra: dict[int, np.ndarray] = {}
        self.k_extra: dict[int, np.ndarray] = {}
        # Pairs whose LR ``append`` set to 0 (a changed report excluded).
        self.zeroed = False
        # The last ``append``: bodies (summed over the rounds) whose change
        # was bounded, and those visited pair by pair.
        self.last_bound = self.last_full = 0
        self.moved_weights: set[int] = set()
        self.rounds: list[_Round] = []
        for norm, z, total, by_grave, gf, h, corr, sums in rec["rounds"]:
            sd, su = self._slack(total, by_grave, gf, h)
            self.rounds.append(
                _Round(
                    np.array(norm, dtype=float),
                    np.array(z, dtype=float),
                    np.array(total, dtype=float),
                    np.zeros(n),
                    _spare(np.asarray(gf, dtype=float), q),
                    np.array(h, dtype=float),
                    np.array(corr, dtype=float),
                    sd,
                    su,
                    np.array(sums, dtype=float),
                )
            )
        self.norm0 = float(grid_up(float(self.base.sum()), self.register_grid))
        self.norm = np.array(rec["norm"], dtype=float)
        self.row_w = np.array(rec["row_w"], dtype=float)
        # Room for the pairs of reports added later (``append``), taken now:
        # growing these arrays at the first new report copied them all.
        for name in ("cols", "lr", "base_nz", "body_of", "inv"):
            setattr(self, name, _spare(getattr(self, name), m))
        self.g_person = _spare(self.g_person, q)
        self.g_grave = _spare(self.g_grave, q)

    # -- sizes -------------------------------------------------------------

    def _slack(
        self, total: np.ndarray, by_grave: np.ndarray, gf: np.ndarray, h: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per person: the room of its factors (every key's and ``h``)."""
        n, q = len(total), len(gf)
        v = 1.0 - (total[self.g_person[:q]] - by_grave)
        lo, hi = _grid_cell(gf, self.points)
        vh = 1.0 - total
        lo_h, hi_h = _grid_cell(h, self.points)
        sd, su = vh - lo_h, hi_h - vh
        np.minimum.at(sd, self.g_person[:q], v - lo)
        np.minimum.at(su, self.g_person[:q], hi - v)
        return sd[:n], su[:n]

    def positions(self, i: int) -> np.ndarray:
        """Body ``i``'s pairs (positions), in the order of its row."""
        main = np.arange(self.bounds[i], self.bounds[i + 1], dtype=np.int64)
        extra = self.body_extra[i]
        return (
            np.concatenate([main, np.array(extra, dtype=np.int64)]) if extra else main
        )

    def _person_positions(self, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs of persons ``js`` (positions, in order), with the index
        into ``js`` of each."""
        parts, owner = [], []
        for k, j in enumerate(js.tolist()):
            if j < self.n_main:
                a, b = self.p_ptr[j], self.p_ptr[j + 1]
                pos = self.p_perm[a:b]
            else:
                pos = self.p_extra.get(j, np.zeros(0, dtype=np.int64))
            parts.append(pos)
            owner.append(np.full(len(pos), k, dtype=np.int64))
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(parts).astype(np.int64), np.concatenate(owner)

    def _person_keys(self, js: Iterable[int]) -> np.ndarray:
        parts = []
        for j in js:
            if j < self.n_main:
                parts.append(self.k_perm[self.k_ptr[j] : self.k_ptr[j + 1]])
            elif j in self.k_extra:
                parts.append(self.k_extra[j])
        return (
            np.concatenate(parts).astype(np.int64)
            if parts
            else np.zeros(0, dtype=np.int64)
        )

    def _grave_keys(self, gs: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        parts, owner = [], []
        for k, g in enumerate(gs):
            keys = np.arange(self.key_bounds[g], self.key_bounds[g + 1], dtype=np.int64)
            if self.grave_extra[g]:
                keys = np.concatenate([keys, np.array(self.grave_extra[g], np.int64)])
            parts.append(keys)
            owner.append(np.full(len(keys), k, dtype=np.int64))
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(parts), np.concatenate(owner)

    def _w(self, r: int, pos: np.ndarray) -> np.ndarray:
        """The weights of round ``r`` of the pairs ``pos``."""
        out: np.ndarray = self.base_nz[pos]
        if r > 0:
            out = out * self.rounds[r - 1].gf[self.inv[pos]]
        return out

    def _post(self, r: int, pos: np.ndarray) -> np.ndarray:
        rd = self.rounds[r]
        bo = self.body_of[pos]
        terms = (1 - self.p_u) * self._w(r, pos) / rd.norm[bo] * self.lr[pos]
        out: np.ndarray = terms / rd.z[bo]
        return out

    # -- new persons ---------------------------------------------------------

    def can_append(self, weights: np.ndarray) -> bool:
        """False when the persons' weights move the first prior mass off its
        grid point (then every posterior moves: compute in full)."""
        total = float(np.concatenate([self.base[: self.n], weights]).sum())
        return float(grid_up(total, self.register_grid)) == self.norm0

    def unmoved_by(self, weights: np.ndarray) -> bool:
        """True if persons with these weights and an LR of 0 at every body
        change no body's weights nor prior mass (``append`` would return no
        body): only the prior masses move, through their ``h`` of 1."""
        if not self.can_append(weights):
            return False
        n = self.n
        base = np.concatenate([self.base[:n], weights])
        h1 = float(grid_up(1.0, self.points))
        for r, rd in enumerate(self.rounds):
            h = np.concatenate([rd.h[:n], np.full(len(weights), h1)])
            row_w = float((base * h).sum()) + rd.corr[self.grave_of]
            norm = grid_up_array(row_w, self.register_grid)
            target = self.rounds[r + 1].norm if r + 1 < len(self.rounds) else self.norm
            if not np.array_equal(norm, target):
                return False
        return True

    def pair_position(self, i: int, j: int) -> int | None:
        """The position of the pair (body ``i``, person ``j``), None if none."""
        pos = self.positions(i)
        hit = np.nonzero(self.cols[pos] == j)[0]
        return int(pos[hit[0]]) if len(hit) else None

    def append(
        self,
        weights: np.ndarray,
        rows: Mapping[int, tuple[np.ndarray, np.ndarray]],
        changed: Mapping[int, float] | None = None,
    ) -> set[int]:
        """Add persons ``n .. n + len(weights) - 1``; ``rows[i]``: their
        indices (sorted) and LRs above 0 at body ``i``. Return the bodies
        whose weights (of any of their persons) or prior mass changed, and
        those with new pairs or changed LRs (``moved_weights``: the first
        ones only). ``can_append`` must be true.

        ``changed``: earlier pairs (positions, ``pair_position``) whose LR is
        now this one (0: the pair is gone; a pair of LR 0 adds 0 to every sum
        and its (grave, person) key, of no mass, has the factor ``h``, so the
        numbers are those of a computation without it). An earlier person
        with a new pair where it had none is not appended here: the caller
        computes the site in full."""
        changed = changed or {}
        chg_pos = np.array(sorted(changed), dtype=np.int64)
        if len(chg_pos):
            lrs = np.array([changed[x] for x in chg_pos.tolist()], dtype=np.float64)
            self.lr[chg_pos] = np.nan_to_num(lrs, posinf=1e300)
            self.zeroed = self.zeroed or bool(np.any(self.lr[chg_pos] == 0))
        chg_bodies = np.unique(self.body_of[chg_pos])
        chg_persons = np.unique(self.cols[chg_pos])
        n0, k = self.n, len(weights)
        n1 = n0 + k
        self.base = _grown(self.base, n1)
        self.base[n0:n1] = weights
        self.n = n1
        points = self.points
        # The new pairs, in (person, body) order, and their (grave, person) keys.
        entries = sorted(
            (int(j), i, float(t))
            for i, (js, ts) in rows.items()
            for j, t in zip(js.tolist(), np.asarray(ts).tolist(), strict=True)
        )
        m0, q0 = self.m, self.q
        m1 = m0 + len(entries)
        for name in ("cols", "body_of", "inv"):
            setattr(self, name, _grown(getattr(self, name), m1))
        self.lr = _grown(self.lr, m1)
        self.base_nz = _grown(self.base_nz, m1)
        keys: dict[tuple[int, int], int] = {}
        new_g_person, new_g_grave, by_person = [], [], defaultdict(list)
        for off, (j, i, t) in enumerate(entries):
            p = m0 + off
            g = int(self.grave_of[i])
            key = keys.get((j, g))
            if key is None:
                key = keys[(j, g)] = q0 + len(keys)
                new_g_person.append(j)
                new_g_grave.append(g)
                self.grave_extra[g].append(key)
            self.cols[p] = j
            self.body_of[p] = i
            self.inv[p] = key
            self.lr[p] = t
            self.base_nz[p] = self.base[j]
            self.body_extra[i].append(p)
            by_person[j].append(p)
        self.lr[m0:m1] = np.nan_to_num(self.lr[m0:m1], posinf=1e300)
        q1 = q0 + len(keys)
        self.g_person = _grown(self.g_person, q1)
        self.g_grave = _grown(self.g_grave, q1)
        self.g_person[q0:q1] = new_g_person
        self.g_grave[q0:q1] = new_g_grave
        self.m, self.q = m1, q1
        for j, ps in by_person.items():
            self.p_extra[j] = np.array(ps, dtype=np.int64)
        for (j, _g), key in keys.items():
            self.k_extra[j] = np.append(self.k_extra.get(j, np.zeros(0, np.int64)), key)
        new_pos = np.arange(m0, m1, dtype=np.int64)
        new_bodies = np.unique(self.body_of[new_pos])
        new_graves = sorted({g for (_j, g) in keys})
        h1 = float(grid_up(1.0, points))
        lo1, hi1 = _grid_cell(np.array([h1]), points)
        for rd in self.rounds:
            for name in ("total", "err", "h", "sd", "su"):
                setattr(rd, name, _grown(getattr(rd, name), n1))
            rd.total[n0:n1], rd.err[n0:n1], rd.h[n0:n1] = 0.0, 0.0, h1
            rd.sd[n0:n1], rd.su[n0:n1] = 1.0 - lo1[0], hi1[0] - 1.0
            rd.gf = _grown(rd.gf, q1)
            rd.gf[q0:q1] = 1.0
        # The rounds again, from what changed.
        dirty = np.zeros(0, dtype=np.int64)  # earlier pairs whose weight changed
        d_norm = np.zeros(0, dtype=np.int64)  # bodies whose prior mass changed
        old_norm: dict[int, float] = {}
        old_gf: dict[int, float] = {}
        p_u = self.p_u
        n_b = len(self.grave_of)
        # The new pairs of each new person (positions, in body order).
        starts = np.searchsorted(self.cols[m0:m1], np.arange(n0, n1 + 1)) + m0
        self.last_bound = self.last_full = 0
        for r, rd in enumerate(self.rounds):
            moved = np.unique(np.concatenate([self.body_of[dirty], d_norm]))
            # The bodies whose only change is new pairs: their sums of terms
            # with the new terms added, in the order ``np.bincount`` adds them.
            sums = rd.s.copy()
            t_new = (
                (1 - p_u)
                * self._w(r, new_pos)
                / rd.norm[self.body_of[new_pos]]
                * self.lr[new_pos]
            )
            for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
                sums[self.body_of[a:b]] += t_new[a - m0 : b - m0]
            # The bodies whose only change is pairs' LRs (and new pairs):
            # their sums again over all their pairs, as ``np.bincount`` adds
            # them (a changed term is not last).
            chg_only = np.setdiff1d(chg_bodies, moved)
            if len(chg_only):
                cpos = np.concatenate([self.positions(i) for i in chg_only.tolist()])
                cbo = self.body_of[cpos]
                sums[chg_only] = np.bincount(
                    np.searchsorted(chg_only, cbo),
                    (1 - p_u) * self._w(r, cpos) / rd.norm[cbo] * self.lr[cpos],
                    minlength=len(chg_only),
                )
            z_new = p_u + sums
            # Their posteriors (but a changed pair's) move by the factor
            # z_old / z_new: by less than ``rho`` relatively. Those that move
            # little are not visited pair by pair: every person's total gets
            # that bound in its error (the changed pairs' persons are
            # computed exactly below).
            rho = np.abs(rd.z / z_new - 1.0)
            cand = np.setdiff1d(np.union1d(new_bodies, chg_only), moved)
            far = cand[~(rho[cand] <= _RHO_VISIT)]  # (NaN: visited)
            full = np.union1d(moved, far)
            # A grave of several bodies: all of them (their keys' masses).
            graves = np.unique(self.grave_of[full])
            bodies = np.array(
                sorted({i for g in graves.tolist() for i in self.members[g]}),
                dtype=np.int64,
            )
            bound = np.setdiff1d(cand, bodies)
            self.last_bound += len(bound)
            self.last_full += len(bodies)
            if len(bound):
                rho_max = float(rho[bound].max())
                e = rd.err[:n0]
                rd.err[:n0] = (
                    e
                    + (rho_max + _TOTAL_EPS) * (np.abs(rd.total[:n0]) + e)
                    + _TOTAL_EPS
                )
            pos = (
                np.concatenate([self.positions(i) for i in bodies.tolist()])
                if len(bodies)
                else np.zeros(0, dtype=np.int64)
            )
            bo = self.body_of[pos]
            # Old posteriors of these pairs (0 for the new ones).
            w_new = self._w(r, pos)
            w_old = w_new.copy()
            if old_gf:
                ks = self.inv[pos]
                for t in np.nonzero(np.isin(ks, list(old_gf)))[0].tolist():
                    w_old[t] = self.base_nz[pos[t]] * old_gf[int(ks[t])]
            norm_old = rd.norm.copy()
            for i, v in old_norm.items():
                norm_old[i] = v
            z_old = rd.z[bo]
            # (A changed pair's old term used its old LR: its person's total
            # is computed exactly below, not by difference.)
            post_old = (1 - p_u) * w_old / norm_old[bo] * self.lr[pos] / z_old
            post_old[pos >= m0] = 0.0
            terms = (1 - p_u) * w_new / rd.norm[bo] * self.lr[pos]
            local = np.searchsorted(bodies, bo)
            rd.s[bound] = sums[bound]
            rd.z[bound] = z_new[bound]
            rd.s[bodies] = np.bincount(local, terms, minlength=len(bodies))
            rd.z[bodies] = p_u + rd.s[bodies]
            post = terms / rd.z[bo]
            # Persons whose total moved: by difference, unless in doubt.
            c = self.cols[pos]
            persons, pinv = np.unique(c, return_inverse=True)
            d = np.bincount(pinv, post - post_old, minlength=len(persons))
            est = rd.total[persons] + d
            err = rd.err[persons] + _TOTAL_EPS * (1.0 + np.abs(est))
            sd = rd.sd[persons] - d
            su = rd.su[persons] + d
            ks, kinv = np.unique(self.inv[pos], return_inverse=True)
            bg = np.bincount(kinv, post, minlength=len(ks))
            kp = np.searchsorted(persons, self.g_person[ks])
            v = 1.0 - (est[kp] - bg)
            lo, hi = _grid_cell(rd.gf[ks], points)
            np.minimum.at(sd, kp, v - lo)
            np.minimum.at(su, kp, hi - v)
            ok = (sd > err) & (su > err) & (persons < n0)
            rd.total[persons[ok]] = est[ok]
            rd.err[persons[ok]] = err[ok]
            rd.sd[persons[ok]] = sd[ok]
            rd.su[persons[ok]] = su[ok]
            # The others exactly: their totals, keys and factors (the new
            # persons, those in doubt here, and those whose bound error
            # leaves a grid point in doubt).
            exact = persons[~ok]
            if len(bound):
                doubt = np.nonzero(
                    (rd.sd[:n0] <= rd.err[:n0]) | (rd.su[:n0] <= rd.err[:n0])
                )[0]
                exact = np.union1d(exact, doubt)
            exact = np.union1d(exact, np.arange(n0, n1, dtype=np.int64))
            exact = np.union1d(exact, chg_persons)
            epos, eown = self._person_positions(exact)
            epost = self._post(r, epos)
            etotal = np.bincount(eown, epost, minlength=len(exact))
            eks, ekinv = np.unique(self.inv[epos], return_inverse=True)
            ebg = np.bincount(ekinv, epost, minlength=len(eks))
            ekp = np.searchsorted(exact, self.g_person[eks])
            gf_new = grid_up_array(
                np.clip(1.0 - (etotal[ekp] - ebg), 0.01, 1.0), points
            )
            h_new = grid_up_array(np.clip(1.0 - etotal, 0.01, 1.0), points)
            changed_k = eks[gf_new != rd.gf[eks]]
            old_gf = {int(x): float(rd.gf[x]) for x in changed_k.tolist()}
            changed_h = exact[h_new != rd.h[exact]]
            rd.gf[eks] = gf_new
            rd.h[exact] = h_new
            rd.total[exact] = etotal
            rd.err[exact] = 0.0
            if len(exact):
                sd_e, su_e = self._slack_of(exact, etotal, eks, ekp, ebg, rd)
                rd.sd[exact], rd.su[exact] = sd_e, su_e
            # The graves' corrections, the prior masses.
            dirty_graves = set(self.g_grave[changed_k].tolist())
            dirty_graves |= set(
                self.g_grave[self._person_keys(changed_h.tolist())].tolist()
            )
            bh = self.base[:n1] * rd.h[:n1]
            if dirty_graves:
                gs = sorted(dirty_graves)
                gk, gown = self._grave_keys(gs)
                gp = self.g_person[gk]
                rd.corr[gs] = np.bincount(
                    gown, self.base[gp] * rd.gf[gk] - bh[gp], minlength=len(gs)
                )
            # A grave whose only change is new keys (at the end of its keys):
            # their terms added to its sum, in the order ``np.bincount`` adds.
            for g in new_graves:
                if g in dirty_graves:
                    continue
                extra = self.grave_extra[g]
                first = len(extra)
                while first and extra[first - 1] >= q0:
                    first -= 1
                c = rd.corr[g]
                for key in extra[first:]:
                    j = self.g_person[key]
                    c += self.base[j] * rd.gf[key] - bh[j]
                rd.corr[g] = c
            row_w = float(bh.sum()) + rd.corr[self.grave_of]
            norm = grid_up_array(row_w, self.register_grid)
            target = self.rounds[r + 1].norm if r + 1 < len(self.rounds) else self.norm
            d_norm = np.nonzero(norm != target)[0].astype(np.int64)
            old_norm = {i: float(target[i]) for i in d_norm.tolist()}
            target[:] = norm
            if r + 1 == len(self.rounds):
                self.row_w = row_w
            # Pairs whose weight changed (their keys' factors).
            dirty = (
                epos[np.isin(self.inv[epos], changed_k)]
                if len(changed_k)
                else (np.zeros(0, dtype=np.int64))
            )
        if not self.rounds:
            self.row_w = np.full(n_b, float(self.base[:n1].sum()))
            self.norm = grid_up_array(self.row_w, self.register_grid)
            self.moved_weights = set()
            return set(np.concatenate([new_bodies, chg_bodies]).tolist())
        self.moved_weights = set(np.concatenate([self.body_of[dirty], d_norm]).tolist())
        return set(
            np.concatenate(
                [self.body_of[dirty], d_norm, new_bodies, chg_bodies]
            ).tolist()
        )

    def _slack_of(
        self,
        persons: np.ndarray,
        total: np.ndarray,
        ks: np.ndarray,
        kp: np.ndarray,
        bg: np.ndarray,
        rd: _Round,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact room of these persons' factors (all their keys: ``ks``,
        person ``kp`` of each, masses ``bg``)."""
        vh = 1.0 - total
        lo_h, hi_h = _grid_cell(rd.h[persons], self.points)
        sd, su = vh - lo_h, hi_h - vh
        v = 1.0 - (total[kp] - bg)
        lo, hi = _grid_cell(rd.gf[ks], self.points)
        np.minimum.at(sd, kp, v - lo)
        np.minimum.at(su, kp, hi - v)
        return sd, su

    # -- the weights now ------------------------------------------------------

    def competition(self) -> Competition:
        """The weights of the last round, as ``sparse_competition`` returns
        them (each body's ``w_nz`` computed when asked)."""
        return _StateCompetition(self)


class _LazyWeights:
    def __init__(self, state: CompetitionState) -> None:
        self.state = state

    def __getitem__(self, i: int) -> np.ndarray:
        s = self.state
        pos = s.positions(i)
        if s.zeroed:
            # (Pairs whose LR is now 0 are in no row.)
            pos = pos[s.lr[pos] > 0]
        out: np.ndarray = s.base_nz[pos]
        if s.rounds:
            out = out * s.rounds[-1].gf[s.inv[pos]]
        return out

    def __len__(self) -> int:
        return len(self.state.grave_of)


class _StateCompetition(Competition):
    """``Competition`` read from a ``CompetitionState``."""

    def __init__(self, state: CompetitionState) -> None:
        n = state.n
        last = state.rounds[-1] if state.rounds else None
        super().__init__(
            state.base[:n],
            last.h[:n] if last is not None else np.ones(n),
            state.grave_of,
            np.zeros(0, dtype=np.int64),
            np.zeros(0),
            state.row_w,
            _LazyWeights(state),  # type: ignore[arg-type]
            state.norm,
        )
        self.state = state

    def weights(self, i: int, js: np.ndarray) -> np.ndarray:
        s = self.state
        js = np.asarray(js, dtype=np.int64)
        if not len(js):
            return np.zeros(0)
        keys, _own = s._grave_keys([int(s.grave_of[i])])
        persons = s.g_person[keys]  # sorted: the first ones', then new ones
        f = self.h[js].copy()
        if len(keys) and s.rounds:
            pos = np.minimum(np.searchsorted(persons, js), len(keys) - 1)
            hit = persons[pos] == js
            f[hit] = s.rounds[-1].gf[keys[pos[hit]]]
        out: np.ndarray = self.base[js] * f
        return out


def _posteriors(
    site: _Site,
    grave_bodies: Sequence[BodyIn],
    rows: Mapping[str, SparseRow],
    comp: Competition,
    order: Mapping[str, int],
) -> dict[str, tuple[combine.BodyPosterior, list[str], float]]:
    params, persons = site.params, site.persons
    p_u = params.p_unlisted
    n = len(persons)
    width = params.keep_per_body if len(grave_bodies) == 1 else params.joint_extra
    keep: dict[str, list[str]] = {}
    for b in grave_bodies:
        # Within a grave the joint solution handles competition; the weights
        # carry the competition with bodies in other graves.
        i = order[b.body_id]
        r = rows[b.body_id]
        w = comp.w_nz[i]
        total_w = float(comp.norm[i]) or 1.0
        single = (1 - p_u) * w / total_w * r.total
        single = single / (p_u + single.sum())
        ranked = _top(single, width)
        top = [
            persons[int(r.idx[k])].person_id for k in ranked.tolist() if single[k] > 0
        ]
        pairs = r.pairs
        extra = [
            pid
            for pid in sorted(pairs, key=site.index.__getitem__)
            if pairs[pid].lr["journal"] > 1
            and pid not in top
            and not pairs[pid].excluded
        ]
        keep[b.body_id] = top + extra
    union = list(dict.fromkeys(pid for b in grave_bodies for pid in keep[b.body_id]))
    union_idx = np.array([site.index[pid] for pid in union], dtype=np.int64)

    def cands(b: BodyIn) -> list[Candidate]:
        i = order[b.body_id]
        r = rows[b.body_id]
        pairs = r.pairs
        w_union = comp.weights(i, union_idx)
        out = []
        memo = site.cache.cands
        for pid, j, wj in zip(union, union_idx.tolist(), w_union.tolist(), strict=True):
            pr = pairs.get(pid)
            if pr is None:
                pr = pairs[pid] = site.pair_of(b, pid)
            with_pot = pid in keep[b.body_id]
            # The same pair (object), weight and potentials: the same candidate.
            was = memo.get((b.body_id, pid))
            if was is not None and was[0] is pr and was[1] == wj and was[2] == with_pot:
                out.append(was[3])
                continue
            c = _candidate(
                pr,
                persons[j],
                params,
                with_pot,
                site.table.records[j],
                site.pm[b.body_id],
                weight=wj,
                potentials=site.cache.pots,
            )
            memo[(b.body_id, pid)] = (pr, wj, with_pot, c)
            out.append(c)
        if n > len(union) or comp.norm[i] != comp.row_w[i]:
            # The rest of the prior's mass (``norm`` is on the grid: the
            # others' weight holds the rounding, whose LR is 0).
            w_rest = float(comp.norm[i]) - float(w_union.sum())
            rest = ~np.isin(r.idx, union_idx)
            lr = float((comp.w_nz[i][rest] * r.total[rest]).sum())
            if w_rest > 0:
                out.append(
                    Candidate(OTHERS, (Evidence("others", lr / w_rest),), w_rest)
                )
        return out

    out: dict[str, tuple[combine.BodyPosterior, list[str], float]] = {}
    if len(grave_bodies) == 1:
        b = grave_bodies[0]
        bp, others = _strip(
            combine.identify_body(b.body_id, cands(b), p_u, params.max_suggestions)
        )
        out[b.body_id] = (bp, [c.person_id for c in bp.candidates], others)
        return out
    # Several bodies: they compete for the candidates (one person, one body).
    res = combine.identify_grave(
        {b.body_id: cands(b) for b in grave_bodies},
        p_u,
        max_exact=20_000,
        k_best=400,
        max_suggestions=params.max_suggestions,
    )
    for b in grave_bodies:
        bp, others = _strip(res[b.body_id])
        kept = [
            c.person_id
            for c in bp.candidates
            if c.person_id in keep[b.body_id] or c.posterior > 1e-4
        ]
        out[b.body_id] = (bp, kept, others)
    return out


def _top(values: np.ndarray, width: int) -> np.ndarray:
    """``np.argsort(-values, kind="stable")[:width]`` without sorting them all."""
    if len(values) <= width or width <= 0:
        return np.argsort(-values, kind="stable")[: max(width, 0)]
    kth = np.partition(values, len(values) - width)[len(values) - width]
    pick = np.nonzero(values >= kth)[0]  # every tie of the width-th value
    return pick[np.argsort(-values[pick], kind="stable")][:width]


def _single(
    lrs: Mapping[str, float], weights: Mapping[str, float], p_u: float
) -> tuple[dict[str, float], float]:
    total_w = sum(weights.values()) or 1.0
    terms = {pid: (1 - p_u) * weights[pid] / total_w * lr for pid, lr in lrs.items()}
    z = p_u + sum(terms.values())
    return {pid: t / z for pid, t in terms.items()}, p_u / z


def _candidate(
    pr: PairResult,
    person: PersonIn,
    params: Params,
    with_potentials: bool,
    am: AMRecord | None = None,
    pm: PMRecord | None = None,
    has_dna: bool = False,
    weight: float | None = None,
    potentials: dict[tuple[str, str], tuple[Potential, ...]] | None = None,
) -> Candidate:
    ev = []
    for kind in KINDS:
        lr = pr.lr[kind]
        if kind == "physical" and pr.excluded:
            lr = 0.0
        text = {
            "journal": pr.journal_text,
            "dna": pr.dna_text,
        }.get(kind, ("", ""))
        ev.append(Evidence(kind, lr, text[0], text[1]))
    pots: tuple[Potential, ...] = ()
    if with_potentials and am is not None and pm is not None:
        key = (pm.body_id, person.person_id)
        found = potentials.get(key) if potentials is not None else None
        if found is None:
            found = combine.physical_potentials(am, pm)
            if potentials is not None:
                potentials[key] = found
        pots = found
        have = set((person.family or {}).get("relations") or [])
        table = {r: v for r, v in params.dna_expected.items() if r not in have}
        if table:
            pots += combine.dna_potentials(person.person_id, table)
    w = person.weight if weight is None else weight
    return Candidate(person.person_id, tuple(ev), w, pots)


OTHERS = "~others"


def _strip(bp: combine.BodyPosterior) -> tuple[combine.BodyPosterior, float]:
    others = sum(c.posterior for c in bp.candidates if c.person_id == OTHERS)
    cands = tuple(c for c in bp.candidates if c.person_id != OTHERS)
    return (
        combine.BodyPosterior(
            bp.body_id, cands, bp.prior_unlisted, bp.posterior_unlisted, bp.method
        ),
        others,
    )


def _records(person: PersonIn, body: BodyIn) -> tuple[AMRecord, PMRecord]:
    return (
        AMRecord.from_dict({**person.am, "am_case_no": person.person_id}),
        PMRecord.from_dict({**body.pm, "body_id": body.body_id}),
    )


def recombine(
    pairs: Mapping[str, PairResult],
    weights: Mapping[str, float],
    p_u: float,
    kinds: Iterable[str],
) -> tuple[dict[str, float], float]:
    """Single-body posteriors using only some kinds of evidence (for evaluation)."""
    kinds = set(kinds)
    lrs = {}
    for pid, pr in pairs.items():
        lr = 1.0
        for k in kinds:
            lr *= pr.lr[k]
        if "physical" in kinds and any(e["kind"] == "physical" for e in pr.exclusions):
            lr = 0.0
        if "dna" in kinds and any(e["kind"] == "dna" for e in pr.exclusions):
            lr = 0.0
        lrs[pid] = lr
    return _single(lrs, weights, p_u)


def recombine_body(
    result: BodyResult, person_ids: Sequence[str], p_u: float, kinds: Iterable[str]
) -> tuple[dict[str, float], float]:
    """``recombine`` over a body's computed pairs, uniform prior (for evaluation).

    Blocked pairs count with LR 0 whatever the kinds: with blocking, "journal
    only" and "physical only" also drop the persons that DNA or the physical
    rules exclude.
    """
    kinds = set(kinds)
    use = [i for i, k in enumerate(KINDS) if k in kinds]
    lrs: dict[int, float] = {}
    prods = np.prod(result.live_lr[use], axis=0) if use else np.ones(len(result.live))
    for j, v in zip(result.live.tolist(), prods.tolist(), strict=True):
        lrs[j] = v
    index = {pid: j for j, pid in enumerate(person_ids)}
    for pid, pr in result.pairs.items():
        if not pr.excluded:
            continue
        lr = math.prod(pr.lr[k] for k in KINDS if k in kinds)
        if "physical" in kinds and any(e["kind"] == "physical" for e in pr.exclusions):
            lr = 0.0
        if "dna" in kinds and any(e["kind"] == "dna" for e in pr.exclusions):
            lr = 0.0
        lrs[index[pid]] = lr
    n = max(1, result.n_considered)
    terms = {person_ids[j]: (1 - p_u) / n * lrs[j] for j in sorted(lrs)}
    z = p_u + sum(terms.values())
    return {pid: t / z for pid, t in terms.items()}, p_u / z


def _near_threshold(result: BodyResult | None, bound: float, cache: SiteCache) -> bool:
    """A posterior of the body that the bound could move below one of the
    cache's thresholds."""
    if result is None:
        return True
    return any(
        t <= c.posterior < t + bound
        for c in result.posterior.candidates
        for t in cache.thresholds
    )


def _near_threshold_either(result: BodyResult, bound: float, cache: SiteCache) -> bool:
    """A posterior of the body within ``bound`` of one of the cache's
    thresholds, above or below (a bound that moves posteriors either way)."""
    return any(
        abs(c.posterior - t) <= bound
        for c in result.posterior.candidates
        for t in cache.thresholds
    )


def _same_persons(a: Sequence[PersonIn], b: Sequence[PersonIn]) -> bool:
    """The same reports: the same objects (the worker's register), else equal."""
    return len(a) == len(b) and (
        all(map(operator.is_, a, b)) or all(map(operator.eq, a, b))
    )


def hold_persons(
    cache: SiteCache,
    persons: Sequence[PersonIn],
    new: Sequence[PersonIn],
    below: float,
    changed: Sequence[PersonIn] = (),
    dna: DnaLRs | None = None,
) -> dict[str, float] | None:
    """New or changed reports that would move no body of the cache's site by
    ``below`` or more: held by the cache (``SiteCache.held``, ``SiteCache.
    changed_held``: the site's next run takes them) without a run, and the
    bodies they reach deferred (``SiteCache.deferred``, with their bounds);
    returns those bodies (empty: the reports reach no body). None when a run
    is needed: the register's or a body's prior mass or a competition weight
    would move, a changed report is a candidate at a body of the site (or
    among its listed exclusions, or its weight changed), or the bound is
    reached.

    ``persons``: the open reports now: the cache's last run's (the same
    objects, but for the changed reports), then the reports held, then
    ``new``. ``dna``: the DNA LRs of the new and changed families against
    (at least) the site's bodies, when the caller has them (else screened
    here). The caller checks that no journal names these reports.

    The bound: with ``t_b`` a report's term at body ``b`` (its prior times
    its LR, at most ``(1 - p_unlisted) * weight / prior mass * LR``: the
    competition only lowers a weight) and ``u_b`` the body's posterior of
    "none of these", the normaliser of a grave's bodies grows by less than
    ``D = sum_b |change of t_b| * u_b / p_unlisted`` relatively
    (``u_b / p_unlisted`` is the share of it that the assignments with ``b``
    unlisted hold, and each of them gains ``t_b``; for a body alone it is
    ``t_b / z_b``, a new report's own posterior there). A new report moves
    every posterior by less than ``D`` and enters a body's candidates only
    below it; a changed one too, its own posterior included (``_move_bound``
    with ``z`` 1: ``D`` is relative). The bounds of successive reports add
    up.
    """
    site: _Site | None = cache.site
    state: CompetitionState | None = cache.comp_state
    last_p = cache.person_list
    if site is None or state is None or last_p is None or cache.last_key is None:
        return _run_needed(cache, "no last run")
    params: Params = cache.last_key[0]
    p_u = params.p_unlisted
    k, held = len(last_p), cache.held
    ids_new = {p.person_id for p in new}
    now_changed = {p.person_id: p for p in changed}
    allowed = {**cache.changed_held, **now_changed}
    if (
        not p_u > 0
        or state.n != k
        or len(cache.last) != len(site.bodies)
        or site.bodies is not cache.body_list
        and list(site.bodies) != list(cache.body_list or ())
        or len(persons) != k + len(held) + len(new)
        or not _prefix_same(persons[:k], last_p, allowed, site.index)
        or not _same_persons(persons[k : k + len(held)], held)
        or [p.person_id for p in persons[k + len(held) :]] != [p.person_id for p in new]
        or register_size(len(persons), params) != cache.last_key[1]
        or any(p.person_id in site.placed for p in (*new, *changed))
        or any(p.person_id in site.index for p in new)
        or any(pid in ids_new or pid in now_changed for (_b, pid) in site.overrides)
    ):
        return _run_needed(cache, "inputs")
    for p in changed:
        j = site.index.get(p.person_id)
        if j is None or j >= k or p.weight != last_p[j].weight:
            return _run_needed(cache, "weight")
    # A changed report shown at the site (a candidate, a pair computed one by
    # one) is computed; one among a body's listed exclusions only when its
    # AM record is the same (only its family changed: the same physical
    # reasons) and it stays excluded there (below).
    if changed and _shown_at_site(cache, set(now_changed)):
        return _run_needed(cache, "shown")
    same_am = all(p.am == last_p[site.index[p.person_id]].am for p in changed)
    listed_at = _listed_at(cache, set(now_changed))
    if listed_at and not same_am:
        return _run_needed(cache, "listed")
    weights = np.array([p.weight for p in (*held, *new)], dtype=float)
    if not state.unmoved_by(weights):
        return _run_needed(cache, "grid")
    bodies = list(site.bodies)
    by_grave: dict[str, list[BodyIn]] = defaultdict(list)
    for b in bodies:
        by_grave[b.grave_id].append(b)
    reach: dict[str, float] = defaultdict(float)
    ask = [*new, *changed]
    if ask:
        found = dna
        if found is None:
            found = dna_lrs(
                bodies,
                ask,
                params.dna_dropout,
                site.dna_threshold,
                params.lineage_tables,
            )
        sub = _Site(
            bodies,
            ask,
            (),
            params,
            {},
            site.n_graves,
            site.grave_numbers,
            person_table(ask),
            site.dna_threshold,
            found,
            shared=site,
        )
        sub.evidence_all(bodies)
        if dna is None:
            # (The site's run, if one is needed, takes them and their
            # evidence: ``_family_change``.)
            cache.hold_found = (list(ask), found, sub)
        base = np.array([p.weight for p in ask], dtype=float)
        # The changed reports' columns in the last run.
        cols = np.array([site.index[p.person_id] for p in changed], dtype=np.int64)
        first_changed = len(new)
        for b in bodies:
            idx, phys, dna_lr = sub.evidence_memo(b)
            last = cache.last[b.body_id]
            if last.result is None:
                return _run_needed(cache, "no last result")
            scale = (1.0 - p_u) / (last.norm or 1.0)
            delta = 0.0
            if len(idx):
                none_lr = site.none_lr[b.grave_id]
                lr = (1.0 / none_lr if none_lr > 1.0 else 1.0) * phys * dna_lr
                delta_new = scale * base[idx] * lr
                delta += float(delta_new[idx < first_changed].sum())
                for c, lr_c in zip(
                    (idx[idx >= first_changed] - first_changed).tolist(),
                    lr[idx >= first_changed].tolist(),
                    strict=True,
                ):
                    # Its weight here as in the last run when it had a term.
                    w_old, t_old = _term(last, int(cols[c]), scale)
                    w = w_old if w_old is not None else float(base[first_changed + c])
                    delta += abs(scale * w * lr_c - t_old)
            # A changed report no longer above 0 here: its whole last term.
            if len(cols):
                seen = set(idx[idx >= first_changed].tolist()) if len(idx) else set()
                for c, j in enumerate(cols.tolist()):
                    if first_changed + c not in seen:
                        w_old, t_old = _term(last, j, scale)
                        delta += t_old
                        if w_old is not None and _would_list(cache, b.body_id, j):
                            # newly excluded: among the listed
                            return _run_needed(cache, "listed")
                    elif (b.body_id, changed[c].person_id) in listed_at:
                        # listed as excluded, no longer excluded
                        return _run_needed(cache, "listed")
            if not np.isfinite(delta):
                return _run_needed(cache, "bound")
            if delta > 0:
                reach[b.grave_id] += (
                    delta * last.result.posterior.posterior_unlisted / p_u
                )
    out: dict[str, float] = {}
    for g, d in reach.items():
        if d <= 0:
            continue
        if changed:
            if not d < 0.5:
                return _run_needed(cache, "bound")
            d = _move_bound(d, 1.0)
        for b in by_grave[g]:
            bound = cache.deferred.get(b.body_id, 0.0) + d
            if not bound < below or _near_threshold(
                cache.last[b.body_id].result, bound, cache
            ):
                return _run_needed(
                    cache, f"bound {bound:.0e}" if not bound < below else "threshold"
                )
            out[b.body_id] = bound
    cache.hold_reason = ""
    cache.held.extend(new)
    cache.changed_held.update(now_changed)
    cache.deferred.update(out)
    return out


def _move_bound(d: float, z: float) -> float:
    """How far any posterior may move when terms change by ``d`` in all
    (the sum of their absolute changes) under a normaliser ``z``: ``d / z``.

    A posterior is ``P(E) = W_E / W``: the terms (at a grave, the
    assignments) of an outcome ``E`` (a person at a body, "none of these",
    the candidates not listed) over all of them, ``W = z``. With ``D_E`` the
    change of ``E``'s and ``D_R`` of the rest's (``|D_E| + |D_R| <= d``) and
    ``P'`` the new posteriors, ``P'(E) - P(E) = (D_E (1 - P'(E)) - P'(E)
    D_R) / W``, at most ``max(1 - P'(E), P'(E)) * d / W <= d / z`` either
    way: a changed person's own posterior too, whether terms grow or shrink
    (the total variation between the two distributions). Until stop 37 the
    bounds were ``2 d / (z - d)``, more than twice this: fewer bodies and
    sites were left with their last result than could be. (Tested against
    full computations, ``tests/test_incremental.py``, and on random terms,
    ``tests/test_move_bound.py``.)"""
    return d / z


def _run_needed(cache: SiteCache, why: str) -> dict[str, float] | None:
    """``hold_persons``'s None, with why (``SiteCache.hold_reason``)."""
    cache.hold_reason = why
    return None


def _term(last: _Reuse, j: int, scale: float) -> tuple[float | None, float]:
    """Person ``j``'s weight and term at the body of ``last`` in its run
    (None and 0: LR 0 there)."""
    pos = int(np.searchsorted(last.live, j))
    if pos < len(last.live) and int(last.live[pos]) == j:
        w = float(last.w_nz[pos])
        return w, scale * w * float(last.total[pos])
    return None, 0.0


def _shown_at_site(cache: SiteCache, pids: set[str]) -> bool:
    """Is one of these reports a candidate of a body of the site, or a pair
    computed one by one (what a run shows of it would change)?"""
    for last in cache.last.values():
        res = last.result
        if res is None:
            return True
        if _shows(res, pids):
            return True
    return False


def _shows(res: BodyResult, pids: set[str]) -> bool:
    """Is one of these reports a candidate of the body, or a pair computed
    one by one there?"""
    return not (
        pids.isdisjoint(map(_PERSON_ID, res.posterior.candidates))
        and pids.isdisjoint(res.pairs)
    )


_PERSON_ID = operator.attrgetter("person_id")


def _listed_at(cache: SiteCache, pids: set[str]) -> set[tuple[str, str]]:
    """The (body, report) pairs of these reports among the bodies' listed
    exclusions."""
    out: set[tuple[str, str]] = set()
    for body_id, last in cache.last.items():
        listed = last.result.blocked_listed if last.result is not None else ()
        if listed:
            out.update((body_id, pid) for pid in pids.intersection(map(_FIRST, listed)))
    return out


_FIRST = operator.itemgetter(0)


def _would_list(cache: SiteCache, body_id: str, j: int) -> bool:
    """Would person ``j``, newly excluded at the body, be among its listed
    exclusions (the first ``EXCLUSIONS_LISTED`` by index)?"""
    site = cache.site
    was = cache.listed.get(body_id)
    first = was[0] if was else ()
    if len(first) < EXCLUSIONS_LISTED:
        return True
    last_j = site.index.get(first[-1]) if site is not None else None
    return last_j is None or j < last_j


def _prefix_same(
    now: Sequence[PersonIn],
    last: Sequence[PersonIn],
    allowed: Mapping[str, PersonIn],
    index: Mapping[str, int],
) -> bool:
    """``now`` is ``last`` (the same reports), but at the positions of the
    reports of ``allowed``, which hold those (changed) reports."""
    if len(now) != len(last):
        return False
    cuts = sorted(index[pid] for pid in allowed if pid in index)
    if len(cuts) != len(allowed):
        return False
    # The positions holding other objects (found once for every site of a
    # worker's update: the register's lists): equal reports there, but at
    # the cuts, checked below.
    diff = reread_positions(last, now)
    if diff is not None:
        at = set(cuts)
        return all(now[i] == last[i] for i in diff if i not in at) and all(
            _allowed_at(now[j], allowed) for j in cuts
        )
    start = 0
    for j in [*cuts, len(now)]:
        if not _same_persons(now[start:j], last[start:j]):
            return False
        if j < len(now) and not _allowed_at(now[j], allowed):
            return False
        start = j + 1
    return True


def _allowed_at(p: PersonIn, allowed: Mapping[str, PersonIn]) -> bool:
    """``p`` is the changed report ``allowed`` holds for its id."""
    want = allowed.get(p.person_id)
    return want is not None and (p is want or p == want)
