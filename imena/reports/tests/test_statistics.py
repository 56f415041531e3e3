from __future__ import annotations

import pytest
from django.urls import reverse

from imena.burials.models import GraveStatus
from imena.reports.tests.factories import populated_site

pytestmark = pytest.mark.django_db


def test_an_investigator_sees_the_site_statistics_with_links_to_the_records(
    client, investigator, site
) -> None:
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    # 12 numbered graves, the mass grave and БН; the withdrawn one is not counted.
    assert response.context["sections"][0].figures[0].value == 14
    detail = reverse("burials:site_detail", args=[site.pk])
    assert f'href="{detail}?status=exhumed"' in body
    assert "<svg" in body and 'class="chart"' in body


def test_status_figures_match_the_filtered_site_page(
    client, investigator, site
) -> None:
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    graves = response.context["sections"][0]
    by_label = {f.label: f.value for f in graves.figures}
    expected = site.graves.filter(withdrawn=False, status=GraveStatus.EXHUMED).count()
    assert by_label[str(GraveStatus.EXHUMED.label)] == expected
    page = client.get(
        reverse("burials:site_detail", args=[site.pk]), {"status": "exhumed"}
    )
    assert page.context["page"].paginator.count == expected


def test_a_family_liaison_officer_may_not_read_statistics(client, users, site) -> None:
    client.force_login(users["family_liaison"])
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    assert response.status_code == 403


def test_an_outsider_gets_404_for_the_statistics_and_plan(
    client, outsider, site
) -> None:
    client.force_login(outsider)
    assert (
        client.get(reverse("reports:site_statistics", args=[site.pk])).status_code
        == 404
    )
    assert client.get(reverse("reports:site_plan", args=[site.pk])).status_code == 404
    assert (
        client.get(reverse("reports:site_plan_svg", args=[site.pk])).status_code == 404
    )


def test_login_is_required(client, site) -> None:
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302


def test_the_overview_lists_sites_and_regions(client, investigator, site) -> None:
    client.force_login(investigator)
    body = client.get(reverse("reports:index")).content.decode()
    assert "Лісове кладовище" in body
    assert "region=%D0%A5" in body  # the region link, URL-encoded Cyrillic
    response = client.get(reverse("reports:region_statistics"), {"region": site.region})
    assert response.status_code == 200
    assert response.context["sections"][0].figures[0].value == 14


def test_an_outsiders_region_is_a_404(client, outsider, site) -> None:
    client.force_login(outsider)
    response = client.get(reverse("reports:region_statistics"), {"region": site.region})
    assert response.status_code == 404


def test_the_overview_counts_only_the_users_organisation(
    client, investigator, site, other_org, outsider
) -> None:

    populated_site(other_org, outsider, code="other-site", graves=3)
    client.force_login(investigator)
    response = client.get(reverse("reports:index"))
    assert response.context["sections"][0].figures[0].value == 14


def test_statistics_are_shown_in_ukrainian(client, investigator, site) -> None:
    client.force_login(investigator)
    client.cookies["django_language"] = "uk"
    body = client.get(
        reverse("reports:site_statistics", args=[site.pk]), HTTP_ACCEPT_LANGUAGE="uk"
    ).content.decode()
    assert "Статистика" in body
