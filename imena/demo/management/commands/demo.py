from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.audit import keys as audit_keys
from imena.core import serve
from imena.core.commands import ImenaCommand
from imena.demo.services import DEMO_ORG_CODE, demo_load
from imena.simulation import simulate

#: What the demo's public pages tell families to contact (no real office).
DEMO_LIAISON_CONTACT = (
    "Demo family liaison office (synthetic): 1 Example Street, Kyiv; +380 00 000 00 00"
)


class Command(ImenaCommand):
    help = (
        "Create a local database in the data folder, migrate, load a simulated "
        "scenario, create one demo user per role, print the logins and serve."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Do everything but serve."
        )
        parser.add_argument("--seed", type=int, default=4242, help="Scenario seed.")
        parser.add_argument("--addr", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument(
            "--national",
            action="store_true",
            help="Load the national scenario (40 sites, 10,000 bodies, 55,000 "
            "reports) instead of one site.",
        )
        parser.add_argument(
            "--sites",
            type=int,
            default=None,
            help="National scenario with N sites (250 bodies each).",
        )
        parser.add_argument(
            "--missing",
            type=int,
            default=None,
            help="National scenario: number of missing-person reports.",
        )
        parser.add_argument(
            "--compute",
            action="store_true",
            help="National scenario: also run DNA screening and candidate lists "
            "(the one-site demo always does).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="No progress bars (loading steps on stderr).",
        )

    def handle(self, *args: Any, **options: Any) -> None:

        data_dir = Path(settings.DATA_DIR)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CommandError(
                f"cannot create the data folder {data_dir}: {e}"
            ) from None
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write("Preparing the database ...")
        call_command("migrate", interactive=False, verbosity=0)
        national = options["national"] or any(
            options[k] is not None for k in ("sites", "missing")
        )
        for key in ("sites", "missing"):
            if options[key] is not None and options[key] < 1:
                raise CommandError(f"--{key} must be 1 or more")
        if national:
            size = "-".join(
                str(options[k]) for k in ("sites", "missing") if options[k] is not None
            )
            name = f"national-{options['seed']}" + (f"-{size}" if size else "")
        else:
            name = f"scenario-{options['seed']}"
        scenario_dir = data_dir / name
        if not (scenario_dir / "manifest.json").exists():
            self.stdout.write(
                f"Simulating scenario (seed {options['seed']}) into {scenario_dir} ..."
            )
            if national:
                simulate(
                    seed=options["seed"],
                    out=scenario_dir,
                    national=True,
                    sites=options["sites"],
                    missing=options["missing"],
                )
            else:
                simulate(seed=options["seed"], out=scenario_dir)
        result = demo_load(
            scenario_dir=scenario_dir,
            progress=not options["no_progress"],
            compute=options["compute"] or not national,
        )
        if result.created:
            loaded = ", ".join(f"{k}: {v}" for k, v in sorted(result.summary.items()))
            self.stdout.write(f"Loaded the synthetic scenario ({loaded}).")
        else:
            self.stdout.write("The demo data is already loaded.")
        url = f"http://{options['addr']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(f"Imena demo: {url}")
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username:<11} {password:<17} {role}")
        self.stdout.write("All people and data in the demo are synthetic.")
        if options["no_serve"]:
            return
        if national:
            # (A worker keeps every site it computes in memory: at the national
            # preset's size 17 GB; docs/deploy.md.)
            self.stdout.write(
                "Changes (a new report, a PM record, a DNA profile) wait for "
                '`imena identification update` or a site\'s "Compute candidates" button.'
            )
        self._serve(data_dir, options["addr"], options["port"], worker=not national)

    def _serve(
        self, data_dir: Path, addr: str, port: int, worker: bool = False
    ) -> None:
        """The production server path (gunicorn, WhiteNoise), on a demo key;
        with ``worker`` the identification worker beside it, as a deployment
        runs it (``serve.start_worker``)."""

        env = {"DEBUG": "False"}
        if settings.SECRET_KEY in settings.EXAMPLE_SECRET_KEYS:
            # The demo's own random key, kept in the data folder so that
            # sessions survive a restart; never the public example key.
            key_file = data_dir / "demo-secret-key"
            if not key_file.exists():
                key_file.write_text(secrets.token_urlsafe(50))
                key_file.chmod(0o600)
            settings.SECRET_KEY = key_file.read_text().strip()
            env["SECRET_KEY"] = settings.SECRET_KEY
        if not audit_keys.key_configured():
            # Likewise the demo's own audit key; entries written while loading
            # (with the development key) still verify, as that key is known.
            key_file = data_dir / "demo-audit-key"
            if not key_file.exists():
                key_file.write_text(secrets.token_urlsafe(50))
                key_file.chmod(0o600)
            settings.IMENA_AUDIT_KEY = key_file.read_text().strip()
            env["IMENA_AUDIT_KEY"] = settings.IMENA_AUDIT_KEY
        if not settings.IMENA_FAMILY_LIAISON_CONTACT.strip():
            settings.IMENA_FAMILY_LIAISON_CONTACT = DEMO_LIAISON_CONTACT
            env["IMENA_FAMILY_LIAISON_CONTACT"] = DEMO_LIAISON_CONTACT
        hosts = list(settings.ALLOWED_HOSTS)
        if addr not in hosts and addr not in ("0.0.0.0", "::"):
            hosts.append(addr)
            env["ALLOWED_HOSTS"] = ",".join(hosts)
            settings.ALLOWED_HOSTS = hosts
        serve.check_can_serve()
        serve.collect_static()
        if worker:
            process = serve.start_worker(DEMO_ORG_CODE, env)
            self.stdout.write(
                f"Identification worker started (process {process.pid}): changes "
                "are taken into account within seconds."
            )
        bind = f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"
        serve.exec_gunicorn(
            serve.gunicorn_argv(bind=bind, workers=2, threads=4, timeout=120), env
        )
