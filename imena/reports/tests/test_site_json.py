"""The full JSON export of a site and `imena import site`: round trip and bad files."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from imena.accounts.models import Organisation, User
from imena.audit.models import AuditEntry
from imena.audit.record_types import model_label, record_type
from imena.burials.models import Grave, Site
from imena.identification.models import ScreeningCandidate, ScreeningRun
from imena.reports.sitejson import capability_for, content_sha256
from imena.reports.tests.factories import populated_site


def export(tmp_path, name: str, *args: str) -> dict:
    out = tmp_path / name
    call_command("export", "site", *args, "--out", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


def without_usernames_suffix(content: dict, suffix: str) -> dict:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return json.loads(text.replace(suffix, ""))


@pytest.mark.django_db
def test_a_site_exported_and_imported_into_a_new_organisation_exports_the_same(
    tmp_path, org, examiner, site
) -> None:
    first = export(tmp_path, "first.json", "izm")
    assert first["format"] == "imena-site-export" and first["version"] == 1
    call_command(
        "import", "site", str(tmp_path / "first.json"), "--organisation", "copy"
    )
    copy = Organisation.objects.get(code="copy")
    assert Site.objects.get(organisation=copy).graves.count() == 15
    second = export(tmp_path, "second.json", "izm", "--organisation", "copy")
    a, b = first["content"], without_usernames_suffix(second["content"], "@copy")
    a.pop("organisation"), b.pop("organisation")
    assert a == b
    # Timestamps and withdrawals come back as they were.
    original = Grave.objects.get(site=site, marker_text="№ 999")
    imported = Grave.objects.get(site__organisation=copy, marker_text="№ 999")
    assert imported.withdrawn and imported.withdrawn_reason == "Registered twice"
    assert imported.created == original.created


@pytest.mark.django_db(transaction=True)
def test_a_site_round_trips_through_an_empty_database(tmp_path) -> None:
    org = Organisation.objects.create(name="Test forensic team", code="test")
    examiner = User.objects.create(
        username="examiner", organisation=org, role="forensic_examiner"
    )
    populated_site(org, examiner)
    first = export(tmp_path, "first.json", "izm")
    call_command("flush", "--noinput")
    assert not Site.objects.exists() and not Organisation.objects.exists()
    call_command(
        "import", "site", str(tmp_path / "first.json"), "--organisation", "test"
    )
    second = export(tmp_path, "second.json", "izm")
    assert second["content"] == first["content"]
    assert second["sha256"] == first["sha256"]
    entry = AuditEntry.objects.get(action="site.import")
    assert entry.after_data["sha256"] == first["sha256"]
    assert entry.after_data["os_user"]


@pytest.fixture
def exported(tmp_path, site):
    export(tmp_path, "site.json", "izm")
    return tmp_path / "site.json"


def refused(path, match: str, org_code: str = "fresh") -> None:
    sites, orgs = Site.objects.count(), Organisation.objects.count()
    graves = Grave.objects.count()
    with pytest.raises(CommandError, match=match):
        call_command("import", "site", str(path), "--organisation", org_code)
    assert (
        Site.objects.count(),
        Organisation.objects.count(),
        Grave.objects.count(),
    ) == (
        sites,
        orgs,
        graves,
    )


@pytest.mark.django_db
def test_a_truncated_file_is_refused_and_nothing_is_imported(exported) -> None:
    data = exported.read_bytes()
    cut = len(data) // 2
    while data[cut] & 0xC0 == 0x80:  # not inside a UTF-8 character
        cut -= 1
    exported.write_bytes(data[:cut])
    refused(exported, r"nothing imported: .*not valid JSON \(truncated\?\) at line")


@pytest.mark.django_db
def test_an_edited_file_is_refused(exported) -> None:
    text = exported.read_text(encoding="utf-8").replace("№ 7", "№ 77", 1)
    exported.write_text(text, encoding="utf-8")
    refused(exported, "does not match its SHA-256: the file was edited")


@pytest.mark.django_db
def test_a_foreign_json_file_is_refused(tmp_path, org) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    refused(path, "not an Imena site export")


@pytest.mark.django_db
def test_a_file_of_another_version_is_refused(exported) -> None:
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["version"] = 99
    exported.write_text(json.dumps(data), encoding="utf-8")
    refused(exported, "version 99 is not supported")


@pytest.mark.django_db
def test_a_site_already_present_is_not_imported_twice(exported, org) -> None:
    refused(exported, "already has a site izm", org_code="test")


@pytest.mark.django_db
def test_a_consistent_file_that_breaks_a_database_rule_imports_nothing(
    exported,
) -> None:

    data = json.loads(exported.read_text(encoding="utf-8"))
    graves = next(m for m in data["content"]["models"] if m["model"] == "burials.grave")
    graves["records"][1]["ref"] = graves["records"][0][
        "ref"
    ]  # a duplicate register number
    data["sha256"] = content_sha256(data["content"])
    exported.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused(exported, "burials.grave: the records break a rule of the database")


@pytest.mark.django_db
def test_a_missing_file_is_a_one_line_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "import", "site", str(tmp_path / "nope.json"), "--organisation", "x"
        )


def test_screening_records_keep_their_dna_type_and_audience() -> None:
    """Screening moved from the dna app: exports and audit still name it dna's."""
    assert record_type(ScreeningRun) == "dna.screeningrun"
    assert capability_for(ScreeningCandidate) == "dna.view"
    assert apps.get_model(model_label("dna.screeningcandidate")) is ScreeningCandidate
