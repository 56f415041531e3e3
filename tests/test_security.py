"""Issue 19 rows 4, 5, 9, 13, 18 and issue 14 item 2: settings and headers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from imena.accounts.models import Role

ROOT = Path(settings.BASE_DIR)
GOOD_KEY = "k" * 10 + "a-long-random-production-secret-for-tests-0123456789"
AUDIT_KEY = "audit-" + GOOD_KEY
LIAISON = "Family liaison office, 1 Example Street; +380 00 000 00 00"


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("SECRET_KEY", "DEBUG", "SECURE_", "DJANGO_SETTINGS", "IMENA_AUDIT_KEY")
        )
    }
    clean["IMENA_FAMILY_LIAISON_CONTACT"] = LIAISON
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Row 4: no server on the example secret key -------------------------------


@pytest.mark.parametrize(
    "env",
    [{}, {"SECRET_KEY": "change-me-to-a-long-random-string"}],
    ids=["unset", "example"],
)
def test_the_wsgi_application_refuses_the_example_secret_key(env) -> None:
    result = _python("import config.wsgi", DEBUG="False", **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "imena: refusing to serve: SECRET_KEY is unset or the example value: set a "
        "long random secret (e.g. python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')"
    ]


def test_the_wsgi_application_starts_with_a_real_key() -> None:
    result = _python(
        "import config.wsgi",
        DEBUG="False",
        SECRET_KEY=GOOD_KEY,
        IMENA_AUDIT_KEY=AUDIT_KEY,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "env",
    [{}, {"IMENA_AUDIT_KEY": "change-me-to-another-long-random-string"}],
    ids=["unset", "example"],
)
def test_the_wsgi_application_refuses_without_an_audit_key(env) -> None:
    """The public development key would let anyone who can write the database
    rewrite the audit chain: production refuses to start on it."""
    result = _python("import config.wsgi", DEBUG="False", SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and "IMENA_AUDIT_KEY is unset or the example value" in (lines[0])
    ), result.stderr


def test_the_wsgi_application_refuses_empty_allowed_hosts() -> None:
    result = _python(
        "import config.wsgi",
        DEBUG="False",
        SECRET_KEY=GOOD_KEY,
        IMENA_AUDIT_KEY=AUDIT_KEY,
        ALLOWED_HOSTS="",
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty" in result.stderr


# --- Row 5: one SQLite configuration ------------------------------------------


def test_a_sqlite_url_gets_the_same_safeguards_as_the_default_path(tmp_path) -> None:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    by_path = _python(code, SQLITE_PATH=str(tmp_path / "a.sqlite3"), DATABASE_URL="")
    by_url = _python(code, DATABASE_URL=f"sqlite:///{tmp_path}/b.sqlite3")
    assert by_path.returncode == 0 and by_url.returncode == 0, by_url.stderr
    options = json.loads(by_url.stdout)
    assert options == json.loads(by_path.stdout)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


# --- Row 9: TLS settings from the environment ----------------------------------


def test_tls_settings_come_from_the_environment() -> None:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))"
    )
    on = _python(
        code,
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_SSL_REDIRECT="True",
        SECURE_COOKIES="True",
    )
    assert json.loads(on.stdout) == [
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        31536000,
        True,
        True,
    ]
    off = _python(code)
    assert json.loads(off.stdout) == [None, False, 0, False, False]


def test_check_deploy_is_clean_with_the_production_example() -> None:
    env = {}
    for line in (ROOT / ".env.production.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env["SECRET_KEY"] = GOOD_KEY
    env["IMENA_AUDIT_KEY"] = AUDIT_KEY
    env["DATABASE_URL"] = ""
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-m", "imena", "check", "--deploy"],
        cwd=ROOT,
        # The browser tests' fixture allows async-unsafe calls in this process; a
        # deployment never does, and `check --deploy` says so (async.E001).
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output, output
    assert "no issues" in result.stdout, output


# --- Headers on every page -----------------------------------------------------


def test_every_page_carries_the_security_headers(client, examiner) -> None:
    client.force_login(examiner)
    response = client.get(reverse("burials:site_list"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_has_a_policy_too(client, db) -> None:
    response = client.get(reverse("accounts:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I
)


def test_no_template_has_inline_script_or_style() -> None:
    """The policy blocks inline code: a template that needs it breaks silently."""
    offenders = []
    for folder in (ROOT / "templates", ROOT / "imena"):
        for path in folder.rglob("*.html"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if INLINE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_generated_svg_has_no_inline_style() -> None:
    source = (ROOT / "imena" / "reports" / "svg.py").read_text()
    assert "style=" not in source


# --- Row 13: nothing personal kept in caches ------------------------------------


def test_a_page_of_records_is_not_stored(client, examiner) -> None:
    client.force_login(examiner)
    response = client.get(reverse("audit:entry_list"))
    assert "no-store" in response["Cache-Control"]


def test_an_evidence_file_download_is_not_stored(
    client, org, examiner, settings, tmp_path
) -> None:
    from imena.burials import services as burials
    from imena.burials.tests.factories import SiteFactory
    from imena.evidence import services as evidence_services
    from imena.evidence import storage
    from imena.evidence.tests.factories import jpeg_with_exif

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    grave = burials.grave_create(
        actor=examiner, site=SiteFactory(organisation=org), marker_text="№ 1"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the file is stored then
        item = evidence_services.evidence_create(
            actor=examiner,
            grave=grave,
            kind="photo",
            staged=storage.stage([jpeg_with_exif()], name="a.jpg"),
        )
    client.force_login(examiner)
    response = client.get(reverse("exhumations:evidence_file", args=[item.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_every_upload_limit_names_a_page() -> None:
    """A renamed URL would silently lose its limit."""
    from django.urls import get_resolver

    from imena.core.middleware import STREAMED_BY_VIEW

    names: set[str] = set()

    def walk(resolver, prefix: str = "") -> None:
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern, ns)
            elif pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver())
    assert set(settings.IMENA_UPLOAD_LIMITS) - names == set()
    assert STREAMED_BY_VIEW - names == set()
    for setting in settings.IMENA_UPLOAD_LIMITS.values():
        assert isinstance(getattr(settings, setting), int)


# --- Row 9: idle sessions end ---------------------------------------------------


def test_an_idle_session_ends(client, examiner, settings) -> None:
    settings.IMENA_SESSION_IDLE_MINUTES = 30
    client.force_login(examiner)
    url = reverse("burials:site_list")
    assert client.get(url).status_code == 200
    session = client.session
    session["_imena_last_seen"] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(url).status_code == 302  # logged out for good


def test_an_active_session_stays(client, examiner) -> None:
    client.force_login(examiner)
    url = reverse("burials:site_list")
    session = client.session
    session["_imena_last_seen"] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(url).status_code == 200
    assert client.session["_imena_last_seen"] >= int(time.time()) - 5


# --- Row 9: stronger passwords ------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Passw0rd2024", "short-Pw1!", "qwertyuiop123", "Kyiv2024Kyiv2024"],
)
def test_weak_passwords_are_refused(password, db) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_strong_password_is_accepted(db) -> None:
    validate_password("violet tractor under seventeen clouds")


# --- Row 9: lock-out after repeated failures ----------------------------------------


def test_the_login_locks_after_repeated_failures(client, examiner, settings) -> None:
    examiner.set_password("the right one, long enough")
    examiner.save()
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": examiner.username, "password": "wrong"})
    response = client.post(
        url, {"username": examiner.username, "password": "the right one, long enough"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b"Too many failed attempts" in response.content


def test_a_success_before_the_limit_resets_the_count(client, examiner, settings):
    examiner.set_password("the right one, long enough")
    examiner.save()
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": examiner.username, "password": "wrong"})
    good = {"username": examiner.username, "password": "the right one, long enough"}
    assert client.post(url, good).status_code == 302
    client.logout()
    client.post(url, {"username": examiner.username, "password": "wrong"})
    assert client.post(url, good).status_code == 302


def test_app_token_attempts_lock_out_too(client, users, settings) -> None:
    from imena.odk.tests.factories import basic, token_for

    recorder = users[Role.FIELD_RECORDER]
    secret = token_for(recorder)
    wrong = {"HTTP_AUTHORIZATION": basic(recorder.username, "not-the-token")}
    statuses = [
        client.get("/formList", **wrong).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    right = {"HTTP_AUTHORIZATION": basic(recorder.username, secret)}
    response = client.get("/formList", **right)
    assert response.status_code == 429


# --- Row 9: OpenRosa URLs behind a TLS proxy -------------------------------------------


def _download_urls(client, auth) -> list[str]:
    import xml.etree.ElementTree as ET

    doc = ET.fromstring(client.get("/formList", **auth).content)
    return [e.text or "" for e in doc.iter() if e.tag.endswith("downloadUrl")]


def test_openrosa_urls_follow_the_trusted_proxy_scheme(client, users, settings):
    from imena.odk import services
    from imena.odk.tests.factories import basic, token_for

    services.xform_publish()
    recorder = users[Role.FIELD_RECORDER]
    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, token_for(recorder))}
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    urls = _download_urls(client, {**auth, "HTTP_X_FORWARDED_PROTO": "https"})
    assert urls and all(u.startswith("https://") for u in urls)


def test_openrosa_urls_use_site_root_when_set(client, users, settings) -> None:
    from imena.odk import services
    from imena.odk.tests.factories import basic, token_for

    services.xform_publish()
    recorder = users[Role.FIELD_RECORDER]
    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, token_for(recorder))}
    settings.SITE_ROOT = "https://imena.example.org"
    urls = _download_urls(client, auth)
    assert urls and all(u.startswith("https://imena.example.org/") for u in urls)


# --- Row 9: app tokens end with the password ---------------------------------------------


def test_changing_the_password_revokes_app_tokens(client, users) -> None:
    from imena.odk.tests.factories import basic, token_for

    recorder = users[Role.FIELD_RECORDER]
    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, token_for(recorder))}
    assert client.get("/formList", **auth).status_code == 200
    recorder.set_password("a brand new passphrase for Collect")
    recorder.save()
    assert client.get("/formList", **auth).status_code == 401
    assert recorder.odk_tokens.filter(revoked__isnull=True).count() == 0


def test_saving_a_user_without_a_new_password_keeps_tokens(client, users) -> None:
    from imena.odk.tests.factories import basic, token_for

    recorder = users[Role.FIELD_RECORDER]
    auth = {"HTTP_AUTHORIZATION": basic(recorder.username, token_for(recorder))}
    recorder.first_name = "Ivanna"
    recorder.save()
    recorder.set_password("pw")  # the same password, hashed anew
    recorder.save()
    assert client.get("/formList", **auth).status_code == 200


# --- Rows 15/18: upload limits while the body streams ---------------------------------------


def _journal_upload(client, site, content: bytes, **extra: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("journals:upload"),
        {
            "site": site.pk,
            "journal_name": "Morgue book",
            "file": SimpleUploadedFile("big.csv", content, "text/csv"),
        },
        **extra,
    )


@pytest.fixture
def site(org, examiner):
    from imena.burials.tests.factories import SiteFactory

    return SiteFactory(organisation=org)


def test_a_declared_oversize_upload_is_refused_before_the_body_is_read(
    client, examiner, site, settings
) -> None:
    settings.IMENA_MAX_JOURNAL_BYTES = 1000
    client.force_login(examiner)
    # The test client's payload refuses reads past its real size: declaring
    # 60 MB and answering proves that the body was never read.
    response = _journal_upload(
        client, site, b"a,b\n1,2\n", CONTENT_LENGTH=str(60 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "limit of 1000" in response.content.decode()
    assert "nothing was stored" in response.content.decode()


def test_an_oversize_file_is_stopped_while_it_streams(
    client, examiner, site, settings
) -> None:
    settings.IMENA_MAX_JOURNAL_BYTES = 1000
    client.force_login(examiner)
    response = _journal_upload(client, site, b"a,b\n" + b"1,2\n" * 2000)
    assert response.status_code == 413
    assert "big.csv" in response.content.decode()
    uploads = Path(settings.DATA_DIR) / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_file_within_the_limit_passes(client, examiner, site, settings) -> None:
    client.force_login(examiner)
    response = _journal_upload(client, site, "Прізвище\nКоваль\n".encode())
    assert response.status_code in (200, 302)
