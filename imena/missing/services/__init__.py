"""Writes to missing-person reports, pedigrees and reference samples; audited.

The writes are split by sub-domain; import them from here. Reads live in
``selectors`` (those callers used from here are re-exported).
"""

from __future__ import annotations

from imena.missing.selectors import (
    births_compatible,
    duplicate_candidates,
    name_keys,
)

from .contact import (
    contact_request_create,
    contact_request_handle,
)
from .duplicates import (
    missing_person_merge,
    missing_person_unmerge,
)
from .pfif_record import (
    pfif_export_record,
)
from .photos import (
    PHOTO_TYPES,
    missing_photo_create,
    missing_photo_withdraw,
    photo_stage,
)
from .references import (
    _relationship,
    family_import_case,
    pedigree_member_add,
    pedigree_member_set_parents,
    reference_sample_create,
    reference_sample_withdraw_consent,
    validate_pedigree,
)
from .reports import (
    REPORT_FIELDS,
    SECTION_FIELDS,
    _check_dates,
    _check_identity,
    _derive_names,
    clean_item,
    missing_person_add_item,
    missing_person_create,
    missing_person_set_status,
    missing_person_update,
)

__all__ = [
    "PHOTO_TYPES",
    "REPORT_FIELDS",
    "SECTION_FIELDS",
    "_check_dates",
    "_check_identity",
    "_derive_names",
    "_relationship",
    "births_compatible",
    "clean_item",
    "contact_request_create",
    "contact_request_handle",
    "duplicate_candidates",
    "family_import_case",
    "missing_person_add_item",
    "missing_person_create",
    "missing_person_merge",
    "missing_person_set_status",
    "missing_person_unmerge",
    "missing_person_update",
    "missing_photo_create",
    "missing_photo_withdraw",
    "name_keys",
    "pedigree_member_add",
    "pedigree_member_set_parents",
    "pfif_export_record",
    "photo_stage",
    "reference_sample_create",
    "reference_sample_withdraw_consent",
    "validate_pedigree",
]
