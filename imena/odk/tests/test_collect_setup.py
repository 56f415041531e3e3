"""Collect set-up: the settings QR code, and Digest authentication over plain HTTP.

The Digest side of these tests is the standard library's client
(``urllib.request.AbstractDigestAuthHandler``), not Imena's code: it answers
challenges the way ODK Collect's okhttp-digest does (MD5, qop=auth, a client
nonce, a request count that goes up while the nonce is reused).
"""

from __future__ import annotations

import urllib.request

import pytest
from axes.models import AccessAttempt
from defusedxml import ElementTree as ET

from imena.odk import collect, digest, services
from imena.odk.models import AppToken, Submission
from imena.odk.tests.conftest import grave_fields
from imena.odk.tests.factories import basic, instance_xml, photo, xml_file

pytestmark = pytest.mark.django_db
XL = "{http://openrosa.org/xforms/xformsList}"


class CollectDigest:
    """A Digest client session: one challenge, then the nonce reused (nc 1, 2, ...)."""

    def __init__(self, client, username: str, token: str) -> None:
        self.client = client
        manager = urllib.request.HTTPPasswordMgr()
        manager.add_password(digest.REALM, "http://testserver/", username, token)
        self.handler = urllib.request.AbstractDigestAuthHandler(manager)
        self.challenge: dict[str, str] = {}
        self.last_header = ""

    def take_challenge(self, response) -> None:
        scheme, _sep, rest = response["WWW-Authenticate"].partition(" ")
        assert scheme == "Digest"
        items = urllib.request.parse_http_list(rest)
        self.challenge = urllib.request.parse_keqv_list(items)

    def header(self, method: str, path: str) -> str:
        request = urllib.request.Request("http://testserver" + path, method=method)
        answer = self.handler.get_authorization(request, self.challenge)
        assert answer is not None
        self.last_header = "Digest " + answer
        return self.last_header

    def request(self, method: str, path: str, data=None):
        call = getattr(self.client, method.lower())
        extra = {"HTTP_AUTHORIZATION": self.header(method, path)}
        if data is None:
            return call(path, **extra)
        return call(path, data, **extra)


@pytest.fixture
def session(client, recorder, published):
    _token, secret = services.app_token_create(user=recorder, label="field phone")
    first = client.get("/formList")
    assert first.status_code == 401
    collect_session = CollectDigest(client, recorder.username, secret)
    collect_session.take_challenge(first)
    return collect_session


def test_plain_http_is_challenged_with_digest_and_https_with_basic(
    client, published
) -> None:
    plain = client.get("/formList")
    assert plain.status_code == 401
    challenge = plain["WWW-Authenticate"]
    assert challenge.startswith('Digest realm="Imena"')
    assert 'qop="auth"' in challenge and "algorithm=MD5" in challenge
    assert "Basic" not in challenge
    secure = client.get("/formList", secure=True)
    assert secure["WWW-Authenticate"].startswith("Basic realm=")


def test_a_digest_session_lists_forms_and_submits(
    session, client, recorder, grave_form, site
) -> None:
    listed = session.request("GET", "/formList")
    assert listed.status_code == 200, listed.content
    ids = [x.findtext(f"{XL}formID") for x in ET.fromstring(listed.content)]
    assert "imena_grave_registration" in ids
    assert "nc=00000001" in session.last_header

    # Collect reuses the nonce without a new challenge (nc 2, 3, ...).
    assert session.request("HEAD", "/submission").status_code == 204
    xml = instance_xml(
        grave_form.form_id, grave_form.version, grave_fields(), "uuid:digest"
    )
    sent = session.request(
        "POST",
        "/submission",
        {"xml_submission_file": xml_file(xml), "marker.jpg": photo()},
    )
    assert sent.status_code == 201, sent.content
    assert "nc=00000003" in session.last_header
    assert Submission.objects.get().submitted_by == recorder
    assert AppToken.objects.get(user=recorder).last_used is not None


def test_a_replayed_digest_answer_is_challenged_again(session, client) -> None:
    header = session.header("GET", "/formList")
    assert client.get("/formList", HTTP_AUTHORIZATION=header).status_code == 200
    replay = client.get("/formList", HTTP_AUTHORIZATION=header)
    assert replay.status_code == 401
    assert "stale=true" in replay["WWW-Authenticate"]
    # A replay is not a wrong password: no failed login is counted.
    assert not AccessAttempt.objects.exists()


def test_an_expired_nonce_gets_a_stale_challenge_and_a_new_nonce(
    session, client, monkeypatch
) -> None:
    monkeypatch.setattr(digest, "NONCE_MAX_AGE", -1)
    expired = session.request("GET", "/formList")
    assert expired.status_code == 401
    assert "stale=true" in expired["WWW-Authenticate"]
    monkeypatch.setattr(digest, "NONCE_MAX_AGE", 600)
    session.take_challenge(expired)
    assert session.request("GET", "/formList").status_code == 200


def test_a_wrong_token_fails_digest_and_counts_as_a_failed_login(
    client, recorder, published
) -> None:
    services.app_token_create(user=recorder, label="field phone")
    wrong = CollectDigest(client, recorder.username, "not-the-token")
    wrong.take_challenge(client.get("/formList"))
    response = wrong.request("GET", "/formList")
    assert response.status_code == 401
    assert "stale" not in response["WWW-Authenticate"]
    assert AccessAttempt.objects.filter(username=recorder.username).exists()


def test_a_digest_answer_for_another_path_is_refused(session, client) -> None:
    header = session.header("GET", "/formList")
    response = client.head("/submission", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_revoked_token_no_longer_answers_digest(session, client, recorder) -> None:
    services.app_token_revoke(actor=recorder, token=AppToken.objects.get())
    assert session.request("GET", "/formList").status_code == 401


def test_a_token_without_ha1_still_works_with_basic(
    client, recorder, published
) -> None:
    _token, secret = services.app_token_create(user=recorder, label="old phone")
    AppToken.objects.update(digest_ha1="")
    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, secret)}
    assert client.get("/formList", secure=True, **auth).status_code == 200
    old = CollectDigest(client, recorder.username, secret)
    old.take_challenge(client.get("/formList"))
    assert old.request("GET", "/formList").status_code == 401


def test_the_token_is_stored_only_as_hashes(recorder) -> None:
    _token, secret = services.app_token_create(user=recorder, label="field phone")
    token = AppToken.objects.get()
    assert secret not in (token.token_hash, token.digest_ha1)
    assert token.digest_ha1 == digest.md5_hex(f"{recorder.username}:Imena:{secret}")


# --- The settings QR code --------------------------------------------------------


def test_the_new_token_comes_with_the_settings_qr_code_collect_reads(
    client, recorder, published
) -> None:
    client.force_login(recorder)
    response = client.post("/odk/tokens/", {"label": "field phone"})
    assert response.status_code == 200
    secret = response.context["secret"]
    settings = collect.decode_settings(response.context["collect_payload"])
    assert settings == {
        "general": {
            "server_url": "http://testserver",
            "username": recorder.username,
            "password": secret,
            "form_update_mode": "match_exactly",
        },
        "admin": {},
        "project": {
            "name": f"Imena · {recorder.organisation.name}",
            "icon": "I",
            "color": "#1f4e79",
        },
    }
    page = response.content.decode()
    assert 'id="collect-qr"' in page and "<svg" in page
    # The settings work: Collect at that URL with that user and token gets in.
    general = settings["general"]
    device = CollectDigest(client, general["username"], general["password"])
    client.logout()
    device.take_challenge(client.get("/formList"))
    assert device.request("GET", "/formList").status_code == 200


def test_the_qr_code_is_shown_only_with_a_new_token(client, recorder) -> None:
    client.force_login(recorder)
    services.app_token_create(user=recorder, label="field phone")
    response = client.get("/odk/tokens/")
    assert not response.context["collect_payload"]
    assert 'id="collect-qr"' not in response.content.decode()


def test_the_server_url_follows_site_root(client, recorder, settings) -> None:
    settings.SITE_ROOT = "https://imena.example.org"
    client.force_login(recorder)
    response = client.post("/odk/tokens/", {"label": "field phone"})
    payload = collect.decode_settings(response.context["collect_payload"])
    assert payload["general"]["server_url"] == "https://imena.example.org"
