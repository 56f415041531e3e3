"""Production serving: gunicorn with WhiteNoise, after refusing unsafe starts.

`imena serve` and `imena demo` both end here, so the demo runs the same server
path as a deployment (and as the container's command).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.core.deploy import config_problems, pending_migrations

# Path only, no query string: searches for people must not land in the log.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def check_can_serve() -> None:
    """Raise CommandError with a one-line reason when the server must not start."""
    if settings.DEBUG:
        raise CommandError(
            "DEBUG is on: imena serve is for production; set DEBUG=False "
            "(or use imena runserver while developing)"
        )
    problems = config_problems()
    if problems:
        raise CommandError(f"refusing to serve: {problems[0]}")
    pending = pending_migrations()
    if pending:
        raise CommandError(
            f"refusing to serve: {len(pending)} database migration(s) not applied "
            f"(first: {pending[0]}); run imena migrate"
        )


def collect_static() -> None:
    """Hashed and compressed copies of the static files for WhiteNoise."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)


#: Seconds gunicorn keeps an idle connection open for the next request. Longer
#: than the idle time of what connects to it (the proxy's pool of upstream
#: connections, a client's session; Caddy's default is 2 min and is set to 60 s
#: in deploy/Caddyfile), so that the client closes an idle connection first.
#: Gunicorn's default (2 s) closed connections that a client was reusing at that
#: moment: "connection reset by peer" under load (#13 item 5).
KEEP_ALIVE = 75


def gunicorn_argv(
    *, bind: str, workers: int, threads: int, timeout: int, keep_alive: int = KEEP_ALIVE
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--chdir",
        str(settings.BASE_DIR),
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        "--keep-alive",
        str(keep_alive),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    ]


def exec_gunicorn(argv: list[str], env: dict[str, str] | None = None) -> NoReturn:
    """Replace this process with gunicorn (signals reach it directly)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, {**os.environ, **(env or {})})


def _end_with_parent() -> None:
    """In the child before it runs: ask Linux for SIGTERM when the parent ends
    (``prctl(PR_SET_PDEATHSIG)``); elsewhere nothing (the child outlives it)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def start_worker(
    organisation: str, env: dict[str, str] | None = None, interval: float = 5.0
) -> subprocess.Popen[bytes]:
    """The identification worker (``imena identification update --loop``) in a
    child process that ends with this one, for ``imena demo``: a deployment runs
    it as a service of its own (docs/deploy.md). Its lines go to this process's
    output."""
    sys.stdout.flush()
    sys.stderr.flush()
    return subprocess.Popen(
        [sys.executable, "-m", "imena", "identification", "update", "--loop"]
        + ["--organisation", organisation, "--interval", str(interval)],
        cwd=str(settings.BASE_DIR),
        env={**os.environ, **(env or {})},
        preexec_fn=_end_with_parent,
    )
