"""Writes of the ODK app: published forms, app tokens, drafts and their review.

Each write is atomic and audited. A submission is stored whole (XML, every
attachment, the draft row) or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.accounts.roles import can
from imena.audit.record_types import record_type
from imena.audit.services import audit_record, snapshot
from imena.odk import digest, storage
from imena.odk.accept import ACCEPTORS
from imena.odk.build_forms import XLSFORM_DIR, read_xlsx, to_xform, xlsx_path
from imena.odk.errors import AcceptError
from imena.odk.formdefs import FORMS
from imena.odk.instance import (
    SubmissionError,
    header_of,
    meta_value,
    parse_xml,
    read_instance,
)
from imena.odk.models import (
    AppToken,
    Attachment,
    DraftStatus,
    Quarantine,
    Submission,
    XForm,
)
from imena.odk.xformspec import parse_xform
from matching.vocabulary import VOCABULARY_VERSION

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User


# --- Published forms ------------------------------------------------------------


_XLSX_CACHE: dict[tuple[str, float], tuple[str, str]] = {}


def _built(path: Path, *, validate: bool = False) -> tuple[str, str]:
    """(version, XForm XML) of an .xlsx file, cached by modification time."""

    key = (str(path), path.stat().st_mtime)
    if validate or key not in _XLSX_CACHE:
        sheets = read_xlsx(path)
        version = sheets["settings"][0]["version"]
        _XLSX_CACHE[key] = (version, to_xform(sheets, validate=validate))
    return _XLSX_CACHE[key]


@transaction.atomic
def xform_publish(
    *, actor: User | None = None, directory: Path | None = None, validate: bool = False
) -> list[XForm]:
    """Publish the version in each committed .xlsx file that is not yet published."""

    created = []
    for form_id in FORMS:
        path = xlsx_path(form_id, directory or XLSFORM_DIR)
        version, xml = _built(path, validate=validate)
        if XForm.objects.filter(form_id=form_id, version=version).exists():
            continue
        spec = parse_xform(xml)
        xform = XForm.objects.create(
            form_id=form_id,
            version=version,
            title=spec.title,
            xml=xml,
            md5=hashlib.md5(xml.encode("utf-8")).hexdigest(),
            vocabulary_version=VOCABULARY_VERSION,
        )
        audit_record(
            actor=actor,
            action="odk.form.publish",
            obj=xform,
            after={"form_id": form_id, "version": version, "md5": xform.md5},
        )
        created.append(xform)
    return created


def xforms_current() -> dict[str, XForm]:
    """The newest published, unretired version of each form (publishing if needed)."""
    latest: dict[str, XForm] = {}
    for xform in XForm.objects.filter(retired=False).order_by(
        "form_id", "-published", "-pk"
    ):
        latest.setdefault(xform.form_id, xform)
    if len(latest) < len(FORMS) or _unpublished():
        xform_publish()
        return xforms_current_no_publish()
    return latest


def xforms_current_no_publish() -> dict[str, XForm]:
    latest: dict[str, XForm] = {}
    for xform in XForm.objects.filter(retired=False).order_by(
        "form_id", "-published", "-pk"
    ):
        latest.setdefault(xform.form_id, xform)
    return latest


def _unpublished() -> bool:

    for form_id in FORMS:
        version, _xml = _built(xlsx_path(form_id, XLSFORM_DIR))
        if not XForm.objects.filter(form_id=form_id, version=version).exists():
            return True
    return False


@transaction.atomic
def xform_retire(*, actor: User | None, xform: XForm, reason: str) -> XForm:
    """Refuse further submissions made with this version."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the form version is retired.")})
    xform.retired = True
    xform.retired_reason = reason
    xform.save(update_fields=["retired", "retired_reason"])
    audit_record(
        actor=actor,
        action="odk.form.retire",
        obj=xform,
        after={"retired": True, "reason": reason},
    )
    return xform


# --- App tokens -----------------------------------------------------------------


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def app_token_create(*, user: User, label: str) -> tuple[AppToken, str]:
    """A new token; the secret is returned once and only its hash is stored."""
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Name the device or app this token is for.")})
    secret = secrets.token_urlsafe(24)
    token = AppToken.objects.create(
        user=user,
        label=label[:100],
        prefix=secret[:6],
        token_hash=token_hash(secret),
        digest_ha1=digest.ha1(user.get_username(), secret),
    )
    audit_record(
        actor=user,
        action="odk.token.create",
        obj=token,
        after={"label": token.label, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def app_token_revoke(*, actor: User, token: AppToken) -> AppToken:
    token = AppToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit_record(
            actor=actor,
            action="odk.token.revoke",
            obj=token,
            after={"label": token.label, "prefix": token.prefix},
        )
    return token


@transaction.atomic
def app_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every active token of ``user`` (e.g. after a password change)."""
    revoked = 0
    for token in AppToken.objects.select_for_update().filter(
        user=user, revoked__isnull=True
    ):
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit_record(
            actor=user,
            action="odk.token.revoke",
            obj=token,
            after={"label": token.label, "prefix": token.prefix, "reason": reason},
        )
        revoked += 1
    return revoked


# --- Receiving submissions --------------------------------------------------------


@dataclass
class IncomingFile:
    """An uploaded file: its name as sent, its content type and a stream."""

    name: str
    content_type: str
    stream: IO[bytes]


@dataclass
class Receipt:
    submission: Submission
    created: bool
    added: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 201 if self.created or self.added else 202


def safe_filename(name: str) -> str:
    """The base name of an attachment, refused if it tries to leave its folder."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or base in (".", "..") or "\x00" in base or len(base) > 255:
        raise SubmissionError(
            400,
            _("Attachment name %(name)r is not allowed.") % {"name": name[:80]},
            "bad_attachment_name",
        )
    return base


def submission_receive(
    *,
    user: User,
    xml: bytes,
    files: list[IncomingFile],
    device_id: str = "",
    source: str = "openrosa",
) -> Receipt:
    """Check a submission and store it as a draft, or raise SubmissionError.

    The same instanceID with the same XML is a duplicate (Collect resending on
    a flaky network): nothing new is stored, except attachments not received
    before (Collect splits large submissions). The same instanceID with other
    content is a conflict (409).
    """
    organisation = user.organisation
    if organisation is None:
        raise SubmissionError(
            403, _("Your account belongs to no organisation."), "no_org"
        )
    root = parse_xml(xml)
    root_name, form_id, version = header_of(root)
    if not form_id:
        raise SubmissionError(
            400,
            _("The submission's root element has no form id."),
            "mismatch",
            keep=True,
        )
    if form_id not in FORMS:
        raise SubmissionError(
            404,
            _("Unknown form %(form)s.") % {"form": form_id},
            "unknown_form",
            keep=True,
        )
    xform = XForm.objects.filter(form_id=form_id, version=version).first()
    if xform is None:
        raise SubmissionError(
            400,
            _(
                "Form %(form)s has no version %(version)s; update the form and fill it in again."
            )
            % {"form": form_id, "version": version or "—"},
            "unknown_version",
            keep=True,
        )
    if xform.retired:
        raise SubmissionError(
            400,
            _("Version %(version)s of form %(form)s is retired: %(reason)s")
            % {"form": form_id, "version": version, "reason": xform.retired_reason},
            "retired_version",
            keep=True,
        )
    if not can(user, FORMS[form_id].capability):
        raise SubmissionError(
            403, _("Your role may not send this form."), "forbidden", keep=False
        )
    spec = parse_xform(xform.xml)
    if root_name != spec.root:
        raise SubmissionError(
            400,
            _(
                "The submission's root element is <%(got)s>; form %(form)s expects <%(want)s>."
            )
            % {"got": root_name, "form": form_id, "want": spec.root},
            "mismatch",
            keep=True,
        )
    instance_id = meta_value(root, "instanceID")
    if not instance_id:
        raise SubmissionError(
            400, _("The submission has no meta/instanceID."), "mismatch", keep=True
        )
    instance = read_instance(root, spec)
    if instance.errors:
        raise SubmissionError(
            400,
            _(
                "The submission does not match form %(form)s version %(version)s: %(errors)s"
            )
            % {
                "form": form_id,
                "version": version,
                "errors": "; ".join(instance.errors[:10]),
            },
            "mismatch",
            keep=True,
        )
    device_id = (device_id or instance.data.get("deviceid", ""))[:200]
    return _store(
        user=user,
        organisation=organisation,
        xform=xform,
        xml=xml,
        files=files,
        instance_id=instance_id[:200],
        device_id=device_id,
        data=instance.data,
        expected=instance.attachments,
        source=source,
    )


def _store(
    *,
    user: User,
    organisation: Organisation,
    xform: XForm,
    xml: bytes,
    files: list[IncomingFile],
    instance_id: str,
    device_id: str,
    data: dict[str, Any],
    expected: list[str],
    source: str,
) -> Receipt:
    limit = settings.IMENA_MAX_SUBMISSION_BYTES
    staged: list[tuple[IncomingFile, str, storage.Staged]] = []
    # Files the transaction will move into the store when it commits; every
    # other staged copy is removed here.
    kept: list[storage.Staged] = []
    xml_staged = storage.stage_bytes(xml)
    try:
        names: set[str] = set()
        for f in files:
            name = safe_filename(f.name)
            if name in names:
                raise SubmissionError(
                    400,
                    _("Attachment %(name)s is sent twice.") % {"name": name},
                    "duplicate_attachment",
                )
            names.add(name)
            try:
                staged.append((f, name, storage.stage(f.stream, limit=limit)))
            except OverflowError:
                raise SubmissionError(
                    413,
                    _("Attachment %(name)s is larger than %(limit)d bytes.")
                    % {"name": name, "limit": limit},
                    "too_large",
                ) from None
        return _store_rows(
            user=user,
            organisation=organisation,
            xform=xform,
            xml_staged=xml_staged,
            staged=staged,
            instance_id=instance_id,
            device_id=device_id,
            data=data,
            expected=expected,
            source=source,
            kept=kept,
        )
    except BaseException:
        kept.clear()
        raise
    finally:
        for s in [xml_staged, *(s for _f, _name, s in staged)]:
            if not any(s is k for k in kept):
                s.discard()


def _store_rows(
    *,
    user: User,
    organisation: Organisation,
    xform: XForm,
    xml_staged: storage.Staged,
    staged: list[tuple[IncomingFile, str, storage.Staged]],
    instance_id: str,
    device_id: str,
    data: dict[str, Any],
    expected: list[str],
    source: str,
    kept: list[storage.Staged],
) -> Receipt:
    """Write the submission's rows; its files go into the store when the
    transaction commits (a rollback, here or outside, stores nothing, and never
    removes a stored file another submission may point to)."""
    try:
        with transaction.atomic():
            existing = (
                Submission.objects.select_for_update()
                .filter(organisation=organisation, instance_id=instance_id)
                .first()
            )
            if existing is not None:
                receipt = _merge_duplicate(
                    existing, xml_staged, staged, kept, user=user
                )
            else:
                submission = Submission.objects.create(
                    organisation=organisation,
                    xform=xform,
                    form_id=xform.form_id,
                    instance_id=instance_id,
                    device_id=device_id,
                    source=source,
                    submitted_by=user,
                    xml_sha256=xml_staged.sha256,
                    xml_size=xml_staged.size,
                    data=data,
                    expected_attachments=expected,
                )
                _promote_on_commit(xml_staged, kept)
                for f, name, s in staged:
                    _attach(submission, f, name, s, kept)
                audit_record(
                    actor=user,
                    action="odk.submission.receive",
                    obj=submission,
                    after={
                        "form_id": xform.form_id,
                        "version": xform.version,
                        "instance_id": instance_id,
                        "device_id": device_id,
                        "xml_sha256": xml_staged.sha256,
                        "attachments": {name: s.sha256 for _f, name, s in staged},
                    },
                    organisation_id=organisation.pk,
                )
                receipt = Receipt(submission, True, [name for _f, name, _s in staged])
    except IntegrityError:
        # Two copies of one instance arrived at once and the other one won.
        kept.clear()
        twin = Submission.objects.filter(
            organisation=organisation, instance_id=instance_id
        ).first()
        if twin is None:
            raise
        if twin.xml_sha256 != xml_staged.sha256:
            raise SubmissionError(
                409,
                _("Instance %(id)s was already received with different content.")
                % {"id": instance_id},
                "conflict",
                keep=True,
            ) from None
        return Receipt(twin, False)
    except BaseException:
        kept.clear()
        raise
    return receipt


def _promote_on_commit(s: storage.Staged, kept: list[storage.Staged]) -> None:
    kept.append(s)
    transaction.on_commit(lambda: storage.promote(s))


def _attach(
    submission: Submission,
    f: IncomingFile,
    name: str,
    s: storage.Staged,
    kept: list[storage.Staged],
) -> Attachment:
    att = Attachment.objects.create(
        submission=submission,
        filename=name,
        # From the file's first bytes, never the client's claim.
        content_type=storage.content_type_of(storage.head_of(s)),
        sha256=s.sha256,
        size=s.size,
    )
    _promote_on_commit(s, kept)
    return att


def _merge_duplicate(
    existing: Submission,
    xml_staged: storage.Staged,
    staged: list[tuple[IncomingFile, str, storage.Staged]],
    kept: list[storage.Staged],
    *,
    user: User,
) -> Receipt:
    if existing.xml_sha256 != xml_staged.sha256:
        raise SubmissionError(
            409,
            _(
                "Instance %(id)s was already received with different content; "
                "this copy is kept in quarantine for review."
            )
            % {"id": existing.instance_id},
            "conflict",
            keep=True,
        )
    have = {a.filename: a.sha256 for a in existing.attachments.all()}
    added = []
    for f, name, s in staged:
        if name in have:
            if have[name] != s.sha256:
                raise SubmissionError(
                    409,
                    _(
                        "Attachment %(name)s of instance %(id)s was already received "
                        "with different content."
                    )
                    % {"name": name, "id": existing.instance_id},
                    "conflict",
                    keep=True,
                )
            continue
        if existing.status != DraftStatus.DRAFT:
            raise SubmissionError(
                409,
                _(
                    "Instance %(id)s has already been reviewed; no attachment can be added."
                )
                % {"id": existing.instance_id},
                "conflict",
            )
        _attach(existing, f, name, s, kept)
        added.append(name)
    if added:
        audit_record(
            actor=user,
            action="odk.submission.attachments",
            obj=existing,
            after={
                "added": {name: s.sha256 for _f, name, s in staged if name in added}
            },
            organisation_id=existing.organisation_id,
        )
    return Receipt(existing, False, added)


@transaction.atomic
def quarantine_record(
    *,
    user: User | None,
    reason: str,
    message: str,
    body: bytes | None = None,
    form_id: str = "",
    instance_id: str = "",
    device_id: str = "",
    body_size: int = 0,
) -> Quarantine:
    """Keep a refused submission for inspection (the raw XML only where asked).

    The raw XML goes into the store when the entry's transaction commits."""
    sha = ""
    staged: storage.Staged | None = None
    if body is not None:
        staged = storage.stage_bytes(body)
        sha, body_size = staged.sha256, staged.size
    try:
        entry = _quarantine_row(
            user=user,
            reason=reason,
            message=message,
            form_id=form_id,
            instance_id=instance_id,
            device_id=device_id,
            sha=sha,
            body_size=body_size,
        )
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    if staged is not None:
        _promote_on_commit(staged, [])
    return entry


def _quarantine_row(
    *,
    user: User | None,
    reason: str,
    message: str,
    form_id: str,
    instance_id: str,
    device_id: str,
    sha: str,
    body_size: int,
) -> Quarantine:
    entry = Quarantine.objects.create(
        organisation=getattr(user, "organisation", None),
        submitted_by=user,
        reason=reason[:40],
        message=message,
        form_id=form_id[:100],
        instance_id=instance_id[:200],
        device_id=device_id[:200],
        body_sha256=sha,
        body_size=body_size,
    )
    audit_record(
        actor=user,
        action="odk.submission.quarantine",
        obj=entry,
        after={
            "reason": reason,
            "form_id": form_id,
            "instance_id": instance_id,
            "body_sha256": sha,
        },
        organisation_id=getattr(user, "organisation_id", None),
    )
    return entry


# --- Review ------------------------------------------------------------------------


@transaction.atomic
def submission_accept(*, actor: User, submission: Submission) -> Submission:
    """Turn a draft into records through the apps' own services, all or nothing."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != DraftStatus.DRAFT:
        raise AcceptError(_("This submission has already been reviewed."))
    kind = FORMS[submission.form_id].kind
    acceptor = ACCEPTORS.get(kind)
    if acceptor is None:
        raise AcceptError(
            _("Imena cannot yet turn a %(kind)s draft into records.") % {"kind": kind}
        )
    records = acceptor(actor=actor, submission=submission)
    submission.status = DraftStatus.ACCEPTED
    submission.reviewed_by = actor
    submission.reviewed = timezone.now()
    submission.records = [
        {"type": record_type(r), "id": r.pk, "repr": str(r)[:200]} for r in records
    ]
    submission.save(update_fields=["status", "reviewed_by", "reviewed", "records"])
    audit_record(
        actor=actor,
        action="odk.submission.accept",
        obj=submission,
        after={"records": submission.records, "xml_sha256": submission.xml_sha256},
        organisation_id=submission.organisation_id,
    )
    return submission


@transaction.atomic
def submission_reject(
    *, actor: User, submission: Submission, reason: str
) -> Submission:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the submission is rejected.")})
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != DraftStatus.DRAFT:
        raise AcceptError(_("This submission has already been reviewed."))
    before = snapshot(submission, ["status"])
    submission.status = DraftStatus.REJECTED
    submission.reject_reason = reason.strip()
    submission.reviewed_by = actor
    submission.reviewed = timezone.now()
    submission.save(
        update_fields=["status", "reject_reason", "reviewed_by", "reviewed"]
    )
    audit_record(
        actor=actor,
        action="odk.submission.reject",
        obj=submission,
        before=before,
        after={"status": submission.status, "reason": submission.reject_reason},
        organisation_id=submission.organisation_id,
    )
    return submission
