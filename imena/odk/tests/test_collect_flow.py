"""The server driven as ODK Collect drives it: list, download, manifest, submit, resend."""

from __future__ import annotations

import hashlib

import pytest
from defusedxml import ElementTree as ET
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from imena.audit.models import AuditEntry
from imena.burials.tests.factories import SiteFactory
from imena.odk import services, storage
from imena.odk.models import Attachment, Submission
from imena.odk.tests.conftest import grave_fields
from imena.odk.tests.factories import (
    JPEG,
    basic,
    instance_xml,
    photo,
    token_for,
    xml_file,
)

pytestmark = pytest.mark.django_db
XL = "{http://openrosa.org/xforms/xformsList}"
MF = "{http://openrosa.org/xforms/xformsManifest}"
OR = "{http://openrosa.org/http/response}"


def test_form_list_asks_for_credentials_first(client, published) -> None:
    # Over HTTPS; plain HTTP is challenged with Digest (test_collect_setup.py).
    response = client.get("/formList", secure=True)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic realm=")
    assert response["X-OpenRosa-Version"] == "1.0"


def test_form_list_names_every_form_the_role_may_send(
    client, recorder_auth, published
) -> None:
    response = client.get("/formList", **recorder_auth)
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Content-Type"].startswith("text/xml")
    doc = ET.fromstring(response.content)
    forms = {x.findtext(f"{XL}formID"): x for x in doc.findall(f"{XL}xform")}
    assert set(forms) == {
        "imena_grave_registration",
        "imena_exhumation",
        "imena_post_mortem",
        "imena_sample",
        "imena_custody",
    }
    grave = forms["imena_grave_registration"]
    xform = published["imena_grave_registration"]
    assert grave.findtext(f"{XL}hash") == f"md5:{xform.md5}"
    assert grave.findtext(f"{XL}version") == xform.version
    assert grave.findtext(f"{XL}downloadUrl").endswith(  # type: ignore[union-attr]
        "/forms/imena_grave_registration/form.xml"
    )
    assert grave.findtext(f"{XL}manifestUrl").endswith(  # type: ignore[union-attr]
        "/forms/imena_grave_registration/manifest"
    )
    # The post-mortem form has no media, so no manifest.
    assert forms["imena_post_mortem"].find(f"{XL}manifestUrl") is None


def test_a_dna_analyst_is_offered_no_form(client, users, published) -> None:

    analyst = users["dna_analyst"]
    auth = {"HTTP_AUTHORIZATION": basic(analyst.username, token_for(analyst))}
    doc = ET.fromstring(client.get("/formList", **auth).content)
    assert doc.findall(f"{XL}xform") == []


def test_form_download_matches_the_listed_hash(
    client, recorder_auth, published
) -> None:
    response = client.get("/forms/imena_grave_registration/form.xml", **recorder_auth)
    assert response.status_code == 200
    assert (
        hashlib.md5(response.content).hexdigest()
        == published["imena_grave_registration"].md5
    )
    assert b'id="imena_grave_registration"' in response.content


def test_manifest_lists_the_sites_file_with_its_hash(
    client, recorder_auth, published, site
) -> None:
    response = client.get("/forms/imena_exhumation/manifest", **recorder_auth)
    assert response.status_code == 200
    doc = ET.fromstring(response.content)
    files = {m.findtext(f"{MF}filename"): m for m in doc.findall(f"{MF}mediaFile")}
    assert set(files) == {"sites.csv", "graves.csv"}
    url = files["graves.csv"].findtext(f"{MF}downloadUrl")
    media = client.get(url.replace("http://testserver", ""), **recorder_auth)  # type: ignore[union-attr]
    assert media.status_code == 200
    assert (
        files["graves.csv"].findtext(f"{MF}hash")
        == "md5:" + hashlib.md5(media.content).hexdigest()
    )
    text = media.content.decode()
    assert text.startswith("name,label,site\n")
    assert "12а" in text and "izium-forest" in text


def test_media_holds_only_the_users_organisation(
    client, recorder_auth, published, site, other_org
) -> None:

    SiteFactory(organisation=other_org, code="elsewhere", name="Чужа ділянка")
    text = client.get(
        "/forms/imena_exhumation/media/sites.csv", **recorder_auth
    ).content.decode()
    assert "izium-forest" in text and "elsewhere" not in text


def test_preflight_answers_204_with_the_size_limit(
    client, recorder_auth, settings
) -> None:
    settings.IMENA_MAX_SUBMISSION_BYTES = 12345
    response = client.head("/submission", **recorder_auth)
    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == "12345"
    assert client.head("/submission").status_code == 401


def test_a_submission_with_a_photo_becomes_a_draft(
    client, recorder_auth, recorder, grave_form, site
) -> None:
    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:one"
    )
    response = client.post(
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": photo()},
        **recorder_auth,
    )
    assert response.status_code == 201, response.content
    doc = ET.fromstring(response.content)
    assert doc.tag == f"{OR}OpenRosaResponse"
    assert doc.find(f"{OR}message").get("nature") == "submit_success"  # type: ignore[union-attr]
    draft = Submission.objects.get()
    assert draft.status == "draft"
    assert draft.instance_id == "uuid:one"
    assert draft.device_id == "collect:abc123"
    assert draft.submitted_by == recorder
    assert draft.data["marker_text"] == "№ 77"
    assert draft.xml_sha256 == hashlib.sha256(xml).hexdigest()
    assert storage.blob_path(draft.xml_sha256).read_bytes() == xml
    att = Attachment.objects.get()
    assert att.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert storage.blob_path(att.sha256).read_bytes() == JPEG
    assert draft.missing_attachments == []
    assert AuditEntry.objects.filter(action="odk.submission.receive").count() == 1
    # A draft is not a record: no grave was created.
    assert not site.graves.filter(marker_text="№ 77").exists()


def test_resending_the_same_instance_is_idempotent(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:two"
    )
    first = client.post(
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": photo()},
        **recorder_auth,
    )
    audit_count = AuditEntry.objects.count()
    again = client.post(
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": photo()},
        **recorder_auth,
    )
    assert (first.status_code, again.status_code) == (201, 202)
    assert Submission.objects.count() == 1 and Attachment.objects.count() == 1
    assert AuditEntry.objects.count() == audit_count


def test_attachments_sent_in_a_later_part_are_added(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:split"
    )
    first = client.post(
        "/submission", {"xml_submission_file": xml_file(xml)}, **recorder_auth
    )
    assert first.status_code == 201
    draft = Submission.objects.get()
    assert draft.missing_attachments == ["marker.jpg"]
    second = client.post(
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": photo()},
        **recorder_auth,
    )
    assert second.status_code == 201
    assert draft.missing_attachments == []


def test_a_revoked_token_no_longer_connects(client, recorder, published) -> None:

    token, secret = services.app_token_create(user=recorder, label="lost phone")
    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, secret)}
    assert client.get("/formList", **auth).status_code == 200
    services.app_token_revoke(actor=recorder, token=token)
    assert client.get("/formList", **auth).status_code == 401


def test_the_account_password_is_not_a_token(client, recorder, published) -> None:

    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, "pw")}
    assert client.get("/formList", **auth).status_code == 401


def test_a_token_only_works_with_its_own_username(
    client, recorder, examiner, published
) -> None:

    auth = {"HTTP_AUTHORIZATION": basic(examiner.username, token_for(recorder))}
    assert client.get("/formList", **auth).status_code == 401


def test_evidence_verify_covers_odk_xml_and_attachments(
    client, recorder_auth, grave_form, site
) -> None:

    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:verify"
    )
    client.post(
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": photo()},
        **recorder_auth,
    )
    call_command("evidence", "verify")
    att = Attachment.objects.get()
    path = storage.blob_path(att.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"appended")
    xml_path = storage.blob_path(Submission.objects.get().xml_sha256)
    xml_path.chmod(0o644)
    xml_path.write_bytes(xml_path.read_bytes() + b"<!-- -->")
    with pytest.raises(CommandError) as err:
        call_command("evidence", "verify")
    assert "marker.jpg of submission uuid:verify changed" in str(err.value)
    assert "submission uuid:verify changed" in str(err.value)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("content", "claimed", "stored"),
    [
        (SVG, "image/svg+xml", "application/octet-stream"),
        (SVG, "image/jpeg", "application/octet-stream"),
        (JPEG, "text/html", "image/jpeg"),
    ],
)
def test_attachments_are_typed_by_content_and_served_as_downloads(
    client, recorder_auth, grave_form, site, users, content, claimed, stored
) -> None:

    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:svg"
    )
    upload = SimpleUploadedFile("marker.jpg", content, content_type=claimed)
    response = client.post(
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": upload},
        **recorder_auth,
    )
    assert response.status_code == 201
    att = Attachment.objects.get()
    assert att.content_type == stored
    assert att.is_image == (stored == "image/jpeg")
    client.force_login(users["forensic_examiner"])
    served = client.get(reverse("odk:attachment", args=[att.submission_id, att.pk]))
    assert served["Content-Type"] == stored
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"


def _odk_files(root) -> list:
    # the store proper, not its temporary folder
    return [p for p in root.rglob("*") if p.is_file() and p.parent.name != "tmp"]


def _receive(recorder, grave_form, instance_id: str):
    import io

    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), instance_id
    )
    marker = services.IncomingFile("marker.jpg", "image/jpeg", io.BytesIO(JPEG))
    return services.submission_receive(user=recorder, xml=xml, files=[marker])


def test_a_submission_rolled_back_leaves_no_file_in_the_store(
    recorder, grave_form, site, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _receive(recorder, grave_form, "uuid:rolled-back")
        raise RuntimeError("a later write of the same transaction fails")
    assert not Submission.objects.exists()
    assert _odk_files(storage.root()) == []


def test_a_committed_submission_has_its_files_in_the_store(
    recorder, grave_form, site, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        receipt = _receive(recorder, grave_form, "uuid:committed")
    att = receipt.submission.attachments.get()
    assert storage.blob_path(att.sha256).read_bytes() == JPEG
    assert sorted(_odk_files(storage.root())) == sorted(
        [
            storage.blob_path(receipt.submission.xml_sha256),
            storage.blob_path(att.sha256),
        ]
    )
    assert list((storage.root() / "tmp").iterdir()) == []
