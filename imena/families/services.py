"""Writes for families' online reports and case links; every one audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.evidence import storage
from imena.families import tokens
from imena.families.models import (
    AdditionKind,
    CaseAccess,
    Consent,
    ConsentUse,
    FamilyAddition,
    FamilyPhoto,
    PublicReport,
    ReportStatus,
)
from imena.families.photos import discarded_on_error
from imena.families.selectors import case_status
from imena.missing import services as missing_services
from imena.missing.models import MissingPerson, PhotoKind, ReferenceSample

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.families.photos import StrippedPhoto

#: Fields of the public form copied onto the draft as they are.
REPORT_FIELDS = (
    "family_name",
    "family_name_unknown",
    "given_names",
    "patronymic",
    "aliases",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "last_seen_date",
    "last_seen_place",
    "circumstances",
    "circumstances_text",
    "stature_cm",
    "build",
    "hair_colour",
    "eye_colour",
    "marks",
    "description",
    "clothing",
    "effects",
    "medical_notes",
    "dental_notes",
    "dentist",
    "reporter_name",
    "reporter_relationship",
    "reporter_phone",
    "reporter_email",
    "reporter_address",
    "dna_relatives",
    "dna_relatives_note",
)

#: The draft's fields copied unchanged onto the missing-person report.
_CARRIED = (
    "family_name",
    "family_name_unknown",
    "given_names",
    "patronymic",
    "aliases",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "last_seen_date",
    "last_seen_place",
    "circumstances",
    "circumstances_text",
    "stature_cm",
    "build",
    "hair_colour",
    "eye_colour",
    "clothing",
    "effects",
    "medical_notes",
    "dentist",
    "reporter_name",
    "reporter_relationship",
)


def _photo_row(report: PublicReport, photo: StrippedPhoto) -> FamilyPhoto:
    row = FamilyPhoto.objects.create(
        report=report,
        sha256=photo.sha256,
        size=photo.size,
        media_type=photo.media_type,
        width=photo.width,
        height=photo.height,
    )
    storage.commit_on_success(photo.staged)
    return row


def public_report_submit(
    *,
    fields: Mapping[str, Any],
    consents: Iterable[str],
    photos: Iterable[StrippedPhoto] = (),
    language: str = "uk",
) -> PublicReport:
    """File a family's report as a draft for the liaison queue.

    Nothing is looked up in the register here, so the answer and its timing
    are the same whether the person is already reported or not. The staged
    photos go into the evidence store when the report is committed, and are
    discarded if it is refused or not written.
    """
    photos = list(photos)
    with discarded_on_error(photos), transaction.atomic():
        return _report_submit(
            fields=fields, consents=consents, photos=photos, language=language
        )


def _report_submit(
    *,
    fields: Mapping[str, Any],
    consents: Iterable[str],
    photos: list[StrippedPhoto],
    language: str,
) -> PublicReport:
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown report fields: {sorted(unknown)}")
    uses = sorted(set(consents))
    if ConsentUse.SEARCH not in uses:
        raise ValidationError(
            {"consent": _("Without this consent the report cannot be processed.")}
        )
    report = PublicReport(language=language[:8], **fields)
    report.full_clean()
    report.save()
    now = timezone.now()
    Consent.objects.bulk_create(
        [Consent(report=report, use=use, given_at=now) for use in uses]
    )
    stored = [_photo_row(report, p) for p in photos]
    audit_record(
        actor=None,
        action="families.report.submit",
        obj=report,
        after={
            "report": report.pk,
            "consents": uses,
            "photos": [p.sha256 for p in stored],
            "language": report.language,
        },
    )
    return report


def _report_for_update(report: PublicReport) -> PublicReport:
    report = PublicReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report was already handled."))
    return report


def _person_fields(report: PublicReport) -> dict[str, Any]:
    out = {name: getattr(report, name) for name in _CARRIED}
    if report.stature_cm:
        out["stature_source"] = "family_estimate"
    extra = [
        (_("Tattoos, scars, birthmarks"), report.marks),
        (_("Teeth"), report.dental_notes),
        (_("Other description"), report.description),
    ]
    out["description"] = "\n\n".join(
        f"{title}: {text}" for title, text in extra if text
    )
    out["reporter_contact"] = "; ".join(
        v
        for v in (report.reporter_phone, report.reporter_email, report.reporter_address)
        if v
    )
    out["consent_identification"] = report.has_consent(ConsentUse.SEARCH)
    out["consent_dna"] = report.has_consent(ConsentUse.DNA)
    out["consent_publication"] = report.has_consent(ConsentUse.SHARING)
    out["consent_date"] = timezone.localdate()
    return out


def _attach_photos(*, actor: User, report: PublicReport, person: MissingPerson) -> None:
    consent = report.has_consent(ConsentUse.SEARCH)
    for photo in report.photos.all():
        _photo_to_person(actor=actor, photo=photo, person=person, consent=consent)


def _photo_to_person(
    *, actor: User, photo: FamilyPhoto, person: MissingPerson, consent: bool
) -> None:
    if person.photos.filter(sha256=photo.sha256, withdrawn=False).exists():
        return
    with storage.path_for(photo.sha256).open("rb") as f:
        staged = storage.stage(
            iter(lambda: f.read(storage.CHUNK), b""),
            name=f"family-photo-{photo.pk}.jpg",
            max_bytes=photo.size,
        )
    missing_services.missing_photo_create(
        actor=actor,
        person=person,
        staged=staged,
        kind=PhotoKind.OTHER,
        consent_use=consent,
        description=_("Given by the family online (report #%(report)s).")
        % {"report": photo.report_id},
    )


def _issue(*, actor: User, report: PublicReport, person: MissingPerson) -> str:
    """Issue a new case link for ``report`` (revoking a live one); the secret."""
    now = timezone.now()
    revoked = list(
        CaseAccess.objects.select_for_update().filter(report=report, revoked_at=None)
    )
    for old in revoked:
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
    token = tokens.new_token()
    code = revoked[0].case_code if revoked else tokens.new_case_code()
    access = CaseAccess.objects.create(
        person=person,
        report=report,
        case_code=code,
        token_hash=tokens.token_hash(token),
        created_by=actor,
        notified_status=case_status(person),
    )
    audit_record(
        actor=actor,
        action="families.access.issue",
        obj=person,
        after={
            "report": report.pk,
            "case_code": access.case_code,
            "revoked": [a.pk for a in revoked],
        },
        organisation_id=person.organisation_id,
    )
    return token


@transaction.atomic
def public_report_accept(
    *, actor: User, report: PublicReport
) -> tuple[MissingPerson, str]:
    """Make a draft a new missing-person report of the officer's organisation.

    Returns the report and the family's case-link secret (shown once)."""
    if actor.organisation is None:
        raise ValidationError(_("Only an officer of an organisation can accept."))
    report = _report_for_update(report)
    person = missing_services.missing_person_create(
        actor=actor, organisation=actor.organisation, **_person_fields(report)
    )
    for code in report.dna_relatives:
        missing_services.pedigree_member_add(
            actor=actor,
            person=person,
            sex={"father": 1, "mother": 2}.get(code, 0),
            relationship=code,
        )
    _attach_photos(actor=actor, report=report, person=person)
    report.status = ReportStatus.ACCEPTED
    report.person = person
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "person", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action="families.report.accept",
        obj=report,
        after={"report": report.pk, "person": person.pk, "case_no": person.case_no},
        organisation_id=person.organisation_id,
    )
    return person, _issue(actor=actor, report=report, person=person)


@transaction.atomic
def public_report_merge(
    *, actor: User, report: PublicReport, into: MissingPerson, reason: str
) -> tuple[MissingPerson, str]:
    """Join a draft to an existing report of the same person.

    The existing report keeps its data; the draft's photos are attached to it
    and the draft stays readable for the officer. Returns the case-link secret.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this is the same person.")})
    if into.organisation_id != actor.organisation_id:
        raise ValidationError({"into": _("That report is not of your organisation.")})
    if into.merged_into_id is not None:
        raise ValidationError({"into": _("That report is itself merged.")})
    report = _report_for_update(report)
    _attach_photos(actor=actor, report=report, person=into)
    report.status = ReportStatus.MERGED
    report.person = into
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.handled_reason = reason
    report.save(
        update_fields=["status", "person", "handled_by", "handled_at", "handled_reason"]
    )
    audit_record(
        actor=actor,
        action="families.report.merge",
        obj=report,
        after={
            "report": report.pk,
            "into": into.pk,
            "case_no": into.case_no,
            "reason": reason,
        },
        organisation_id=into.organisation_id,
    )
    return into, _issue(actor=actor, report=report, person=into)


@transaction.atomic
def public_report_reject(
    *, actor: User, report: PublicReport, reason: str
) -> PublicReport:
    """Set aside a draft that is not a report (abuse, a test); it is kept."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is rejected.")})
    report = _report_for_update(report)
    report.status = ReportStatus.REJECTED
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.handled_reason = reason
    report.save(update_fields=["status", "handled_by", "handled_at", "handled_reason"])
    audit_record(
        actor=actor,
        action="families.report.reject",
        obj=report,
        after={"report": report.pk, "reason": reason},
        organisation_id=actor.organisation_id,
    )
    return report


@transaction.atomic
def case_access_reissue(*, actor: User, access: CaseAccess) -> str:
    """A new link for the family; the old one stops working at once."""
    return _issue(actor=actor, report=access.report, person=access.person)


def family_addition_create(
    *,
    access: CaseAccess,
    kind: str,
    text: str = "",
    relationship: str = "",
    photo: StrippedPhoto | None = None,
) -> FamilyAddition:
    """Something the family adds on its case page, a draft for the officer.

    A staged photo goes into the evidence store when the addition is
    committed, and is discarded if it is refused or not written."""
    with discarded_on_error([photo] if photo else []), transaction.atomic():
        return _addition_create(
            access=access, kind=kind, text=text, relationship=relationship, photo=photo
        )


def _addition_create(
    *,
    access: CaseAccess,
    kind: str,
    text: str,
    relationship: str,
    photo: StrippedPhoto | None,
) -> FamilyAddition:
    if kind not in AdditionKind.values:
        raise ValidationError({"kind": _("Unknown kind of addition.")})
    if kind == AdditionKind.PHOTO and photo is None:
        raise ValidationError({"photo": _("Choose a photo.")})
    if kind == AdditionKind.INFORMATION and not text.strip():
        raise ValidationError({"text": _("Write what you want to add.")})
    if kind == AdditionKind.RELATIVE and not relationship:
        raise ValidationError({"relationship": _("Say how the relative is related.")})
    addition = FamilyAddition(
        access=access,
        kind=kind,
        text=text.strip(),
        relationship=relationship,
        photo=_photo_row(access.report, photo) if photo is not None else None,
    )
    addition.full_clean()
    addition.save()
    audit_record(
        actor=None,
        action="families.addition",
        obj=access.person,
        after={
            "addition": addition.pk,
            "kind": kind,
            "case_code": access.case_code,
            "photo": photo.sha256 if photo else None,
        },
        organisation_id=access.person.organisation_id,
    )
    return addition


@transaction.atomic
def family_addition_handle(
    *, actor: User, addition: FamilyAddition, attach: bool = False
) -> FamilyAddition:
    """The officer has read an addition; a photo may go on the report."""
    addition = FamilyAddition.objects.select_for_update().get(pk=addition.pk)
    if addition.handled_at is not None:
        return addition
    person = addition.access.person
    if attach and addition.photo is not None:
        _photo_to_person(
            actor=actor,
            photo=addition.photo,
            person=person,
            consent=addition.access.report.has_consent(ConsentUse.SEARCH),
        )
    addition.handled_by = actor
    addition.handled_at = timezone.now()
    addition.save(update_fields=["handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action="families.addition.handle",
        obj=person,
        after={"addition": addition.pk, "attached": bool(attach and addition.photo)},
        organisation_id=person.organisation_id,
    )
    return addition


@transaction.atomic
def consent_withdraw(*, access: CaseAccess, use: str) -> Consent:
    """The family withdraws one use, from its case page; effective at once.

    DNA: the case's reference samples lose their consent (their profiles are
    withdrawn, so no comparison uses them). Sharing: the report leaves the
    PFIF export and the public family search. Search: the report is marked as
    not to be used for identification. Notify: no more e-mails.
    """
    if use not in ConsentUse.values:
        raise ValidationError({"use": _("Unknown consent.")})
    consent = (
        Consent.objects.select_for_update()
        .filter(report=access.report, use=use, withdrawn_at=None)
        .first()
    )
    if consent is None:
        raise ValidationError({"use": _("This consent is not in force.")})
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    person = MissingPerson.objects.select_for_update().get(pk=access.person_id)
    flag = {
        ConsentUse.SEARCH: "consent_identification",
        ConsentUse.DNA: "consent_dna",
        ConsentUse.SHARING: "consent_publication",
    }.get(ConsentUse(use))
    if flag is not None and getattr(person, flag):
        setattr(person, flag, False)
        person.save(update_fields=[flag, "updated"])
    samples: list[str] = []
    if use == ConsentUse.DNA:
        reason = _("The family withdrew consent to DNA comparison (case %(code)s).") % {
            "code": access.case_code
        }
        live = ReferenceSample.objects.filter(
            member__person=person, consent_withdrawn_date__isnull=True
        )
        for sample in live:
            missing_services.reference_sample_withdraw_consent(
                actor=None, sample=sample, reason=reason
            )
            samples.append(sample.sample_id)
    audit_record(
        actor=None,
        action="families.consent.withdraw",
        obj=person,
        before={"use": use, "given_at": consent.given_at.isoformat()},
        after={
            "use": use,
            "withdrawn_at": consent.withdrawn_at.isoformat(),
            "case_code": access.case_code,
            "report_flag": flag,
            "samples_withdrawn": samples,
        },
        organisation_id=person.organisation_id,
    )
    return consent
