from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from imena.audit.models import AuditEntry
from imena.burials import services
from imena.burials.models import Grave, GraveKind, GraveStatus
from imena.burials.tests.factories import GraveFactory, SiteFactory


@pytest.mark.django_db
def test_grave_ref_is_unique_per_site(org) -> None:
    site = SiteFactory(organisation=org)
    GraveFactory(site=site, ref="G1")
    with pytest.raises(IntegrityError), transaction.atomic():
        GraveFactory(site=site, ref="G1")
    # The same register number on another site is fine.
    GraveFactory(site=SiteFactory(organisation=org), ref="G1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "crypt"},
        {"status": "lost"},
        {"lat": 91.0},
        {"lon": -181.0},
        {"withdrawn": True, "withdrawn_reason": ""},
    ],
)
def test_the_database_rejects_invalid_graves(org, fields) -> None:
    site = SiteFactory(organisation=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grave.objects.create(site=site, ref="X", marker_text="1", **fields)  # type: ignore[misc]


@pytest.mark.django_db
def test_grave_create_derives_number_and_audits(org, examiner) -> None:
    site = SiteFactory(organisation=org)
    grave = services.grave_create(actor=examiner, site=site, marker_text="№ 12а")  # type: ignore[arg-type]
    assert grave.number == "12а"
    entry = AuditEntry.objects.get(action="grave.create")
    assert entry.object_id == str(grave.pk)
    assert entry.after_data["marker_text"] == "№ 12а"


@pytest.mark.django_db
def test_a_new_grave_is_numbered_like_the_demos_site_code_and_number(
    org, examiner
) -> None:
    """#22: one reference form, ``IZM-G00001``, for new and generated graves."""
    site = SiteFactory(organisation=org, code="IZM")
    GraveFactory(site=site, ref="IZM-G00001")
    grave = services.grave_create(actor=examiner, site=site, marker_text="№ 5")  # type: ignore[arg-type]
    assert grave.ref == "IZM-G00002"


@pytest.mark.django_db
def test_a_mass_grave_holds_several_bodies(org, examiner) -> None:
    site = SiteFactory(organisation=org)
    grave = services.grave_create(
        actor=examiner,
        site=site,  # type: ignore[arg-type]
        marker_text="БМ-1",
        kind=GraveKind.MASS,
        bodies_expected=17,
    )
    assert grave.is_mass and grave.bodies_expected == 17


@pytest.mark.django_db
def test_a_correction_keeps_the_old_value_in_history(org, examiner) -> None:
    site = SiteFactory(organisation=org)
    grave = services.grave_create(actor=examiner, site=site, marker_text="№ 12")  # type: ignore[arg-type]
    services.grave_update(
        actor=examiner, grave=grave, reason="misread plank", marker_text="№ 13"
    )
    grave.refresh_from_db()
    assert grave.number == "13"
    entry = AuditEntry.objects.get(action="grave.update")
    assert entry.before_data["marker_text"] == "№ 12"
    assert entry.after_data["marker_text"] == "№ 13"
    assert entry.after_data["reason"] == "misread plank"


@pytest.mark.django_db
def test_a_correction_needs_a_reason(org, examiner) -> None:
    grave = services.grave_create(
        actor=examiner,
        site=SiteFactory(organisation=org),  # type: ignore[arg-type]
        marker_text="1",
    )
    with pytest.raises(ValidationError):
        services.grave_update(actor=examiner, grave=grave, reason=" ", notes="x")


@pytest.mark.django_db
def test_withdrawal_keeps_the_grave(org, examiner) -> None:
    grave = services.grave_create(
        actor=examiner,
        site=SiteFactory(organisation=org),  # type: ignore[arg-type]
        marker_text="1",
    )
    services.grave_withdraw(actor=examiner, grave=grave, reason="registered twice")
    grave.refresh_from_db()
    assert grave.withdrawn and Grave.objects.filter(pk=grave.pk).exists()


@pytest.mark.django_db
def test_status_change_is_audited(org, examiner) -> None:
    grave = services.grave_create(
        actor=examiner,
        site=SiteFactory(organisation=org),  # type: ignore[arg-type]
        marker_text="1",
    )
    services.grave_set_status(
        actor=examiner, grave=grave, status=GraveStatus.EXHUMED, reason="opened"
    )
    entry = AuditEntry.objects.get(action="grave.status")
    assert entry.before_data == {"status": "registered"}
    assert entry.after_data["status"] == "exhumed"
