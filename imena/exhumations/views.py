from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imena.accounts.http import AuthenticatedHttpRequest
from imena.accounts.roles import can
from imena.audit.models import AuditEntry
from imena.audit.services import audit_record
from imena.burials.access import grave_for_user
from imena.dna.uploads import ProfileFileError, parse_profile_file, pick_profile
from imena.evidence import access as evidence_access
from imena.evidence import services as evidence_services
from imena.evidence import storage, uploads
from imena.evidence.models import EvidenceItem
from imena.exhumations import access, services
from imena.exhumations.forms import (
    ITEM_FORMS,
    SECTION_FORMS,
    BodyForm,
    CategoryForm,
    CustodyForm,
    EvidenceForm,
    ExhumationForm,
    ProfileUploadForm,
    ReadingForm,
    ReasonForm,
    SampleForm,
    WithdrawForm,
)
from imena.exhumations.models import Body, BodyCategory
from imena.exhumations.vocab import labels
from imena.lib.forms import add_errors, flash_errors, run_with_reason
from imena.lib.lists import paginate, text_search

SECTION_LABELS = {
    "biological": gettext_lazy("Biological profile"),
    "physical": gettext_lazy("Physical description"),
    "particulars": gettext_lazy("Particulars: scars, tattoos, amputations, prostheses"),
    "dental": gettext_lazy("Dental findings (FDI)"),
    "clothing": gettext_lazy("Clothing"),
    "effects": gettext_lazy("Personal effects"),
    "documents": gettext_lazy("Documents found on the body"),
    "pathology": gettext_lazy("Cause and manner of death"),
    "injuries": gettext_lazy("Injuries"),
    "torture": gettext_lazy("Torture and ill-treatment"),
    "findings": gettext_lazy("Free-text findings"),
}
SECTION_ORDER = [
    "biological",
    "physical",
    "particulars",
    "dental",
    "clothing",
    "effects",
    "documents",
    "pathology",
    "injuries",
    "torture",
    "findings",
]

logger = logging.getLogger(__name__)


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    exhumations = access.exhumations_for_user(request.user).select_related(
        "grave__site"
    )
    q = request.GET.get("q", "").strip()
    if q:
        exhumations = exhumations.filter(
            text_search(q, "grave__site__name", "grave__marker_text")
            | Q(grave__ref__iexact=q)
            | Q(bodies__pm_number__iexact=q)
        ).distinct()
    flagged = request.GET.get("flagged") == "1"
    if flagged:
        exhumations = exhumations.exclude(journal_flag="")
    listing = paginate(
        request,
        exhumations,
        sorts={
            "date": "date",
            "site": ("grave__site__name", "grave__ref"),
            "grave": "grave__ref",
            "bodies": "bodies_found",
        },
        default_sort="-date",
    )
    context = {"listing": listing, "exhumations": listing.rows, "q": q}
    return render(request, "exhumations/index.html", {**context, "flagged": flagged})


@require_http_methods(["GET", "POST"])
@login_required
def exhumation_create(request: AuthenticatedHttpRequest, grave_pk: int) -> HttpResponse:
    grave = grave_for_user(request.user, grave_pk, capability="postmortem.change")
    initial = {"date": timezone.localdate(), "bodies_found": grave.bodies_expected or 1}
    form = ExhumationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        pm_numbers = data.pop("pm_numbers")
        try:
            exhumation = services.exhumation_create(
                actor=request.user,
                grave=grave,
                pm_numbers=pm_numbers,
                **data,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Exhumation recorded."))
            return redirect(exhumation)
    return render(
        request, "exhumations/exhumation_form.html", {"grave": grave, "form": form}
    )


@require_GET
@login_required
def exhumation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exhumation = access.exhumation_for_user(request.user, pk)
    history = AuditEntry.objects.filter(
        object_type="exhumations.exhumation", object_id=str(exhumation.pk)
    ).order_by("-seq")[:100]
    evidence = (
        exhumation.evidence.select_related("body")
        if can(request.user, "evidence.view")
        else None
    )
    return render(
        request,
        "exhumations/exhumation_detail.html",
        {
            "exhumation": exhumation,
            "grave": exhumation.grave,
            "bodies": exhumation.bodies.select_related("pm"),
            "evidence": evidence,
            "history": history,
            "withdraw_form": WithdrawForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def body_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exhumation = access.exhumation_for_user(
        request.user, pk, capability="postmortem.change"
    )
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(
                actor=request.user,
                exhumation=exhumation,
                **form.cleaned_data,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Body %(number)s recorded.") % {"number": body})
            return redirect(body)
    return render(
        request, "exhumations/body_form.html", {"exhumation": exhumation, "form": form}
    )


def _section_rows(body: Body, section: str) -> Any:
    if section == "particulars":
        return body.particulars.all()
    if section == "dental":
        return body.teeth.all()
    if section == "injuries":
        return body.injuries.all()
    kind = services.ITEM_KIND_OF_SECTION[section]
    return body.items.filter(kind=kind)


def _section_context(
    request: AuthenticatedHttpRequest,
    body: Body,
    section: str,
    form: Any = None,
    *,
    restored: bool = False,
    saved: bool = False,
) -> dict[str, Any]:
    can_change = can(request.user, "postmortem.change")
    if form is None and can_change:
        draft = services.draft_get(user=request.user, body=body, section=section)
        if section in SECTION_FORMS:
            form = (
                SECTION_FORMS[section](data=draft, instance=body.pm)
                if draft
                else (SECTION_FORMS[section](instance=body.pm))
            )
        else:
            form = ITEM_FORMS[section](data=draft) if draft else ITEM_FORMS[section]()
        restored = draft is not None
    return {
        "body": body,
        "section": section,
        "section_label": SECTION_LABELS[section],
        "form": form,
        "restored": restored,
        "saved": saved,
        "can_change": can_change,
        # Autosaves of this page are refused once the section is saved after it.
        "draft_page": timezone.now().isoformat(),
        "rows": _section_rows(body, section) if section in ITEM_FORMS else None,
        "fields": _display_fields(body.pm, section)
        if section in SECTION_FORMS
        else None,
    }


def _display_fields(pm: Any, section: str) -> list[tuple[str, str]]:

    out = []
    for name in services.SECTIONS[section]:
        field = pm._meta.get_field(name)
        value = getattr(pm, name)
        if name == "torture_indicators":
            shown = labels("torture_indicator", value)
        elif isinstance(value, bool):
            shown = _("yes") if value else ""
        elif field.choices:
            shown = getattr(pm, f"get_{name}_display")()
        else:
            shown = "" if value is None else str(value)
        out.append((str(field.verbose_name), shown))
    return out


@require_GET
@login_required
def body_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = access.body_for_user(request.user, pk)
    sections = [
        {
            "key": s,
            "label": SECTION_LABELS[s],
            "fields": _display_fields(body.pm, s) if s in SECTION_FORMS else None,
            "rows": _section_rows(body, s).filter(withdrawn=False)
            if s in ITEM_FORMS
            else None,
        }
        for s in SECTION_ORDER
    ]
    history = AuditEntry.objects.filter(
        object_type="exhumations.body", object_id=str(body.pk)
    ).order_by("-seq")[:200]
    evidence = body.evidence.all() if can(request.user, "evidence.view") else None
    return render(
        request,
        "exhumations/body_detail.html",
        {
            "body": body,
            "exhumation": body.exhumation,
            "grave": body.grave,
            "sections": sections,
            "samples": body.samples.select_related("profile"),
            "readings": body.readings.select_related("read_by"),
            "evidence": evidence,
            "history": history,
            "reading_form": ReadingForm(),
            "torture_signs": body.pm.torture_sign_labels,
            "category_form": CategoryForm(initial={"category": body.category}),
            "category_suggestion": BodyCategory(services.category_suggestion(body)),
            "withdraw_form": WithdrawForm(),
        },
    )


@require_POST
@login_required
def body_category(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The examiner records (or corrects, with a reason) civilian or military."""
    body = access.body_for_user(request.user, pk, capability="postmortem.classify")
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.body_set_category(
                actor=request.user,
                body=body,
                **form.cleaned_data,
            )
        except ValidationError as e:
            flash_errors(request, e)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose civilian, military or unknown."))
    return redirect(body.get_absolute_url() + "#category")


@require_POST
@login_required
def body_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = access.body_for_user(request.user, pk, capability="postmortem.change")
    run_with_reason(
        request,
        WithdrawForm,
        partial(services.body_withdraw, actor=request.user, body=body),
        done=_("Withdrawn; it stays in the history."),
        no_reason=_("Say why the record is withdrawn."),
    )
    return redirect(body)


@require_POST
@login_required
def exhumation_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exhumation = access.exhumation_for_user(
        request.user, pk, capability="postmortem.change"
    )
    run_with_reason(
        request,
        WithdrawForm,
        partial(
            services.exhumation_withdraw, actor=request.user, exhumation=exhumation
        ),
        done=_("Withdrawn; it stays in the history."),
        no_reason=_("Say why the record is withdrawn."),
    )
    return redirect(exhumation)


@require_http_methods(["GET", "POST"])
@login_required
def section(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTION_LABELS:
        raise Http404("No such section")
    capability = "postmortem.change" if request.method == "POST" else "postmortem.view"
    body = access.body_for_user(request.user, pk, capability=capability)
    template = "exhumations/section.html"
    if getattr(request, "htmx", False):
        template += "#section"
    if request.method == "GET":
        return render(request, template, _section_context(request, body, section))
    if section in SECTION_FORMS:
        form = SECTION_FORMS[section](request.POST, instance=body.pm)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
            # form.is_valid() wrote onto the instance; the service reads the
            # stored record afresh to tell recording from correcting.
            try:
                services.pm_section_save(
                    actor=request.user,
                    body=body,
                    section=section,
                    data=data,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                return _saved(request, body, section, template)
        body.pm.refresh_from_db()
    else:
        form = ITEM_FORMS[section](request.POST)
        if form.is_valid():
            try:
                services.pm_item_add(
                    actor=request.user,
                    body=body,
                    section=section,
                    data=form.cleaned_data,
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                return _saved(request, body, section, template)
    return render(
        request,
        template,
        _section_context(request, body, section, form),
        status=422 if getattr(request, "htmx", False) else 200,
    )


def _saved(
    request: AuthenticatedHttpRequest, body: Body, section: str, template: str
) -> HttpResponse:
    if getattr(request, "htmx", False):
        body = access.body_for_user(request.user, body.pk)
        return render(
            request, template, _section_context(request, body, section, saved=True)
        )
    messages.success(request, _("Saved."))
    return redirect(body.get_absolute_url() + "#" + section)


@require_POST
@login_required
def section_draft(
    request: AuthenticatedHttpRequest, pk: int, section: str
) -> HttpResponse:
    if section not in SECTION_LABELS:
        raise Http404("No such section")
    body = access.body_for_user(request.user, pk, capability="postmortem.change")
    data = {k: (v if len(v) > 1 else v[0]) for k, v in request.POST.lists()}
    try:
        stored = services.draft_save(
            user=request.user, body=body, section=section, data=data
        )
    except DatabaseError:
        # A busy database: the page's script tries again, never a 500.
        logger.warning("draft save failed on %s", request.path, exc_info=True)
        return HttpResponse(_("Draft not saved yet; trying again."), status=503)
    if not stored:
        # Overtaken by a later autosave or by saving the section: nothing to show.
        return HttpResponse(status=204)
    return HttpResponse(
        _("Draft saved at %(time)s")
        % {"time": timezone.localtime().strftime("%H:%M:%S")}
    )


@require_POST
@login_required
def item_withdraw(
    request: AuthenticatedHttpRequest, pk: int, section: str, item_pk: int
) -> HttpResponse:
    if section not in ITEM_FORMS:
        raise Http404("No such section")
    body = access.body_for_user(request.user, pk, capability="postmortem.change")
    model, _fields = services.ITEM_SECTIONS[section]
    item = model.objects.filter(pk=item_pk, body=body).first()  # type: ignore[attr-defined]
    if item is None:
        raise Http404("No such row")
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.pm_item_withdraw(
            actor=request.user,
            body=body,
            section=section,
            item=item,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Withdrawn; it stays in the history."))
    else:
        messages.error(request, _("Say why the row is withdrawn."))
    return redirect(body.get_absolute_url() + "#" + section)


@require_POST
@login_required
def reading_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = access.body_for_user(request.user, pk, capability="postmortem.change")
    form = ReadingForm(request.POST)
    if form.is_valid():
        services.finding_mark_read(actor=request.user, body=body, **form.cleaned_data)
        messages.success(request, _("Recorded as read to the prosecutor."))
    else:
        messages.error(request, _("Name the prosecutor."))
    return redirect(body.get_absolute_url() + "#readings")


@require_http_methods(["GET", "POST"])
@login_required
def sample_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = access.body_for_user(request.user, pk, capability="postmortem.change")
    n = body.samples.count() + 1
    form = SampleForm(
        request.POST or None,
        initial={
            "sample_id": f"{body.pm_number}-S{n}",
            "taken_on": timezone.localdate(),
            "taken_by": request.user.get_full_name() or request.user.get_username(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sample_create(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Sample recorded."))
            return redirect(body.get_absolute_url() + "#samples")
    return render(request, "exhumations/sample_form.html", {"body": body, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def sample_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = access.sample_for_user(request.user, pk, capability="dna.change")
    body = sample.body
    form = ProfileUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            upload.open("rb")
            parsed = parse_profile_file(upload, filename=upload.name, parts=("pm",))
            _name, chosen = pick_profile(
                parsed, [sample.sample_id, body.pm_number], filename=upload.name
            )
            services.sample_attach_profile(
                actor=request.user,
                sample=sample,
                genotypes=chosen["genotypes"],
                sex=chosen["sex"],
                ystr=chosen.get("ystr"),
                mtdna=chosen.get("mtdna"),
                source_format=parsed.source_format,
                source_sha256=parsed.sha256,
            )
        except ProfileFileError as e:
            form.add_error("file", str(e))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("Profile attached to sample %(id)s.") % {"id": sample.sample_id},
            )
            for w in parsed.warnings:
                messages.warning(request, w)
            return redirect(body.get_absolute_url() + "#samples")
    return render(
        request,
        "exhumations/profile_form.html",
        {"sample": sample, "body": body, "form": form},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@login_required
def evidence_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The size-limit handler must be installed before the body is parsed, so
    # the CSRF check runs after it (csrf_protect below), not in the middleware.
    if request.method == "POST":
        uploads.install(request)
    return _evidence_create(request, pk)


@csrf_protect
def _evidence_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exhumation = access.exhumation_for_user(
        request.user,
        pk,
        capability="postmortem.view",
    )
    evidence_access.evidence_items_for_user(request.user)
    if not can(request.user, "evidence.change"):
        raise PermissionDenied(_("Your role does not allow this."))
    bodies = exhumation.bodies.all()
    initial = {"body": request.GET.get("body")} if request.GET.get("body") else None
    form = EvidenceForm(
        request.POST or None, request.FILES or None, bodies=bodies, initial=initial
    )
    too_large = getattr(request, "evidence_too_large", None)
    if request.method == "POST":
        if too_large is not None:
            form.is_valid()
            form.add_error(
                "file",
                _(
                    "%(name)s is larger than the limit of %(limit)s "
                    "bytes; nothing was stored."
                )
                % {
                    "name": too_large,
                    "limit": uploads.EvidenceSizeLimitHandler().limit,
                },
            )
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                staged = (
                    storage.stage(upload.chunks(storage.CHUNK), name=upload.name)
                    if upload
                    else None
                )
                item = evidence_services.evidence_create(
                    actor=request.user,
                    grave=exhumation.grave,
                    exhumation=exhumation,
                    body=form.cleaned_data["body"],
                    kind=form.cleaned_data["kind"],
                    staged=staged,
                    description=form.cleaned_data["description"],
                    seal_number=form.cleaned_data["seal_number"],
                    place=form.cleaned_data["place"],
                )
            except storage.EvidenceFileError as e:
                form.add_error("file", str(e))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(
                    request,
                    _("Evidence item %(number)s stored.") % {"number": item.number},
                )
                return redirect(item)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "exhumations/evidence_form.html",
        {"exhumation": exhumation, "form": form},
        status=status,
    )


@require_GET
@login_required
def evidence_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = evidence_access.evidence_for_user(request.user, pk)
    return render(
        request,
        "exhumations/evidence_detail.html",
        {
            "item": item,
            "custody": item.custody.select_related("recorded_by"),
            "form": CustodyForm(),
            "can_change": can(request.user, "evidence.change"),
        },
    )


@require_POST
@login_required
def custody_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = evidence_access.evidence_for_user(
        request.user, pk, capability="evidence.change"
    )
    form = CustodyForm(request.POST)
    if form.is_valid():
        try:
            evidence_services.custody_record(
                actor=request.user, item=item, **form.cleaned_data
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Custody entry recorded."))
            return redirect(item)
    return render(
        request,
        "exhumations/evidence_detail.html",
        {
            "item": item,
            "custody": item.custody.select_related("recorded_by"),
            "form": form,
            "can_change": True,
        },
        status=400,
    )


@require_GET
@login_required
def evidence_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    item: EvidenceItem = evidence_access.evidence_for_user(request.user, pk)
    if not item.sha256:
        raise Http404("No file")
    path = storage.path_for(item.sha256)
    if not path.exists():
        raise Http404("File missing from the store")
    audit_record(actor=request.user, action="evidence.file_view", obj=item)
    return FileResponse(
        path.open("rb"),
        content_type=item.media_type,
        filename=item.original_name or item.number,
    )
