"""Published numbers of dvir's example cases (used as oracles only)."""

from __future__ import annotations

import glob
import json
import math
from pathlib import Path

import pytest

from kinship.case import load_case
from kinship.identify import joint, pairwise_lr
from tests.paths import DVI_EXAMPLES

EXAMPLES = DVI_EXAMPLES
CASES = sorted(glob.glob(str(EXAMPLES / "*.json")))


def test_every_example_case_is_in_the_repository() -> None:
    assert len(CASES) == 12


def test_example2_pairwise_lr_v2_m2_is_5() -> None:
    lr = pairwise_lr(load_case(EXAMPLES / "example2.json"))
    assert lr["V2"]["M2"] == pytest.approx(5.0, rel=1e-9)


def test_example2_joint_ranking_and_posteriors() -> None:
    res = joint(load_case(EXAMPLES / "example2.json"))
    best = res.assignments[0]
    assert best.assignment == {"V1": "M1", "V2": "M2", "V3": "M3"}
    assert [a.lr for a in res.assignments[:4]] == pytest.approx(
        [250, 50, 25, 5], rel=1e-9
    )
    assert round(res.marginals["V1"]["M1"], 4) == 0.8793
    assert round(res.marginals["V2"]["M2"], 4) == 0.9483
    assert round(res.marginals["V3"]["M3"], 4) == 0.8333
    assert res.exact


@pytest.mark.parametrize(
    ("victim", "missing", "expected"),
    [("V1", "M1", 121.347585), ("V2", "M2", 36.563503), ("V3", "M1", 0.002019597)],
)
def test_fire_pairwise_with_proportional_mutation(
    victim: str, missing: str, expected: float
) -> None:
    lr = pairwise_lr(load_case(EXAMPLES / "fire.json"))
    assert lr[victim][missing] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("path", CASES, ids=[Path(c).stem for c in CASES])
def test_every_example_runs_and_is_sane(path: str) -> None:
    case = load_case(path)
    lr = pairwise_lr(case)
    assert all(x >= 0 and math.isfinite(x) for row in lr.values() for x in row.values())
    res = joint(case, top=5)
    assert res.assignments
    assert [a.log_lr for a in res.assignments] == sorted(
        (a.log_lr for a in res.assignments), reverse=True
    )
    for v, marg in res.marginals.items():
        assert sum(marg.values()) == pytest.approx(1.0, abs=1e-9), v
    json.dumps(res.to_json(5), allow_nan=False)
