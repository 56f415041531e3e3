"""Liaison accept / merge, the family's private case page, consent withdrawal."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from imena.audit.models import AuditEntry
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services as exh
from imena.families import selectors, tokens
from imena.families.models import CaseAccess, FamilyAddition, PublicReport
from imena.families.notify import case_notifications_send
from imena.families.tests.conftest import gps_jpeg
from imena.identification.models import (
    Confirmation,
    FamilyNotification,
    Identification,
)
from imena.missing import services as missing_services
from imena.missing.models import MissingPerson, MissingPhoto
from imena.missing.pfif import export_organisation
from imena.missing.records import family_as_case_dict
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client: Any, form_data: dict[str, Any]) -> PublicReport:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form_data["photo_1"] = SimpleUploadedFile("face.jpg", gps_jpeg())
    form_data["reporter_email"] = "family@example.org"
    form_data["consent_notify"] = "on"
    # the photo goes into the store when the report's transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post("/family/report/", form_data).status_code == 302
    return PublicReport.objects.get()


def _link(response: Any) -> str:
    match = re.search(
        r'id="case-link">https?://[^/]+(/family/case/[^<]+/)<',
        response.content.decode(),
    )
    assert match, response.content.decode()
    return match[1]


@pytest.fixture
def accepted(client: Any, draft: PublicReport, liaison: Any) -> tuple[Any, str]:
    client.force_login(liaison)
    response = client.post(f"/family/queue/{draft.pk}/accept/")
    assert response.status_code == 200
    link = _link(response)
    client.logout()
    return MissingPerson.objects.get(), link


def test_accept_makes_a_report_with_photos_and_a_hashed_link(
    accepted, draft, liaison
) -> None:
    person, link = accepted
    draft.refresh_from_db()
    assert draft.status == "accepted" and draft.person == person
    assert person.organisation_id == liaison.organisation_id
    assert (person.consent_identification, person.consent_dna) == (True, True)
    assert person.consent_publication is True
    assert person.pedigree.filter(relationship="mother").exists()
    assert person.clothing == [{"category": "jacket", "colours": ["khaki"]}]
    photo = MissingPhoto.objects.get(person=person)
    assert photo.sha256 == draft.photos.get().sha256
    token = link.split("/")[-2]
    assert len(token) >= 43  # 32 random bytes, base64url
    access = CaseAccess.objects.get()
    assert access.token_hash == tokens.token_hash(token)
    assert token not in str(list(CaseAccess.objects.values()))
    assert token not in str(list(AuditEntry.objects.values()))
    assert AuditEntry.objects.filter(action="families.report.accept").exists()


def test_the_case_page_shows_status_and_what_would_help(client, accepted) -> None:
    person, link = accepted
    response = client.get(link)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert "Report received" in page
    assert "DNA sample from a parent or a child" in page


def test_the_status_follows_the_liaison_officers_steps(
    client, accepted, liaison, users
) -> None:
    person, link = accepted
    mother = person.pedigree.get(relationship="mother")
    sample = missing_services.reference_sample_create(
        actor=liaison,
        member=mother,
        sample_id="REF-T-1",
        consent_scope=["dna"],
        consent_date=timezone.localdate(),
    )
    assert "Reference sample taken" in _status(client, link)
    # The profile arrives from the laboratory: the comparison runs.
    profile = missing_services.reference_sample_create(
        actor=liaison,
        member=person.pedigree.get(is_missing=True),
        sample_id="REF-T-2",
        consent_scope=["dna"],
        reference_kind="direct",
        genotypes={"D3S1358": ["15", "16"]},
        consent_date=timezone.localdate(),
    )
    assert sample and profile
    assert _status(client, link) == "Under examination"
    ident = _confirmed_identification(person, users)
    page = client.get(link).content.decode()
    assert _status(client, link) == "Please contact your liaison officer"
    for hidden in ("IZM-PM", "№ 12", "posterior", "Under examination", "case-help"):
        assert hidden not in page
    FamilyNotification.objects.create(
        identification=ident,
        notified_by="Officer",
        notified_whom="Тестенко Ганна",
        notified_on=timezone.now(),
        method="in_person",
        recorded_by=liaison,
    )
    assert _status(client, link).startswith("Identification confirmed")


def _status(client: Any, link: str) -> str:
    page = client.get(link).content.decode()
    return re.search(r'id="case-status">([^<]*)<', page)[1]  # type: ignore[index]


def _confirmed_identification(person: MissingPerson, users: Any) -> Identification:
    site = SiteFactory(organisation=person.organisation, code="izm", name="Тестове")
    grave = GraveFactory(site=site, marker_text="№ 12", bodies_expected=1)
    ex = exh.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,  # type: ignore[arg-type]
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0001"],
    )
    ident = Identification.objects.create(
        organisation=person.organisation,
        body=ex.bodies.get(),
        person=person,
        posterior=0.999,
        primary_identifier="dna",
        proposed_by=users["dna_analyst"],
    )
    # A proposal alone changes nothing the family sees.
    assert "Under examination" in str(
        selectors.case_view(CaseAccess.objects.get(revoked_at=None))
    )
    Confirmation.objects.create(
        identification=ident,
        proposer=users["dna_analyst"],
        reviewer=users["forensic_examiner"],
    )
    ident.status = "confirmed"
    ident.save(update_fields=["status"])
    return ident


def test_an_unknown_or_revoked_link_is_404(client, accepted, liaison) -> None:
    person, link = accepted
    assert client.get("/family/case/" + tokens.new_token() + "/").status_code == 404
    assert client.get(link[:-5] + "AAAA/").status_code == 404
    client.force_login(liaison)
    response = client.post(f"/family/links/{CaseAccess.objects.get().pk}/reissue/")
    new_link = _link(response)
    client.logout()
    assert client.get(link).status_code == 404
    assert client.get(new_link).status_code == 200
    old, new = CaseAccess.objects.order_by("pk")
    assert old.revoked_at and new.revoked_at is None
    assert old.case_code == new.case_code


def test_the_family_adds_a_photo_as_a_draft(client, accepted, liaison) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    person, link = accepted
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            link + "add/",
            {"kind": "photo", "photo": SimpleUploadedFile("b.jpg", gps_jpeg("blue"))},
        )
    assert response.status_code == 302
    addition = FamilyAddition.objects.get()
    assert MissingPhoto.objects.filter(person=person).count() == 1
    client.force_login(liaison)
    assert "Added by families" in client.get("/family/queue/").content.decode()
    client.post(f"/family/additions/{addition.pk}/handled/", {"attach": "1"})
    assert MissingPhoto.objects.filter(person=person).count() == 2


def test_merge_into_an_existing_report(client, draft, liaison, org) -> None:
    existing = make_person(
        org,
        family_name="Тестенко",
        given_names="Вигадан",
        patronymic="Петрович",
        birth_year=1979,
        birth_month=4,
        birth_day=2,
    )
    client.force_login(liaison)
    page = client.get(f"/family/queue/{draft.pk}/").content.decode()
    assert existing.case_no in page  # proposed by record linkage
    response = client.post(
        f"/family/queue/{draft.pk}/merge/",
        {"into": existing.case_no, "reason": "Same name and birth year; called."},
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "merged" and draft.person == existing
    assert MissingPerson.objects.count() == 1
    assert existing.photos.count() == 1
    client.logout()
    assert client.get(_link(response)).status_code == 200


def test_only_liaison_officers_see_the_queue(client, draft, users, outsider) -> None:
    client.force_login(users["dna_analyst"])
    assert client.get("/family/queue/").status_code == 403
    assert client.post(f"/family/queue/{draft.pk}/accept/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/family/photos/{draft.photos.get().pk}/").status_code in (
        403,
        404,
    )


def test_national_liaison_setting_routes_drafts(client, draft, liaison, settings):
    settings.IMENA_NATIONAL_LIAISON_ORG = "national"
    client.force_login(liaison)
    assert client.get(f"/family/queue/{draft.pk}/").status_code == 404
    assert client.post(f"/family/queue/{draft.pk}/accept/").status_code == 404


def test_withdrawing_dna_consent_removes_the_case_from_comparison(
    client, accepted, liaison
) -> None:
    person, link = accepted
    member = person.pedigree.get(relationship="mother")
    missing_services.reference_sample_create(
        actor=liaison,
        member=member,
        sample_id="REF-T-9",
        consent_scope=["dna"],
        consent_date=timezone.localdate(),
        genotypes={"D3S1358": ["15", "16"]},
    )
    assert family_as_case_dict(person)["genotypes"]
    response = client.post(link + "consent/", {"use": "dna"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.consent_dna is False
    assert family_as_case_dict(person)["genotypes"] == {}
    entry = AuditEntry.objects.get(action="families.consent.withdraw")
    assert entry.after_data["samples_withdrawn"] == ["REF-T-9"]
    assert "withdrawn" in client.get(link).content.decode()


def test_withdrawing_sharing_consent_removes_the_case_from_exports(
    client, accepted
) -> None:
    person, link = accepted
    name = "Вигадан".encode()
    assert name in export_organisation(person.organisation)[0]
    client.post(link + "consent/", {"use": "sharing"})
    person.refresh_from_db()
    assert person.consent_publication is False
    assert name not in export_organisation(person.organisation)[0]
    assert AuditEntry.objects.filter(action="families.consent.withdraw").exists()


def test_news_by_email_without_personal_data(client, accepted, liaison) -> None:
    person, link = accepted
    assert case_notifications_send() == 0
    missing_services.reference_sample_create(
        actor=liaison,
        member=person.pedigree.get(relationship="mother"),
        sample_id="REF-T-3",
        consent_scope=["dna"],
        consent_date=timezone.localdate(),
    )
    assert case_notifications_send() == 1
    assert case_notifications_send() == 0
    message = mail.outbox[-1]
    assert message.to == ["family@example.org"]
    text = f"{message.subject}\n{message.body}"
    for private in ("Тестенко", "Вигадан", person.case_no, "sample", "Reference"):
        assert private not in text
    # In the family's language (the report was filed in English here).
    assert "news in your case" in text


def test_the_notify_command_prints_how_many_were_told(accepted, liaison) -> None:
    from io import StringIO

    from django.core.management import call_command

    person, _link = accepted
    missing_services.reference_sample_create(
        actor=liaison,
        member=person.pedigree.get(relationship="mother"),
        sample_id="REF-T-4",
        consent_scope=["dna"],
        consent_date=timezone.localdate(),
    )
    out = StringIO()
    call_command("families", "notify", stdout=out)
    assert out.getvalue() == "families notified: 1\n"
    assert len(mail.outbox) == 1


def test_two_relatives_reporting_online_are_shown_together(
    client, form_data, liaison
) -> None:
    assert client.post("/family/report/", form_data).status_code == 302
    other = dict(
        form_data,
        family_name="Testenko",  # the same name in Latin letters
        given_names="Vyhadan",
        reporter_name="Тестенко Іван",
        reporter_phone="+380 00 000 0009",
    )
    assert client.post("/family/report/", other).status_code == 302
    third = dict(other, family_name="Іншенко", reporter_phone="+380 00 000 0008")
    assert client.post("/family/report/", third).status_code == 302
    first, second, unrelated = PublicReport.objects.order_by("pk")
    client.force_login(liaison)
    page = client.get(f"/family/queue/{first.pk}/").content.decode()
    assert f"/family/queue/{second.pk}/" in page
    assert f"/family/queue/{unrelated.pk}/" not in page.split('id="similar-drafts"')[1]
