from __future__ import annotations

import json
import secrets
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imena.accounts.access import require
from imena.accounts.http import AuthenticatedHttpRequest
from imena.accounts.roles import can
from imena.audit.services import audit_record, history_for
from imena.core.collation import Ukrainian
from imena.dna.access import profile_for_user
from imena.dna.uploads import (
    ProfileFileError,
    families_from_case,
    parse_profile_file,
    pick_profile,
)
from imena.evidence import storage, uploads
from imena.lib.forms import add_errors, error_messages, flash_errors, run_with_reason
from imena.lib.hashing import bytes_sha256
from imena.lib.lists import paginate
from imena.lib.safejson import UnsafeJSON, loads_untrusted
from imena.missing import access, names, pedigree_svg, pfif, search, services
from imena.missing.forms import (
    SECTION_FORMS,
    CaseImportForm,
    ContactRequestForm,
    CorrectionForm,
    FamilySearchForm,
    MemberForm,
    MergeForm,
    PFIFImportForm,
    PhotoForm,
    ReasonForm,
    ReportForm,
    SampleForm,
    StatusForm,
)
from imena.missing.models import MissingPerson, MissingPhoto, NameKey, Status
from imena.missing.services import SECTION_FIELDS
from imena.missing.vocab import label

PAGE_SIZE = 50
SECTION_TITLES = {
    "particulars": "particular_kind",
    "fractures": "",
    "dental_chart": "tooth",
    "clothing": "clothing_category",
    "effects": "effect",
    "documents": "identity_document",
}


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = access.people_for_user(request.user).filter(merged_into__isnull=True)
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status in Status.values:
        people = people.filter(status=status)
    if q:
        keys = set().union(*names.query_tokens(q)) if names.query_tokens(q) else set()
        # The keys through their index, not a join (and DISTINCT) over every
        # person's keys of a national register.
        keyed = NameKey.objects.filter(key__in=sorted(keys)).values("person")
        # One set of ids (keys or case number, each through its index), not an
        # OR that reads every report of the register to test it.
        numbered = MissingPerson.objects.filter(case_no__iexact=q).values("pk")
        people = people.filter(pk__in=keyed.order_by().union(numbered.order_by()))
    # Names in Ukrainian alphabetical order (А before І), on either database.
    people = people.annotate(
        family_uk=Ukrainian("family_name"), given_uk=Ukrainian("given_names")
    )
    listing = paginate(
        request,
        people,
        sorts={"name": ("family_uk", "given_uk"), "case": "case_no"},
        default_sort="name",
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "missing/person_list.html",
        {
            "listing": listing,
            "page": listing.page,
            "q": q,
            "status": status,
            "statuses": Status.choices,
            "open_requests": (
                access.contact_requests_for_user(request.user)
                .filter(handled=False)
                .count()
                if can(request.user, "missing.change")
                else 0
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.people_for_user(request.user)

    require(request.user, "missing.change")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.missing_person_create(
                actor=request.user,
                organisation=request.user.organisation,  # type: ignore[arg-type]
                **form.report_fields(),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, _("Report filed as %(case)s.") % {"case": person.case_no}
            )
            return redirect(person)
    return render(request, "missing/person_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    form = CorrectionForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.missing_person_update(
                actor=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                **form.report_fields(),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, _("Correction saved; the previous values stay in the history.")
            )
            return redirect(person)
    return render(request, "missing/person_form.html", {"form": form, "person": person})


def _section_rows(person: MissingPerson) -> list[dict[str, Any]]:
    out = []
    for section, _title_key in SECTION_TITLES.items():
        rows = []
        for i, row in enumerate(getattr(person, section)):
            parts = []
            for k, v in row.items():
                kind = SECTION_FIELDS[section][k][0]
                if kind in ("text", "int", "float", "fdi"):
                    parts.append(str(v))
                elif isinstance(v, list):
                    parts.append(", ".join(label(kind, x) for x in v))
                else:
                    parts.append(label(kind, v))
            rows.append((i, " · ".join(parts)))
        out.append(
            {
                "section": section,
                "rows": rows,
                "form": SECTION_FORMS[section](prefix=section),
            }
        )
    return out


@require_GET
@login_required
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk)
    members = list(
        person.pedigree.select_related("father", "mother").prefetch_related(
            "samples__profile"
        )
    )
    can_change = can(request.user, "missing.change")
    context = {
        "person": person,
        "sections": _section_rows(person),
        "members": members,
        "pedigree_svg": pedigree_svg.render_person(person),
        "can_change": can_change,
        "can_dna": can(request.user, "dna.view"),
        "duplicates": services.duplicate_candidates(person)
        if can_change and not person.is_merged
        else [],
        "merged_reports": person.merged_reports.all(),
        "history": history_for(person).order_by("-seq")[:200],
        "member_form": MemberForm(person=person),
        "sample_form": SampleForm(person=person),
        "case_form": CaseImportForm(),
        "status_form": StatusForm(initial={"status": person.status}),
        "merge_form": MergeForm(),
        "age": person.age_range(),
        "can_photos": can(request.user, "missing.photos"),
        "photos": person.photos.all() if can(request.user, "missing.photos") else [],
        "photo_form": PhotoForm(),
        "reason_form": ReasonForm(),
        "pfif_notes": pfif.note_lines(person),
    }
    return render(request, "missing/person_detail.html", context)


@require_POST
@login_required
def item_add(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    if section not in SECTION_FORMS:
        return HttpResponse(status=404)
    form = SECTION_FORMS[section](request.POST, prefix=section)
    if form.is_valid():
        try:
            services.missing_person_add_item(
                actor=request.user,
                person=person,
                section=section,
                item=form.cleaned_data,
            )
            messages.success(request, _("Entry added."))
        except ValidationError as e:
            flash_errors(request, e)
    else:
        for field, errs in form.errors.items():
            messages.error(request, "{}: {}".format(field, " ".join(errs)))  # type: ignore[arg-type]
    return redirect(person)


@require_POST
@login_required
def status_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    form = StatusForm(request.POST)
    if form.is_valid():
        services.missing_person_set_status(
            actor=request.user,
            person=person,
            **form.cleaned_data,
        )
        messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("Give a status and a reason."))
    return redirect(person)


@require_POST
@login_required
def person_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    form = MergeForm(request.POST)
    if form.is_valid():
        into = access.person_for_user(
            request.user,
            form.cleaned_data["into"],
            capability="missing.change",
        )
        try:
            services.missing_person_merge(
                actor=request.user,
                duplicate=person,
                into=into,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            flash_errors(request, e)
            return redirect(person)
        messages.success(request, _("Report merged; it can be restored at any time."))
        return redirect(into)
    messages.error(request, _("Say why the reports are the same person."))
    return redirect(person)


@require_POST
@login_required
def person_unmerge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    run_with_reason(
        request,
        ReasonForm,
        partial(services.missing_person_unmerge, actor=request.user, person=person),
        done=_("Merge undone: the report stands on its own again."),
        no_reason=_("Say why the merge is undone."),
    )
    return redirect(person)


@require_POST
@login_required
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    form = MemberForm(request.POST, person=person)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.pedigree_member_add(
                    actor=request.user,
                    person=person,
                    **form.cleaned_data,
                )
            messages.success(request, _("Relative placed on the pedigree."))
        except ValidationError as e:
            flash_errors(request, e)
    else:
        for field, errs in form.errors.items():
            messages.error(request, "{}: {}".format(field, " ".join(errs)))  # type: ignore[arg-type]
    return redirect(person)


def _read_upload(upload: Any, limit: int) -> bytes:
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(n)d bytes.") % {"n": limit})
    with tempfile.SpooledTemporaryFile(max_size=2_621_440) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.seek(0)
        return tmp.read()


@require_POST
@login_required
def sample_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    form = SampleForm(request.POST, request.FILES, person=person)
    if not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(request, "{}: {}".format(field, " ".join(errs)))  # type: ignore[arg-type]
        return redirect(person)
    data = form.cleaned_data
    genotypes: dict[str, list[str]] | None = None
    sex = 0
    source_format = sha = ""
    try:
        upload = data.get("profile_file")
        if upload:
            upload.open("rb")
            parsed = parse_profile_file(upload, filename=upload.name, parts=("am",))
            for w in parsed.warnings:
                messages.warning(request, w)
            _name, chosen = pick_profile(
                parsed, [data["sample_id"]], filename=upload.name
            )
            genotypes, sex = chosen["genotypes"], chosen["sex"]
            lineage = {k: chosen[k] for k in ("ystr", "mtdna") if k in chosen}
            source_format, sha = parsed.source_format, parsed.sha256
        services.reference_sample_create(
            actor=request.user,
            member=data["member"],
            sample_id=data["sample_id"],
            genotypes=genotypes,
            profile_sex=sex,
            **lineage,
            consent_scope=data["consent_scope"],
            consent_date=data["consent_date"],
            source_format=source_format,
            source_sha256=sha,
        )
    except ProfileFileError as e:
        messages.error(request, str(e))
        return redirect(person)
    except ValidationError as e:
        flash_errors(request, e)
        return redirect(person)
    messages.success(
        request, _("Reference sample %(id)s recorded.") % {"id": data["sample_id"]}
    )
    return redirect(person)


@require_POST
@login_required
def sample_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = access.sample_for_user(request.user, pk, capability="missing.change")
    run_with_reason(
        request,
        ReasonForm,
        partial(
            services.reference_sample_withdraw_consent,
            actor=request.user,
            sample=sample,
        ),
        done=_("Consent withdrawn; the profile is withdrawn too."),
        no_reason=_("Say why consent is withdrawn."),
    )
    return redirect(sample.member.person)


@require_GET
@login_required
def sample_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A reference profile's genotypes: DNA analysts only, and the view is audited."""
    sample = access.sample_for_user(request.user, pk, capability="dna.view")
    if sample.profile_id is None:
        return HttpResponse(status=404)
    profile = profile_for_user(request.user, sample.profile_id)
    return render(
        request,
        "missing/sample_profile.html",
        {
            "sample": sample,
            "profile": profile,
            "person": sample.member.person,
            "genotypes": sorted(profile.genotypes.items()),
        },
    )


@require_POST
@login_required
def case_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    form = CaseImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a case file and name the family."))
        return redirect(person)
    try:
        raw = _read_upload(
            form.cleaned_data["case_file"], settings.IMENA_MAX_JOURNAL_BYTES
        )
        try:
            data = loads_untrusted(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, UnsafeJSON) as e:
            raise ProfileFileError(
                _("The file is not JSON: %(e)s") % {"e": e}
            ) from None
        families = {f.name: f for f in families_from_case(data)}
        name = form.cleaned_data["family"]
        if name not in families:
            raise ProfileFileError(
                _("No family %(name)s in the file (it has: %(names)s).")
                % {"name": name, "names": ", ".join(sorted(families)[:20])}
            )
        services.family_import_case(
            actor=request.user,
            person=person,
            family=families[name],
            source_sha256=bytes_sha256(raw),
            missing_id=form.cleaned_data["missing_id"],
        )
    except ProfileFileError as e:
        messages.error(request, str(e))
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, _("Family pedigree and profiles imported."))
        for w in families[name].warnings:
            messages.warning(request, w)
    return redirect(person)


@require_GET
@login_required
def contact_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    requests_ = access.contact_requests_for_user(request.user).select_related("person")
    show = request.GET.get("show", "open")
    if show == "open":
        requests_ = requests_.filter(handled=False)
    listing = paginate(
        request,
        requests_,
        sorts={"received": "created", "handled": ("handled", "-created")},
        default_sort="-received",
    )
    context = {"listing": listing, "requests": listing.rows, "show": show}
    return render(request, "missing/contact_requests.html", context)


@require_POST
@login_required
def contact_request_handle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.contact_request_for_user(request.user, pk)
    services.contact_request_handle(actor=request.user, request=item)
    return redirect("missing:contact_requests")


# --- Public family search --------------------------------------------------------

# Pages are padded to a multiple of this many bytes, so a found and a not-found
# answer have the same size class.
PAD_TO = 2048


def _client_ip(request: HttpRequest) -> str:
    return search.client_address(request.META)


def _padded(response: HttpResponse) -> HttpResponse:
    body = response.content
    missing = (-len(body)) % PAD_TO
    if missing:
        filler = b"<!--" + b" " * max(0, missing - 7) + b"-->"
        body = body + filler[:missing] if missing >= 7 else body + b" " * missing
    response.content = body
    return response


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "missing/family_search.html",
        {
            "limited": True,
            "form": FamilySearchForm(),
            "contact_form": None,
        },
        status=429,
    )
    response["Retry-After"] = str(
        search.parse_rate(settings.IMENA_FAMILY_SEARCH_RATE).seconds
    )
    return response


@require_http_methods(["GET", "POST"])
def family_search(request: HttpRequest) -> HttpResponse:
    """Public: tells a family only whether a report exists and whom to contact."""
    context: dict[str, Any] = {"liaison_contact": _liaison_contact()}
    if request.method == "GET":
        context.update(form=FamilySearchForm(), contact_form=None, searched=False)
        return _padded(render(request, "missing/family_search.html", context))
    if search.rate_limited(_client_ip(request)):
        return _limited(request)
    action = request.POST.get("action", "search")
    if action == "contact":
        form = ContactRequestForm(request.POST)
        if form.is_valid():
            # Routed to the organisation holding the report even without the
            # reporter's consent: the answer page is the same either way.
            found = search.find_reports(
                form.cleaned_data["name"],
                form.cleaned_data["date_of_birth"],
                consented_only=False,
            )
            y, m, d = form.cleaned_data["date_of_birth"]
            services.contact_request_create(
                searched_name=form.cleaned_data["name"],
                searched_birth="-".join(f"{x:02d}" for x in (y, m, d) if x),
                requester_name=form.cleaned_data["requester_name"],
                requester_contact=form.cleaned_data["requester_contact"],
                message=form.cleaned_data["message"],
                person=found[0] if found else None,
            )
            context.update(
                form=FamilySearchForm(),
                contact_form=None,
                searched=False,
                request_saved=True,
            )
            return _padded(render(request, "missing/family_search.html", context))
        context.update(
            form=FamilySearchForm(request.POST),
            contact_form=form,
            searched=True,
            found=None,
        )
        return _padded(render(request, "missing/family_search.html", context))
    form = FamilySearchForm(request.POST)  # type: ignore[assignment]
    found = None  # type: ignore[assignment]
    if form.is_valid():
        found = bool(  # type: ignore[assignment]
            search.find_reports(
                form.cleaned_data["name"], form.cleaned_data["date_of_birth"]
            )
        )
    contact_form = (
        ContactRequestForm(
            initial={
                "name": request.POST.get("name", ""),
                "date_of_birth": request.POST.get("date_of_birth", ""),
            }
        )
        if form.is_valid()
        else None
    )
    context.update(
        form=form, contact_form=contact_form, searched=form.is_valid(), found=found
    )
    return _padded(render(request, "missing/family_search.html", context))


def _liaison_contact() -> str:
    return str(
        getattr(settings, "IMENA_FAMILY_LIAISON_CONTACT", "")
        or _("the family liaison office of the forensic team")
    )


# --- Ante-mortem photos --------------------------------------------------------------


@csrf_exempt
@require_POST
@login_required
def photo_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The size-limit handler must be installed before the body is parsed, so
    # the CSRF check runs after it (csrf_protect below), not in the middleware.
    handler = uploads.EvidenceSizeLimitHandler(request)
    handler.limit = settings.IMENA_MAX_PHOTO_BYTES
    request.upload_handlers.insert(0, handler)
    return _photo_add(request, pk)


@csrf_protect
def _photo_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_for_user(request.user, pk, capability="missing.change")
    back = redirect(person.get_absolute_url() + "#photos")
    form = PhotoForm(request.POST, request.FILES)  # parses the body (size handler runs)
    too_large = getattr(request, "evidence_too_large", None)
    if too_large is not None:
        messages.error(
            request,
            _(
                "%(name)s is larger than the limit of %(limit)s bytes; "
                "nothing was stored."
            )
            % {"name": too_large, "limit": settings.IMENA_MAX_PHOTO_BYTES},
        )
        return back
    if not form.is_valid():
        for field, errs in form.errors.items():
            label_text = form.fields[field].label if field in form.fields else ""
            messages.error(request, "{}: {}".format(label_text, " ".join(errs)))  # type: ignore[arg-type]
        return back
    data = dict(form.cleaned_data)
    upload = data.pop("file")
    try:
        staged = services.photo_stage(upload.chunks(storage.CHUNK), name=upload.name)
        services.missing_photo_create(
            actor=request.user,
            person=person,
            staged=staged,
            **data,
        )
    except storage.EvidenceFileError as e:
        messages.error(request, str(e))
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, _("Photo %(name)s added.") % {"name": upload.name})
    return back


@require_GET
@login_required
def photo_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    photo: MissingPhoto = access.photo_for_user(request.user, pk)
    path = storage.path_for(photo.sha256)
    if not path.exists():
        raise Http404("File missing from the store")
    audit_record(
        actor=request.user,
        action="missing.photo.view",
        obj=photo.person,
        after={"photo_id": photo.pk, "sha256": photo.sha256},
    )
    response = FileResponse(path.open("rb"), content_type=photo.media_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def photo_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    photo = access.photo_for_user(request.user, pk, capability="missing.change")
    run_with_reason(
        request,
        ReasonForm,
        partial(services.missing_photo_withdraw, actor=request.user, photo=photo),
        done=_("Photo withdrawn; it stays in the history."),
        no_reason=_("Say why the photo is withdrawn."),
    )
    return redirect(photo.person.get_absolute_url() + "#photos")


# --- PFIF 1.4 export and import ---------------------------------------------------------


@require_GET
@login_required
def pfif_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's reports as PFIF 1.4 (as `imena missing export-pfif`), audited."""
    access.pfif_export_for_user(request.user)
    org = request.user.organisation
    document, count = pfif.export_organisation(org)  # type: ignore[arg-type]
    filename = f"pfif-{org.code}-{timezone.localdate().isoformat()}.xml"  # type: ignore[union-attr]
    entry = services.pfif_export_record(
        actor=request.user,
        organisation=org,  # type: ignore[arg-type]
        document=document,
        filename=filename,
        rows=count,
        via="web",
    )
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = json.loads(entry.after)["sha256"]
    response["Cache-Control"] = "no-store"
    return response


PFIF_SESSION_KEY = "missing_pfif_import"


def _pfif_staging_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "imena-pfif-staging"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _pfif_result_text(result: pfif.ImportResult) -> str:
    return _("%(created)d new reports, %(skipped)d already present (skipped).") % {
        "created": result.created,
        "skipped": result.skipped,
    }


@require_http_methods(["GET", "POST"])
@login_required
def pfif_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a PFIF 1.4 file: preview the counts then confirm, or import directly.

    Hostile XML (a DTD or entities) and invalid documents are refused with the
    reason; nothing is stored unless the whole file imports.
    """
    access.pfif_import_for_user(request.user)
    org = request.user.organisation
    form = PFIFImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and "confirm" in request.POST:
        return _pfif_confirm(request, org)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        strict = not form.cleaned_data["lenient"]
        name = upload.name
        try:
            document = _read_upload(upload, settings.IMENA_MAX_PFIF_BYTES)
            if form.cleaned_data["mode"] == "preview":
                with transaction.atomic():
                    result = pfif.import_document(
                        actor=request.user,
                        organisation=org,  # type: ignore[arg-type]
                        document=document,
                        source=name,
                        strict=strict,
                    )
                    transaction.set_rollback(True)  # a preview stores nothing
                token = secrets.token_hex(16)
                (_pfif_staging_dir() / f"{token}.xml").write_bytes(document)
                request.session[PFIF_SESSION_KEY] = {
                    "token": token,
                    "sha256": bytes_sha256(document),
                    "name": name,
                    "strict": strict,
                }
                context.update(
                    preview=result,
                    name=name,
                    token=token,
                    summary=_pfif_result_text(result),
                )
            else:
                result = pfif.import_document(
                    actor=request.user,
                    organisation=org,  # type: ignore[arg-type]
                    document=document,
                    source=name,
                    strict=strict,
                )
                context.update(
                    done=result, name=name, summary=_pfif_result_text(result)
                )
        except (pfif.PFIFError, ValidationError) as e:
            form.add_error(
                "file",
                str(e)
                if isinstance(e, pfif.PFIFError)
                else " ".join(error_messages(e)),
            )
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "missing/pfif_import.html", context, status=status)


def _pfif_confirm(request: AuthenticatedHttpRequest, org: Any) -> HttpResponse:
    staged = request.session.get(PFIF_SESSION_KEY) or {}
    token = request.POST.get("confirm", "")
    form = PFIFImportForm()
    if not staged or staged.get("token") != token or not token.isalnum():
        return render(
            request,
            "missing/pfif_import.html",
            {
                "form": form,
                "errors": [_("This preview has expired; upload the file again.")],
            },
            status=400,
        )
    path = _pfif_staging_dir() / f"{token}.xml"
    try:
        document = path.read_bytes()
    except OSError:
        document = b""
    context: dict[str, Any] = {"form": form}
    try:
        if bytes_sha256(document) != staged["sha256"]:
            raise pfif.PFIFError(
                _("The previewed file is no longer available; upload it again.")
            )
        result = pfif.import_document(
            actor=request.user,
            organisation=org,
            document=document,
            source=staged["name"],
            strict=staged["strict"],
        )
    except pfif.PFIFError as e:
        context["errors"] = [str(e)]
        return render(request, "missing/pfif_import.html", context, status=400)
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(PFIF_SESSION_KEY, None)
    context.update(done=result, name=staged["name"], summary=_pfif_result_text(result))
    return render(request, "missing/pfif_import.html", context)
