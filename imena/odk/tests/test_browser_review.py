"""A reviewer opens a submitted exhumation draft and accepts it, in a real browser."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.exhumations.models import Body, Exhumation
from imena.odk import services
from imena.odk.tests.factories import instance_xml
from imena.odk.tests.test_review import exhumation_xml_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_accepts_an_exhumation_draft(page, users, site) -> None:

    recorder, examiner = users["field_recorder"], users["forensic_examiner"]
    services.xform_publish()
    form = services.xforms_current()["imena_exhumation"]
    grave = site.graves.get(marker_text="12а")
    fields = (
        exhumation_xml_fields(site, grave)
        .replace("<body_photo>body1.jpg</body_photo>", "")
        .replace(
            "<grave_photo><photo>grave1.jpg</photo><caption>before</caption></grave_photo>",
            "",
        )
    )
    xml = instance_xml(form.form_id, form.version, fields, "uuid:browser")
    services.submission_receive(user=recorder, xml=xml, files=[])

    browser_login(page, examiner.username)
    page.goto(page.base_url + "/odk/")
    page.click("#drafts a")
    page.wait_for_selector("text=IZM-PM-0901")
    assert "Waiting for review" in page.inner_text("#draft-status")
    page.click("#accept")
    page.wait_for_selector("#records")
    assert "Accepted into records" in page.inner_text("#draft-status")
    assert Exhumation.objects.filter(grave=grave).exists()
    assert Body.objects.filter(pm_number="IZM-PM-0901").exists()


def test_a_new_token_shows_the_collect_qr_code(page, users) -> None:
    """The QR code is drawn (inline SVG, nothing blocked by the CSP)."""
    recorder = users["field_recorder"]
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else 0,
    )
    browser_login(page, recorder.username)
    page.goto(page.base_url + "/odk/tokens/")
    page.fill("input[name=label]", "field phone")
    page.click("button.primary")
    page.wait_for_selector("#token-secret")
    qr = page.locator("#collect-qr svg")
    box = qr.bounding_box()
    assert box is not None and box["width"] > 150 and box["height"] > 150
    assert blocked == []
