"""Autosaved drafts of post-mortem sections (not findings, not audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from imena.audit.services import history_for
from imena.exhumations.models import (
    Body,
    SectionDraft,
)
from imena.exhumations.services.sections import ALL_SECTIONS

if TYPE_CHECKING:
    from imena.accounts.models import User


# --- Drafts (autosave; not findings, not audited) ----------------------------

MAX_DRAFT_FIELDS = 60
MAX_DRAFT_VALUE = 10_000


#: Posted by the autosave next to the form's fields: when the page was shown,
#: and the autosave's number on that page.
DRAFT_PAGE, DRAFT_SEQ = "draft_page", "draft_seq"


def _draft_page_time(value: Any) -> dt.datetime | None:
    try:
        shown = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return shown if timezone.is_aware(shown) else None


def _draft_seq(data: Mapping[str, Any]) -> int:
    try:
        return int(data.get(DRAFT_SEQ) or 0)
    except (TypeError, ValueError):
        return 0


@transaction.atomic
def draft_save(
    *, user: User, body: Body, section: str, data: Mapping[str, Any]
) -> bool:
    """Store the user's unsaved section form; False when the save came too late.

    Too late: the section was saved after the page that sent it was shown
    (its draft is of an edit already stored), or a later autosave of the same
    page is stored already (a retry overtaken by its successor). Two first
    saves at once: the loser of the insert updates the winner's row.
    """
    if section not in ALL_SECTIONS:
        raise ValueError(f"unknown section {section!r}")
    clean: dict[str, Any] = {}
    for key, value in list(data.items())[:MAX_DRAFT_FIELDS]:
        if key in ("csrfmiddlewaretoken",):
            continue
        if isinstance(value, list):
            clean[key] = [str(v)[:MAX_DRAFT_VALUE] for v in value[:MAX_DRAFT_FIELDS]]
        else:
            clean[key] = str(value)[:MAX_DRAFT_VALUE]
    shown = _draft_page_time(clean.get(DRAFT_PAGE))
    if (
        shown is not None
        and history_for(body)
        .filter(
            actor=user,
            action__in=[f"pm.{section}", f"pm.{section}.add"],
            created__gt=shown,
        )
        .exists()
    ):
        return False
    for attempt in range(3):
        try:
            with transaction.atomic():
                draft = (
                    SectionDraft.objects.select_for_update()
                    .filter(user=user, body=body, section=section)
                    .first()
                )
                if draft is None:
                    SectionDraft.objects.create(
                        user=user, body=body, section=section, data=clean
                    )
                    return True
                same_page = draft.data.get(DRAFT_PAGE) == clean.get(DRAFT_PAGE)
                if same_page and _draft_seq(draft.data) >= _draft_seq(clean) > 0:
                    return False
                draft.data = clean
                draft.save(update_fields=["data", "updated"])
                return True
        except IntegrityError:
            if attempt == 2:
                raise
    return False


def draft_get(*, user: User, body: Body, section: str) -> dict[str, Any] | None:
    draft = SectionDraft.objects.filter(user=user, body=body, section=section).first()
    if draft is None:
        return None
    data = {k: v for k, v in draft.data.items() if k not in (DRAFT_PAGE, DRAFT_SEQ)}
    return data or None
