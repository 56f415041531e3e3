"""`imena serve`: gunicorn + WhiteNoise on the test database, and its refusals."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from imena.core.testing import database_env

ROOT = Path(settings.BASE_DIR)
KEY = "serve-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "SECRET_KEY", "DEBUG", "SECURE_", "SQLITE", "IMENA_AUDIT_KEY")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="False",
        SECRET_KEY=KEY,
        IMENA_AUDIT_KEY="audit-" + KEY,
        IMENA_FAMILY_LIAISON_CONTACT="Family liaison office; +380 00 000 00 00",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        IMENA_DATA_DIR=str(tmp_path),
        IMENA_EVIDENCE_ROOT=str(tmp_path / "evidence"),
        IMENA_STATIC_ROOT=str(tmp_path / "static"),
    )
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _serve(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imena", "serve", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_serve_runs_gunicorn_with_whitenoise_on_the_test_database(tmp_path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "imena", "serve", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "2"],
        cwd=ROOT,
        env=_env(tmp_path, **database_env()),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, _headers, body = _get(base + "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "serve.log").read_text()[-3000:])
                time.sleep(0.5)
        assert status == 200, body
        health = json.loads(body)
        assert health["status"] == "ok"
        assert health["database"] == "ok" and health["evidence_store"] == "ok"
        assert re.fullmatch(r"[0-9a-f]{64}", health["audit_head"])

        status, headers, body = _get(base + "/accounts/login/")
        assert status == 200
        assert "gunicorn" in headers.get("Server", "")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        page = body.decode()
        css = re.search(r'href="(/static/css/imena\.[0-9a-f]{12}\.css)"', page)
        assert css, "the stylesheet link is not the hashed name from collectstatic"

        status, headers, body = _get(base + css.group(1), **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in headers["Cache-Control"]
        assert b".topbar" in gzip.decompress(body)

        # An idle connection stays open longer than gunicorn's default 2 s, so
        # a client (a proxy's pool) reusing it is not reset (#13 item 5).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", "/healthz")
            assert connection.getresponse().read()
            time.sleep(3.5)
            connection.request("GET", "/healthz")
            assert connection.getresponse().status == 200
        finally:
            connection.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is unset or the example value"),
        (
            {"SECRET_KEY": "change-me-to-a-long-random-string"},
            "SECRET_KEY is unset or the example value",
        ),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"DEBUG": "True"}, "DEBUG is on"),
        ({"IMENA_AUDIT_KEY": ""}, "IMENA_AUDIT_KEY is unset or the example value"),
        (
            {"IMENA_FAMILY_LIAISON_CONTACT": " "},
            "IMENA_FAMILY_LIAISON_CONTACT is empty",
        ),
    ],
    ids=["no-key", "example-key", "no-hosts", "debug", "no-audit-key", "no-contact"],
)
def test_serve_refuses_an_unsafe_configuration(tmp_path, extra, reason) -> None:
    env = _env(tmp_path, SQLITE_PATH=str(tmp_path / "db.sqlite3"), **extra)
    result = _serve(["--bind", "127.0.0.1:1"], env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], result.stderr


def test_serve_refuses_pending_migrations(tmp_path) -> None:
    env = _env(tmp_path, DATABASE_URL="", SQLITE_PATH=str(tmp_path / "new.sqlite3"))
    result = _serve(["--bind", "127.0.0.1:1"], env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "migration(s) not applied" in lines[0]
    assert "run imena migrate" in lines[0]


@pytest.mark.django_db
def test_healthz_answers_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_evidence_store_is_not_writable(
    client, settings, tmp_path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.EVIDENCE_ROOT = blocker / "evidence"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["evidence_store"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.fixture
def demo_settings(settings, tmp_path):
    """What a fresh machine's demo starts with: the development keys, no
    family liaison contact, only localhost."""
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.IMENA_AUDIT_KEY = None
    settings.IMENA_FAMILY_LIAISON_CONTACT = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.STATIC_ROOT = tmp_path / "static"
    return settings


@pytest.mark.django_db
def test_the_demo_serves_through_gunicorn_on_its_own_key(
    demo_settings, tmp_path, monkeypatch
) -> None:
    from imena.core import serve
    from imena.demo.management.commands.demo import Command

    calls = []
    monkeypatch.setattr(
        serve, "exec_gunicorn", lambda argv, env: calls.append((argv, env))
    )
    Command()._serve(tmp_path, "127.0.0.1", 8123)
    ((argv, env),) = calls
    assert argv[1:4] == ["-m", "gunicorn", "config.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert env["DEBUG"] == "False"
    assert env["SECRET_KEY"] not in demo_settings.EXAMPLE_SECRET_KEYS
    assert len(env["SECRET_KEY"]) >= 50
    assert (tmp_path / "demo-secret-key").stat().st_mode & 0o077 == 0
    # Its own audit key too, never the public development key.
    assert len(env["IMENA_AUDIT_KEY"]) >= 50
    assert (tmp_path / "demo-audit-key").stat().st_mode & 0o077 == 0
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")
    assert "synthetic" in env["IMENA_FAMILY_LIAISON_CONTACT"]  # the demo names one


@pytest.mark.django_db
def test_the_demo_starts_the_identification_worker_on_the_servers_keys(
    demo_settings, tmp_path, monkeypatch
) -> None:
    from imena.core import serve
    from imena.demo.management.commands.demo import Command
    from imena.demo.services import DEMO_ORG_CODE

    order = []
    monkeypatch.setattr(
        serve, "exec_gunicorn", lambda argv, env: order.append(("server", env))
    )

    class Started:
        pid = 4321

    def start_worker(organisation, env):
        order.append(("worker", organisation, env))
        return Started()

    monkeypatch.setattr(serve, "start_worker", start_worker)
    Command()._serve(tmp_path, "127.0.0.1", 8123, worker=True)
    (_, organisation, worker_env), (_, server_env) = order
    assert organisation == DEMO_ORG_CODE
    # The worker signs its audit entries with the server's key.
    assert worker_env["IMENA_AUDIT_KEY"] == server_env["IMENA_AUDIT_KEY"]
    assert worker_env["SECRET_KEY"] == server_env["SECRET_KEY"]
    order.clear()
    Command()._serve(tmp_path, "127.0.0.1", 8123)
    assert [o[0] for o in order] == ["server"]
