from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from imena.accounts.models import Role

SIM_DIR = Path("/tmp/imena-missing-sim-4242")


@pytest.fixture
def liaison(users):
    return users[Role.FAMILY_LIAISON]


@pytest.fixture
def analyst(users):
    return users[Role.DNA_ANALYST]


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory) -> Path:
    """A small simulated scenario (the simulator is run once per session)."""
    out = tmp_path_factory.mktemp("sim") / "s"
    try:
        from imena.simulation import simulate
    except ImportError:  # pragma: no cover - simulator not there yet
        pytest.skip("imena.simulation is not available")
    try:
        simulate(seed=4242, out=out, graves=60)
    except TypeError:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "imena.simulation",
                "--seed",
                "4242",
                "--out",
                str(out),
            ],
            check=True,
        )
    return out
