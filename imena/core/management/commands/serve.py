from __future__ import annotations

import os
from typing import Any

from imena.core.commands import ImenaCommand
from imena.core.serve import (
    KEEP_ALIVE,
    check_can_serve,
    collect_static,
    exec_gunicorn,
    gunicorn_argv,
)


class Command(ImenaCommand):
    help = (
        "Serve Imena in production: gunicorn with WhiteNoise for static files. "
        "Refuses to start with DEBUG on, the example SECRET_KEY, empty "
        "ALLOWED_HOSTS or migrations not applied."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("IMENA_BIND", "127.0.0.1:8000"),
            help="Address and port (default IMENA_BIND or 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("IMENA_WEB_WORKERS", "2")),
            help="Worker processes (default IMENA_WEB_WORKERS or 2).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("IMENA_WEB_THREADS", "4")),
            help="Threads per worker (default IMENA_WEB_THREADS or 4).",
        )
        parser.add_argument(
            "--timeout", type=int, default=120, help="Worker timeout in seconds."
        )
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=int(os.environ.get("IMENA_WEB_KEEPALIVE", str(KEEP_ALIVE))),
            help="Seconds an idle connection stays open (default IMENA_WEB_KEEPALIVE "
            f"or {KEEP_ALIVE}; keep it above the proxy's idle timeout).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_can_serve()
        collect_static()
        self.stdout.write(f"Serving Imena on http://{options['bind']}/ (gunicorn)")
        exec_gunicorn(
            gunicorn_argv(
                bind=options["bind"],
                workers=options["workers"],
                threads=options["threads"],
                timeout=options["timeout"],
                keep_alive=options["keep_alive"],
            )
        )
