from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from imena.accounts.http import AuthenticatedHttpRequest
from imena.audit.services import history_for
from imena.burials import access, names, services
from imena.burials.forms import (
    GraveCorrectionForm,
    GraveFilterForm,
    GraveForm,
    SurveyConfirmForm,
    SurveyUploadForm,
)
from imena.burials.models import Grave
from imena.burials.numbering import normalise_grave_number
from imena.burials.survey import SurveyError, parse_survey, survey_moves
from imena.core.hooks import app_hooks
from imena.core.panels import grave_panels
from imena.lib.lists import paginate, text_search

PAGE_SIZE = 50
SITES_ON_HOME = 10


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's work list: what waits for this user, from every app."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    items = [
        item
        for hook in app_hooks("worklist", "work_items")
        for item in hook(request.user)
    ]
    sites = access.sites_for_user(request.user).order_by("name")
    context = {
        "items": items,
        "sites": sites[:SITES_ON_HOME],
        "site_count": sites.count(),
    }
    return render(request, "burials/home.html", context)


@require_GET
@login_required
def site_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sites = access.sites_for_user(request.user).annotate(
        grave_count=Count("graves", filter=Q(graves__withdrawn=False))
    )
    q = request.GET.get("q", "").strip()
    if q:
        sites = sites.filter(text_search(q, "name", "settlement", "region"))
    listing = paginate(
        request,
        sites,
        sorts={"name": "name", "region": ("region", "name"), "graves": "grave_count"},
        default_sort="name",
    )
    context = {"listing": listing, "sites": listing.rows, "q": q}
    return render(request, "burials/site_list.html", context)


@require_GET
@login_required
def site_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = access.site_for_user(request.user, pk)
    form = GraveFilterForm(request.GET or None)
    graves = site.graves.filter(withdrawn=False)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            number = normalise_grave_number(q)
            cond = Q(marker_text__icontains=q) | Q(ref__iexact=q)
            if number:
                cond |= Q(number=number)
            if len(q) >= 2:  # a name in a journal, or of the person identified
                cond |= Q(pk__in=Grave.objects.filter(names.name_condition(q)))
            graves = graves.filter(cond)
        if form.cleaned_data["status"]:
            graves = graves.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            graves = graves.filter(kind=form.cleaned_data["kind"])
    page = paginate(request, graves.order_by("ref"), per_page=PAGE_SIZE).page
    page.object_list = list(page.object_list)
    shown = names.names_for(g.pk for g in page.object_list)
    for grave in page.object_list:
        grave.shown_name = shown.get(grave.pk, "")
    context = {
        "site": site,
        "form": form,
        "page": page,
    }
    template = "burials/site_detail.html"
    if getattr(request, "htmx", False):
        template += "#grave-rows"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def grave_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = access.site_for_user(request.user, pk, capability="grave.change")
    form = GraveForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        grave = services.grave_create(
            actor=request.user, site=site, **form.grave_data()
        )
        messages.success(request, _("Grave registered."))
        return redirect(grave)
    return render(request, "burials/grave_form.html", {"site": site, "form": form})


@require_GET
@login_required
def grave_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grave = access.grave_for_user(request.user, pk)
    return render(
        request,
        "burials/grave_detail.html",
        {
            "grave": grave,
            "site": grave.site,
            "history": history_for(grave).order_by("-seq")[:200],
            "panels": grave_panels(request, grave),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def grave_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grave = access.grave_for_user(request.user, pk, capability="grave.change")
    form = GraveCorrectionForm(request.POST or None, instance=grave)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        # form.is_valid() already wrote the new values onto the instance, so the
        # service reads the stored row afresh.
        services.grave_update(actor=request.user, grave=grave, reason=reason, **data)
        messages.success(
            request, _("Correction saved; the previous values stay in the history.")
        )
        return redirect("burials:grave_detail", pk=pk)
    return render(
        request,
        "burials/grave_form.html",
        {"site": grave.site, "grave": grave, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Grave positions from a survey CSV: upload, preview the moves, confirm."""
    site = access.site_for_user(request.user, pk, capability="grave.change")
    context: dict = {"site": site}
    if request.method == "POST" and "confirm" in request.POST:
        confirm = SurveyConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                rows = parse_survey(
                    confirm.cleaned_data["csv"],
                    confirm.cleaned_data["filename"],
                    epsg=confirm.cleaned_data["epsg"],
                )
                moves = services.grave_positions_import(
                    actor=request.user,
                    site=site,
                    rows=rows,
                    reason=confirm.cleaned_data["reason"],
                )
            except SurveyError as e:
                context["error"] = str(e)
            else:
                n = sum(1 for m in moves if m.changed)
                messages.success(
                    request,
                    ngettext(
                        "%(n)d grave position saved; the previous values stay in "
                        "the history.",
                        "%(n)d grave positions saved; the previous values stay in "
                        "the history.",
                        n,
                    )
                    % {"n": n},
                )
                return redirect(site)
        context["form"] = SurveyUploadForm()
        return render(request, "burials/survey_import.html", context, status=422)
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        try:
            rows = parse_survey(text, form.filename, epsg=form.cleaned_data["epsg"])
            moves = survey_moves(site, rows)
        except SurveyError as e:
            context["error"] = str(e)
        else:
            context["moves"] = moves
            context["changed"] = sum(1 for m in moves if m.changed)
            context["confirm"] = SurveyConfirmForm(
                initial={
                    "csv": text,
                    "epsg": form.cleaned_data["epsg"],
                    "filename": form.filename,
                    "reason": form.cleaned_data["reason"],
                }
            )
            return render(request, "burials/survey_import.html", context)
    status = 422 if request.method == "POST" else 200
    return render(request, "burials/survey_import.html", context, status=status)
