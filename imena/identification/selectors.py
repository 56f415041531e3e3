"""Reads for identification pages."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Prefetch, Q, Subquery

from imena.burials.models import Site
from imena.core.times import iso_time
from imena.exhumations.models import Body, Sample
from imena.identification.models import (
    BodyAnalysis,
    Candidate,
    CandidateRun,
    ExclusionOverride,
    Identification,
    IdentificationStatus,
    PendingUpdate,
    ScreeningCandidate,
    ScreeningRun,
    WorkerBeat,
)
from imena.identification.shards import Shard
from imena.missing.records import family_as_case_dict
from kinship.case import case_from_dict
from kinship.genemapper import canonical_profile
from kinship.identify import pairwise_table
from kinship.likelihood import observation_probability
from kinship.markers import load_frequency_table

if TYPE_CHECKING:
    from django.db.models import QuerySet


def overrides_for_pair(body: Body, person_id: int) -> QuerySet[ExclusionOverride]:
    """Every override of one body and missing person, withdrawn ones too (kept,
    marked), newest first."""
    return (
        ExclusionOverride.objects.filter(body=body, person_id=person_id)
        .select_related("created_by", "withdrawn_by")
        .order_by("-created", "-pk")
    )


def to_notify(identifications: QuerySet[Identification]) -> QuerySet[Identification]:
    """Confirmed identifications whose family is not yet recorded as notified
    (presumptive ones included: callers leave them out or count them)."""
    return identifications.filter(
        status=IdentificationStatus.CONFIRMED, notifications__isnull=True
    )


def latest_run(site: Site) -> CandidateRun | None:
    return CandidateRun.objects.filter(site=site).order_by("-created", "-pk").first()


#: What a list of candidates shows: the figures and the person's name, not the
#: evidence JSON of each candidate nor the person's description.
CANDIDATE_ROW_FIELDS = (
    "analysis",
    "rank",
    "lr_journal",
    "lr_physical",
    "lr_dna",
    "lr",
    "prior",
    "posterior",
    "person__case_no",
    "person__family_name",
    "person__given_names",
    "person__patronymic",
)


def candidate_rows(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """``candidates`` with their persons, read for a list (see ``CANDIDATE_ROW_FIELDS``)."""
    return candidates.select_related("person").only(*CANDIDATE_ROW_FIELDS)


def best_posterior() -> Subquery:
    """The best posterior of an analysis (annotate ``BodyAnalysis`` with it).

    A subquery per analysis instead of ``Max`` over a join: no GROUP BY over every
    candidate and every column of the analyses.
    """
    return Subquery(
        Candidate.objects.filter(analysis=OuterRef("pk"))
        .order_by("-posterior")
        .values("posterior")[:1]
    )


def analyses(run: CandidateRun) -> QuerySet[BodyAnalysis]:
    """The bodies of a run for its list: not the exclusions (a long JSON list per
    body), the candidates without their evidence."""
    return (
        BodyAnalysis.objects.of_run(run)
        .select_related("body__grave")
        .defer("own_exclusions")
        .prefetch_related(
            Prefetch("candidates", queryset=candidate_rows(Candidate.objects.all()))
        )
        .order_by("body__pm_number")
    )


def pending_updates(site: Site) -> int:
    """How many changes the site's stored candidates do not reflect yet."""
    return PendingUpdate.objects.filter(site=site, done__isnull=True).count()


def worker_beats(organisation_id: int) -> list[WorkerBeat]:
    """The organisation's identification workers as they last said (one per
    shard), by shard."""
    return list(WorkerBeat.objects.filter(organisation_id=organisation_id))


def site_worker(site: Site) -> WorkerBeat | None:
    """The worker whose shard holds the site (the one seen last if several
    shards cover it, as after the shards were changed), or None."""
    covering = [b for b in worker_beats(site.organisation_id) if b.covers(site.pk)]
    return max(covering, key=lambda b: b.seen, default=None)


def site_ids_with_bodies(organisation_id: int) -> set[int]:
    """The ids of the organisation's sites with current bodies (the sites a
    worker computes)."""
    return set(
        Body.objects.current()
        .filter(grave__site__organisation_id=organisation_id)
        .values_list("grave__site_id", flat=True)
        .distinct()
    )


def sites_without_worker(
    organisation_id: int, now: Any, shard: Shard | None = None
) -> list[Site]:
    """The organisation's sites with current bodies that no running worker
    (``WorkerBeat.state`` busy or waiting) holds: their pending changes wait.
    ``shard``: only the sites of that shard."""
    alive = [
        b
        for b in worker_beats(organisation_id)
        if b.state(now) not in ("gone", "stopped")
    ]
    return [
        site
        for site in Site.objects.filter(
            pk__in=site_ids_with_bodies(organisation_id)
        ).order_by("pk")
        if not any(b.covers(site.pk) for b in alive)
        and (shard is None or shard.has(site.pk))
    ]


def latest_analysis(body: Body) -> BodyAnalysis | None:
    return (
        BodyAnalysis.objects.filter(body=body)
        .select_related("run")
        .order_by("-run__created", "-run_id")
        .first()
    )


def last_run_holding(analysis: BodyAnalysis) -> CandidateRun | None:
    """The latest run of the analysis's site that holds it (that it is the
    result of: the run that computed it, or a later one that kept it)."""
    runs = CandidateRun.objects.filter(site_id=analysis.site_id)
    if analysis.until_id is not None:
        runs = runs.filter(pk__lt=analysis.until_id)
    return runs.order_by("-pk").first()


def explain_json(
    cand: Candidate, *, markers: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The candidate's explanation: every piece of evidence, prior, posterior."""
    run = cand.analysis.run
    out = {
        **cand.evidence,
        "candidate": cand.pk,
        "body": cand.analysis.body.pm_number,
        "grave": str(cand.analysis.body.grave),
        "person": {
            "id": cand.person_id,
            "case_no": cand.person.case_no,
            "name": str(cand.person),
        },
        "run": {
            "id": run.pk,
            "created": iso_time(run.created),
            "p_unlisted": run.p_unlisted,
            "p_unlisted_basis": run.p_unlisted_basis,
            "journal_reliability": run.reliability,
        },
    }
    if markers is not None:
        out["dna_markers"] = markers
    return out


def dna_markers(cand: Candidate) -> list[dict[str, Any]]:
    """Per-marker DNA LRs of one body x person (computed on request)."""

    body = cand.analysis.body
    sample = (
        Sample.objects.filter(
            body=body, profile__isnull=False, profile__withdrawn=False
        )
        .select_related("profile")
        .first()
    )
    fam = family_as_case_dict(cand.person)
    if sample is None or not fam.get("genotypes") or not fam.get("missing"):
        return []
    table = load_frequency_table()
    # Loci as the engine reads them (``VWA`` is ``vWA``).
    prof = canonical_profile(sample.profile.genotypes)  # type: ignore[union-attr]
    fam["genotypes"] = {m: canonical_profile(g) for m, g in fam["genotypes"].items()}
    loci = [k for k in prof if k in table]
    markers = [
        {
            "name": k,
            "alleles": list(table[k].alleles),
            "afreq": [float(x) for x in table[k].freqs],
        }
        for k in loci
    ]
    case = case_from_dict(
        {
            "markers": markers,
            "pm": {"V": {"sex": 0, "genotypes": {k: prof[k] for k in loci}}},
            "am": {"F": {k: fam[k] for k in ("id", "fid", "mid", "sex", "genotypes")}},
            "missing": [fam["missing"]],
        }
    )
    pt = pairwise_table(case, dropout=0.05)
    model = pt.families["F"]
    victim = case.victims["V"]
    rows = []
    for locus, (a, b) in victim.genotypes.items():
        post = model.posterior(fam["missing"], locus)
        if post is None:
            rows.append({"locus": locus, "genotype": [a, b], "lr": None})
            continue
        m = case.markers[locus]
        num = observation_probability(post, m.index(a), m.index(b), 0.05)
        lr = num / math.exp(pt.victim_logp[("V", locus)])
        rows.append(
            {
                "locus": locus,
                "genotype": [a, b],
                "lr": lr,  # type: ignore[dict-item]
                "log10_lr": math.log10(lr) if lr > 0 else None,  # type: ignore[dict-item]
            }
        )
    return rows


def latest_screening(site: Site) -> ScreeningRun | None:
    """The most recent screening of the site's bodies (of this site, or a
    national one of its organisation), or None."""
    return (
        ScreeningRun.objects.filter(
            Q(site=site) | Q(national=True, organisation_id=site.organisation_id)
        )
        .order_by("-created", "-pk")
        .first()
    )


def dna_lrs_for_site(
    site: Site, *, run: ScreeningRun | None = None
) -> dict[tuple[int, int], dict[str, Any]]:
    """Return ``{(body id, missing person id): {...}}`` from the latest screening.

    Each value is ``{"lr": float, "log10_lr": float, "inconsistent": int,
    "per_marker": {locus: LR or None}, "rank": int, "run": run id}``.  Only the
    kept candidates are present (LR >= the run's threshold, or in a body's
    top-k); a pair that is absent was screened and found weaker, or (if the
    body has no entry at all) the body had no current profile then.  No
    access check: callers check the user's capability.
    """
    run = run or latest_screening(site)
    if run is None:
        return {}
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for c in ScreeningCandidate.objects.filter(run=run, body__grave__site=site).only(
        "body_id", "person_id", "lr", "log10_lr", "inconsistent", "per_marker", "rank"
    ):
        out[(c.body_id, c.person_id)] = {
            "lr": c.lr,
            "log10_lr": c.log10_lr,
            "inconsistent": c.inconsistent,
            "per_marker": c.per_marker,
            "rank": c.rank,
            "run": run.pk,
        }
    return out
