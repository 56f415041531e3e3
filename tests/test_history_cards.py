"""History cards show labels and values as the forms do (issue #21, item 5)."""

from __future__ import annotations

import datetime as dt
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


@pytest.fixture
def pm_body(org, users):
    from imena.burials.tests.factories import GraveFactory
    from imena.exhumations import services as pm

    site = SiteFactory(organisation=org, code="hpm", name="Кладовище")
    grave = GraveFactory(site=site, marker_text="№ 3", bodies_expected=1)
    recorder = users["field_recorder"]
    exhumation = pm.exhumation_create(
        actor=recorder,
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Т",
        pm_numbers=["H-1"],
    )
    body = exhumation.bodies.get()
    pm.pm_section_save(
        actor=recorder,
        body=body,
        section="torture",
        data={"torture_indicators": ["falanga"], "bound_hands": True},
    )
    pm.pm_item_add(
        actor=recorder,
        body=body,
        section="dental",
        data={"tooth": 11, "status": "present_sound", "endodontics": ["root_filling"]},
    )
    item = pm.pm_item_add(
        actor=recorder,
        body=body,
        section="clothing",
        data={"category": "jacket", "colours": ["khaki"], "material": "cotton"},
    )
    pm.pm_item_withdraw(
        actor=recorder, body=body, section="clothing", item=item, reason="twice"
    )
    pm.finding_mark_read(actor=recorder, body=body, prosecutor="Прокурор")
    return body


INTERNAL = ["root_filling", "pm.", "read_at", "read_by", "reason:", "body_id"]


@pytest.mark.parametrize(
    ("lang", "hidden", "shown"),
    [
        ("en", INTERNAL, ["Root filling", "Findings read to the prosecutor"]),
        (
            "uk",
            [*INTERNAL, "jacket", "khaki", "cotton", "falanga"],
            ["куртка", "хакі", "бавовна", "фаланга", "Причина", "Висновки зачитано"],
        ),
    ],
)
def test_post_mortem_cards_show_vocabulary_labels_not_codes(
    client, pm_body, users, lang, hidden, shown
) -> None:
    client.force_login(users["forensic_examiner"])
    body = client.get(
        reverse("exhumations:body_detail", args=[pm_body.pk]),
        HTTP_ACCEPT_LANGUAGE=lang,
    ).content.decode()
    card = body.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    visible = re.sub(r'\s[\w-]+="[^"]*"', "", card)
    for code in hidden:
        assert code not in visible
    for label in shown:
        assert label.lower() in visible.lower()
    assert "EET" in visible or "EEST" in visible  # the site's zone, named


def test_a_missing_persons_card_shows_added_rows_by_their_labels(
    client, org, users
) -> None:
    from imena.missing import services as missing
    from imena.missing.tests.factories import make_person

    liaison = users["family_liaison"]
    person = make_person(org, actor=liaison)
    missing.missing_person_add_item(
        actor=liaison,
        person=person,
        section="particulars",
        item={"kind": "tattoo", "region": "forearm", "description": "якір"},
    )
    client.force_login(users["investigator"])
    body = client.get(
        reverse("missing:person_detail", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="uk"
    ).content.decode()
    card = body.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    visible = re.sub(r'\s[\w-]+="[^"]*"', "", card)
    assert "татуювання" in visible and "передпліччя" in visible
    for internal in ("tattoo", "forearm", "missing.", "section", "{"):
        assert internal not in visible
