"""Writes to exhumations, bodies, post-mortem records, samples and evidence.

Every function is atomic and appends to the audit log. Findings are corrected,
never overwritten silently: changing a value already recorded needs a reason,
and the old value stays in the audit entry.

The writes are split by sub-domain; import them from here. Reads live in
``selectors`` (those callers used from here are re-exported).
"""

from __future__ import annotations

from imena.exhumations.selectors import (
    pm_record_as_dict,
    pm_records_as_dicts,
)

from .bodies import (
    EXHUMATION_EDITABLE,
    MILITARY_CLOTHING_CATEGORIES,
    MILITARY_CLOTHING_PATTERNS,
    MILITARY_DOCUMENTS,
    body_create,
    body_set_category,
    body_withdraw,
    category_from_findings,
    category_suggestion,
    exhumation_correct,
    exhumation_create,
    exhumation_withdraw,
)
from .drafts import (
    DRAFT_PAGE,
    DRAFT_SEQ,
    MAX_DRAFT_FIELDS,
    MAX_DRAFT_VALUE,
    draft_get,
    draft_save,
)
from .expectation import (
    expected_bodies_for_grave,
    journal_flag,
)
from .postmortem import (
    finding_mark_read,
    pm_item_add,
    pm_item_correct,
    pm_item_withdraw,
    pm_section_save,
)
from .samples import (
    SAMPLE_EDITABLE,
    sample_attach_profile,
    sample_create,
    sample_update,
)
from .sections import (
    ALL_SECTIONS,
    ITEM_KIND_OF_SECTION,
    ITEM_SECTIONS,
    REASON_REQUIRED,
    SECTIONS,
)

__all__ = [
    "ALL_SECTIONS",
    "DRAFT_PAGE",
    "DRAFT_SEQ",
    "EXHUMATION_EDITABLE",
    "ITEM_KIND_OF_SECTION",
    "ITEM_SECTIONS",
    "MAX_DRAFT_FIELDS",
    "MAX_DRAFT_VALUE",
    "MILITARY_CLOTHING_CATEGORIES",
    "MILITARY_CLOTHING_PATTERNS",
    "MILITARY_DOCUMENTS",
    "REASON_REQUIRED",
    "SAMPLE_EDITABLE",
    "SECTIONS",
    "body_create",
    "body_set_category",
    "body_withdraw",
    "category_from_findings",
    "category_suggestion",
    "draft_get",
    "draft_save",
    "exhumation_correct",
    "exhumation_create",
    "exhumation_withdraw",
    "expected_bodies_for_grave",
    "finding_mark_read",
    "journal_flag",
    "pm_item_add",
    "pm_item_correct",
    "pm_item_withdraw",
    "pm_record_as_dict",
    "pm_records_as_dicts",
    "pm_section_save",
    "sample_attach_profile",
    "sample_create",
    "sample_update",
]
