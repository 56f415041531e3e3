"""Family pages (public: the report form, the private case page) and the
liaison queue (family liaison officers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imena.accounts.access import in_organisation
from imena.accounts.http import AuthenticatedHttpRequest
from imena.audit.services import audit_record
from imena.evidence import storage
from imena.families import access, limits, selectors, services
from imena.families.forms import (
    PHOTO_FIELDS,
    AdditionForm,
    ConsentWithdrawForm,
    MergeForm,
    PublicReportForm,
    ReasonForm,
)
from imena.families.models import CaseAccess, PublicReport
from imena.families.photos import (
    PhotoError,
    StrippedPhoto,
    discarded_on_error,
    strip_and_stage,
)
from imena.lib.forms import add_errors, flash_errors
from imena.lib.lists import paginate
from imena.missing.models import MissingPerson
from imena.missing.search import client_address


def _private(response: HttpResponse) -> HttpResponse:
    """The case page: its address (the secret) never goes to another site as a
    referrer, and it is not indexed. ("no-referrer" would make browsers send
    ``Origin: null`` with the page's own forms, which the CSRF check refuses.)"""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "families/limited.html", status=429)


def _photos(files: list[UploadedFile]) -> list[StrippedPhoto]:
    """Every photo stripped and staged, or none (one refused discards the rest)."""
    photos: list[StrippedPhoto] = []
    with discarded_on_error(photos):
        for f in files:
            photos.append(strip_and_stage(f, size=f.size or 0, name=f.name or ""))
    return photos


# --- Public: the report form ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """A family member reports a missing relative; the report is a draft."""
    if request.method == "GET":
        return render(
            request, "families/report_form.html", {"form": PublicReportForm()}
        )
    if limits.address_over_limit(client_address(request.META)):
        return _limited(request)
    form = PublicReportForm(request.POST, request.FILES)
    if form.data.get("website"):
        # A robot filled the hidden field: answer as if stored, store nothing.
        return redirect("families:report_received")
    if form.is_valid():
        data = form.cleaned_data
        if limits.contact_over_limit(
            data["reporter_phone"], data["reporter_email"], data["reporter_address"]
        ):
            return _limited(request)
        files = [
            f
            for f in (request.FILES.get(n) for n in PHOTO_FIELDS)
            if isinstance(f, UploadedFile)
        ]
        try:
            photos = _photos(files)
            services.public_report_submit(
                fields=form.report_fields(),
                consents=form.consents(),
                photos=photos,
                language=get_language() or "uk",
            )
        except PhotoError as e:
            form.add_error(None, str(e))
        except ValidationError as e:
            add_errors(form, e)
        else:
            return redirect("families:report_received")
    return render(request, "families/report_form.html", {"form": form}, status=422)


@require_GET
def report_received(request: HttpRequest) -> HttpResponse:
    return render(request, "families/report_received.html")


# --- Public: the family's private case page ----------------------------------------


@require_GET
def case(request: HttpRequest, token: str) -> HttpResponse:
    case_access = access.case_for_token(token)
    return _private(_render_case(request, case_access, token, AdditionForm()))


def _render_case(
    request: HttpRequest,
    case_access: CaseAccess,
    token: str,
    form: AdditionForm,
    status: int = 200,
) -> HttpResponse:
    view = selectors.case_view(case_access)
    return render(
        request,
        "families/case.html",
        {"case": view, "token": token, "form": form},
        status=status,
    )


@require_POST
def case_add(request: HttpRequest, token: str) -> HttpResponse:
    case_access = access.case_for_token(token)
    if limits.address_over_limit(client_address(request.META)):
        return _private(_limited(request))
    form = AdditionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            photo = (
                strip_and_stage(upload, size=upload.size or 0, name=upload.name or "")
                if upload
                else None
            )
            services.family_addition_create(
                access=case_access,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                relationship=form.cleaned_data["relationship"],
                photo=photo,
            )
        except PhotoError as e:
            form.add_error("photo", str(e))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("Thank you. Your liaison officer will see what you added."),
            )
            return redirect("families:case", token=token)
    return _private(_render_case(request, case_access, token, form, status=422))


@require_POST
def case_consent(request: HttpRequest, token: str) -> HttpResponse:
    case_access = access.case_for_token(token)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw(access=case_access, use=form.cleaned_data["use"])
        except ValidationError as e:
            flash_errors(request, e)
        else:
            messages.success(request, _("Your consent was withdrawn."))
    return redirect("families:case", token=token)


# --- Liaison officers: the queue ------------------------------------------------------


@require_GET
@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    reports = access.reports_for_user(request.user)
    return render(
        request,
        "families/queue.html",
        {
            "drafts": paginate(
                request,
                reports.filter(status="draft").order_by("created", "pk"),
                prefix="drafts_",
            ),
            "handled": reports.exclude(status="draft").order_by("-handled_at")[:50],
            "additions": paginate(
                request,
                access.additions_for_user(request.user)
                .filter(handled_at__isnull=True)
                .order_by("created", "pk"),
                prefix="additions_",
            ),
        },
    )


def _detail_context(
    request: AuthenticatedHttpRequest, report_: PublicReport
) -> dict[str, Any]:
    org = request.user.organisation
    duplicates = (
        selectors.proposed_duplicates(report_, org)
        if report_.status == "draft" and org is not None
        else []
    )
    return {
        "report": report_,
        "rows": selectors.report_rows(report_),
        "duplicates": duplicates,
        "similar_drafts": selectors.similar_drafts(report_)
        if report_.status == "draft"
        else [],
        "merge_form": MergeForm(
            initial={"into": duplicates[0].case_no} if duplicates else None
        ),
        "reject_form": ReasonForm(),
        "accesses": report_.accesses.all(),
    }


@require_GET
@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report_ = access.report_for_user(request.user, pk)
    return render(
        request, "families/report_detail.html", _detail_context(request, report_)
    )


def _link_issued(
    request: HttpRequest, person: MissingPerson, case_code: str, token: str
) -> HttpResponse:
    """The new link, shown this once: only its hash is kept."""
    link = request.build_absolute_uri(reverse("families:case", args=[token]))
    return render(
        request,
        "families/link_issued.html",
        {"person": person, "case_code": case_code, "link": link},
    )


def _live_code(report_: PublicReport) -> str:
    live = report_.accesses.filter(revoked_at__isnull=True).first()
    return live.case_code if live else ""


@require_POST
@login_required
def report_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    draft = access.draft_for_user(request.user, pk)
    try:
        person, token = services.public_report_accept(actor=request.user, report=draft)
    except ValidationError as e:
        flash_errors(request, e)
        return redirect("families:report_detail", pk=pk)
    return _link_issued(request, person, _live_code(draft), token)


@require_POST
@login_required
def report_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    draft = access.draft_for_user(request.user, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        into = MissingPerson.objects.filter(
            in_organisation(request.user),
            case_no=form.cleaned_data["into"].strip(),
        ).first()
        if into is None:
            form.add_error(
                "into", _("Your organisation has no report with this number.")
            )
        else:
            try:
                person, token = services.public_report_merge(
                    actor=request.user,
                    report=draft,
                    into=into,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                return _link_issued(request, person, _live_code(draft), token)
    context = _detail_context(request, draft)
    context["merge_form"] = form
    return render(request, "families/report_detail.html", context, status=422)


@require_POST
@login_required
def report_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    draft = access.draft_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.public_report_reject(
            actor=request.user, report=draft, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The report was set aside."))
        return redirect("families:queue")
    context = _detail_context(request, draft)
    context["reject_form"] = form
    return render(request, "families/report_detail.html", context, status=422)


@require_POST
@login_required
def access_reissue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    old = access.access_for_user(request.user, pk)
    token = services.case_access_reissue(actor=request.user, access=old)
    return _link_issued(request, old.person, old.case_code, token)


@require_POST
@login_required
def addition_handle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    addition = access.addition_for_user(request.user, pk)
    services.family_addition_handle(
        actor=request.user, addition=addition, attach=bool(request.POST.get("attach"))
    )
    messages.success(request, _("Marked as handled."))
    return redirect("families:queue")


@require_GET
@login_required
def photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    family_photo = access.photo_for_user(request.user, pk)
    path = storage.path_for(family_photo.sha256)
    if not path.exists():
        raise Http404("File missing from the store")
    audit_record(
        actor=request.user,
        action="families.photo.view",
        obj=family_photo.report,
        after={"photo": family_photo.pk, "sha256": family_photo.sha256},
    )
    response = FileResponse(path.open("rb"), content_type=family_photo.media_type)
    response["Cache-Control"] = "private, no-store"
    return response
