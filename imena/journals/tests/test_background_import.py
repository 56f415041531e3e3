"""A web upload imports in the background and its progress page ends on the journal."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from imena.journals import services
from imena.journals.models import JournalImport, JournalRow
from linkage.io import JournalFileError

pytestmark = pytest.mark.django_db(transaction=True)

MAPPING = {"grave": "№ могилы", "surname": "Фамилия", "given_name": "Имя"}


def _upload(client, site, path, name="Funeral home"):
    with path.open("rb") as f:
        response = client.post(
            reverse("journals:upload"),
            {"site": site.pk, "journal_name": name, "file": f},
        )
    assert response.status_code == 302
    return response["Location"]


def _wait(client, url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url, HTTP_HX_REQUEST="true")
        if response.status_code == 204 or "import-error" in response.content.decode():
            return response
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def test_the_import_runs_in_the_background_and_ends_on_the_journal(
    client, site, examiner, funeral_home_file, settings
):
    settings.IMENA_IMPORT_IN_BACKGROUND = True
    client.force_login(examiner)
    preview = _upload(client, site, funeral_home_file)
    data = {"confirm": "1", **{f"map_{k}": v for k, v in MAPPING.items()}}
    response = client.post(preview, data)
    assert response.status_code == 302 and "/progress/" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code in (200, 302)
    done = _wait(client, response["Location"])
    assert done.status_code == 204 and "/journals/" in done["HX-Redirect"]
    assert JournalRow.objects.count() == 4 and JournalImport.objects.count() == 1
    journal_page = client.get(done["HX-Redirect"]).content.decode()
    assert "Imported 4 rows" in journal_page


def test_a_failed_background_import_shows_why_and_stores_nothing(
    client, site, examiner, funeral_home_file, settings, monkeypatch
):
    settings.IMENA_IMPORT_IN_BACKGROUND = True

    def broken(**kwargs):
        raise JournalFileError("funeral_home.csv", "row 3: the disk went away", row=3)

    client.force_login(examiner)
    preview = _upload(client, site, funeral_home_file)
    monkeypatch.setattr(services, "journal_import", broken)
    response = client.post(preview, {"confirm": "1"})
    done = _wait(client, response["Location"])
    assert "the disk went away" in done.content.decode()
    assert JournalRow.objects.count() == 0


def test_another_user_cannot_watch_the_import(
    client, site, examiner, users, settings, funeral_home_file
):
    settings.IMENA_IMPORT_IN_BACKGROUND = True
    client.force_login(examiner)
    preview = _upload(client, site, funeral_home_file)
    response = client.post(preview, {"confirm": "1"})
    _wait(client, response["Location"])
    client.force_login(users["investigator"])
    assert client.get(response["Location"]).status_code == 404


def test_a_reconciliation_shows_its_progress_and_ends_on_the_review_queue(
    client, imported, examiner, settings
):
    settings.IMENA_IMPORT_IN_BACKGROUND = True
    client.force_login(examiner)
    response = client.post(reverse("journals:reconcile", args=[imported.pk]))
    assert response.status_code == 302 and "/reconcile/" in response["Location"]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="uk")
    if page.status_code == 200:  # still running: the page says what it does
        assert "<progress" in page.content.decode()
    done = _wait(client, response["Location"])
    assert done.status_code == 204 and "/review/" in done["HX-Redirect"]
    assert "Reconciled" in client.get(done["HX-Redirect"]).content.decode()


def test_someone_elses_reconciliation_is_not_found(
    client, imported, examiner, users, settings
):
    settings.IMENA_IMPORT_IN_BACKGROUND = True
    client.force_login(examiner)
    url = client.post(reverse("journals:reconcile", args=[imported.pk]))["Location"]
    _wait(client, url)
    client.force_login(users["investigator"])
    assert client.get(url).status_code == 404
