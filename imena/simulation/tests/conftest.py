from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imena.simulation import Summary, simulate


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("sim") / "seed7"
    return out, simulate(7, out)


@pytest.fixture(scope="session")
def out(run: tuple[Path, Summary]) -> Path:
    return run[0]


@pytest.fixture(scope="session")
def truth(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "truth.json").read_text("utf-8"))
    return data
