"""Proposal and two-person confirmation with the keyboard only (#17)."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.identification.models import Identification, IdentificationStatus
from tests.a11y import axe_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_identification_is_proposed_and_confirmed_with_the_keyboard_only(
    page, candidate, users
) -> None:
    body = candidate.analysis.body
    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/identification/bodies/{body.pk}/")
    assert not axe_violations(page)
    tab_to(page, f"#candidates a[href*='/candidates/{candidate.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#posterior")
    assert not axe_violations(page)
    tab_to(page, "#id_justification")
    page.keyboard.type("Clothing and effects recognised by the family.")
    tab_to(page, "#propose")
    page.keyboard.press("Enter")
    page.wait_for_selector("#status:has-text('Proposed')")
    ident = Identification.objects.get(body=body)

    page.context.clear_cookies()
    browser_login(page, "dna_analyst")
    page.goto(page.base_url + ident.get_absolute_url())
    assert not axe_violations(page)
    tab_to(page, "#id_acknowledge_warnings")
    page.keyboard.press("Space")
    tab_to(page, "#confirm")
    page.keyboard.press("Enter")
    page.wait_for_selector("#status:has-text('Confirmed')")
    ident.refresh_from_db()
    assert ident.status == IdentificationStatus.CONFIRMED
