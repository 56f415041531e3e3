"""From the database to the kinship case JSON, and the screening engine glue.

``build_case_for_site(site)`` gathers the current post-mortem profiles of the
site's bodies (label: the PM number) and the reference families of the
organisation's open missing persons (``imena.missing.records.family_as_case_dict``)
into the case format of ``kinship`` (``markers``, ``pm``, ``am``, ``missing``),
plus an ``index`` key mapping case labels back to database ids.  The pure
``kinship`` package does the statistics.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from imena.dna.selectors import lineage_tables
from imena.exhumations.models import Sample
from imena.identification.lineage import explain
from imena.identification.models import ScreeningCandidate
from imena.missing.models import MissingPerson, Status
from imena.missing.records import family_as_case_dict
from kinship import (
    Case,
    KinshipWarning,
    joint,
    load_case,
    load_frequency_table,
)
from kinship.case import Family
from kinship.genemapper import canonical_profile
from kinship.likelihood import (
    genotype_posteriors,
    hardy_weinberg,
    observation_probability,
)
from kinship.screen import EXCLUDED, KeptPairs, screen_kept

if TYPE_CHECKING:
    from imena.burials.models import Site
    from kinship import Marker

#: Mutation models offered to analysts (``kinship.mutation.MUTATION_MODELS``).
MUTATION_CHOICES = ("none", "equal", "proportional", "stepwise")

#: Separator between a family (AM case number) and a member id in case labels;
#: member ids are only unique within one family.
SEP = "/"


@cache
def frequency_table() -> dict[str, Marker]:
    """The shipped norSTR table (read once per process)."""
    return load_frequency_table()


def canonical_genotypes(genotypes: Mapping[str, Any]) -> dict[str, Any]:
    """Rename loci to their norSTR names (unknown loci keep their name)."""
    return canonical_profile(genotypes)


def _current_pm_profiles(site: Site) -> dict[int, tuple[str, Any]]:
    """Return ``{body id: (PM number, profile)}``: each body's best current profile."""
    samples = (
        Sample.objects.filter(
            body__grave__site=site,
            body__organisation_id=site.organisation_id,
            profile__isnull=False,
            profile__withdrawn=False,
            body__withdrawn=False,
            profile__superseded_by__isnull=True,
        )
        .select_related("body", "profile")
        .order_by("body__pm_number", "-profile__loci_typed", "-profile__pk")
    )
    out: dict[int, tuple[str, Any]] = {}
    for s in samples:
        if s.body_id not in out and s.profile.genotypes:  # type: ignore[union-attr]
            out[s.body_id] = (s.body.pm_number, s.profile)
    return out


def lineage_only_bodies(*, organisation_id: int, site: Site | None = None) -> list[str]:
    """PM numbers of the bodies (of ``site``, or of every site) whose current
    profiles hold only lineage markers (Y-STR, mtDNA), sorted.

    The screening compares autosomal profiles, so these bodies are not in it;
    the identification candidates compare their lineage markers
    (``imena.identification.engine``).
    """
    current = Sample.objects.filter(
        body__organisation_id=organisation_id,
        profile__isnull=False,
        profile__withdrawn=False,
        body__withdrawn=False,
        profile__superseded_by__isnull=True,
    )
    if site is not None:
        current = current.filter(body__grave__site=site)
    # ``loci_typed`` counts the autosomal loci (``len(genotypes)``).
    autosomal = current.filter(profile__loci_typed__gt=0).values("body_id")
    found = {
        label
        for label, ystr, mtdna in current.filter(profile__loci_typed=0)
        .exclude(body_id__in=autosomal)
        .values_list("body__pm_number", "profile__ystr", "profile__mtdna")
        if ystr or mtdna
    }
    return sorted(found)


def _open_families(organisation_id: int, persons: Iterable[int] | None = None) -> Any:
    qs = MissingPerson.objects.filter(
        organisation_id=organisation_id,
        status=Status.OPEN,
        merged_into__isnull=True,
        pedigree__samples__profile__isnull=False,
    )
    if persons is not None:
        qs = qs.filter(pk__in=list(persons))
    return qs.distinct().order_by("case_no")


def _markers_json(
    loci: Iterable[str], mutation: str, rate: float
) -> list[dict[str, Any]]:
    table = frequency_table()
    out = []
    for locus in sorted(set(loci)):
        m = table.get(locus)
        if m is None:
            continue
        entry: dict[str, Any] = {
            "name": m.name,
            "alleles": list(m.alleles),
            "afreq": [float(x) for x in m.freqs],
        }
        if mutation != "none" and rate > 0:
            entry["mutation"] = {"model": mutation, "rate": [rate]}
        out.append(entry)
    return out


def build_case_for_site(
    site: Site,
    *,
    bodies: Iterable[int] | None = None,
    persons: Iterable[int] | None = None,
    mutation: str = "none",
    mutation_rate: float = 0.0,
    lineage: bool = False,
) -> dict[str, Any]:
    """Return the kinship case JSON of a site (optionally restricted).

    ``pm``: current post-mortem profiles of the site's bodies, keyed by PM
    number; ``am``: the families of the organisation's open missing persons
    that have at least one reference profile, keyed by AM case number, with
    member ids ``<case no>/<member id>``; ``missing``: their missing persons;
    ``markers``: the norSTR loci typed in any of these profiles.  ``index``
    maps PM numbers to body ids and missing ids to missing-person ids.
    ``lineage``: add the Y-STR and mtDNA markers and the organisation's
    population tables (issue 18; the screening itself is autosomal).
    Loci outside the norSTR table are left out by ``kinship`` with a warning.
    """
    pm_profiles = _current_pm_profiles(site)
    if bodies is not None:
        wanted = set(bodies)
        pm_profiles = {k: v for k, v in pm_profiles.items() if k in wanted}
    pm: dict[str, Any] = {}
    body_index: dict[str, int] = {}
    loci: set[str] = set()
    for body_id, (label, profile) in pm_profiles.items():
        genotypes = canonical_genotypes(profile.genotypes)
        pm[label] = {"sex": profile.sex, "genotypes": genotypes}
        if lineage:
            pm[label].update(profile.lineage_json())
        body_index[label] = body_id
        loci.update(genotypes)
    am: dict[str, Any] = {}
    missing: list[str] = []
    person_index: dict[str, int] = {}
    if pm:
        for person in _open_families(site.organisation_id, persons):
            fam = family_as_case_dict(person)
            if not fam.get("genotypes") or not fam.get("missing"):
                continue
            key = person.case_no

            def label(member: str | None, key: str = key) -> str | None:  # type: ignore[misc]
                return None if member is None else f"{key}{SEP}{member}"

            genotypes = {
                label(k): canonical_genotypes(v)  # type: ignore[operator]
                for k, v in fam["genotypes"].items()
            }
            am[key] = {
                "id": [label(i) for i in fam["id"]],  # type: ignore[operator]
                "fid": [label(i) for i in fam["fid"]],  # type: ignore[operator]
                "mid": [label(i) for i in fam["mid"]],  # type: ignore[operator]
                "sex": fam["sex"],
                "genotypes": genotypes,
            }
            for kind in ("ystr", "mtdna") if lineage else ():
                if fam.get(kind):
                    am[key][kind] = {
                        label(k): v  # type: ignore[operator]
                        for k, v in fam[kind].items()
                    }
            mid = label(fam["missing"])  # type: ignore[operator]
            assert mid is not None
            missing.append(mid)
            person_index[mid] = person.pk
            for g in genotypes.values():
                loci.update(g)
    return {
        "markers": _markers_json(loci, mutation, mutation_rate),
        "pm": pm,
        "am": am,
        "missing": missing,
        "index": {"bodies": body_index, "persons": person_index},
        **(_lineage_parts(site.organisation_id, pm, am) if lineage else {}),
    }


def _lineage_parts(
    organisation_id: int, pm: dict[str, Any], am: dict[str, Any]
) -> dict[str, Any]:
    """The population tables of the kinds typed on both sides (issue 18).

    A kind without a loaded table is dropped from the case (not compared).
    """
    kinds = [
        k
        for k in ("ystr", "mtdna")
        if any(k in v for v in pm.values()) and any(k in f for f in am.values())
    ]
    if not kinds:
        return {}
    tables = lineage_tables(organisation_id)
    for kind in kinds:
        if f"{kind}_database" not in tables:
            for part in (*pm.values(), *am.values()):
                part.pop(kind, None)
    return {k: v for k, v in tables.items() if k.split("_")[0] in kinds}


def load_site_case(data: Mapping[str, Any]) -> tuple[Case, list[str]]:
    """Load a built case; return it and kinship's warnings (as text)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KinshipWarning)
        case = load_case({k: v for k, v in data.items() if k != "index"})
    return case, [str(w.message) for w in caught if issubclass(w.category, Warning)]


def _structure(family: Family, missing: str) -> tuple[object, ...]:
    ped = family.pedigree
    typed = tuple(sorted(ped.index(i) for i in family.genotypes))
    return (ped.father, ped.mother, ped.sex, ped.index(missing), typed)


def missing_posteriors(
    case: Case, targets: Iterable[str], *, theta: float = 0.0
) -> dict[str, dict[str, np.ndarray | None]]:
    """Return ``{missing: {locus: P(ordered genotype | refs) or None}}``.

    Families of the same shape are batched per marker (one call of
    ``kinship.likelihood.genotype_posteriors`` per shape and marker, as
    ``kinship.screen`` does).  None: the references are impossible at that
    marker under the model, so the marker is ignored.
    """
    # Case.missing_family is recomputed on every access: read it once.
    family_of = case.missing_family
    groups: dict[tuple[object, ...], list[str]] = {}
    for m in targets:
        fam = case.families[family_of[m]]
        groups.setdefault(_structure(fam, m), []).append(m)
    out: dict[str, dict[str, np.ndarray | None]] = {}
    for members in groups.values():
        rep = case.families[family_of[members[0]]].pedigree
        target = rep.ids[rep.index(members[0])]
        for marker in case.markers.values():
            genos = []
            for m in members:
                fam = case.families[family_of[m]]
                genos.append(
                    {
                        rep.ids[fam.pedigree.index(i)]: prof[marker.name]
                        for i, prof in fam.genotypes.items()
                        if marker.name in prof
                    }
                )
            res = genotype_posteriors(
                rep, genos, [marker] * len(members), target, theta=theta
            )
            for m, (post, lik) in zip(members, res, strict=True):
                out.setdefault(m, {})[marker.name] = post if lik > 0 else None
    return out


def per_marker_lrs(
    case: Case,
    posteriors: Mapping[str, np.ndarray | None],
    victim: str,
    *,
    dropout: float = 0.0,
    theta: float = 0.0,
) -> dict[str, float | None]:
    """Return ``{locus: LR}`` for a victim placed as a missing person.

    ``posteriors`` is that missing person's entry of :func:`missing_posteriors`.
    A locus untyped in the victim is left out; a locus the family's references
    make impossible under the model is ``None`` (ignored, LR 1 in the product).
    """
    out: dict[str, float | None] = {}
    genotypes = case.victims[victim].genotypes
    for locus in case.markers:
        if locus not in genotypes:
            continue
        marker = case.markers[locus]
        a, b = (marker.index(x) for x in genotypes[locus])
        post = posteriors.get(locus)
        if post is None:
            out[locus] = None
            continue
        num = observation_probability(post, a, b, dropout)
        den = observation_probability(
            hardy_weinberg(marker.freqs, theta), a, b, dropout
        )
        out[locus] = num / den if den > 0 else 0.0
    return out


@dataclass
class Kept:
    """One kept candidate, with database ids."""

    body_id: int
    pm_label: str
    person_id: int
    rank: int
    lr: float
    log10_lr: float
    inconsistent: int
    per_marker: dict[str, float | None]


@dataclass
class ScreeningOutcome:
    """What a screening found; the counts go to the run and the audit log."""

    kept: list[Kept] = field(default_factory=list)
    bodies: int = 0
    families: int = 0
    missing_persons: int = 0
    pairs: int = 0
    above_threshold: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def score_of(log10_lr: float, inconsistent: int) -> float:
    """The screening score (``kinship.screen``) of a kept pair."""
    return EXCLUDED * inconsistent + log10_lr * math.log(10)


def kept_rows(
    kept: KeptPairs,
    bodies: Sequence[tuple[int, str]],
    persons: Sequence[int],
    threshold: float,
) -> list[Kept]:
    """Turn ``kinship.screen.screen_kept`` pairs into rows with database ids.

    ``bodies[v]`` is victim ``v``'s (body id, PM number), ``persons[t]`` target
    ``t``'s missing-person id.  Per victim, the rank follows the pairs' order
    (score, then target).  ``per_marker`` holds the loci typed in the body:
    LR, 0 where the body's genotype is impossible for the family, None where
    the family's references are impossible under the model (ignored).
    """
    out: list[Kept] = []
    rank = 0
    previous = -1
    ln10 = math.log(10)
    for i, (v, t) in enumerate(
        zip(kept.victim.tolist(), kept.target.tolist(), strict=True)
    ):
        rank = rank + 1 if v == previous else 1
        previous = v
        typed = kept.typed[v]
        logs = kept.log_lr[i]
        per: dict[str, float | None] = {}
        log10 = 0.0
        bad = 0
        for m, locus in enumerate(kept.markers):
            if not typed[m]:
                continue
            x = float(logs[m])
            if math.isnan(x):
                per[locus] = None
            elif x == -math.inf:
                per[locus] = 0.0
                bad += 1
            else:
                per[locus] = math.exp(x)
                log10 += x / ln10
        lr = 0.0 if bad else (10.0**log10 if log10 < 300 else 1e300)
        body_id, label = bodies[v]
        out.append(
            Kept(
                body_id=body_id,
                pm_label=label,
                person_id=persons[t],
                rank=rank,
                lr=lr,
                log10_lr=log10,
                inconsistent=bad,
                per_marker=per,
            )
        )
    return out


def run_screening(
    data: Mapping[str, Any],
    *,
    threshold: float = 1e4,
    top_k: int = 5,
    dropout: float = 0.0,
    theta: float = 0.0,
) -> ScreeningOutcome:
    """Screen a built case; keep pairs >= threshold and each body's top-k.

    Sex-inconsistent pairs (both sexes known and different) are neither kept
    nor counted in a body's top-k; a body keeps all candidates tied with its
    k-th (``kinship.screen.screen_kept``).
    """
    started = time.perf_counter()
    case, notes = load_site_case(data)
    index = data["index"]
    family_of = case.missing_family
    targets = [(case.families[family_of[m]], m) for m in case.missing]
    names = list(case.victims)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KinshipWarning)
        kept = screen_kept(
            {n: case.victims[n].genotypes for n in names},
            targets,
            case.markers,
            threshold=threshold,
            top_k=top_k,
            dropout=dropout,
            theta=theta,
            victim_sex=[case.victims[n].sex for n in names],
            target_sex=[f.pedigree.sex[f.pedigree.index(m)] for f, m in targets],
        )
    rows = kept_rows(
        kept,
        [(index["bodies"][n], n) for n in names],
        [index["persons"][m] for m in case.missing],
        threshold,
    )
    out = ScreeningOutcome(
        kept=rows,
        bodies=len(case.victims),
        families=len(case.families),
        missing_persons=len(case.missing),
        pairs=kept.n_pairs,
        above_threshold=sum(1 for r in rows if r.lr >= threshold),
        warnings=notes + sorted({str(w.message) for w in caught}),
    )
    out.seconds = time.perf_counter() - started
    return out


@dataclass
class GraveJoint:
    """The joint identification of one grave's bodies (for display)."""

    result: dict[str, Any]
    bodies: list[str]
    persons: dict[str, Any]  # missing id -> MissingPerson
    seconds: float
    warnings: list[str]
    # (body, missing id, (en, uk)) per body x missing person compared by
    # Y-STR or mtDNA (issue 18); their LRs are in the assignments' LRs.
    lineage: list[tuple[str, str, tuple[str, str]]] = field(default_factory=list)


def joint_for_grave(run: Any, grave: Any, *, top: int = 10) -> GraveJoint | None:
    """Run ``kinship.joint`` on the grave's bodies and their screening families.

    The case holds the grave's bodies with current profiles and the families of
    every missing person that the screening ``run`` kept as a candidate of one
    of them; the run's drop-out, theta and mutation apply.  Returns None when
    the grave has no screened body with a candidate.
    """
    rows = ScreeningCandidate.objects.filter(run=run, body__grave=grave)
    body_ids = set(rows.values_list("body_id", flat=True))
    person_ids = set(rows.values_list("person_id", flat=True))
    if not body_ids or not person_ids:
        return None
    started = time.perf_counter()
    data = build_case_for_site(
        grave.site,
        bodies=body_ids,
        persons=person_ids,
        mutation=run.mutation,
        mutation_rate=run.mutation_rate,
        lineage=True,
    )
    if not data["pm"] or not data["am"]:
        return None
    case, notes = load_site_case(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KinshipWarning)
        result = joint(case, dropout=run.dropout, theta=run.theta, top=top)
    people = MissingPerson.objects.in_bulk(list(data["index"]["persons"].values()))
    found = result.pairwise.lineage if result.pairwise is not None else {}
    return GraveJoint(
        result=result.to_json(top=top),
        bodies=sorted(case.victims),
        persons={m: people[pk] for m, pk in data["index"]["persons"].items()},
        seconds=time.perf_counter() - started,
        warnings=notes + sorted({str(w.message) for w in caught}),
        lineage=[
            (v, m, explain(r))
            for (v, m), results in sorted(found.items())
            for r in results
        ],
    )
