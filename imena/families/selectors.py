"""Reads for the family pages and the liaison queue.

The case page is built only from :func:`case_view`: a status in plain words
and what would help. It never reads candidates, bodies, graves, posteriors or
other reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imena.families.models import CaseAccess, PublicReport, ReportStatus
from imena.identification.models import (
    FamilyNotification,
    Identification,
    IdentificationStatus,
)
from imena.missing.models import MissingPerson, ReferenceSample
from imena.missing.services import (
    births_compatible,
    duplicate_candidates,
    name_keys,
)
from imena.missing.vocab import label

if TYPE_CHECKING:
    from imena.accounts.models import Organisation

#: A case's stages, in order, as the family reads them.
STAGES = {
    "received": gettext_lazy("Report received"),
    "sample": gettext_lazy("Reference sample taken"),
    "examination": gettext_lazy("Under examination"),
    "contact": gettext_lazy("Please contact your liaison officer"),
    "identified": gettext_lazy(
        "Identification confirmed — please contact your liaison officer"
    ),
}

#: Close relatives whose samples identify best (parents and children).
_FIRST_DEGREE = {"father", "mother", "child"}
_CLOSE = _FIRST_DEGREE | {"full_sibling"}


def case_person(access: CaseAccess) -> MissingPerson:
    """The report the case link follows (through a later staff merge)."""
    person = access.person
    seen = {person.pk}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        person = MissingPerson.objects.get(pk=person.merged_into_id)
    return person


def _live_samples(person: MissingPerson) -> QuerySet[ReferenceSample]:
    return ReferenceSample.objects.filter(
        member__person=person,
        consent_date__isnull=False,
        consent_withdrawn_date__isnull=True,
    )


def case_status(person: MissingPerson) -> str:
    """One of :data:`STAGES`. A confirmed identification reads "please contact
    your liaison officer" until the officer records that the family was told."""
    confirmed = Identification.objects.filter(
        person=person, status=IdentificationStatus.CONFIRMED
    ).first()
    if confirmed is not None:
        told = FamilyNotification.objects.filter(identification=confirmed).exists()
        return "identified" if told else "contact"
    samples = _live_samples(person)
    if samples.filter(profile__isnull=False, profile__withdrawn=False).exists():
        return "examination"
    if samples.exists():
        return "sample"
    return "received"


def what_would_help(person: MissingPerson) -> list[str]:
    """What the family could still give, in plain words (nothing about findings)."""
    out: list[str] = []
    given = set(_live_samples(person).values_list("member__relationship", flat=True))
    if not given & _FIRST_DEGREE:
        out.append(
            _(
                "A DNA sample from a parent or a child of the missing person would "
                "help. If there is none, a brother or sister."
            )
            if not given & _CLOSE
            else _("A DNA sample from a parent or a child would also help.")
        )
    if not person.photos.filter(withdrawn=False).exists():
        out.append(
            _(
                "A clear photo of the face would help, best one where the teeth "
                "can be seen."
            )
        )
    if not person.dental_chart and not person.dentist:
        out.append(
            _("The name of their dentist or clinic, or dental X-rays, would help.")
        )
    if not person.medical_notes:
        out.append(
            _("Medical facts would help: operations, implants, old fractures, X-rays.")
        )
    return out


@dataclass(frozen=True)
class CaseView:
    """Everything the family's case page shows."""

    case_code: str
    status: str
    status_label: str
    stages: list[tuple[str, str, bool]]
    help: list[str] = field(default_factory=list)
    consents: list[tuple[str, str, bool]] = field(default_factory=list)


def case_view(access: CaseAccess) -> CaseView:
    person = case_person(access)
    status = case_status(person)
    order = list(STAGES)
    # "contact" replaces everything else until the family was told by a person.
    if status == "contact":
        return CaseView(
            case_code=access.case_code,
            status=status,
            status_label=str(STAGES[status]),
            stages=[],
        )
    reached = order.index(status)
    stages = [
        (key, str(STAGES[key]), order.index(key) <= reached)
        for key in ("received", "sample", "examination", "identified")
    ]
    report = access.report
    consents = [
        (c.use, str(c.get_use_display()), c.active) for c in report.consents.all()
    ]
    return CaseView(
        case_code=access.case_code,
        status=status,
        status_label=str(STAGES[status]),
        stages=stages,
        help=[] if status == "identified" else what_would_help(person),
        consents=consents,
    )


def drafts() -> QuerySet[PublicReport]:
    return PublicReport.objects.filter(status=ReportStatus.DRAFT).order_by(
        "created", "pk"
    )


def _probe(report: PublicReport, organisation: Organisation | None) -> MissingPerson:
    """An unsaved report with the draft's names and birth, for record linkage."""
    return MissingPerson(
        organisation=organisation,
        family_name=report.family_name,
        given_names=report.given_names,
        patronymic=report.patronymic,
        aliases=report.aliases,
        birth_year=report.birth_year,
        birth_month=report.birth_month,
        birth_day=report.birth_day,
    )


def proposed_duplicates(
    report: PublicReport, organisation: Organisation
) -> list[MissingPerson]:
    """Reports of ``organisation`` that record linkage takes for the same person."""
    return duplicate_candidates(_probe(report, organisation))


def similar_drafts(report: PublicReport) -> list[PublicReport]:
    """Other drafts of the same person (another relative reported online too):
    a surname key and a given-name key in common, compatible birth dates."""
    mine = _probe(report, None)
    keys = name_keys(mine)
    fam = {k for p, k in keys if p == "f"}
    giv = {k for p, k in keys if p == "g"}
    out = []
    for other in drafts().exclude(pk=report.pk):
        theirs = _probe(other, None)
        their_keys = name_keys(theirs)
        if (
            fam & {k for p, k in their_keys if p == "f"}
            and giv & {k for p, k in their_keys if p == "g"}
            and births_compatible(mine, theirs)
        ):
            out.append(other)
    return out


def report_rows(report: PublicReport) -> dict[str, list[str]]:
    """The draft's coded rows in words, for the officer's page."""
    return {
        "clothing": [
            " ".join(
                p
                for p in (
                    label("clothing_category", row.get("category", "")),
                    ", ".join(label("colour", c) for c in row.get("colours", [])),
                    row.get("label_text", ""),
                )
                if p
            )
            for row in report.clothing
        ],
        "effects": [
            " ".join(
                p
                for p in (
                    label("effect", row.get("category", "")),
                    row.get("description", ""),
                )
                if p
            )
            for row in report.effects
        ],
        "dna_relatives": [
            label("donor_relationship", code) for code in report.dna_relatives
        ],
    }
