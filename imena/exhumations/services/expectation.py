"""Bodies expected from the reconciled journals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.audit.services import audit_record
from imena.burials.models import Grave
from imena.exhumations.models import (
    Exhumation,
    JournalFlag,
)
from imena.journals.selectors import journal_expectation

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Journal expectation ----------------------------------------------------


def expected_bodies_for_grave(grave: Grave) -> int | None:
    """How many bodies the journals lead us to expect in ``grave``, or None.

    The people that the site's latest reconciliation of the journals puts in
    the grave; without a reconciliation, the grave's own ``bodies_expected``.
    """
    value = journal_expectation(grave)
    if value is not None:
        return value
    return grave.bodies_expected


def journal_flag(expected: int | None, found: int) -> str:
    if expected is None or expected == found:
        return JournalFlag.NONE
    if expected == 0:
        return JournalFlag.UNEXPECTED_BODY
    if found == 0:
        return JournalFlag.MISSING_BODY
    return JournalFlag.COUNT_DIFFERS


def _refresh_expectation(
    exhumation: Exhumation, *, actor: User | None, audit: bool = True
) -> None:
    """Recount the bodies and compare with the journals; the change is
    audited (``exhumation.expectation``), so ``imena audit verify --records``
    knows the exhumation's current counts."""
    found = max(exhumation.bodies_found, exhumation.bodies.current().count())
    expected = expected_bodies_for_grave(exhumation.grave)
    flag = journal_flag(expected, found)
    fields = {"bodies_found": found, "bodies_expected": expected, "journal_flag": flag}
    changed = [k for k, v in fields.items() if getattr(exhumation, k) != v]
    if changed:
        before = {k: getattr(exhumation, k) for k in changed}
        for k in changed:
            setattr(exhumation, k, fields[k])
        exhumation.save(update_fields=changed)
        if audit:
            audit_record(
                actor=actor,
                action="exhumation.expectation",
                obj=exhumation,
                before=before,
                after={k: fields[k] for k in changed},
                organisation_id=exhumation.organisation_id,
            )
