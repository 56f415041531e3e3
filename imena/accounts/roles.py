"""What each role may do. Access functions in each app ask here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.accounts.models import Role

if TYPE_CHECKING:
    from imena.accounts.models import User

R = Role

# One capability a line; the roles that hold it. Administrators hold all.
CAPABILITIES: dict[str, frozenset[str]] = {
    # Sites and graves
    "site.view": frozenset(R.values),
    "site.change": frozenset({R.FORENSIC_EXAMINER, R.INVESTIGATOR}),
    "grave.change": frozenset({R.FIELD_RECORDER, R.FORENSIC_EXAMINER, R.INVESTIGATOR}),
    # Journals
    "journal.view": frozenset(
        {R.FORENSIC_EXAMINER, R.INVESTIGATOR, R.FIELD_RECORDER, R.FAMILY_LIAISON}
    ),
    # Digitising journals is data entry (field recorders too); linking is review.
    "journal.import": frozenset(
        {R.FIELD_RECORDER, R.FORENSIC_EXAMINER, R.INVESTIGATOR}
    ),
    "journal.review": frozenset({R.FORENSIC_EXAMINER, R.INVESTIGATOR}),
    # Exhumation, post-mortem, evidence
    "postmortem.view": frozenset(
        {R.FIELD_RECORDER, R.FORENSIC_EXAMINER, R.INVESTIGATOR, R.DNA_ANALYST}
    ),
    "postmortem.change": frozenset({R.FIELD_RECORDER, R.FORENSIC_EXAMINER}),
    # Civilian or military: the examiner's reading of the post-mortem evidence
    "postmortem.classify": frozenset({R.FORENSIC_EXAMINER}),
    "evidence.view": frozenset({R.FIELD_RECORDER, R.FORENSIC_EXAMINER, R.INVESTIGATOR}),
    "evidence.change": frozenset(
        {R.FIELD_RECORDER, R.FORENSIC_EXAMINER, R.INVESTIGATOR}
    ),
    # Missing persons
    "missing.view": frozenset(
        {R.FAMILY_LIAISON, R.INVESTIGATOR, R.FORENSIC_EXAMINER, R.DNA_ANALYST}
    ),
    "missing.change": frozenset({R.FAMILY_LIAISON}),
    # Ante-mortem photos (never on the public family search; not for DNA analysts)
    "missing.photos": frozenset(
        {R.FAMILY_LIAISON, R.INVESTIGATOR, R.FORENSIC_EXAMINER}
    ),
    # PFIF export of the organisation's reports
    "missing.export": frozenset({R.FAMILY_LIAISON, R.INVESTIGATOR}),
    # DNA profiles: analysts only, every view audited
    "dna.view": frozenset({R.DNA_ANALYST}),
    "dna.change": frozenset({R.DNA_ANALYST}),
    # Identification
    "identification.view": frozenset(
        {R.FORENSIC_EXAMINER, R.INVESTIGATOR, R.DNA_ANALYST, R.FAMILY_LIAISON}
    ),
    "identification.propose": frozenset(
        {R.FORENSIC_EXAMINER, R.DNA_ANALYST, R.INVESTIGATOR}
    ),
    "identification.review": frozenset(
        {R.FORENSIC_EXAMINER, R.DNA_ANALYST, R.INVESTIGATOR}
    ),
    # Recording that a family was told: family liaison officers only
    "identification.notify": frozenset({R.FAMILY_LIAISON}),
    # Field capture (ODK): reviewers accept or reject drafts sent from the field
    "odk.review": frozenset({R.FORENSIC_EXAMINER, R.INVESTIGATOR}),
    # Reports and audit
    "report.view": frozenset({R.INVESTIGATOR, R.FORENSIC_EXAMINER}),
    "report.export": frozenset({R.INVESTIGATOR, R.FORENSIC_EXAMINER}),
    "audit.view": frozenset({R.INVESTIGATOR}),
}


def can(user: User, capability: str) -> bool:
    """Return True when the user's role holds the capability."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role == R.ADMINISTRATOR:
        return True
    try:
        return user.role in CAPABILITIES[capability]
    except KeyError:
        raise ValueError(f"unknown capability {capability!r}") from None
