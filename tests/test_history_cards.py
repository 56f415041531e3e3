"""History cards show labels and values as the forms do (issue #21, item 5)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from imena.audit.history import readable_changes
from imena.audit.services import history_for
from imena.burials import services
from imena.burials.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grave(org, users):
    site = SiteFactory(organisation=org, code="hst", name="Тестове кладовище")
    grave = services.grave_create(
        actor=users["field_recorder"], site=site, marker_text="№ 5"
    )
    services.grave_update(
        actor=users["forensic_examiner"],
        grave=grave,
        reason="marker re-read",
        marker_text="№ 15",
    )
    services.grave_withdraw(
        actor=users["forensic_examiner"], grave=grave, reason="registered twice"
    )
    return grave


def test_changes_carry_labels_and_display_values(grave) -> None:
    rows = {c.field: c for e in history_for(grave) for c in readable_changes(e)}
    assert rows["marker_text"].label == "Marker as written"
    assert (rows["marker_text"].old, rows["marker_text"].new) == ("№ 5", "№ 15")
    assert rows["withdrawn"].new == "yes"
    assert "organisation_id" not in rows and "created_by_id" not in rows
    site_rows = [c for e in history_for(grave) for c in readable_changes(e)
                 if c.field == "site_id"]  # fmt: skip
    assert all(c.new == "Тестове кладовище" for c in site_rows)


def test_the_grave_page_shows_no_internal_names(client, grave, users) -> None:
    client.force_login(users["forensic_examiner"])
    body = client.get(reverse("burials:grave_detail", args=[grave.pk])).content
    card = body.decode().split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    # Codes stay only in attributes (tooltips, machine-readable times).
    visible = re.sub(r'\s[\w-]+="[^"]*"', "", card)
    for internal in ("marker_text", "withdrawn_reason", "_id", "grave.withdraw"):
        assert internal not in visible
    assert "Marker as written" in visible and "Grave: withdrawn" in visible
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", visible)  # no ISO times


def test_the_card_is_translated(client, grave, users) -> None:
    client.force_login(users["forensic_examiner"])
    body = client.get(
        reverse("burials:grave_detail", args=[grave.pk]), HTTP_ACCEPT_LANGUAGE="uk"
    ).content.decode()
    card = body.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    assert "Marker as written" not in card
    assert "відкликано" in card  # "withdrawn"
