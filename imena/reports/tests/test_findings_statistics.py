"""Bodies, findings and evidence from the exhumations app, in statistics and exports."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from imena.accounts.roles import CAPABILITIES
from imena.reports.tests.factories import add_bodies

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(site, examiner):
    return add_bodies(site, examiner)


def figures(response, key: str) -> dict[str, tuple[int, str]]:
    section = next(s for s in response.context["sections"] if s.key == key)
    assert section.available
    return {f.label: (f.value, f.url) for f in section.figures}


def test_bodies_are_counted_by_sex_and_age_group(
    client, investigator, site, bodies
) -> None:
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    got = figures(response, "bodies")
    assert got["Bodies recovered (PM numbers)"][0] == 3
    assert got["Male (incl. probable)"][0] == 1
    assert got["Female (incl. probable)"][0] == 1
    assert got["Sex undetermined"][0] == 1
    assert got["18–39"][0] == 1 and got["60 and over"][0] == 1
    assert got["Age not estimated"][0] == 1


def test_each_body_figure_links_to_the_bodies_behind_it(
    client, investigator, site, bodies
) -> None:
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    _n, url = figures(response, "bodies")["Male (incl. probable)"]
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "IZM-PM-0001" in body and "IZM-PM-0002" not in body
    assert reverse("exhumations:body_detail", args=[bodies[0].pk]) in body


def test_cause_manner_and_torture_indicators_are_counted(
    client, investigator, site, bodies
) -> None:
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    got = figures(response, "findings")
    assert got["Bodies with any torture indicator"][0] == 1
    assert got["Torture indicator: bound hands"][0] == 1
    assert any(label.startswith("Manner:") and n == 1 for label, (n, _u) in got.items())


def test_the_records_page_needs_postmortem_rights(client, users, site, bodies) -> None:
    url = reverse("reports:site_records", args=[site.pk]) + "?key=sex&value=male"
    client.force_login(users["family_liaison"])
    assert client.get(url).status_code == 403


def test_findings_and_bodies_export_as_csv(client, investigator, site, bodies) -> None:
    client.force_login(investigator)
    url = reverse("reports:site_export", args=[site.pk, "findings", "csv"])
    data = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert {r["pm_number"] for r in rows} == {
        "IZM-PM-0001",
        "IZM-PM-0002",
        "IZM-PM-0003",
    }
    first = next(r for r in rows if r["pm_number"] == "IZM-PM-0001")
    assert first["bound_hands"] == "yes" and first["cause_of_death"] == "gunshot"


def test_a_role_without_postmortem_rights_gets_no_findings_in_any_export(
    client, users, site, bodies, monkeypatch, tmp_path
) -> None:
    # Give the family liaison officer the export right for this test only: the
    # export must still leave out what the role may not see.
    monkeypatch.setitem(
        CAPABILITIES,
        "report.export",
        CAPABILITIES["report.export"] | {"family_liaison"},
    )
    client.force_login(users["family_liaison"])
    for dataset in ("findings", "bodies"):
        url = reverse("reports:site_export", args=[site.pk, dataset, "csv"])
        assert client.get(url).status_code == 404
    response = client.get(
        reverse("reports:site_export", args=[site.pk, "site", "json"])
    )
    data = json.loads(b"".join(response.streaming_content))
    models = {m["model"] for m in data["content"]["models"]}
    assert "burials.grave" in models
    assert not any(m.startswith("exhumations.") for m in models)
    assert data["content"]["complete"] is False
    assert "exhumations.postmortemrecord" in data["content"]["omitted"]
    menu = client.get(reverse("reports:site_statistics", args=[site.pk]))
    assert menu.status_code == 403  # statistics stay with report.view


def test_the_pdf_lists_findings_per_grave(tmp_path, site, bodies) -> None:

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = tmp_path / "s.pdf"
    call_command(
        "report", "site", "izm", "--format", "pdf", "--lang", "en", "--out", str(out)
    )
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, check=True
    ).stdout
    assert "IZM-PM-0001" in text.decode()


def test_bodies_and_findings_survive_the_json_round_trip(
    tmp_path, site, bodies
) -> None:
    first = tmp_path / "a.json"
    call_command("export", "site", "izm", "--out", str(first))
    call_command("import", "site", str(first), "--organisation", "copy")
    second = tmp_path / "b.json"
    call_command(
        "export", "site", "izm", "--organisation", "copy", "--out", str(second)
    )
    a = json.loads(first.read_text())["content"]
    b = json.loads(second.read_text().replace("@copy", ""))["content"]
    a.pop("organisation"), b.pop("organisation")
    assert a == b
    models = {m["model"]: len(m["records"]) for m in a["models"]}
    assert (
        models["exhumations.body"] == 3 and models["exhumations.postmortemrecord"] == 3
    )


def test_identifications_appear_as_a_section_and_an_export(
    client, investigator, site
) -> None:
    client.force_login(investigator)
    response = client.get(reverse("reports:site_statistics", args=[site.pk]))
    section = next(
        s for s in response.context["sections"] if s.key == "identifications"
    )
    assert section.available and all(f.value == 0 for f in section.figures)
    url = reverse("reports:site_export", args=[site.pk, "identifications", "csv"])
    data = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    assert data.splitlines()[0].startswith("pm_number,grave,missing_person_case,status")
