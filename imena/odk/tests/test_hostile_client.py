"""The server driven by a hostile or broken client: clear OpenRosa errors, nothing half-stored."""

from __future__ import annotations

import hashlib
import io

import pytest
from defusedxml import ElementTree as ET
from django.test import Client

from imena.odk import services, storage
from imena.odk.models import Attachment, Quarantine, Submission
from imena.odk.tests.conftest import grave_fields
from imena.odk.tests.factories import basic, instance_xml, photo, token_for, xml_file

pytestmark = pytest.mark.django_db
OR = "{http://openrosa.org/http/response}"


def message(response) -> str:
    doc = ET.fromstring(response.content)
    assert doc.tag == f"{OR}OpenRosaResponse"
    return doc.findtext(f"{OR}message")  # type: ignore[return-value]


def stored_files() -> list[str]:
    root = storage.root()
    if not root.exists():
        return []
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def assert_nothing_stored(before: list[str] | None = None) -> None:
    assert Submission.objects.count() == 0
    assert Attachment.objects.count() == 0
    kept = {q.body_sha256 for q in Quarantine.objects.all() if q.body_sha256}
    leftovers = [f for f in stored_files() if f not in kept and f not in (before or [])]
    assert leftovers == []


def post(client, auth, xml: bytes, **files):
    data = {"xml_submission_file": xml_file(xml), **files}
    return client.post("/submission", data, **auth)


def test_an_unknown_form_is_refused(client, recorder_auth, published) -> None:
    xml = instance_xml("not_a_form", "1", {"a": "b"})
    response = post(client, recorder_auth, xml)
    assert response.status_code == 404
    assert "Unknown form not_a_form" in message(response)
    assert_nothing_stored()
    assert Quarantine.objects.get().reason == "unknown_form"


def test_an_unknown_version_is_refused(client, recorder_auth, grave_form, site) -> None:
    xml = instance_xml(grave_form.form_id, "0000", grave_fields())
    response = post(client, recorder_auth, xml)
    assert response.status_code == 400
    assert "has no version 0000" in message(response)
    assert_nothing_stored()


def test_a_retired_version_is_refused(client, recorder_auth, grave_form, site) -> None:
    services.xform_retire(actor=None, xform=grave_form, reason="marker list changed")
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    response = post(client, recorder_auth, xml)
    assert response.status_code == 400
    assert "retired: marker list changed" in message(response)
    assert_nothing_stored()


def test_a_wrong_root_element_is_refused(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), root="other"
    )
    response = post(client, recorder_auth, xml)
    assert response.status_code == 400
    assert "expects <data>" in message(response)
    assert_nothing_stored()


def test_a_missing_required_field_is_named(
    client, recorder_auth, grave_form, site
) -> None:
    fields = grave_fields()
    del fields["marker_text"]
    response = post(
        client,
        recorder_auth,
        instance_xml(grave_form.form_id, grave_form.version, fields),
    )
    assert response.status_code == 400
    assert "/data/marker_text is required but empty" in message(response)
    assert_nothing_stored()


def test_a_question_not_in_the_form_is_named(
    client, recorder_auth, grave_form, site
) -> None:
    fields = grave_fields(victim_name="X")
    response = post(
        client,
        recorder_auth,
        instance_xml(grave_form.form_id, grave_form.version, fields),
    )
    assert response.status_code == 400
    assert "/data/victim_name is not a question" in message(response)
    assert_nothing_stored()


def test_a_value_outside_the_choice_list_is_named(
    client, recorder_auth, grave_form, site
) -> None:
    fields = grave_fields(grave_marker="tombstone")
    response = post(
        client,
        recorder_auth,
        instance_xml(grave_form.form_id, grave_form.version, fields),
    )
    assert response.status_code == 400
    assert "tombstone is not a choice" in message(response)
    assert_nothing_stored()


def test_a_missing_instance_id_is_refused(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    xml = xml.replace(b"<meta><instanceID>", b"<meta><x>").replace(
        b"</instanceID>", b"</x>"
    )
    response = post(client, recorder_auth, xml)
    assert response.status_code == 400
    assert "instanceID" in message(response)
    assert_nothing_stored()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<data id="imena_grave_registration" version="x"><marker_text>&lol3;</marker_text></data>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="imena_grave_registration" version="x"><marker_text>&xxe;</marker_text></data>"""


@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"]
)
def test_hostile_xml_is_refused_unread_and_quarantined(
    client, recorder_auth, published, body
) -> None:
    response = post(client, recorder_auth, body)
    assert response.status_code == 400
    assert "DTD or entities" in message(response)
    assert_nothing_stored()
    entry = Quarantine.objects.get()
    assert entry.reason == "hostile_xml"
    assert entry.body_sha256 == hashlib.sha256(body).hexdigest()
    assert storage.blob_path(entry.body_sha256).read_bytes() == body


def test_malformed_xml_is_refused(client, recorder_auth, published) -> None:
    response = post(client, recorder_auth, b"<data id='x'><unclosed></data>")
    assert response.status_code == 400
    assert "cannot be read" in message(response)
    assert_nothing_stored()


def test_an_attachment_over_the_limit_is_refused(
    client, recorder_auth, grave_form, site, settings
) -> None:
    settings.IMENA_MAX_SUBMISSION_BYTES = 50_000
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    big = photo("marker.jpg", b"\xff" * 60_000)
    response = post(client, recorder_auth, xml, **{"marker.jpg": big})
    assert response.status_code == 413
    assert "larger than 50000 bytes" in message(response)
    assert_nothing_stored()
    assert not list((storage.root() / "tmp").glob("*"))


def test_an_attachment_over_the_limit_inside_the_total_is_refused(
    recorder, grave_form, site, settings
) -> None:

    settings.IMENA_MAX_SUBMISSION_BYTES = 1000
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    with pytest.raises(services.SubmissionError) as e:
        services.submission_receive(
            user=recorder,
            xml=xml,
            files=[
                services.IncomingFile(
                    "marker.jpg", "image/jpeg", io.BytesIO(b"x" * 2000)
                )
            ],
        )
    assert e.value.status == 413
    assert_nothing_stored()


def test_a_truncated_multipart_body_is_refused(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    b = "XyZbOuNdArY"
    body = (
        (
            f'--{b}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            'filename="s.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + xml
        + (
            f'\r\n--{b}\r\nContent-Disposition: form-data; name="marker.jpg"; '
            'filename="marker.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + b"\xff" * 500
        + f"\r\n--{b}--\r\n".encode()
    )
    cut = body[: len(body) - 300]
    response = client.generic(
        "POST",
        "/submission",
        cut,
        content_type=f"multipart/form-data; boundary={b}",
        **recorder_auth,
    )
    assert response.status_code == 400
    assert "truncated" in message(response)
    assert_nothing_stored()
    # The whole body is accepted.
    whole = client.generic(
        "POST",
        "/submission",
        body,
        content_type=f"multipart/form-data; boundary={b}",
        **recorder_auth,
    )
    assert whole.status_code == 201


def test_a_body_over_the_limit_is_refused_before_reading(
    client, recorder_auth, published, settings
) -> None:
    settings.IMENA_MAX_SUBMISSION_BYTES = 100
    xml = instance_xml("imena_grave_registration", "x", grave_fields())
    response = post(client, recorder_auth, xml)
    assert response.status_code == 413
    assert_nothing_stored()
    assert Quarantine.objects.get().body_sha256 == ""


def test_a_body_that_is_not_multipart_is_refused(
    client, recorder_auth, published
) -> None:
    response = client.post(
        "/submission", b"<data/>", content_type="text/xml", **recorder_auth
    )
    assert response.status_code == 400
    assert "multipart/form-data" in message(response)


def test_a_body_without_the_xml_part_is_refused(
    client, recorder_auth, published
) -> None:
    response = client.post("/submission", {"marker.jpg": photo()}, **recorder_auth)
    assert response.status_code == 400
    assert "xml_submission_file" in message(response)
    assert_nothing_stored()


def test_a_replayed_instance_with_other_content_is_a_conflict(
    client, recorder_auth, grave_form, site
) -> None:
    first = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:r"
    )
    assert (
        post(client, recorder_auth, first, **{"marker.jpg": photo()}).status_code == 201
    )
    other = instance_xml(
        grave_form.form_id,
        grave_form.version,
        grave_fields(marker_text="№ 99"),
        "uuid:r",
    )
    response = post(client, recorder_auth, other)
    assert response.status_code == 409
    assert "different content" in message(response)
    draft = Submission.objects.get()
    assert draft.data["marker_text"] == "№ 77"
    entry = Quarantine.objects.get()
    assert (entry.reason, entry.instance_id) == ("conflict", "uuid:r")
    assert storage.blob_path(entry.body_sha256).read_bytes() == other


def test_a_replayed_attachment_with_other_content_is_a_conflict(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields(), "uuid:p")
    assert (
        post(client, recorder_auth, xml, **{"marker.jpg": photo()}).status_code == 201
    )
    response = post(
        client, recorder_auth, xml, **{"marker.jpg": photo(content=b"other")}
    )
    assert response.status_code == 409
    assert Attachment.objects.count() == 1


def test_an_attachment_name_cannot_leave_its_folder(
    client, recorder_auth, grave_form, site
) -> None:
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    upload = photo("../../marker.jpg")
    response = post(client, recorder_auth, xml, **{"marker.jpg": upload})
    assert response.status_code == 201
    assert Attachment.objects.get().filename == "marker.jpg"


def test_a_role_that_may_not_send_the_form_is_refused(
    client, users, grave_form, site
) -> None:
    analyst = users["dna_analyst"]
    auth = {"HTTP_AUTHORIZATION": basic(analyst.username, token_for(analyst))}
    xml = instance_xml(grave_form.form_id, grave_form.version, grave_fields())
    response = post(client, auth, xml)
    assert response.status_code == 403
    assert_nothing_stored()


def test_garbage_credentials_get_401(client, published) -> None:
    for header in ["Basic !!!", "Bearer abc", "Basic " + "eA=="]:
        assert client.get("/formList", HTTP_AUTHORIZATION=header).status_code == 401


def test_only_the_openrosa_endpoints_skip_csrf(client, recorder) -> None:

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(recorder)
    response = strict.post("/odk/tokens/", {"label": "x"})
    assert response.status_code == 403
