"""#16 "Done when": a family reports on a phone (390 px), a liaison officer
accepts (or merges), the family follows the case by its private link."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from conftest import browser_login
from imena.evidence import storage
from imena.families.models import FamilyPhoto, PublicReport
from imena.families.tests.conftest import gps_jpeg
from imena.missing import services as missing_services
from imena.missing.models import MissingPerson, MissingPhoto
from imena.missing.tests.factories import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


def _fits(page: Any) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    )


def _report(phone: Any, photo: Path) -> None:
    phone.goto(phone.base_url + "/family/report/")
    assert _fits(phone)
    phone.fill("#id_family_name", "Тестенко")
    phone.fill("#id_given_names", "Вигадан")
    phone.fill("#id_patronymic", "Петрович")
    phone.select_option("#id_sex", "male")
    phone.fill("#id_date_of_birth", "02.04.1979")
    # One step at a time: the next step is hidden until "Next".
    assert not phone.is_visible("#step-last-seen")
    assert not phone.is_visible("#family-report button[type=submit]")
    phone.click("#step-next")
    phone.fill("#id_last_seen_place", "Синтетичне")
    phone.click("#step-next")
    phone.select_option("#id_clothing_1_category", "jacket")
    phone.click("#step-next")
    phone.set_input_files("#id_photo_1", str(photo))
    phone.click("#step-next")
    assert _fits(phone)
    phone.fill("#id_reporter_name", "Тестенко Ганна")
    phone.fill("#id_reporter_relationship", "мати")
    phone.fill("#id_reporter_phone", "+380 00 000 0001")
    phone.check("#id_dna_relatives input[value=mother]")
    phone.click("#step-next")
    phone.check("#id_consent_search")
    phone.check("#id_consent_dna")
    phone.click("#family-report button[type=submit]")
    phone.wait_for_selector("#report-received")


def _officer_decides(page: Any, liaison: Any, button: str) -> str:
    browser_login(page, liaison.username)
    page.goto(page.base_url + "/family/queue/")
    page.click("#drafts a")
    page.wait_for_selector("#decide")
    page.click(button)
    page.wait_for_selector("#case-link")
    return str(page.inner_text("#case-link"))


def _no_gps(sha256: str) -> None:
    data = storage.path_for(sha256).read_bytes()
    assert b"SyntheticCam" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif().get_ifd(0x8825)


def test_a_family_reports_on_a_phone_and_follows_the_accepted_case(
    phone, page, users, tmp_path
) -> None:
    photo = tmp_path / "face.jpg"
    photo.write_bytes(gps_jpeg())
    _report(phone, photo)
    assert PublicReport.objects.get().status == "draft"
    assert not MissingPerson.objects.exists()

    liaison = users["family_liaison"]
    link = _officer_decides(page, liaison, "#accept-form button")
    person = MissingPerson.objects.get()

    phone.goto(link)
    assert phone.inner_text("#case-status") == "Report received"
    assert "DNA sample from a parent or a child" in phone.inner_text("#case-help")
    assert _fits(phone)
    second = tmp_path / "more.jpg"
    second.write_bytes(gps_jpeg("blue"))
    phone.check("#case-add input[value=photo]")
    phone.set_input_files("#id_photo", str(second))
    phone.click("#case-add button[type=submit]")
    phone.wait_for_selector("text=Your liaison officer will see what you added.")

    # The officer records the steps; the family's page follows.
    missing_services.reference_sample_create(
        actor=liaison,
        member=person.pedigree.get(relationship="mother"),
        sample_id="REF-B-1",
        consent_scope=["dna"],
        consent_date=timezone.localdate(),
    )
    phone.reload()
    assert phone.inner_text("#case-status") == "Reference sample taken"
    missing_services.reference_sample_create(
        actor=liaison,
        member=person.pedigree.get(is_missing=True),
        sample_id="REF-B-2",
        reference_kind="direct",
        consent_scope=["dna"],
        genotypes={"D3S1358": ["15", "16"]},
        consent_date=timezone.localdate(),
    )
    phone.reload()
    assert phone.inner_text("#case-status") == "Under examination"

    # The family withdraws its consent to DNA comparison; the samples leave it.
    phone.click("#case-consents li:has(#withdraw-dna) summary")
    phone.click("#withdraw-dna")
    phone.wait_for_selector("text=Your consent was withdrawn.")
    assert phone.inner_text("#case-status") == "Report received"
    assert not MissingPerson.objects.get().consent_dna

    # Every stored photo lost its GPS position and camera data.
    assert FamilyPhoto.objects.count() == 2
    for family_photo in FamilyPhoto.objects.all():
        _no_gps(family_photo.sha256)
    for missing_photo in MissingPhoto.objects.all():
        _no_gps(missing_photo.sha256)


def test_a_liaison_officer_merges_a_family_report_into_an_existing_one(
    phone, page, users, org, tmp_path
) -> None:
    existing = make_person(
        org,
        family_name="Тестенко",
        given_names="Вигадан",
        patronymic="Петрович",
        birth_year=1979,
        birth_month=4,
        birth_day=2,
    )
    photo = tmp_path / "face.jpg"
    photo.write_bytes(gps_jpeg())
    _report(phone, photo)

    browser_login(page, users["family_liaison"].username)
    page.goto(page.base_url + "/family/queue/")
    page.click("#drafts a")
    assert existing.case_no in page.inner_text("#duplicates")
    assert page.inner_text("#clothing") == "jacket"
    page.fill("#merge-form #id_reason", "Same person: the officer called the mother.")
    page.click("#merge-form button[type=submit]")
    page.wait_for_selector("#case-link")
    link = page.inner_text("#case-link")
    assert PublicReport.objects.get().person == existing
    assert MissingPerson.objects.count() == 1

    phone.goto(link)
    assert phone.inner_text("#case-status") == "Report received"
