from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imena.accounts.access import in_organisation, require
from imena.accounts.http import AuthenticatedHttpRequest
from imena.burials.access import site_for_user, sites_for_user
from imena.core.times import local_time
from imena.journals import access, jobs, selectors, services
from imena.journals.forms import DecisionForm, JournalUploadForm, MappingForm
from imena.journals.models import ClusterMember, Journal, JournalRow, LinkDecision
from imena.journals.waterfall import waterfall
from imena.lib.forms import add_errors
from imena.lib.lists import paginate
from linkage.io import JournalFileError

PREVIEW_ROWS = 20


#: An upload neither confirmed nor abandoned explicitly is removed after this.
UPLOAD_MAX_AGE = 3600


def _upload_dir() -> Path:
    """The folder of uploads waiting for their preview to be confirmed: 0700,
    files 0600; files older than an hour are removed (#19 row 12)."""
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    sweep_uploads(path)
    return path


def sweep_uploads(path: Path, max_age: float = UPLOAD_MAX_AGE) -> int:
    """Remove uploads older than ``max_age`` seconds; returns how many."""
    cutoff = time.time() - max_age
    removed = 0
    for entry in path.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed += 1
        except FileNotFoundError:  # removed by another request meanwhile
            continue
    return removed


#: Sites per page of the journals' index.
SITES_PER_PAGE = 20


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    # A page of sites at a time; the latest runs, queue counts and journals of
    # the page's sites are one query each, whatever the number of sites.
    listing = paginate(
        request,
        sites_for_user(request.user),
        sorts={"name": "name"},
        default_sort="name",
        per_page=SITES_PER_PAGE,
    )
    sites = listing.rows
    journals = list(access.journals_for_user(request.user).filter(site__in=sites))
    runs = selectors.latest_runs(sites)
    queues = selectors.review_queue_counts(runs.values())
    site_rows = [
        {
            "site": s,
            "run": runs.get(s.pk),
            "queue": queues.get(runs[s.pk].pk, 0) if s.pk in runs else 0,
            "journals": [j for j in journals if j.site_id == s.pk],
        }
        for s in sites
    ]
    return render(
        request, "journals/index.html", {"site_rows": site_rows, "listing": listing}
    )


@require_GET
@login_required
def journal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    journal = access.journal_for_user(request.user, pk)
    rows = journal.rows.select_related("grave").order_by(
        "source_import_id", "row_number"
    )
    if request.GET.get("problems"):
        rows = rows.exclude(problems=[])
    page = paginate(request, rows, per_page=50).page
    return render(
        request,
        "journals/journal_detail.html",
        {
            "journal": journal,
            "imports": journal.imports.order_by("-created"),
            "page": page,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: choose site, journal and file; the file is read and previewed."""
    require(request.user, "journal.import")
    sites = sites_for_user(request.user)
    form = JournalUploadForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > settings.IMENA_MAX_JOURNAL_BYTES:
            form.add_error(
                "file",
                _("%(name)s is %(size)d bytes, over the limit of %(limit)d.")
                % {
                    "name": upload_file.name,
                    "size": upload_file.size,
                    "limit": settings.IMENA_MAX_JOURNAL_BYTES,
                },
            )
        else:
            token = uuid.uuid4().hex
            suffix = Path(upload_file.name).suffix.lower()[:8]
            target = _upload_dir() / f"{token}{suffix}"
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                for chunk in upload_file.chunks():
                    out.write(chunk)
            request.session[f"journal_upload_{token}"] = {
                "site": form.cleaned_data["site"].pk,
                "journal_name": form.cleaned_data["journal_name"],
                "file_name": upload_file.name,
                "path": str(target),
            }
            return redirect("journals:upload_preview", token=token)
    return render(request, "journals/upload.html", {"form": form})


def _pending(request: AuthenticatedHttpRequest, token: str) -> dict[str, str]:
    pending = request.session.get(f"journal_upload_{token}")
    if not pending or not Path(pending["path"]).exists():
        raise Http404("No such upload")
    return pending


@require_http_methods(["GET", "POST"])
@login_required
def upload_preview(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """Step 2: see how the file was read, adjust the columns, then import."""
    require(request.user, "journal.import")
    pending = _pending(request, token)
    site = site_for_user(request.user, pending["site"])  # type: ignore[arg-type]
    journal = Journal.objects.filter(
        site=site, name=pending["journal_name"].strip()
    ).first()
    probe = journal or Journal(site=site, name=pending["journal_name"], pk=0)
    path = Path(pending["path"])
    mapping_override = None
    if request.method == "POST":
        first = services.journal_read_file(
            path=path, filename=pending["file_name"], journal=probe
        )
        mform = MappingForm(
            request.POST, headers=first.header, initial_mapping=first.mapping
        )
        if mform.is_valid():
            mapping_override = mform.mapping()
    try:
        parsed = services.journal_read_file(
            path=path,
            filename=pending["file_name"],
            journal=probe,
            mapping=mapping_override,
        )
    except JournalFileError as e:
        path.unlink(missing_ok=True)
        request.session.pop(f"journal_upload_{token}", None)
        messages.error(request, str(e))
        return redirect("journals:upload")
    if request.method == "POST" and request.POST.get("confirm"):
        if journal is None:
            journal = services.journal_create(
                actor=request.user, site=site, name=pending["journal_name"]
            )
        if settings.IMENA_IMPORT_IN_BACKGROUND:
            request.session.pop(f"journal_upload_{token}", None)
            jobs.import_start(
                token=token,
                user_id=request.user.pk,
                journal_id=journal.pk,
                path=path,
                filename=pending["file_name"],
                mapping=parsed.mapping,
                language=request.LANGUAGE_CODE or settings.LANGUAGE_CODE,
            )
            return redirect("journals:import_progress", token=token)
        try:
            result = services.journal_import(
                actor=request.user,
                journal=journal,
                path=path,
                filename=pending["file_name"],
                mapping=parsed.mapping,
            )
        except JournalFileError as e:
            messages.error(request, str(e))
            return redirect("journals:upload")
        finally:
            path.unlink(missing_ok=True)
            request.session.pop(f"journal_upload_{token}", None)
        imp = result.source_import
        if result.created:
            messages.success(
                request,
                ngettext(
                    "Imported %(rows)d row from %(file)s (%(problems)d with problems "
                    "listed).",
                    "Imported %(rows)d rows from %(file)s (%(problems)d with problems "
                    "listed).",
                    imp.row_count,
                )
                % {
                    "rows": imp.row_count,
                    "file": imp.file_name,
                    "problems": imp.problem_row_count,
                },
            )
        else:
            messages.warning(
                request,
                _(
                    "This file (SHA-256 %(sha)s) was already imported on %(date)s; nothing was added."
                )
                % {
                    "sha": imp.sha256[:16],
                    "date": local_time(imp.created),
                },
            )
        return redirect(journal)
    mform = MappingForm(headers=parsed.header, initial_mapping=parsed.mapping)
    return render(
        request,
        "journals/upload_preview.html",
        {
            "token": token,
            "pending": pending,
            "site": site,
            "parsed": parsed,
            "rows": list(zip(parsed.raw_rows, parsed.rows, strict=True))[:PREVIEW_ROWS],
            "problem_rows": sum(1 for r in parsed.rows if r.problems),
            "mapping_form": mform,
        },
    )


@require_POST
@login_required
def reconcile(request: AuthenticatedHttpRequest, site_pk: int) -> HttpResponse:
    site = site_for_user(request.user, site_pk, capability="journal.review")
    if settings.IMENA_IMPORT_IN_BACKGROUND:
        token = uuid.uuid4().hex
        jobs.reconcile_start(
            token=token,
            user_id=request.user.pk,
            site_id=site.pk,
            rows=JournalRow.objects.filter(journal__site=site).count(),
        )
        return redirect("journals:reconcile_progress", site_pk=site.pk, token=token)
    run = services.reconcile_site(actor=request.user, site=site)
    _reconciled_message(request, run.row_count, run.cluster_count, run.conflict_count)
    return redirect("journals:review_queue", site_pk=site.pk)


def _reconciled_message(
    request: AuthenticatedHttpRequest, rows: int, people: int, conflicts: int
) -> None:
    messages.success(
        request,
        _("Reconciled %(rows)s into %(people)s; %(conflicts)s.")
        % {
            "rows": ngettext("%(n)d row", "%(n)d rows", rows) % {"n": rows},
            "people": ngettext("%(n)d person", "%(n)d people", people) % {"n": people},
            "conflicts": ngettext("%(n)d conflict", "%(n)d conflicts", conflicts)
            % {"n": conflicts},
        },
    )


@require_GET
@login_required
def reconcile_progress(
    request: AuthenticatedHttpRequest, site_pk: int, token: str
) -> HttpResponse:
    """A reconciliation running in the background; htmx polls until it ends."""
    site = site_for_user(request.user, site_pk, capability="journal.review")
    status = jobs.reconcile_status(token)
    if status is None or status.get("user") != request.user.pk:
        raise Http404("No such reconciliation")
    if status["state"] == "done":
        _reconciled_message(
            request, status["rows"], status["people"], status["conflicts"]
        )
        queue = reverse("journals:review_queue", args=[site.pk])
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = queue
            return response
        return redirect(queue)
    template = "journals/reconcile_progress.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    elapsed = int(time.time() - status.get("started", time.time()))
    return render(
        request,
        template,
        {"site": site, "token": token, "status": status, "elapsed": elapsed},
    )


@require_GET
@login_required
def review_queue(request: AuthenticatedHttpRequest, site_pk: int) -> HttpResponse:
    site = site_for_user(request.user, site_pk, capability="journal.view")
    require(request.user, "journal.view")
    items = selectors.review_queue(site)
    kind = request.GET.get("kind")
    if kind:
        items = items.filter(kind=kind)
    page = paginate(request, items, per_page=30).page
    return render(
        request,
        "journals/review_queue.html",
        {
            "site": site,
            "run": selectors.latest_run(site),
            "page": page,
            "kind": kind or "",
        },
    )


#: People shown per page of a review item that groups many rows.
PEOPLE_PER_PAGE = 25


@require_http_methods(["GET", "POST"])
@login_required
def review_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.review_item_for_user(request.user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "journal.review")
        if form.is_valid():
            rows = {r.pk: r for r in item.rows.all()}
            chosen = rows.get(form.cleaned_data["row"] or 0)
            try:
                services.review_decide(
                    actor=request.user,
                    item=item,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    row_a=chosen,
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(
                    request,
                    _(
                        "Decision recorded. It will hold when the journals are reconciled again."
                    ),
                )
                return redirect("journals:review_queue", site_pk=item.run.site_id)
    item_rows = list(
        item.rows.select_related("journal", "grave").order_by("journal__name", "pk")
    )
    # A group (one grave, many names) is read as people by journal, a page at a
    # time; a pair side by side, each row with its own cells as written.
    journals, people = selectors.review_people(item)
    return render(
        request,
        "journals/review_item.html",
        {
            "item": item,
            "rows": item_rows,
            "group": len(item_rows) > 2,
            "journals": journals,
            "people": paginate(request, people, per_page=PEOPLE_PER_PAGE),
            "form": form,
            "waterfall": waterfall(item.explanation, item.match_weight or 0.0),
            "can_decide": _can(request, "journal.review"),
            "decisions": LinkDecision.objects.filter(
                site=item.run.site, question_key=item.key
            ).select_related("decided_by"),
        },
    )


def _can(request: AuthenticatedHttpRequest, capability: str) -> bool:
    try:
        require(request.user, capability)
    except PermissionDenied:
        return False
    return True


@require_GET
@login_required
def row_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(request.user, "journal.view")
    try:
        row = JournalRow.objects.select_related(
            "journal__site", "source_import", "grave"
        ).get(in_organisation(request.user, "journal__site"), pk=pk)
    except JournalRow.DoesNotExist:
        raise Http404("No such row") from None
    run = selectors.latest_run(row.journal.site)
    membership = (
        ClusterMember.objects.select_related("cluster", "link_row__journal")
        .filter(row=row, cluster__run=run)
        .first()
        if run is not None
        else None
    )
    link_waterfall = (
        waterfall(membership.link_explanation, membership.link_weight or 0.0)
        if membership is not None
        else None
    )
    questions = (
        list(run.review_items.filter(rows=row).order_by("-priority", "pk"))
        if run is not None
        else []
    )
    return render(
        request,
        "journals/row_detail.html",
        {
            "row": row,
            "membership": membership,
            "waterfall": link_waterfall,
            "questions": questions,
        },
    )


@require_GET
@login_required
def import_progress(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The progress of a background import; htmx polls the fragment until done."""
    require(request.user, "journal.import")
    status = jobs.import_status(token)
    if status is None or status.get("user") != request.user.pk:
        raise Http404("No such import")
    if status["state"] == "done":
        journal_url = reverse("journals:journal_detail", args=[status["journal"]])
        if status["created"]:
            messages.success(
                request,
                ngettext(
                    "Imported %(rows)d row from %(file)s (%(problems)d with problems "
                    "listed).",
                    "Imported %(rows)d rows from %(file)s (%(problems)d with problems "
                    "listed).",
                    status["rows"],
                )
                % {
                    "rows": status["rows"],
                    "file": status["file"],
                    "problems": status["problems"],
                },
            )
        else:
            messages.warning(
                request,
                _(
                    "This file (SHA-256 %(sha)s) was already imported on %(date)s; nothing was "
                    "added."
                )
                % {"sha": status["sha"][:16], "date": status["date"]},
            )
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = journal_url
            return response
        return redirect(journal_url)
    template = "journals/import_progress.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    return render(request, template, {"token": token, "status": status})
