"""Screening tests reuse the DNA app's small case; the simulated scenario is here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imena.dna.tests.conftest import (  # noqa: F401 - fixtures
    analyst,
    grave,
    site,
    small_case,
)


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated scenario (seed 1, 30 graves), written once per session."""
    from imena.simulation import simulate

    out = tmp_path_factory.mktemp("sim1")
    simulate(seed=1, out=out, graves=30)
    return out


@pytest.fixture
def scenario(simulated: Path, org: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The simulated scenario loaded through every app's loader."""
    from imena.demo.loader import load_scenario
    from imena.lib.scenario import ScenarioContext

    context = ScenarioContext(
        directory=simulated,
        organisation=org,
        actor=users["forensic_examiner"],
        users={"dna": users["dna_analyst"]},
    )
    summary = load_scenario(context)
    truth = json.loads((simulated / "truth.json").read_text("utf-8"))
    return {"context": context, "summary": summary, "truth": truth}
