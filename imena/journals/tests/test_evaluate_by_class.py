"""``imena evaluate journals`` reports pairwise scores by class of difficulty
and the review items per 1,000 rows (#15 item 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _imena(*args: str) -> str:
    # the command builds its own throwaway database: run it as the CLI does
    done = subprocess.run(
        [sys.executable, "-m", "imena", *args], check=True, capture_output=True,
        text=True, cwd=ROOT,
    )  # fmt: skip
    return done.stdout


def test_evaluate_journals_prints_scores_by_class(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    subprocess.run(
        [sys.executable, "-m", "imena.simulation", "--seed", "4", "--out", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    lines = _imena("evaluate", "journals", str(out))
    assert "pairwise F1:" in lines  # the existing lines stay
    assert "review items per 1,000 rows:" in lines
    assert "grave agrees: precision" in lines and "unnamed: precision" in lines
    result = json.loads(_imena("evaluate", "journals", str(out), "--json"))
    by_class = result["by_class"]
    assert {"grave agrees", "unnamed"} <= set(by_class)
    assert sum(c["true_pairs"] for c in by_class.values()) == (
        result["true_positive_pairs"] + result["false_negative_pairs"]
    )
    assert by_class["grave agrees"]["precision"] > 0.95
    assert 0 < result["review_items_per_1000_rows"] < 1000
    # every pair with a row without a grave number (#15's target)
    assert "rows without a grave number: precision" in lines
    assert result["without_grave_number"]["true_pairs"] > 0
    # one person written twice in one journal at no common grave number
    assert "same journal, no common grave number: precision" in lines
    assert result["same_journal_no_common_grave"]["true_pairs"] > 0
