"""PFIF export download and import upload on the web."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from imena.audit.models import AuditEntry
from imena.missing.models import MissingPerson
from imena.missing.tests.factories import make_person
from imena.missing.tests.test_pfif import HOSTILE

pytestmark = pytest.mark.django_db
EXPORT = "/missing/pfif/export/"
IMPORT = "/missing/pfif/import/"


@pytest.fixture
def reports(org, liaison):
    return [
        make_person(org, liaison, consent_publication=True),
        make_person(
            org,
            liaison,
            family_name="Коваль",
            given_names="Ганна",
            sex="female",
            birth_year=1980,
            consent_publication=True,
        ),
    ]


def exported(client) -> bytes:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return response.content


def test_the_url_names_are_the_ones_reports_look_for() -> None:
    assert reverse("missing:pfif_export") == EXPORT
    assert reverse("missing:pfif_import") == IMPORT


@pytest.mark.parametrize("role", ["family_liaison", "investigator"])
def test_liaison_and_investigators_download_the_export_audited_with_sha256(
    client, users, reports, role
) -> None:
    client.force_login(users[role])
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    digest = hashlib.sha256(response.content).hexdigest()
    assert response["X-Content-SHA256"] == digest
    entry = AuditEntry.objects.get(action="missing.pfif_export")
    assert digest in entry.after and '"via":"web"' in entry.after.replace(" ", "")
    assert entry.actor == users[role]


def test_the_web_export_has_the_same_content_as_the_command(
    client, liaison, reports, tmp_path
) -> None:
    client.force_login(liaison)
    web = exported(client)
    out = tmp_path / "cli.xml"
    call_command("missing", "export-pfif", "--out", str(out), "--organisation", "test")
    assert web == out.read_bytes()


@pytest.mark.parametrize("role", ["forensic_examiner", "dna_analyst", "field_recorder"])
def test_other_roles_may_not_export(client, users, reports, role) -> None:
    client.force_login(users[role])
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action="missing.pfif_export").exists()


def test_an_outsider_exports_only_their_own_organisation(
    client, outsider, reports
) -> None:

    user = make_user(outsider.organisation, "family_liaison", "other-liaison")
    client.force_login(user)
    body = client.get(EXPORT).content.decode()
    assert "Шевченко" not in body and "Коваль" not in body


def test_the_index_links_export_and_import(client, liaison) -> None:
    client.force_login(liaison)
    page = client.get(reverse("missing:index")).content.decode()
    assert EXPORT in page and IMPORT in page


def upload(document: bytes, name: str = "in.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, document, content_type="application/xml")


@pytest.fixture
def document(client, liaison, reports) -> bytes:
    client.force_login(liaison)
    doc = exported(client)
    MissingPerson.objects.all().update(pfif_record_id="")  # look foreign on re-import
    return doc.replace(b"test.imena.invalid", b"other.example.org")


def test_a_preview_shows_counts_stores_nothing_then_confirm_imports(
    client, liaison, document
) -> None:
    before = MissingPerson.objects.count()
    response = client.post(IMPORT, {"file": upload(document), "mode": "preview"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 new reports, 0 already present" in page
    assert MissingPerson.objects.count() == before
    token = response.context["token"]
    response = client.post(IMPORT, {"confirm": token})
    assert "2 new reports" in response.content.decode()
    assert MissingPerson.objects.count() == before + 2
    # A second confirm of the same preview is refused.
    response = client.post(IMPORT, {"confirm": token})
    assert response.status_code == 400
    assert MissingPerson.objects.count() == before + 2


def test_a_direct_import_gives_a_summary(client, liaison, document) -> None:
    before = MissingPerson.objects.count()
    response = client.post(IMPORT, {"file": upload(document), "mode": "import"})
    assert "2 new reports, 0 already present" in response.content.decode()
    assert MissingPerson.objects.count() == before + 2
    response = client.post(IMPORT, {"file": upload(document), "mode": "import"})
    assert "0 new reports, 2 already present" in response.content.decode()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("mode", ["preview", "import"])
def test_hostile_xml_is_refused_on_the_web_and_nothing_stored(
    client, liaison, kind, mode
) -> None:
    client.force_login(liaison)
    response = client.post(
        IMPORT,
        {"file": upload(HOSTILE[kind], f"{kind}.xml"), "mode": mode, "lenient": "on"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert f"{kind}.xml" in text
    assert "Nothing was imported" in text or "refused" in text
    assert MissingPerson.objects.count() == 0


@pytest.mark.parametrize("role", ["investigator", "forensic_examiner", "dna_analyst"])
def test_only_liaison_officers_import(client, users, role) -> None:
    client.force_login(users[role])
    assert client.get(IMPORT).status_code == 403
    assert (
        client.post(IMPORT, {"file": upload(b"<x/>"), "mode": "import"}).status_code
        == 403
    )


def test_the_preview_lists_the_warnings(client, liaison) -> None:
    from imena.missing.tests.test_pfif_semantics import document

    client.force_login(liaison)
    doc = document(loose="finder.example.org/nobody")
    response = client.post(IMPORT, {"file": upload(doc), "mode": "preview"})
    assert response.status_code == 200
    assert "finder.example.org/nobody" in response.content.decode()
