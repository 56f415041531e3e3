"""Ranges in the post-mortem findings are valid for any seed (models enforce min <= max)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imena.simulation import simulate


@pytest.mark.parametrize("seed", range(1, 13))
def test_pm_ranges_are_ordered_and_not_negative(tmp_path: Path, seed: int) -> None:
    simulate(seed=seed, out=tmp_path, graves=200)
    findings = json.loads((tmp_path / "pm" / "findings.json").read_text())["findings"]
    for f in findings:
        for low, high in (("age_min", "age_max"), ("stature_min", "stature_max")):
            if f.get(low) is not None and f.get(high) is not None:
                assert 0 <= f[low] <= f[high], (
                    seed,
                    f["pm_case_no"],
                    low,
                    f[low],
                    f[high],
                )
