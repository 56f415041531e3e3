"""From candidates to a confirmed identification by two people, in a real browser."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from conftest import browser_login
from imena.identification import services
from imena.identification.models import Identification, IdentificationStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page) -> None:
    page.context.clear_cookies()


def test_two_people_confirm_and_one_alone_cannot(page, candidate, users) -> None:
    body = candidate.analysis.body
    # The examiner opens the body's candidates and proposes the best one.
    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/identification/bodies/{body.pk}/")
    page.click(f"#candidates a:has-text('{candidate.person.case_no}')")
    page.wait_for_selector("#posterior")
    # A low posterior without a primary identifier: the numbers against it are shown
    # and a justification is required.
    assert page.locator("#propose-warnings").count() == 1
    page.click("#propose")
    page.wait_for_selector(".messages >> text=written justification")
    page.fill("#id_justification", "Clothing and effects recognised by the family.")
    page.click("#propose")
    page.wait_for_selector("#status:has-text('Proposed')")
    # The proposer sees no confirm button, and the service refuses them too.
    assert page.locator("#confirm").count() == 0
    assert page.locator("#own-proposal").count() == 1
    ident = Identification.objects.get(body=body)
    with pytest.raises(PermissionDenied):
        services.identification_confirm(
            actor=users["forensic_examiner"], identification=ident
        )
    # A forged POST by the proposer is refused as well.
    token = page.evaluate("document.querySelector('[name=csrfmiddlewaretoken]').value")
    resp = page.request.post(
        page.base_url + f"/identification/identifications/{ident.pk}/confirm/",
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert resp.status == 403
    ident.refresh_from_db()
    assert ident.status == IdentificationStatus.PROPOSED
    # A second, authorised person confirms.
    _logout(page)
    browser_login(page, "dna_analyst")
    page.goto(page.base_url + ident.get_absolute_url())
    assert page.locator("#warnings").count() == 1
    page.check("#id_acknowledge_warnings")
    page.click("#confirm")
    page.wait_for_selector("#status:has-text('Confirmed')")
    ident.refresh_from_db()
    assert ident.status == IdentificationStatus.CONFIRMED
    assert ident.confirmation.reviewer == users["dna_analyst"]
