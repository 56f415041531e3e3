"""The two-person rule holds in the database itself (#19 row 15)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from imena.identification import services
from imena.identification.models import Confirmation, Identification

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(candidate, users):
    # A recorded dental identification: primary, yet below the posterior threshold,
    # so the proposal is justified and the confirmation acknowledges it.
    return services.identification_propose(
        actor=users["forensic_examiner"],
        candidate=candidate,
        primary_identifier="dental",
        primary_reference="OD-2022-017",
        justification="Dental comparison by the odontologist identifies.",
    )


def test_a_copied_proposer_that_differs_does_not_help(proposal, users) -> None:
    # The reviewer IS the proposer of the identification; the confirmation
    # row names somebody else as proposer.
    with pytest.raises(IntegrityError), transaction.atomic():
        Confirmation.objects.create(
            identification=proposal,
            proposer=users["dna_analyst"],
            reviewer=users["forensic_examiner"],
        )


def test_confirmed_needs_a_confirmation_row(proposal) -> None:
    table = Identification._meta.db_table
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {table} SET status = 'confirmed' WHERE id = %s", [proposal.pk]
        )
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_the_service_still_confirms(proposal, users) -> None:
    services.identification_confirm(
        actor=users["dna_analyst"], identification=proposal, acknowledge_warnings=True
    )
    proposal.refresh_from_db()
    assert proposal.status == "confirmed"


def test_only_liaison_officers_record_a_notification(client, proposal, users) -> None:
    services.identification_confirm(
        actor=users["dna_analyst"], identification=proposal, acknowledge_warnings=True
    )
    data = {
        "notified_by": "Зв'язкова",
        "notified_whom": "Шевченко Марія",
        "relationship": "wife",
        "notified_on": "2022-10-01T10:00",
        "method": "in_person",
        "notes": "",
    }
    url = f"/identification/identifications/{proposal.pk}/notify/"
    client.force_login(users["dna_analyst"])
    assert client.post(url, data).status_code == 403
    assert not proposal.notifications.exists()
    with pytest.raises(PermissionDenied):
        services.family_notification_record(
            actor=users["investigator"], identification=proposal, **{
                **data, "notified_on": "2022-10-01T10:00Z"
            },
        )  # fmt: skip
    client.force_login(users["family_liaison"])
    assert client.post(url, data).status_code == 302
    assert proposal.notifications.count() == 1
