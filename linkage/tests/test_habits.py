"""Journals as people really write them (#15): the committed journals in
``data/habits`` through ``imena reconcile``, scored by class of difficulty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linkage.cli import main
from linkage.tests.habits import DATA, score, write


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("habits") / "clusters.csv"
    files = [str(DATA / "funeral.csv"), str(DATA / "volunteers.csv")]
    assert main([*files, "--out", str(out)]) == 0
    return score(DATA, out)


def test_the_committed_journals_are_the_generators(tmp_path: Path) -> None:
    write(tmp_path)
    for f in ("funeral.csv", "volunteers.csv", "truth.csv"):
        assert (tmp_path / f).read_bytes() == (DATA / f).read_bytes(), f


def test_overall(result: dict[str, Any]) -> None:
    s = result["all"]
    assert s.precision >= 0.99 and s.f1 >= 0.978, s


@pytest.mark.parametrize(
    ("cls", "recall"),
    [("grave missing", 0.95), ("grave differs", 0.95), ("grave agrees", 0.96),
     ("unnamed", 0.95), ("same journal", 0.7)],
)  # fmt: skip
def test_by_class(result: dict[str, Any], cls: str, recall: float) -> None:
    s = result["class"][cls]
    assert s.precision >= 0.99 and s.recall >= recall, s


@pytest.mark.parametrize(
    "habit",
    ["no_grave", "plank", "wrong_grave", "initials", "latin", "caps_typo",
     "age_only", "unnamed"],
)  # fmt: skip
def test_each_habit_is_linked(result: dict[str, Any], habit: str) -> None:
    s = result["habit"][habit]
    assert s.precision == 1.0 and s.recall == 1.0, s


def test_namesakes_stay_apart(result: dict[str, Any]) -> None:
    # different people who share a surname and given name: no false pair
    assert all(s.false_positives == 0 for s in result["class"].values())
