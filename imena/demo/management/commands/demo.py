from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.core.commands import ImenaCommand
from imena.demo.services import demo_load


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

    def handle(self, *args: Any, **options: Any) -> None:
        from imena.simulation import simulate

        data_dir = Path(settings.DATA_DIR)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CommandError(
                f"cannot create the data folder {data_dir}: {e}"
            ) from None
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        scenario_dir = data_dir / f"scenario-{options['seed']}"
        if not (scenario_dir / "manifest.json").exists():
            self.stdout.write(
                f"Simulating scenario (seed {options['seed']}) into {scenario_dir} ..."
            )
            simulate(seed=options["seed"], out=scenario_dir)
        result = demo_load(scenario_dir=scenario_dir)
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
        call_command(
            "runserver",
            f"{options['addr']}:{options['port']}",
            use_reloader=False,
            insecure_serving=True,
        )
