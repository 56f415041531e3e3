"""The statistics page shows the site record's counts stored off the request, dated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from imena.burials.services import grave_create
from imena.core.times import local_time
from imena.reports import sitejson
from imena.reports.access import Audience
from imena.reports.models import SiteRecordCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_counting(monkeypatch):
    """Counting a site's record fails the test: the page must not count."""

    def refuse(*args, **kwargs):
        raise AssertionError("the statistics page counted the site's record")

    monkeypatch.setattr(sitejson, "_count_site_records", refuse)


def statistics(client, site) -> str:
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    assert response.status_code == 200
    return response.content.decode()


def counts_url(site) -> str:
    return reverse("reports:site_record_counts", args=[site.pk])


def test_the_page_never_counts_and_asks_for_the_counts_after_loading(
    client, examiner, site, no_counting
) -> None:
    client.force_login(examiner)
    page = statistics(client, site)
    assert "Full site record (JSON)" in page
    assert f'hx-get="{counts_url(site)}"' in page
    assert "Counting the records of the full site record" in page


def test_the_deferred_request_counts_once_and_the_page_shows_the_time(
    client, examiner, site, monkeypatch
) -> None:
    client.force_login(examiner)
    fragment = client.get(counts_url(site)).content.decode()
    stored = SiteRecordCount.objects.get(site=site)
    audience = Audience(site.organisation_id, examiner)
    assert (stored.plain, stored.analysis) == sitejson._count_site_records(
        site, audience
    )
    assert f"Full site record (JSON, {stored.plain} records)" in fragment
    assert "hx-get" not in fragment
    monkeypatch.setattr(sitejson, "_count_site_records", None)  # not called again
    page = statistics(client, site)
    assert f"Full site record (JSON, {stored.plain} records)" in page
    assert "counted at " + local_time(stored.counted_at) in page
    assert "not counted yet" not in page
    assert counts_url(site) not in page
    assert "counted at" in client.get(counts_url(site)).content.decode()


def test_a_change_dates_the_counts_and_an_old_count_is_made_again(
    client, examiner, site, no_counting, monkeypatch
) -> None:
    client.force_login(examiner)
    audience = Audience(site.organisation_id, examiner)
    monkeypatch.undo()
    plain = sitejson.count_site_records(site, audience).plain
    grave_create(actor=examiner, site=site, marker_text="№ 4242")
    monkeypatch.setattr(sitejson, "_count_site_records", None)
    # Counted minutes ago: the old figure, dated, and not counted on this view.
    page = statistics(client, site)
    assert f"Full site record (JSON, {plain} records)" in page
    assert "changes made since then are not counted yet" in page
    assert counts_url(site) not in page
    # Counted long ago: the page asks for a new count, which sees the new grave.
    SiteRecordCount.objects.update(counted_at=timezone.now() - dt.timedelta(minutes=11))
    page = statistics(client, site)
    assert f"Full site record (JSON, {plain} records)" in page
    assert f'hx-get="{counts_url(site)}"' in page
    monkeypatch.undo()
    fragment = client.get(counts_url(site)).content.decode()
    assert f"Full site record (JSON, {plain + 1} records)" in fragment
    assert "not counted yet" not in fragment


def test_roles_that_may_not_export_get_no_count(client, users, site) -> None:
    client.force_login(users["dna_analyst"])
    assert client.get(counts_url(site)).status_code == 403
    assert not SiteRecordCount.objects.exists()


def test_the_command_counts_each_set_of_readers_once(site, users, capsys) -> None:
    call_command("report", "counts")
    out = capsys.readouterr().out
    # The examiner and the investigator see the same models: one count for
    # them, one for the administrator (who sees every model).
    assert f"{site.code}: " in out and "2 counts in " in out
    assert SiteRecordCount.objects.filter(site=site).count() == 2
    keys = set()
    for role in ("forensic_examiner", "investigator", "administrator"):
        audience = Audience(site.organisation_id, users[role])
        stored = sitejson.stored_record_counts(site, audience)
        assert stored is not None and stored.current
        keys.add(sitejson.reader_key(audience))
    assert len(keys) == 2
    before = set(SiteRecordCount.objects.values_list("counted_at", flat=True))
    call_command("report", "counts", site.code, "--stale")
    assert set(SiteRecordCount.objects.values_list("counted_at", flat=True)) == before
    call_command("report", "counts", site.code)
    after = set(SiteRecordCount.objects.values_list("counted_at", flat=True))
    assert not after & before
