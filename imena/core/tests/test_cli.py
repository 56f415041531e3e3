"""The `imena` command's handling of bad input: one line, non-zero, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "imena", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_an_unknown_option_is_one_line() -> None:
    result = run("audit", "verify", "--bogus")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--bogus" in result.stderr


@pytest.mark.parametrize(
    "url", ["mysql://x/y", "postgres://nobody@127.0.0.1:1/nodb", "not a url"]
)
def test_a_bad_database_url_is_one_line(url: str) -> None:
    result = run("audit", "verify", env={"DATABASE_URL": url})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unwritable_simulate_out_is_one_line(tmp_path) -> None:
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o500)
    if os.access(target, os.W_OK):  # running as root: use a path under a file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        out = str(blocker / "sub")
    else:
        out = str(target / "sub")
    result = run("simulate", "--seed", "1", "--out", out)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "argv",
    [
        ["missing", "export-pfif", "--out", "x.xml", "--organisation", "nowhere"],
        [
            "import",
            "lineage-table",
            "t.csv",
            "--kind",
            "ystr",
            "--organisation",
            "nowhere",
        ],
        ["import", "profiles", "p.csv", "--kind", "pm", "--organisation", "nowhere"],
    ],
    ids=["missing", "lineage-table", "profiles"],
)
def test_an_unknown_organisation_code_is_one_clear_error(argv) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"^no organisation with code 'nowhere'$"):
        call_command(*argv)
