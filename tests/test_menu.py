"""No menu entry leads a role to a refusal (#21 item 10)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from imena.accounts.models import Role

pytestmark = pytest.mark.django_db


def _links(html: str, start: str, end: str) -> list[str]:
    part = html.split(start, 1)[1].split(end, 1)[0]
    return [h for h in re.findall(r'href="([^"#]+)"', part) if h.startswith("/")]


@pytest.mark.parametrize("role", Role.values)
def test_no_menu_entry_leads_to_a_403(client, users, role) -> None:
    client.force_login(users[role])
    home = client.get(reverse("burials:site_list"))
    assert home.status_code == 200
    refused = [
        url
        for url in _links(home.content.decode(), 'class="mainnav"', "</nav>")
        if client.get(url).status_code == 403
    ]
    assert not refused, f"{role}: {refused}"


@pytest.mark.parametrize("role", Role.values)
def test_no_link_on_the_reports_page_leads_to_a_403(client, users, role) -> None:
    from imena.burials.tests.factories import SiteFactory

    SiteFactory(organisation=users[role].organisation, code="mnu", name="Меню")
    client.force_login(users[role])
    page = client.get(reverse("reports:index"))
    if page.status_code == 403:  # not in this role's menu (checked above)
        return
    refused = [
        url
        for url in _links(page.content.decode(), '<main class="content">', "</main>")
        if client.get(url).status_code == 403
    ]
    assert not refused, f"{role}: {refused}"
