"""Corrections of sites and graves go through imena/lib/corrections.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from imena.audit.models import AuditEntry
from imena.burials import services
from imena.burials.models import Site
from imena.burials.tests.factories import SiteFactory


@pytest.fixture
def site(org) -> Site:
    return SiteFactory(organisation=org, name="Old name")  # type: ignore[return-value]


@pytest.mark.django_db
def test_a_site_correction_needs_a_reason(site, examiner) -> None:
    with pytest.raises(ValidationError) as e:
        services.site_update(actor=examiner, site=site, reason=" ", name="New")
    assert e.value.message_dict == {"reason": ["Say why the record is corrected."]}
    assert Site.objects.get(pk=site.pk).name == "Old name"
    assert not AuditEntry.objects.filter(action="site.update").exists()


@pytest.mark.django_db
def test_a_site_correction_keeps_the_old_value_and_the_reason(site, examiner) -> None:
    services.site_update(actor=examiner, site=site, reason="typo", name="New")
    entry = AuditEntry.objects.get(action="site.update")
    assert entry.before_data == {"name": "Old name"}
    assert entry.after_data == {"name": "New", "reason": "typo"}


@pytest.mark.django_db
def test_nothing_changed_writes_nothing(site, examiner) -> None:
    services.site_update(actor=examiner, site=site, reason="x", name="Old name")
    assert not AuditEntry.objects.filter(action="site.update").exists()


@pytest.mark.django_db
def test_a_grave_correction_saves_and_audits_the_derived_number(org, examiner) -> None:
    site = SiteFactory(organisation=org)
    grave = services.grave_create(actor=examiner, site=site, marker_text="№ 12")  # type: ignore[arg-type]
    services.grave_update(
        actor=examiner, grave=grave, reason="misread", marker_text="№ 13"
    )
    grave.refresh_from_db()
    assert grave.number == "13"
    entry = AuditEntry.objects.get(action="grave.update")
    assert entry.before_data == {"marker_text": "№ 12", "number": "12"}
    assert entry.after_data == {
        "marker_text": "№ 13",
        "number": "13",
        "reason": "misread",
    }
