"""compose.yaml: what `docker compose up -d` runs (docs/deploy.md).

Docker is not on the test machine: the file is read as YAML and its services'
commands parsed by the commands they start.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from imena.identification.management.commands.identification import Command
from imena.identification.shards import Shard
from tests.paths import ROOT

# ``${NAME:?message}`` / ``${NAME}``: compose fills them in from .env.
VARIABLE = re.compile(r"\$\{(\w+)(?::\?[^}]*)?\}")


def services() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


def workers() -> dict[str, Any]:
    return {
        name: s
        for name, s in services().items()
        if s.get("command", [])[:3] == ["identification", "update", "--loop"]
    }


def _example_env() -> set[str]:
    names = set()
    for line in (ROOT / ".env.production.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            names.add(line.partition("=")[0])
    return names


def test_the_default_services_include_the_identification_workers() -> None:
    found = workers()
    assert found, "no service runs `identification update --loop`"
    for name, service in found.items():
        # Started by `docker compose up -d` (no profile), restarted if it stops.
        assert "profiles" not in service, name
        assert service["restart"] == "unless-stopped", name


def test_the_workers_shards_cover_every_site_once() -> None:
    shards = []
    for name, service in workers().items():
        # (``imena identification ...``: the parser reads what follows the name)
        options = (
            Command()
            .create_parser("imena", "identification")
            .parse_args([VARIABLE.sub("demo", arg) for arg in service["command"][1:]])
        )
        assert options.loop, name
        shards.append(Shard.parse(options.shard) if options.shard else None)
    if None in shards:
        # One worker for all the sites, and no other beside it.
        assert shards == [None]
    else:
        counts = {s.count for s in shards if s is not None}
        assert len(counts) == 1, counts
        assert sorted(s.index for s in shards if s is not None) == list(
            range(counts.pop())
        )


def test_the_workers_run_as_the_web_server_does() -> None:
    web = services()["web"]
    for name, service in workers().items():
        assert service["image"] == web["image"], name
        assert service["env_file"] == web["env_file"], name
        assert (
            service["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
        ), name
        # The screening tables and audit anchors are in the data folder.
        assert sorted(service["volumes"]) == sorted(web["volumes"]), name
        # Once the web service has applied the migrations.
        assert service["depends_on"]["web"]["condition"] == "service_healthy", name


def test_each_workers_health_is_that_of_its_own_shard() -> None:
    """The probe (not the image's, which asks the web server): ``imena
    identification workers --check`` for the worker's organisation and shard."""
    parser = Command().create_parser("imena", "identification")
    for name, service in workers().items():
        command = parser.parse_args(
            [VARIABLE.sub("demo", arg) for arg in service["command"][1:]]
        )
        health = service["healthcheck"]
        assert health["test"][:4] == ["CMD", "imena", "identification", "workers"]
        probe = parser.parse_args(
            [VARIABLE.sub("demo", arg) for arg in health["test"][3:]]
        )
        assert probe.check, name
        assert (probe.shard, probe.organisation) == (
            command.shard,
            command.organisation,
        ), name
        # The same variable as the command's (compose fills both from .env).
        assert VARIABLE.findall(" ".join(health["test"])) == VARIABLE.findall(
            " ".join(service["command"])
        ), name


def test_every_variable_the_workers_need_is_in_the_production_example() -> None:
    example = _example_env()
    for name, service in workers().items():
        for arg in service["command"]:
            for variable in VARIABLE.findall(arg):
                assert variable in example, (name, variable)
