from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from imena.audit.models import AuditEntry
from imena.burials.models import GraveStatus
from imena.exhumations import services
from imena.exhumations.models import Body, Exhumation, JournalFlag
from imena.journals.models import PersonCluster, ReconcileRun


@pytest.mark.django_db
def test_a_mass_grave_exhumation_records_each_body_with_its_pm_number(
    client, mass_grave, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        reverse("exhumations:exhumation_create", args=[mass_grave.pk]),
        {
            "date": "2022-09-20",
            "team": "A\nB",
            "conditions": "dry, sandy",
            "depth_cm": 140,
            "container": "body_bag",
            "bodies_found": 3,
            "pm_numbers": "IZM-PM-0101\nIZM-PM-0102\nIZM-PM-0103",
        },
    )
    assert response.status_code == 302
    exhumation = Exhumation.objects.get(grave=mass_grave)
    assert sorted(exhumation.bodies.values_list("pm_number", flat=True)) == [
        "IZM-PM-0101",
        "IZM-PM-0102",
        "IZM-PM-0103",
    ]
    assert exhumation.journal_flag == JournalFlag.NONE
    mass_grave.refresh_from_db()
    assert mass_grave.status == GraveStatus.EXHUMED
    page = client.get(mass_grave.get_absolute_url()).content.decode()
    assert "IZM-PM-0102" in page  # the grave panel lists the bodies


@pytest.mark.django_db
def test_a_body_where_the_journal_expected_none_is_flagged(grave, recorder) -> None:
    grave.bodies_expected = 0
    grave.save()
    ex = services.exhumation_create(
        actor=recorder,
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="A",
        pm_numbers=["IZM-PM-0009"],
    )
    assert ex.journal_flag == JournalFlag.UNEXPECTED_BODY


@pytest.mark.django_db
def test_no_body_where_the_journal_expected_one_is_flagged_and_shown(
    client, grave, recorder
) -> None:
    ex = services.exhumation_create(
        actor=recorder, grave=grave, date=dt.date(2022, 9, 16), team="A"
    )
    assert ex.journal_flag == JournalFlag.MISSING_BODY
    client.force_login(recorder)
    assert "journal-flag" in client.get(ex.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_different_count_is_flagged_after_adding_bodies(mass_grave, recorder) -> None:
    ex = services.exhumation_create(
        actor=recorder,
        grave=mass_grave,
        date=dt.date(2022, 9, 16),
        team="A",
        pm_numbers=["P-1", "P-2", "P-3"],
    )
    assert ex.journal_flag == JournalFlag.NONE
    services.body_create(actor=recorder, exhumation=ex, pm_number="P-4")
    ex.refresh_from_db()
    assert ex.journal_flag == JournalFlag.COUNT_DIFFERS
    assert ex.bodies_found == 4


@pytest.mark.django_db
def test_a_pm_number_used_twice_is_refused_and_nothing_is_stored(
    client, exhumation, mass_grave, recorder
) -> None:
    client.force_login(recorder)
    before = (
        Exhumation.objects.count(),
        Body.objects.count(),
        AuditEntry.objects.count(),
    )
    response = client.post(
        reverse("exhumations:exhumation_create", args=[mass_grave.pk]),
        {
            "date": "2022-09-20",
            "team": "A",
            "bodies_found": 2,
            "pm_numbers": "IZM-PM-0200\nIZM-PM-0001",
        },
    )
    assert response.status_code == 200
    assert "IZM-PM-0001 is already used" in response.content.decode()
    assert (
        Exhumation.objects.count(),
        Body.objects.count(),
        AuditEntry.objects.count(),
    ) == before


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_pm_number_in_one_organisation(
    exhumation, recorder
) -> None:
    with pytest.raises(ValidationError, match="already used"):
        services.body_create(
            actor=recorder, exhumation=exhumation, pm_number="IZM-PM-0001"
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        Body.objects.create(
            organisation_id=exhumation.organisation_id,
            exhumation=exhumation,
            grave=exhumation.grave,
            pm_number="IZM-PM-0001",
        )


def _reconciled(grave, people: int) -> None:
    """A reconciliation of the site's journals that puts ``people`` in ``grave``."""
    run = ReconcileRun.objects.create(site=grave.site, threshold=0.9)
    for i in range(people):
        PersonCluster.objects.create(run=run, key=f"c{i}", grave=grave)


@pytest.mark.django_db
def test_the_reconciled_journals_give_the_expected_bodies(grave) -> None:
    assert services.expected_bodies_for_grave(grave) == 1  # no reconciliation yet
    _reconciled(grave, people=2)
    assert services.expected_bodies_for_grave(grave) == 2


@pytest.mark.django_db
def test_an_exhumation_is_flagged_against_the_reconciled_journals(
    grave, recorder
) -> None:
    _reconciled(grave, people=2)
    exhumation = services.exhumation_create(
        actor=recorder,
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Експерт",
        pm_numbers=["IZM-PM-0001"],
    )
    exhumation.refresh_from_db()
    assert exhumation.bodies_expected == 2
    assert exhumation.journal_flag == JournalFlag.COUNT_DIFFERS


@pytest.mark.django_db
def test_an_exhumation_correction_needs_a_reason_and_keeps_the_old_value(
    exhumation, recorder
) -> None:
    with pytest.raises(ValidationError):
        services.exhumation_correct(
            actor=recorder, exhumation=exhumation, reason="", depth_cm=90
        )
    services.exhumation_correct(
        actor=recorder, exhumation=exhumation, reason="tape misread", depth_cm=90
    )
    entry = AuditEntry.objects.filter(action="exhumation.correct").get()
    assert entry.before_data == {"depth_cm": None}
    assert entry.after_data["reason"] == "tape misread"
