from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from imena.simulation.cli import main


def test_it_writes_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--seed", "1", "--out", str(tmp_path / "o"), "--graves", "30"]) == 0
    assert "30 graves" in capsys.readouterr().out
    assert (tmp_path / "o/manifest.json").is_file()


def test_it_accepts_the_subcommand_word(tmp_path: Path) -> None:
    assert (
        main(["simulate", "--seed", "1", "--out", str(tmp_path / "o"), "--graves", "5"])
        == 0
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--seed", "1", "--out", "X", "--bogus"],
        ["--seed", "-3", "--out", "X"],
        ["--seed", "1", "--out", "X", "--graves", "-1"],
        ["--seed", "1", "--out", "X", "--scale", "0"],
        ["--seed", "one", "--out", "X"],
        ["--out", "X"],
    ],
)
def test_it_rejects_bad_input(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(tmp_path / a) if a == "X" else a for a in argv]
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err and "Traceback" not in err


def test_it_rejects_an_unwritable_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--seed", "1", "--out", str(blocker / "sub"), "--graves", "5"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


def test_python_m_runs(tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "imena.simulation",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "m"),
            "--graves",
            "20",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "m/dna/case.json").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "imena.simulation", "--nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
