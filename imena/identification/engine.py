"""The identification computation on plain data: no Django in here.

``imena.identification.adapters`` builds the inputs from the models (or from a
simulator folder); ``services`` stores what comes out. Everything here calls
the pure packages ``matching`` (physical comparison, journal LR, combination)
and ``kinship`` (DNA screening). See ``docs/identification.md``.

Steps for a site:

1. every open missing person is a candidate for every body (nobody plausible
   is dropped); hard exclusions (physical rules, DNA inconsistencies) are kept
   with their reasons;
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

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from matching import combine, physical
from matching.combine import Candidate, Evidence, Potential
from matching.documentary import JournalRecord, Reliability, journal_lrs, unlisted_lr
from matching.records import AMRecord, PMRecord

#: Evidence kinds, in display order.
KINDS = ("journal", "physical", "dna")

#: A DNA LR below this (log10) is treated as an exclusion by DNA.
DNA_EXCLUDE_LOG10 = -12.0


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
    dna_dropout: float = 0.05
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


@dataclass
class SiteResult:
    bodies: dict[str, BodyResult]
    params: Params
    notes: list[str] = field(default_factory=list)
    # The physical model used (site age distribution, within-mouth dependence).
    physical_model: physical.PhysicalModel = physical.DEFAULT_MODEL


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


def dna_lrs(
    bodies: Sequence[BodyIn], persons: Sequence[PersonIn], dropout: float
) -> tuple[dict[tuple[str, str], float], dict[str, list[str]], list[str]]:
    """log10 LR per (body, person) with typed references; relations per person."""
    # Submodules: the editable install may expose `kinship` as a namespace package.
    from kinship.case import Family, Pedigree, extend_markers, read_profile
    from kinship.markers import load_frequency_table
    from kinship.screen import screen

    notes: list[str] = []
    fams = [(p, p.family) for p in persons if p.family and p.family.get("genotypes")]
    victims_raw = {b.body_id: b.dna for b in bodies if b.dna and b.dna.get("genotypes")}
    if not fams or not victims_raw:
        return {}, {}, notes
    table = load_frequency_table()
    loci: set[str] = set()
    for v in victims_raw.values():
        loci |= set(v["genotypes"])
    for _p, f in fams:
        for g in f["genotypes"].values():
            loci |= set(g)
    markers = {k: m for k, m in table.items() if k in loci}
    unknown: set[str] = set()
    for locus in sorted(loci - set(markers)):
        notes.append(f"locus {locus} has no allele frequencies; ignored")
    victims = {
        name: read_profile(v["genotypes"], name, markers, unknown)
        for name, v in victims_raw.items()
    }
    targets = []
    relations: dict[str, list[str]] = {}
    for p, f in fams:
        try:
            ped = Pedigree.from_lists(
                f["id"], f["fid"], f["mid"], f["sex"], name=p.person_id
            )
        except Exception as e:  # noqa: BLE001 - a bad pedigree skips one family
            notes.append(f"{p.label}: pedigree not usable ({e})")
            continue
        genos = {
            str(m): read_profile(g, str(m), markers, unknown)
            for m, g in f["genotypes"].items()
        }
        fam = Family(p.person_id, ped, genos)
        targets.append((fam, str(f["missing"])))
        relations[p.person_id] = list(f.get("relations") or [])
    profiles = list(victims.values()) + [
        g for fam, _m in targets for g in fam.genotypes.values()
    ]
    markers = extend_markers(markers, profiles)
    res = screen(victims, targets, markers, threshold=1e-300, top_k=1, dropout=dropout)
    out: dict[tuple[str, str], float] = {}
    for c in res.candidates:
        out[(c.victim, c.family)] = c.log10_lr
    return out, relations, notes


# --- Physical, fast path ------------------------------------------------------------

# Traits whose result depends only on a few fields of each side: computed once
# per distinct pair of values (the site has hundreds of bodies and persons).
_CACHE_KEYS = {
    "sex": (("sex",), ("sex", "sex_certainty", "sex_method")),
    "age": (("age_min", "age_max"), ("age_min", "age_max")),
    "stature": (
        ("stature_cm", "stature_source"),
        (
            "stature_cm",
            "stature_se",
            "sex",
            "sex_certainty",
            "sex_method",
            "age_min",
            "age_max",
        ),
    ),
    "hair_colour": (("hair_colour",), ("hair_colour",)),
    "eye_colour": (("eye_colour",), ("eye_colour",)),
    "build": (("build",), ("build",)),
}


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
        results = []  # type: ignore[var-annotated]
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


def compute_site(
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    leads: Sequence[LeadIn],
    params: Params,
    *,
    overrides: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
    n_graves: int = 1,
    grave_numbers: Mapping[str, str] | None = None,
) -> SiteResult:
    """Candidates, evidence and posteriors for every body of a site."""
    overrides = overrides or {}
    grave_numbers = grave_numbers or {}
    rel = params.reliability
    notes: list[str] = []
    am = {
        p.person_id: AMRecord.from_dict({**p.am, "am_case_no": p.person_id})
        for p in persons
    }
    pm = {b.body_id: PMRecord.from_dict({**b.pm, "body_id": b.body_id}) for b in bodies}
    n_open = len(persons)
    # Expected number of unlisted dead at the site: each, if the occupant is
    # unlisted, equally likely (the counterpart of the uniform prior on persons).
    n_unlisted = max(1.0, params.p_unlisted * len(bodies))
    dna, relations, dna_notes = dna_lrs(bodies, persons, params.dna_dropout)
    notes += dna_notes
    typed = set(relations)
    bodies_by_grave: dict[str, list[BodyIn]] = defaultdict(list)
    for b in bodies:
        bodies_by_grave[b.grave_id].append(b)
    leads_by_grave: dict[str, list[LeadIn]] = defaultdict(list)
    placed: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for lead in leads:
        leads_by_grave[lead.grave_id].append(lead)
        for pid in lead.persons:
            placed[pid].append((lead.grave_id, lead.journals))

    out: dict[str, BodyResult] = {}
    model = site_physical_model(pm.values())
    comparer = FastComparer(model)
    all_pairs: dict[str, dict[str, PairResult]] = {}
    for grave_id, grave_bodies in bodies_by_grave.items():
        # Journal records on this grave; unlisted names are rivals too.
        records = []
        for lead in leads_by_grave.get(grave_id, []):
            who = lead.persons or (f"~{lead.key}",)
            for pid in who:
                for j in lead.journals:
                    records.append(JournalRecord(j, pid, grave_id))
        jev = (
            journal_lrs(
                records, rel, n_open, max(1, len(grave_bodies)), params.dependence
            )
            if records
            else {}
        )
        # Names on this grave that match no report support "none of these";
        # every listed candidate's journal LR is divided by that LR.
        none_lr = (
            unlisted_lr(
                records,
                rel,
                n_open,
                [r.person for r in records if r.person.startswith("~")],
                n_unlisted,
                max(1, len(grave_bodies)),
                params.dependence,
            )
            if records
            else 1.0
        )
        pairs_by_body: dict[str, dict[str, PairResult]] = {}
        for b in grave_bodies:
            pairs: dict[str, PairResult] = {}
            for p in persons:
                pid = p.person_id
                pr = PairResult(pid, dict.fromkeys(KINDS, 1.0))
                # journal
                if pid in jev:
                    e = jev[pid]
                    pr.lr["journal"] = e.lr_vs_unlisted
                    pr.journal_text = (e.explanation_en, e.explanation_uk)
                elsewhere = [(g, js) for g, js in placed.get(pid, []) if g != grave_id]
                if elsewhere and pid not in jev:
                    here = grave_numbers.get(grave_id, "")
                    f = 1.0
                    names = []
                    for g, js in elsewhere:
                        nb = graves_are_neighbours(here, grave_numbers.get(g, ""))
                        f *= _elsewhere_lr(rel, js, nb, n_graves, params.dependence)
                        names.append(grave_numbers.get(g, "") or g)
                    pr.lr["journal"] = f
                    where = ", ".join(names)
                    pr.journal_text = (
                        f"the journals put this person in grave {where}, not here; "
                        f"LR {f:.3g}",
                        f"журнали записують цю особу в могилу {where}, а не сюди; "
                        f"LR {f:.3g}",
                    )
                # physical
                comp = comparer.compare(
                    am[pid], pm[b.body_id], overrides.get((b.body_id, pid))
                )
                if comp.excluded:
                    pr.exclusions = _exclusion_rows(comp)
                    pr.lr["physical"] = 0.0
                else:
                    pr.lr["physical"] = min(
                        comp.lr**params.physical_temper, params.physical_cap
                    )
                # DNA
                if pid in typed and b.dna and b.dna.get("genotypes"):
                    log10 = dna.get((b.body_id, pid))
                    if log10 is None or log10 < DNA_EXCLUDE_LOG10:
                        reason = (
                            "DNA: the body's profile is incompatible with the "
                            "family's references",
                            "ДНК: профіль тіла несумісний з профілями родичів",
                        )
                        key = "dna"
                        if key not in overrides.get((b.body_id, pid), {}):
                            pr.exclusions.append(
                                {
                                    "kind": "dna",
                                    "key": key,
                                    "en": reason[0],
                                    "uk": reason[1],
                                }
                            )
                        pr.lr["dna"] = 10.0 ** max(log10 or -300.0, -300.0)
                    else:
                        pr.lr["dna"] = 10.0 ** min(log10, 300.0)
                    rels = ", ".join(relations.get(pid, [])) or "?"
                    pr.dna_text = (
                        f"kinship LR {pr.lr['dna']:.3g} against the references "
                        f"({rels})",
                        f"LR спорідненості {pr.lr['dna']:.3g} щодо зразків родичів "
                        f"({rels})",
                    )
                if none_lr > 1.0:
                    pr.lr["journal"] /= none_lr
                    note = (
                        f"; the journals name here someone with no report "
                        f"(“none of these” ×{none_lr:.3g})",
                        f"; журнали називають тут особу без заяви "
                        f"(«ніхто з цих» ×{none_lr:.3g})",
                    )
                    pr.journal_text = (
                        (pr.journal_text[0] or "journal") + note[0],
                        (pr.journal_text[1] or "журнал") + note[1],
                    )
                pairs[pid] = pr
            pairs_by_body[b.body_id] = pairs
        all_pairs.update(pairs_by_body)
    weights = competition_weights(bodies, persons, all_pairs, params)
    for grave_id, grave_bodies in bodies_by_grave.items():
        posts = _posteriors(grave_bodies, persons, all_pairs, params, weights)
        for b in grave_bodies:
            bp, kept, others = posts[b.body_id]
            out[b.body_id] = BodyResult(
                b.body_id,
                grave_id,
                bp,
                all_pairs[b.body_id],
                kept,
                others,
                len(persons),
            )
    return SiteResult(out, params, notes, model)


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
        pots = combine.physical_potentials(am, pm)
        have = set((person.family or {}).get("relations") or [])
        table = {r: v for r, v in params.dna_expected.items() if r not in have}
        if table:
            pots += combine.dna_potentials(person.person_id, table)
    w = person.weight if weight is None else weight
    return Candidate(person.person_id, tuple(ev), w, pots)


OTHERS = "~others"


def competition_weights(
    bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    pairs: Mapping[str, Mapping[str, PairResult]],
    params: Params,
) -> dict[str, dict[str, float]]:
    """Per body, each person's prior weight times P(not another site's body).

    One person is at most one body, across the whole site. Solving that jointly
    for hundreds of bodies is out of reach, so each person's weight at body b is
    scaled by 1 - (the posterior mass the person has at the *other* bodies of the
    site, outside b's grave), recomputed ``competition_rounds`` times (a
    mean-field approximation; floor 0.01). Inside a grave the exact joint
    solution already enforces it.
    """
    import numpy as np

    pids = [p.person_id for p in persons]
    base = np.array([p.weight for p in persons], dtype=float)
    bids = [b.body_id for b in bodies]
    lr = np.array([[pairs[b][pid].total for pid in pids] for b in bids], dtype=float)
    lr = np.nan_to_num(lr, posinf=1e300)
    grave = [b.grave_id for b in bodies]
    w = np.tile(base, (len(bids), 1))
    p_u = params.p_unlisted
    for _ in range(params.competition_rounds):
        prior = (1 - p_u) * w / w.sum(axis=1, keepdims=True)
        terms = prior * lr
        post = terms / (p_u + terms.sum(axis=1, keepdims=True))
        total = post.sum(axis=0)
        same: dict[str, np.ndarray] = {}
        for i, g in enumerate(grave):
            same[g] = same.get(g, 0) + post[i]
        w = np.empty_like(post)
        for i, g in enumerate(grave):
            elsewhere = total - same[g]
            w[i] = base * np.clip(1.0 - elsewhere, 0.01, 1.0)
    return {b: dict(zip(pids, w[i].tolist(), strict=True)) for i, b in enumerate(bids)}


def _others_candidate(
    pairs: Mapping[str, PairResult], weights: Mapping[str, float], union: set[str]
) -> Candidate | None:
    """The persons left out of the detailed list, lumped into one candidate.

    Its weight is their total prior weight and its LR their prior-weighted mean
    LR, so the posteriors of the listed candidates and of "none of these" are
    exact (for one body) and nobody's prior mass silently moves elsewhere.
    """
    w = sum(weights[pid] for pid in pairs if pid not in union)
    if w <= 0:
        return None
    lr = sum(weights[pid] * pr.total for pid, pr in pairs.items() if pid not in union)
    return Candidate(OTHERS, (Evidence("others", lr / w),), w)


def _strip(bp: combine.BodyPosterior) -> tuple[combine.BodyPosterior, float]:
    others = sum(c.posterior for c in bp.candidates if c.person_id == OTHERS)
    cands = tuple(c for c in bp.candidates if c.person_id != OTHERS)
    return (
        combine.BodyPosterior(
            bp.body_id, cands, bp.prior_unlisted, bp.posterior_unlisted, bp.method
        ),
        others,
    )


def _posteriors(
    grave_bodies: Sequence[BodyIn],
    persons: Sequence[PersonIn],
    pairs_by_body: Mapping[str, Mapping[str, PairResult]],
    params: Params,
    body_weights: Mapping[str, Mapping[str, float]],
) -> dict[str, tuple[combine.BodyPosterior, list[str], float]]:
    p_u = params.p_unlisted
    by_id = {p.person_id: p for p in persons}
    # Within a grave the joint solution handles competition; the weights carry
    # the competition with bodies in other graves.
    single: dict[str, dict[str, float]] = {}
    for b in grave_bodies:
        lrs = {pid: pr.total for pid, pr in pairs_by_body[b.body_id].items()}
        single[b.body_id], _ = _single(lrs, body_weights[b.body_id], p_u)
    width = params.keep_per_body if len(grave_bodies) == 1 else params.joint_extra
    keep: dict[str, list[str]] = {}
    for b in grave_bodies:
        ranked = sorted(single[b.body_id], key=lambda pid: -single[b.body_id][pid])
        top = [pid for pid in ranked[:width] if single[b.body_id][pid] > 0]
        extra = [
            pid
            for pid, pr in pairs_by_body[b.body_id].items()
            if pr.lr["journal"] > 1 and pid not in top and not pr.excluded
        ]
        keep[b.body_id] = top + extra
    union = list(dict.fromkeys(pid for b in grave_bodies for pid in keep[b.body_id]))
    uset = set(union)

    def cands(b: BodyIn) -> list[Candidate]:
        pairs = pairs_by_body[b.body_id]
        out = [
            _candidate(
                pairs[pid],
                by_id[pid],
                params,
                pid in keep[b.body_id],
                *_records(by_id[pid], b),
                has_dna=pairs[pid].lr["dna"] != 1.0,
                weight=body_weights[b.body_id][pid],
            )
            for pid in union
        ]
        lump = _others_candidate(pairs, body_weights[b.body_id], uset)
        if lump is not None:
            out.append(lump)
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
