from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imena.accounts.access import require
from imena.accounts.http import AuthenticatedHttpRequest
from imena.accounts.roles import can
from imena.audit.services import history_for
from imena.burials import access as burials_access
from imena.identification import access, safeguards, selectors, services
from imena.identification.forms import (
    ComputeForm,
    ConfirmForm,
    NotificationForm,
    OverrideForm,
    ProposeForm,
    ReasonForm,
)
from imena.identification.models import Candidate, IdentificationStatus
from imena.identification.pdf import identification_pdf
from imena.identification.worklist import STRONG_POSTERIOR
from imena.lib.forms import add_errors, flash_errors, run_with_reason
from imena.lib.lists import paginate

if TYPE_CHECKING:
    from imena.burials.models import Site


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    idents = access.identifications_for_user(request.user).select_related(
        "body", "person", "proposed_by"
    )
    sites = paginate(
        request,
        burials_access.sites_for_user(request.user),
        sorts={"name": "name"},
        default_sort="name",
        per_page=20,
        prefix="sites_",
    )
    by_time = {"proposed": "proposed_at", "body": "body__pm_number"}
    pending = paginate(
        request,
        idents.filter(status=IdentificationStatus.PROPOSED),
        sorts=by_time,
        default_sort="proposed",
        prefix="pending_",
    )
    confirmed = paginate(
        request,
        idents.filter(status=IdentificationStatus.CONFIRMED),
        sorts=by_time,
        default_sort="-proposed",
        prefix="confirmed_",
    )
    now = timezone.now()
    return render(
        request,
        "identification/index.html",
        {
            "sites": sites,
            "pending": pending,
            "confirmed": confirmed,
            "runs": [
                (s, selectors.latest_run(s), selectors.pending_updates(s))
                for s in sites.rows
            ],
            "compute_form": ComputeForm(),
            "can_propose": can(request.user, "identification.propose"),
            "workers": [
                (w, w.state(now))
                for w in selectors.worker_beats(request.user.organisation_id or 0)
            ],
        },
    )


@require_GET
@login_required
def site_candidates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:

    require(request.user, "identification.view")
    site = burials_access.site_for_user(request.user, pk)
    run = selectors.latest_run(site)
    q = request.GET.get("q", "").strip()
    strong = request.GET.get("strong") == "1"
    at_least = _posterior_param(request.GET.get("min", ""))
    if strong:
        at_least = STRONG_POSTERIOR
    without = request.GET.get("none") == "1"
    with_dna = request.GET.get("dna") == "1"
    listing = None
    if run:
        analyses = selectors.analyses(run).annotate(best=selectors.best_posterior())
        if q:
            analyses = analyses.filter(
                Q(body__pm_number__icontains=q)
                | Q(body__grave__marker_text__iexact=q)
                | Q(candidates__person__case_no__iexact=q)
            ).distinct()
        if at_least is not None:
            analyses = analyses.filter(best__gte=at_least)
        if without:
            analyses = analyses.filter(
                ~Exists(Candidate.objects.filter(analysis=OuterRef("pk")))
            )
        if with_dna:
            # DNA evidence moved the candidate's odds either way (LR not 1).
            analyses = analyses.filter(
                Exists(
                    Candidate.objects.filter(analysis=OuterRef("pk")).exclude(lr_dna=1)
                )
            )
        listing = paginate(
            request,
            analyses,
            sorts={
                "body": "body__pm_number",
                "grave": ("body__grave__number", "body__pm_number"),
                "best": "best",
                "none": "posterior_unlisted",
            },
            default_sort="body",
        )
    pending = selectors.pending_updates(site) if run else 0
    return render(
        request,
        "identification/site_candidates.html",
        {
            "site": site,
            "run": run,
            "pending": pending,
            **_worker_context(site, pending),
            "listing": listing,
            "analyses": listing.rows if listing else [],
            "q": q,
            "at_least": at_least,
            "without": without,
            "with_dna": with_dna,
            "strong_posterior": STRONG_POSTERIOR,
        },
    )


def _worker_context(site: Site, pending: int) -> dict[str, Any]:
    """For ``_freshness.html``: the worker that takes the site's pending
    changes and what it does (asked only when some are pending)."""
    worker = selectors.site_worker(site) if pending else None
    return {
        "worker": worker,
        "worker_state": worker.state(timezone.now()) if worker else None,
    }


def _posterior_param(text: str) -> float | None:
    """``min=0.9`` (or ``0,9``) as a posterior between 0 and 1; None when unusable."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


@require_POST
@login_required
def compute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:

    require(request.user, "identification.propose")
    site = burials_access.site_for_user(request.user, pk)
    form = ComputeForm(request.POST)
    if form.is_valid():
        run, _result = services.candidates_compute(
            actor=request.user,
            site=site,
            p_unlisted=form.cleaned_data["p_unlisted"],
        )
        messages.success(
            request,
            ngettext(
                "Candidates computed for %(n)d body.",
                "Candidates computed for %(n)d bodies.",
                run.body_count,
            )
            % {"n": run.body_count},
        )
    else:
        messages.error(request, _("The prior must be between 0 and 0.99."))
    return redirect("identification:site_candidates", pk=site.pk)


@require_GET
@login_required
def body_candidates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = access.body_for_user(request.user, pk)
    analysis = selectors.latest_analysis(body)
    pending = selectors.pending_updates(body.grave.site) if analysis else 0
    return render(
        request,
        "identification/body_candidates.html",
        {
            "body": body,
            "analysis": analysis,
            # The latest run this result is that of (its persons considered).
            "run": selectors.last_run_holding(analysis) if analysis else None,
            "pending": pending,
            **_worker_context(body.grave.site, pending),
            "candidates": selectors.candidate_rows(analysis.candidates.all())
            if analysis
            else [],
            "identifications": body.identifications.select_related(
                "person", "proposed_by"
            ),
            "lang": _lang(request),
        },
    )


def _lang(request: HttpRequest) -> str:
    return (
        "uk" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("uk") else "en"
    )


@require_GET
@login_required
def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cand = access.candidate_for_user(request.user, pk)
    want_markers = request.GET.get("markers") == "1"
    markers = None
    if want_markers:
        markers = selectors.dna_markers(cand)
    if request.GET.get("format") == "json" or request.path.endswith(".json"):
        return JsonResponse(
            selectors.explain_json(cand, markers=markers),
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
    body = cand.analysis.body
    live = body.identifications.filter(
        status__in=[IdentificationStatus.PROPOSED, IdentificationStatus.CONFIRMED]
    ).first()
    return render(
        request,
        "identification/candidate_detail.html",
        {
            "cand": cand,
            "body": body,
            "ev": cand.evidence,
            "lang": _lang(request),
            "markers": markers,
            "live": live,
            "propose_form": ProposeForm(),
            "propose_warnings": safeguards.warning_texts(
                safeguards.warnings_for(cand, safeguards.primary_identifier(cand))
            ),
            "override_form": OverrideForm(),
            "overrides": selectors.overrides_for_pair(body, cand.person_id),
            "withdraw_form": ReasonForm(),
            "can_propose": can(request.user, "identification.propose")
            and live is None
            and cand.lr > 0,
            "can_override": can(request.user, "identification.review"),
        },
    )


@require_POST
@login_required
def propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cand = access.candidate_for_user(
        request.user, pk, capability="identification.propose"
    )
    form = ProposeForm(request.POST)
    form.is_valid()
    try:
        ident = services.identification_propose(
            actor=request.user,
            candidate=cand,
            comment=form.cleaned_data.get("comment", ""),
            justification=form.cleaned_data.get("justification", ""),
            primary_identifier=form.cleaned_data.get("primary_identifier", ""),
            primary_reference=form.cleaned_data.get("primary_reference", ""),
        )
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect("identification:candidate_detail", pk=pk)
    messages.success(
        request, _("Identification proposed; a second person must confirm it.")
    )
    return redirect(ident)


@require_POST
@login_required
def override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cand = access.candidate_for_user(
        request.user, pk, capability="identification.review"
    )
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say which exclusion is set aside and why."))
        return redirect("identification:candidate_detail", pk=pk)
    try:
        services.exclusion_override_create(
            actor=request.user,
            body=cand.analysis.body,
            person=cand.person,
            key=form.cleaned_data["key"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(
            request, _("Override recorded; it applies from the next computation.")
        )
    return redirect("identification:candidate_detail", pk=pk)


@require_POST
@login_required
def override_withdraw(
    request: AuthenticatedHttpRequest, pk: int, override_pk: int
) -> HttpResponse:
    cand = access.candidate_for_user(
        request.user, pk, capability="identification.review"
    )
    override = access.override_for_user(request.user, override_pk)
    if (override.body_id, override.person_id) != (
        cand.analysis.body_id,
        cand.person_id,
    ):
        raise Http404
    run_with_reason(
        request,
        ReasonForm,
        partial(
            services.exclusion_override_withdraw,
            actor=request.user,
            override=override,
        ),
        done=_(
            "Override withdrawn; the exclusion applies again from the next computation."
        ),
        no_reason=_("Say why the override is withdrawn."),
    )
    return redirect("identification:candidate_detail", pk=pk)


@require_GET
@login_required
def identification_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ident = access.identification_for_user(request.user, pk)
    user = request.user
    is_proposer = ident.proposed_by_id == user.pk
    pending = ident.status == IdentificationStatus.PROPOSED
    return render(
        request,
        "identification/identification_detail.html",
        {
            "ident": ident,
            "ev": ident.evidence,
            "lang": _lang(request),
            "history": history_for(ident).order_by("-seq"),
            "can_confirm": pending
            and not is_proposer
            and can(user, "identification.review"),
            "is_proposer": is_proposer,
            "can_reject": pending
            and (can(user, "identification.review") or is_proposer),
            "can_reopen": ident.status == IdentificationStatus.CONFIRMED
            and can(user, "identification.review"),
            "confirm_form": ConfirmForm(),
            "warnings": safeguards.warning_texts(ident.warnings),
            "reason_form": ReasonForm(),
            "notifications": ident.notifications.all(),
            "can_notify": can(user, "identification.notify"),
        },
    )


def _act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    ident = access.identification_for_user(request.user, pk)
    try:
        if action == "confirm":
            form = ConfirmForm(request.POST)
            form.is_valid()
            services.identification_confirm(
                actor=request.user,
                identification=ident,
                comment=form.cleaned_data.get("comment", ""),
                acknowledge_warnings=form.cleaned_data.get(
                    "acknowledge_warnings", False
                ),
            )
            messages.success(request, _("Identification confirmed by a second person."))
        else:
            rform = ReasonForm(request.POST)
            if not rform.is_valid():
                messages.error(request, _("Give a reason."))
                return redirect(ident)
            fn = (
                services.identification_reject
                if action == "reject"
                else services.identification_reopen
            )
            fn(
                actor=request.user,
                identification=ident,
                reason=rform.cleaned_data["reason"],
            )
            messages.success(request, _("Saved."))
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    except PermissionDenied as e:
        return HttpResponse(str(e), status=403)
    return redirect(ident)


@require_POST
@login_required
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "confirm")


@require_POST
@login_required
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reject")


@require_POST
@login_required
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reopen")


@require_GET
@login_required
def liaison_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    idents = selectors.to_notify(
        access.identifications_for_user(request.user)
    ).select_related("body", "person")
    presumptive = idents.filter(primary_identifier="").count()
    idents = idents.exclude(primary_identifier="")
    listing = paginate(
        request,
        idents,
        sorts={"confirmed": "closed_at", "body": "body__pm_number"},
        default_sort="confirmed",
    )
    context = {"listing": listing, "idents": listing.rows, "presumptive": presumptive}
    return render(request, "identification/liaison_queue.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def notify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ident = access.identification_for_user(
        request.user, pk, capability="identification.notify"
    )
    form = NotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_notification_record(
                actor=request.user,
                identification=ident,
                **form.cleaned_data,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The family's notification is recorded."))
            return redirect("identification:liaison_queue")
    return render(request, "identification/notify.html", {"ident": ident, "form": form})


@require_GET
@login_required
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:

    ident = access.identification_for_user(request.user, pk)
    data = identification_pdf(ident, lang=_lang(request))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="identification-{ident.pk}.pdf"'
    )
    return response
