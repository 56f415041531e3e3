"""The DNA pages of analysts: sites to screen, screenings, candidates, joint results,
profiles and profile uploads.

They keep the ``dna:`` URL names and the ``/dna/`` paths (see ``dna_urls``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from imena.accounts.access import require
from imena.accounts.http import AuthenticatedHttpRequest
from imena.burials.access import grave_for_user, site_for_user, sites_for_user
from imena.dna import access as dna_access
from imena.dna.access import profiles_for_user
from imena.dna.models import DNAProfile, ProfileKind
from imena.dna.uploads import ProfileFileError, parse_profile_file
from imena.exhumations.models import Sample
from imena.identification import access, services
from imena.identification.familias import family_fam_document
from imena.identification.forms import ProfileUploadForm, ScreeningForm
from imena.identification.models import ScreeningRun
from imena.identification.relationships import family_checks
from imena.identification.screening import joint_for_grave, lineage_only_bodies
from imena.lib.lists import paginate
from imena.missing.access import person_for_user
from imena.missing.models import ReferenceSample
from kinship import KinshipError

BODIES_PER_PAGE = 20
#: The fields a screening page reads of each candidate row.
SHOWN = (
    "run",
    "pm_label",
    "rank",
    "lr",
    "log10_lr",
    "inconsistent",
    "person__case_no",
    "person__family_name",
    "person__given_names",
    "person__patronymic",
    "body__pm_number",
    "body__grave__marker_text",
    "body__grave__ref",
)
#: Mass graves linked to their joint result on a screening page (a national
#: run has thousands).
GRAVES_LISTED = 100


def _current() -> Q:
    return Q(withdrawn=False, superseded_by__isnull=True)


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: Any = request.user
    profiles = profiles_for_user(user)
    sites = list(sites_for_user(user).order_by("name"))
    pm_counts = dict(
        Sample.objects.filter(
            organisation_id=user.organisation_id,
            profile__isnull=False,
            profile__withdrawn=False,
            profile__superseded_by__isnull=True,
        )
        .values_list("body__grave__site")
        .annotate(n=Count("body", distinct=True))
        .values_list("body__grave__site", "n")
    )
    runs = access.screenings_for_user(user)
    latest: dict[int | None, ScreeningRun] = {}
    for run in runs.select_related("started_by").order_by("-created", "-pk")[:200]:
        latest.setdefault(run.site_id, run)
    rows = [
        {"site": s, "pm_profiles": pm_counts.get(s.pk, 0), "latest": latest.get(s.pk)}
        for s in sites
    ]
    q = request.GET.get("q", "").strip()
    found = profiles.filter(label__icontains=q).order_by("label")[:50] if q else []
    return render(
        request,
        "identification/dna_index.html",
        {
            "rows": rows,
            "reference_profiles": profiles.filter(
                _current(), kind=ProfileKind.REFERENCE
            ).count(),
            "pm_profiles": profiles.filter(
                _current(), kind=ProfileKind.POST_MORTEM
            ).count(),
            "q": q,
            "found": found,
            "runs": runs.select_related("site", "started_by")[:10],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def screening_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    require(user, "dna.change")
    site = site_for_user(user, pk)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.screening_run(actor=user, site=site, **form.cleaned_data)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext(
                    "Screening done: %(n)d candidate kept in %(s)s s.",
                    "Screening done: %(n)d candidates kept in %(s)s s.",
                    run.candidates,
                )
                % {
                    "n": run.candidates,
                    "s": number_format(run.seconds, decimal_pos=1),
                },
            )
            return redirect(run)
    return render(
        request, "identification/screening_form.html", {"site": site, "form": form}
    )


def joint_graves(run: ScreeningRun) -> list[dict[str, Any]]:
    """The run's graves with several screened bodies (at most ``GRAVES_LISTED``).

    A national run has tens of thousands of candidate rows: the grouping is kept
    in the cache until the run changes (a new run, or ``updated`` by new profiles).
    """
    stamp = (run.updated or run.created).isoformat()
    key = f"imena:screening-graves:{run.pk}:{stamp}:{run.candidates}"
    graves = cache.get(key)
    if graves is None:
        graves = list(
            run.candidate_rows.values("body__grave", "body__grave__marker_text")
            .annotate(n=Count("body", distinct=True))
            .filter(n__gt=1)
            .order_by("body__grave__marker_text")[:GRAVES_LISTED]
        )
        cache.set(key, graves, timeout=24 * 3600)
    return graves


@require_GET
@login_required
def screening_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = access.screening_for_user(request.user, pk)
    rows = run.candidate_rows.all()
    q = request.GET.get("q", "").strip()
    strong = request.GET.get("strong") == "1"
    labels = rows
    if q:
        labels = labels.filter(pm_label__icontains=q)
    if strong:
        labels = labels.filter(lr__gte=run.threshold)
    label_list = (
        labels.values_list("pm_label", flat=True).distinct().order_by("pm_label")
    )
    page = paginate(request, label_list, per_page=BODIES_PER_PAGE).page
    by_body: dict[str, list[Any]] = defaultdict(list)
    for c in (
        rows.filter(pm_label__in=list(page.object_list))
        .select_related("person", "body", "body__grave")
        # Only what the page shows: the LR per marker, the person's and the
        # body's descriptions are JSON that would be decoded for every row.
        .only(*SHOWN)
        .order_by("pm_label", "rank")
    ):
        by_body[c.pm_label].append(c)
    graves = joint_graves(run)
    lineage_only = lineage_only_bodies(
        organisation_id=run.organisation_id, site=None if run.national else run.site
    )
    return render(
        request,
        "identification/screening_detail.html",
        {
            "run": run,
            "site": run.site,
            "where": run.site.name if run.site else _("All sites"),
            "page": page,
            "bodies": [(label, by_body[label]) for label in page.object_list],
            "graves": graves,
            "lineage_only": lineage_only,
            "q": q,
            "strong": strong,
        },
    )


@require_GET
@login_required
def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = access.screening_candidate_for_user(request.user, pk)
    markers = sorted(candidate.per_marker.items())
    context = {"c": candidate, "run": candidate.run, "markers": markers}
    template = "identification/screening_candidate.html"
    if getattr(request, "htmx", False):
        template += "#markers"
    return render(request, template, context)


@require_GET
@login_required
def grave_joint(
    request: AuthenticatedHttpRequest, pk: int, grave_pk: int
) -> HttpResponse:
    user: Any = request.user
    run = access.screening_for_user(user, pk)
    grave = grave_for_user(user, grave_pk)
    if run.national:
        if grave.site.organisation_id != run.organisation_id:
            raise Http404("The grave is not of the screened organisation")
    elif grave.site_id != run.site_id:
        raise Http404("The grave is not on the screened site")
    result = joint_for_grave(run, grave)
    assignments: list[dict[str, Any]] = []
    marginals: list[tuple[str, list[tuple[Any, float]]]] = []
    if result is not None:
        persons = result.persons
        for a in result.result["assignments"]:
            assignments.append(
                {
                    "pairs": [
                        (body, persons.get(m) if m else None)
                        for body, m in sorted(a["assignment"].items())
                    ],
                    "lr": a["LR"],
                    "log10": a["log10LR"],
                    "posterior": a["posterior"],
                }
            )
        for body in result.bodies:
            dist = result.result["marginals"].get(body, {})
            ranked = sorted(dist.items(), key=lambda kv: -kv[1])[:5]
            marginals.append(
                (
                    body,
                    [(persons.get(m) if m != "null" else None, p) for m, p in ranked],
                )
            )
    return render(
        request,
        "identification/screening_grave_joint.html",
        {
            "run": run,
            "grave": grave,
            "site": run.site,
            "result": result,
            "assignments": assignments,
            "marginals": marginals,
            "lineage": [
                (body, result.persons.get(m), lines)
                for body, m, lines in result.lineage
            ]
            if result is not None
            else [],
        },
    )


@require_GET
@login_required
def family_fam(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A missing person's family as a Familias .fam file (DNA analysts; audited)."""
    person = person_for_user(request.user, pk, capability="dna.view")
    try:
        document, filename, notes = family_fam_document(person)
    except KinshipError as e:
        messages.error(
            request,
            _("The family cannot be written as a Familias file: %(e)s") % {"e": e},
        )
        return redirect(person)
    services.family_fam_export_record(
        actor=request.user,
        person=person,
        document=document,
        filename=filename,
        notes=notes,
    )
    response = HttpResponse(document, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def profile_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = dna_access.profile_for_user(request.user, pk)
    genotypes = sorted(profile.genotypes.items())
    ystr = sorted(profile.ystr.items())
    pm_samples = list(profile.pm_samples.select_related("body", "body__grave"))
    references = list(
        ReferenceSample.objects.filter(profile=profile).select_related(
            "member", "member__person"
        )
    )
    superseded_by = DNAProfile.objects.filter(supersedes=profile).first()
    checks = [
        pair
        for r in references[:1]
        if profile.is_current and profile.genotypes
        for pair in family_checks(r.member.person)
        if r.member.member_id in (pair.check.a, pair.check.b)
    ]
    return render(
        request,
        "identification/dna_profile_detail.html",
        {
            "profile": profile,
            "genotypes": genotypes,
            "ystr": ystr,
            "relationship_checks": checks,
            "pm_samples": pm_samples,
            "references": references,
            "superseded_by": superseded_by,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def profile_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, "dna.change")
    form = ProfileUploadForm(request.POST or None, request.FILES or None)
    warnings: list[str] = []
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            upload.open("rb")
            parsed = parse_profile_file(upload, filename=upload.name)
            warnings = parsed.warnings
            created = services.dna_profiles_upload(
                actor=user,
                organisation=user.organisation,
                kind=form.cleaned_data["kind"],
                profiles=parsed.profiles,
                source_format=parsed.source_format,
                source_sha256=parsed.sha256,
            )
        except ProfileFileError as e:
            errors.append(str(e))
        except ValidationError as e:
            errors.extend(e.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d profile stored: %(labels)s.",
                    "%(n)d profiles stored: %(labels)s.",
                    len(created),
                )
                % {"n": len(created), "labels": ", ".join(p.label for p in created)},
            )
            for w in warnings:
                messages.warning(request, w)
            return redirect("dna:index")
    return render(
        request,
        "identification/dna_profile_upload.html",
        {"form": form, "errors": errors, "warnings": warnings},
        status=400 if errors else 200,
    )
