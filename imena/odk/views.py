"""Web pages: the review queue of field drafts, and the user's app tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imena.accounts.http import AuthenticatedHttpRequest
from imena.accounts.models import User
from imena.audit.services import history_for
from imena.lib.lists import paginate
from imena.odk import access, collect, services, storage
from imena.odk.auth import absolute_url
from imena.odk.display import draft_blocks
from imena.odk.models import DraftStatus

PAGE_SIZE = 50


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class TokenForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Device or app"),
        max_length=100,
        help_text=gettext_lazy("For example: “Samsung tablet 3, Kobo Collect”."),
    )


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", DraftStatus.DRAFT)
    if status not in DraftStatus.values:
        status = DraftStatus.DRAFT
    drafts = (
        access.submissions_for_user(request.user)
        .filter(status=status)
        .select_related("submitted_by")
        .order_by("-received")
    )
    page = paginate(request, drafts, per_page=PAGE_SIZE).page
    return render(
        request,
        "odk/draft_list.html",
        {"page": page, "status": status, "statuses": DraftStatus.choices},
    )


@require_GET
@login_required
def draft_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access.submission_for_user(request.user, pk)
    return render(
        request,
        "odk/draft_detail.html",
        {
            "submission": submission,
            "blocks": draft_blocks(submission.form_id, submission.data),
            "attachments": list(submission.attachments.all()),
            "missing": submission.missing_attachments,
            "reject_form": RejectForm(),
            "history": history_for(submission).order_by("-seq")[:100],
        },
    )


@require_POST
@login_required
def draft_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access.submission_for_user(request.user, pk, accept=True)
    try:
        services.submission_accept(actor=request.user, submission=submission)
    except services.AcceptError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Accepted: the records were created."))
    return redirect("odk:draft_detail", pk=pk)


@require_POST
@login_required
def draft_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access.submission_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the submission is rejected."))
        return redirect("odk:draft_detail", pk=pk)
    try:
        services.submission_reject(
            actor=request.user,
            submission=submission,
            reason=form.cleaned_data["reason"],
        )
    except (services.AcceptError, ValidationError) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Rejected; the submission stays on file."))
    return redirect("odk:draft_detail", pk=pk)


@require_GET
@login_required
def attachment(request: AuthenticatedHttpRequest, pk: int, att: int) -> FileResponse:
    item = access.attachment_for_user(request.user, pk, att)
    try:
        handle = storage.open_blob(item.sha256)
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    # The type comes from the stored bytes (rows stored before the check may
    # carry a client's claim); always a download, which an <img> still shows.
    head = handle.read(64)
    handle.seek(0)
    response = FileResponse(
        handle,
        content_type=storage.content_type_of(head),
        as_attachment=True,
        filename=item.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
@login_required
def quarantine(request: AuthenticatedHttpRequest) -> HttpResponse:
    entries = access.quarantine_for_user(request.user).select_related("submitted_by")
    page = paginate(request, entries, per_page=PAGE_SIZE).page
    return render(request, "odk/quarantine_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    tokens = access.tokens_for_user(request.user)
    form = TokenForm(request.POST or None)
    server_url = absolute_url(request, "/")
    secret = payload = ""
    if request.method == "POST" and form.is_valid():
        _token, secret = services.app_token_create(
            user=request.user,
            label=form.cleaned_data["label"],
        )
        form = TokenForm()
        # The QR code carries the token, so it is shown once, with the token.
        payload = collect.encode_settings(
            collect.collect_settings(
                server_url=server_url,
                username=request.user.get_username(),
                token=secret,
                project_name=_project_name(request.user),
            )
        )
    return render(
        request,
        "odk/token_list.html",
        {
            "tokens": tokens,
            "form": form,
            "secret": secret,
            "server_url": server_url,
            "plain_http": server_url.startswith("http://"),
            "collect_payload": payload,
            # Generated here from base64 text: no user input reaches the markup.
            "collect_qr": mark_safe(collect.qr_svg(payload)) if payload else "",
        },
    )


def _project_name(user: User) -> str:
    """The project's name in Collect's project list."""
    organisation = user.organisation
    return f"Imena · {organisation.name}" if organisation else "Imena"


@require_POST
@login_required
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = access.token_for_user(request.user, pk)
    services.app_token_revoke(actor=request.user, token=token)
    messages.success(
        request, _("Token revoked: the device can no longer connect with it.")
    )
    return redirect("odk:tokens")
