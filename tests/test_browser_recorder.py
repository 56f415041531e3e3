"""A field recorder's day in the browser (#21 "Done when"): an empty grave form is
refused, a repeated marker warns with a link, a journal is imported, and the
grave's history card reads as the form does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import browser_login
from imena.burials.models import Grave
from imena.burials.tests.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOURNAL = (
    "№ п/п;№ могилы;Фамилия;Имя;Отчество;Дата рождения;Возраст;Дата смерти\n"
    "1;999а;Шевченко;Александр;Николаевич;12.03.1950;;10.03.2022\n"
)


def test_a_recorders_grave_and_journal_day(page, org, users, tmp_path) -> None:
    site = SiteFactory(organisation=org, code="day", name="Денне кладовище")
    browser_login(page, "field_recorder")
    page.goto(page.base_url + reverse("burials:grave_create", args=[site.pk]))
    page.wait_for_selector("form button.primary")

    # The empty form is refused at its fields; nothing is stored.
    page.click("form button.primary")
    # Refused by the browser (a required field) or by the server at its fields.
    page.wait_for_selector(".errorlist, form :invalid", state="attached")
    assert not Grave.objects.exists()

    page.fill("#id_marker_text", "№ 999а")
    page.check("#id_no_position")
    page.click("form button.primary")
    page.wait_for_selector("h1:has-text('999а')")
    first = Grave.objects.get()

    # The same marker again: a warning naming the existing grave, nothing stored.
    page.goto(page.base_url + reverse("burials:grave_create", args=[site.pk]))
    page.fill("#id_marker_text", "№ 999а")
    page.check("#id_no_position")
    page.click("form button.primary")
    page.wait_for_selector("#duplicates")
    assert page.locator(f"#duplicates a[href='{first.get_absolute_url()}']").count()
    assert Grave.objects.count() == 1

    # The recorder digitises a journal: preview, then import.
    path = tmp_path / "journal.csv"
    path.write_bytes(JOURNAL.encode("cp1251"))
    page.goto(f"{page.base_url}/journals/upload/")
    page.select_option("#id_site", str(site.pk))
    page.fill("#id_journal_name", "Funeral home")
    page.set_input_files("#id_file", str(path))
    page.click("form button.primary")
    page.wait_for_selector("#confirm-import")
    assert "Шевченко" in page.content()
    page.click("#confirm-import")
    page.wait_for_selector("text=Imported 1 row from", timeout=30_000)

    # The grave's history card: labels and values, no stored names.
    page.goto(page.base_url + first.get_absolute_url())
    card = page.locator("ol.history").inner_text()
    assert "Marker as written" in card
    for internal in ("marker_text", "site_id", "grave.create", "T0", "+00:00"):
        assert internal not in card
