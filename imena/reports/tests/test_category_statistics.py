"""Civilians and military in statistics and exports; withdrawn bodies count nowhere."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from imena.exhumations import services as ex
from imena.reports.tests.factories import add_bodies

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(site, examiner):
    bodies = add_bodies(site, examiner)
    ex.body_set_category(actor=examiner, body=bodies[0], category="military")
    ex.body_set_category(actor=examiner, body=bodies[1], category="civilian")
    return bodies


def figures(response, key: str) -> dict[str, tuple[int, str]]:
    section = next(s for s in response.context["sections"] if s.key == key)
    assert section.available
    return {f.label: (f.value, f.url) for f in section.figures}


def test_bodies_are_counted_as_civilian_military_or_unknown(
    client, investigator, site, bodies
) -> None:
    client.force_login(investigator)
    got = figures(
        client.get(reverse("reports:site_statistics", args=[site.pk])), "category"
    )
    assert (
        got["Military"][0] == 1 and got["Civilian"][0] == 1 and got["Unknown"][0] == 1
    )


def test_the_military_figure_links_to_its_bodies(
    client, investigator, site, bodies
) -> None:
    client.force_login(investigator)
    got = figures(
        client.get(reverse("reports:site_statistics", args=[site.pk])), "category"
    )
    page = client.get(got["Military"][1]).content.decode()
    assert "IZM-PM-0001" in page and "IZM-PM-0002" not in page


def test_overall_and_region_pages_link_each_site_figure_to_its_records(
    client, investigator, site, bodies
) -> None:
    client.force_login(investigator)
    for response in (
        client.get(reverse("reports:index")),
        client.get(reverse("reports:region_statistics") + f"?region={site.region}"),
    ):
        got = figures(response, "category")
        assert got["Military"][0] == 1
        per_site = got[f"{site.name}: Military"]
        assert per_site[0] == 1
        assert client.get(per_site[1]).content.decode().count("IZM-PM-0001") >= 1


def test_the_category_section_is_hidden_without_postmortem_rights(
    client, users, site, bodies
) -> None:
    client.force_login(users["family_liaison"])
    response = client.get(reverse("reports:index"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert all(s.key != "category" for s in response.context["sections"])


def test_a_withdrawn_body_drops_out_of_statistics_and_exports(
    client, investigator, examiner, site, bodies
) -> None:
    ex.body_withdraw(actor=examiner, body=bodies[0], reason="Recorded twice")
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    assert figures(response, "bodies")["Bodies recovered (PM numbers)"][0] == 2
    assert figures(response, "category")["Military"][0] == 0
    for dataset in ("bodies", "findings"):
        url = reverse("reports:site_export", args=[site.pk, dataset, "csv"])
        data = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(data)))
        assert {r["pm_number"] for r in rows} == {"IZM-PM-0002", "IZM-PM-0003"}


def test_the_bodies_export_has_the_category_in_csv_and_xlsx(
    client, investigator, site, bodies, tmp_path
) -> None:
    client.force_login(investigator)
    url = reverse("reports:site_export", args=[site.pk, "bodies", "csv"])
    data = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    rows = {r["pm_number"]: r for r in csv.DictReader(io.StringIO(data))}
    assert rows["IZM-PM-0001"]["category"] == "military"
    assert rows["IZM-PM-0003"]["category"] == "unknown"
    # openpyxl is heavy and only needed for XLSX files; imported on use.
    from openpyxl import load_workbook

    url = reverse("reports:site_export", args=[site.pk, "bodies", "xlsx"])
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"".join(client.get(url).streaming_content))
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]  # type: ignore[index]
    col = header.index("category")
    values = {row[0]: row[col] for row in sheet.iter_rows(min_row=2, values_only=True)}  # type: ignore[union-attr]
    assert values["IZM-PM-0001"] == "military"


def test_category_and_withdrawal_survive_the_site_json_round_trip(
    tmp_path, examiner, site, bodies
) -> None:
    ex.body_withdraw(actor=examiner, body=bodies[2], reason="Animal bones")
    first = tmp_path / "first.json"
    call_command("export", "site", "izm", "--out", str(first))
    content = json.loads(first.read_text(encoding="utf-8"))["content"]
    records = next(m for m in content["models"] if m["model"] == "exhumations.body")
    by_pm = {r["pm_number"]: r for r in records["records"]}
    assert by_pm["IZM-PM-0001"]["category"] == "military"
    assert by_pm["IZM-PM-0003"]["withdrawn"] is True
    assert by_pm["IZM-PM-0003"]["withdrawn_reason"] == "Animal bones"
    call_command("import", "site", str(first), "--organisation", "copy")
    second = tmp_path / "second.json"
    call_command(
        "export", "site", "izm", "--organisation", "copy", "--out", str(second)
    )
    again = json.loads(second.read_text(encoding="utf-8"))["content"]
    a = json.dumps(content["models"], sort_keys=True)
    b = json.dumps(again["models"], sort_keys=True).replace("@copy", "")
    assert a == b
