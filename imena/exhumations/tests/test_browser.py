"""A field recorder exhumes a mass grave on a phone-sized screen, in a real browser."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.burials.models import GraveKind
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.evidence.tests.factories import jpeg_with_exif

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_recorder_exhumes_a_mass_grave_and_hands_a_photo_over_twice(
    page, org, users, settings, tmp_path
) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    site = SiteFactory(organisation=org, name="Лісове кладовище")
    grave = GraveFactory(
        site=site, marker_text="Братська могила", kind=GraveKind.MASS, bodies_expected=3
    )
    page.set_viewport_size({"width": 400, "height": 860})
    browser_login(page, "field_recorder")
    page.goto(page.base_url + grave.get_absolute_url())  # type: ignore[attr-defined]
    page.click("text=Record an exhumation")
    page.fill("#id_date", "2022-09-20")
    page.fill("#id_team", "Записувачка\nЕксперт")
    page.fill("#id_depth_cm", "150")
    page.select_option("#id_container", "body_bag")
    page.fill("#id_bodies_found", "3")
    page.fill("#id_pm_numbers", "IZM-PM-0301\nIZM-PM-0302\nIZM-PM-0303")
    page.click("button:has-text('Save exhumation')")
    page.wait_for_selector("#bodies:has-text('IZM-PM-0303')")

    for number, sign in (
        ("IZM-PM-0301", "bound_hands"),
        ("IZM-PM-0302", "ligature_marks"),
    ):
        page.click(f"#bodies a:has-text('{number}')")
        page.wait_for_selector(f"h1:has-text('{number}')")
        page.click("nav.sections >> text=Biological profile")
        page.select_option("#id_sex", "male")
        # The change autosaves a draft over htmx, next to the form.
        page.wait_for_selector("#draft-status:has-text('Draft saved')")
        page.fill("#id_age_min", "30")
        page.fill("#id_age_max", "45")
        page.click("button:has-text('Save section')")
        page.wait_for_selector("#section .saved")  # saved over htmx, no reload
        page.click("text=Back to the body")
        page.click("nav.sections >> text=Torture and ill-treatment")
        page.check(f"#id_{sign}")
        page.click("button:has-text('Save section')")
        page.wait_for_selector("#section .saved")
        page.click("text=Back to the body")
        label = sign.replace("_", " ")
        page.wait_for_selector(f"#torture-signs:has-text('{label}')")
        if number == "IZM-PM-0301":
            page.click("text=Record a sample")
            page.select_option("#id_sample_type", "bone")
            page.select_option("#id_bone_element", "femur")
            page.click("button:has-text('Save sample')")
            page.wait_for_selector("#samples:has-text('IZM-PM-0301-S1')")
            page.click("#evidence >> text=Add evidence")
            page.select_option("#id_kind", "photo")
            page.set_input_files(
                "#id_file",
                files=[
                    {
                        "name": "DSC_0001.jpg",
                        "mimeType": "image/jpeg",
                        "buffer": jpeg_with_exif(),
                    }
                ],
            )
            page.fill("#id_seal_number", "S-0001")
            page.click("button:has-text('Store evidence')")
            page.wait_for_selector("h1:has-text('EV-000001')")
            assert "2022-09-16" in page.inner_text("#captured")
            photo_url = page.url
        page.goto(page.base_url + grave.get_absolute_url())  # type: ignore[attr-defined]
        page.click("#exhumations-panel a:has-text('Exhumation')")

    page.goto(photo_url)
    for to_person, place in (
        ("Слідчий Сидоренко", "Ізюм"),
        ("ДНК-лабораторія", "Київ"),
    ):
        page.select_option("#id_action", "handover")
        page.fill("#id_to_person", to_person)
        page.fill("#id_place", place)
        page.fill("#id_purpose", "investigation")
        page.click("button:has-text('Record custody entry')")
        page.wait_for_selector(f"table.custody:has-text('{to_person}')")
    rows = page.locator("table.custody tbody tr")
    assert rows.count() == 3
    assert "Слідчий Сидоренко" in rows.nth(2).inner_text()  # from the first receiver
    assert page.inner_text("#holder") == "ДНК-лабораторія"
