"""Civilian or military on the body page, and withdrawing records made in error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from conftest import make_user
from imena.audit.models import AuditEntry
from imena.burials.models import GraveStatus
from imena.exhumations import services
from imena.exhumations.models import Body, BodyCategory, Exhumation

pytestmark = pytest.mark.django_db


def category_url(body):
    return reverse("exhumations:body_category", args=[body.pk])


@pytest.mark.parametrize(
    ("clothing", "documents", "expected"),
    [
        ([{"category": "uniform"}], [], "military"),
        ([{"category": "jacket", "pattern": "camouflage"}], [], "military"),
        ([], [{"type": "military_id"}], "military"),
        ([], [{"category": "military_id"}], "military"),
        (
            [{"category": "trousers", "pattern": "plain"}],
            [{"type": "passport"}],
            "unknown",
        ),
        ([], [], "unknown"),
    ],
)
def test_the_category_rule_reads_only_clothing_and_documents(
    clothing, documents, expected
) -> None:
    assert services.category_from_findings(clothing, documents) == expected


def test_an_examiner_records_the_category_and_it_is_audited(
    client, examiner, body
) -> None:
    client.force_login(examiner)
    response = client.post(category_url(body), {"category": "military"})
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.category == BodyCategory.MILITARY
    entry = AuditEntry.objects.get(action="body.category", object_id=str(body.pk))
    assert '"military"' in entry.after and '"unknown"' in entry.before


def test_the_body_page_shows_the_category_form_to_the_examiner(
    client, examiner, body
) -> None:
    client.force_login(examiner)
    page = client.get(body.get_absolute_url()).content.decode()
    assert 'id="category"' in page and category_url(body) in page


def test_a_recorded_category_is_corrected_only_with_a_reason(
    client, examiner, body
) -> None:
    services.body_set_category(actor=examiner, body=body, category="military")
    client.force_login(examiner)
    response = client.post(category_url(body), {"category": "civilian"}, follow=True)
    assert "say why" in response.content.decode()
    body.refresh_from_db()
    assert body.category == "military"
    client.post(
        category_url(body),
        {"category": "civilian", "reason": "Uniform was a volunteer's jacket"},
    )
    body.refresh_from_db()
    assert body.category == "civilian"
    entry = AuditEntry.objects.filter(action="body.category").order_by("-seq").first()
    assert "volunteer" in entry.after and "military" in entry.before  # type: ignore[union-attr]


def test_an_unknown_category_is_refused(client, examiner, body) -> None:
    client.force_login(examiner)
    response = client.post(category_url(body), {"category": "alien"}, follow=True)
    assert "Choose civilian, military or unknown." in response.content.decode()
    body.refresh_from_db()
    assert body.category == "unknown"


def test_a_field_recorder_may_not_set_the_category(client, recorder, body) -> None:
    client.force_login(recorder)
    assert client.post(category_url(body), {"category": "military"}).status_code == 403


def test_an_examiner_of_another_organisation_gets_404(client, other_org, body) -> None:

    client.force_login(make_user(other_org, "forensic_examiner", "other-examiner"))
    assert client.post(category_url(body), {"category": "military"}).status_code == 404


def test_the_category_must_be_one_of_the_choices_in_the_database(body) -> None:

    with pytest.raises(IntegrityError), transaction.atomic():
        Body.objects.filter(pk=body.pk).update(category="spy")


# --- Withdrawal -------------------------------------------------------------------


def test_a_body_recorded_in_error_is_withdrawn_kept_and_shown(
    client, recorder, body
) -> None:
    client.force_login(recorder)
    url = reverse("exhumations:body_withdraw", args=[body.pk])
    response = client.post(url, {"reason": "Same remains as IZM-PM-0002"}, follow=True)
    assert response.status_code == 200
    body.refresh_from_db()
    assert body.withdrawn and body.withdrawn_by == recorder and body.withdrawn_at
    assert Body.objects.filter(pk=body.pk).exists()
    assert not Body.objects.current().filter(pk=body.pk).exists()
    assert 'id="withdrawn"' in response.content.decode()
    grave_page = client.get(body.grave.get_absolute_url()).content.decode()
    assert "grave.body_withdrawn" in grave_page  # the grave page's history
    assert "<s>IZM-PM-0001</s>" in grave_page


def test_a_withdrawal_without_a_reason_is_refused(client, recorder, body) -> None:
    client.force_login(recorder)
    url = reverse("exhumations:body_withdraw", args=[body.pk])
    response = client.post(url, {"reason": "  "}, follow=True)
    assert "Say why the record is withdrawn." in response.content.decode()
    body.refresh_from_db()
    assert not body.withdrawn


def test_a_dna_analyst_may_not_withdraw_a_body(client, users, body) -> None:
    client.force_login(users["dna_analyst"])
    url = reverse("exhumations:body_withdraw", args=[body.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_a_recorder_of_another_organisation_gets_404_when_withdrawing(
    client, other_org, body, exhumation
) -> None:

    client.force_login(make_user(other_org, "field_recorder", "other-recorder"))
    assert (
        client.post(
            reverse("exhumations:body_withdraw", args=[body.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("exhumations:exhumation_withdraw", args=[exhumation.pk]),
            {"reason": "x"},
        ).status_code
        == 404
    )


def test_withdrawing_an_exhumation_withdraws_its_bodies_and_reopens_the_grave(
    client, recorder, exhumation, body
) -> None:
    client.force_login(recorder)
    url = reverse("exhumations:exhumation_withdraw", args=[exhumation.pk])
    response = client.post(
        url, {"reason": "Entered under the wrong grave"}, follow=True
    )
    assert 'id="withdrawn"' in response.content.decode()
    exhumation.refresh_from_db()
    body.refresh_from_db()
    assert exhumation.withdrawn and body.withdrawn
    assert not Exhumation.objects.current().filter(pk=exhumation.pk).exists()
    grave = exhumation.grave
    grave.refresh_from_db()
    assert grave.status == GraveStatus.REGISTERED
    page = client.get(grave.get_absolute_url()).content.decode()
    assert (
        "grave.exhumation_withdrawn" in page and "Entered under the wrong grave" in page
    )
    # No body can be added to a withdrawn exhumation.
    response = client.post(
        reverse("exhumations:body_create", args=[exhumation.pk]),
        {"pm_number": "IZM-PM-0099", "kind": "body"},
    )
    assert not Body.objects.filter(pm_number="IZM-PM-0099").exists()


def test_a_withdrawn_body_no_longer_counts_for_the_journal_check(
    recorder, examiner, mass_grave
) -> None:

    ex = services.exhumation_create(
        actor=recorder,
        grave=mass_grave,
        date=dt.date(2022, 9, 20),
        team="A",
        pm_numbers=["IZM-PM-0101", "IZM-PM-0102", "IZM-PM-0103", "IZM-PM-0104"],
    )
    assert ex.bodies.current().count() == 4
    services.body_withdraw(
        actor=examiner,
        body=ex.bodies.get(pm_number="IZM-PM-0104"),
        reason="Counted twice",
    )
    assert ex.bodies.current().count() == 3
    assert list(
        Body.objects.current().filter(exhumation=ex).values_list("pm_number", flat=True)
    ) == ["IZM-PM-0101", "IZM-PM-0102", "IZM-PM-0103"]
