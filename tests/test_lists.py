"""Every list page pages, sorts and filters on the server (issue #13, item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Page
from django.test import RequestFactory
from django.urls import reverse

from imena.burials.models import Site
from imena.burials.tests.factories import SiteFactory
from imena.lib.lists import MAX_PER_PAGE, Listing, paginate

pytestmark = pytest.mark.django_db


def pages_in(context: Any) -> list[Page]:
    """Every page of a list in the contexts the response rendered."""
    contexts = context if isinstance(context, list) else [context]
    found: dict[int, Page] = {}
    for ctx in contexts:
        for value in ctx.flatten().values():
            page = value.page if isinstance(value, Listing) else value
            if isinstance(page, Page):
                found[id(page)] = page
    return list(found.values())


@pytest.fixture
def site(org):
    return SiteFactory(organisation=org, code="lst", name="Сосновий гай")


# (url name, needs the site's pk, role)
LISTS = [
    ("burials:site_list", False, "forensic_examiner"),
    ("burials:site_detail", True, "forensic_examiner"),
    ("exhumations:index", False, "forensic_examiner"),
    ("identification:index", False, "forensic_examiner"),
    ("identification:site_candidates", True, "forensic_examiner"),
    ("identification:liaison_queue", False, "family_liaison"),
    ("missing:index", False, "family_liaison"),
    ("missing:contact_requests", False, "family_liaison"),
    ("families:queue", False, "family_liaison"),
    ("journals:review_queue", True, "forensic_examiner"),
    ("journals:index", False, "forensic_examiner"),
    ("audit:entry_list", False, "investigator"),
    ("odk:index", False, "forensic_examiner"),
]


@pytest.mark.parametrize(("name", "with_site", "role"), LISTS)
def test_every_list_is_paged_on_the_server(client, users, site, name, with_site, role):
    client.force_login(users[role])
    url = reverse(name, args=[site.pk] if with_site else [])
    response = client.get(url, {"per_page": 2, "sort": "no-such-key"})
    assert response.status_code == 200
    pages = pages_in(response.context)
    if name == "identification:site_candidates":
        assert pages == []  # no computation yet: nothing to list
        return
    assert pages, f"{name} renders no paginated list"
    for page in pages:
        assert page.paginator.per_page == 2
        assert len(page.object_list) <= 2


def test_site_list_pages_sorts_and_filters(client, users, org):
    for code, name in [("a", "Акація"), ("b", "Береза"), ("c", "Верба")]:
        SiteFactory(organisation=org, code=code, name=name)
    client.force_login(users["forensic_examiner"])
    url = reverse("burials:site_list")
    first = client.get(url, {"per_page": 2}).context["listing"]
    assert [s.name for s in first.rows] == ["Акація", "Береза"]
    assert first.page.paginator.num_pages == 2
    second = client.get(url, {"per_page": 2, "page": 2}).context["listing"]
    assert [s.name for s in second.rows] == ["Верба"]
    backwards = client.get(url, {"sort": "-name"}).context["listing"]
    assert [s.name for s in backwards.rows] == ["Верба", "Береза", "Акація"]
    found = client.get(url, {"q": "бере"}).context["listing"]
    assert [s.name for s in found.rows] == ["Береза"]


def test_paginate_caps_the_page_size_and_ignores_unknown_sorts(org):
    for i in range(3):
        SiteFactory(organisation=org, code=f"s{i}", name=f"Site {i}")
    rf = RequestFactory()
    qs = Site.objects.all()
    huge = paginate(rf.get("/", {"per_page": 10**6}), qs)
    assert huge.page.paginator.per_page == MAX_PER_PAGE
    odd = paginate(
        rf.get("/", {"sort": "password", "per_page": "x"}),
        qs,
        sorts={"name": "name"},
        default_sort="-name",
    )
    assert odd.sort == "-name"
    assert [s.name for s in odd.rows] == ["Site 2", "Site 1", "Site 0"]
    assert paginate(rf.get("/", {"page": 99}), qs).page.number == 1
