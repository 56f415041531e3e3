"""The repository stands alone: no tracked file names a path outside it.

A clone in any folder, with nothing beside it, must pass the test command, so no
tracked file may point at a machine's absolute paths or at a sibling ``../shared``.
"""

from __future__ import annotations

import re
import subprocess

from tests.paths import DVI_EXAMPLES, PFIF, ROOT

# Home and workspace folders of a machine, and the development workspace's shared folder.
FORBIDDEN = re.compile(
    r"(?<![\w.])(?:/work/|/home/[a-z_]|/root/|/Users/[A-Za-z]|[A-Z]:\\\\Users)"
    r"|\.\./shared\b"
)
THIS = "tests/test_self_contained.py"
# Paths inside the container image (its own file system), not of any machine.
IMAGE_FILES = ("Dockerfile", "compose.yaml", ".dockerignore")


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [
        name
        for name in out.decode().split("\0")
        if name and name != THIS and name.rsplit("/", 1)[-1] not in IMAGE_FILES
    ]


def offending_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if FORBIDDEN.search(line)]


def test_the_pattern_catches_machine_paths() -> None:
    assert offending_lines('DVI = Path("/work/shared/data/dvi-examples")')
    assert offending_lines("see ../shared/data/pfif/sample.xml")
    assert offending_lines("cd /home/alice/imena && make")
    assert offending_lines("/root/.cache/x")
    assert not offending_lines("executable_path='/usr/bin/chromium'")
    assert not offending_lines("tests/data/dvi-examples/example2.json")


def test_no_tracked_file_names_an_absolute_path_of_a_machine() -> None:
    found = []
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file() or path.is_symlink():
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # binary files (images, spreadsheets)
        found += [f"{name}: {line}" for line in offending_lines(text)]
    assert not found, "\n".join(found)


def test_the_test_data_is_in_the_repository() -> None:
    assert len(list(DVI_EXAMPLES.glob("*.json"))) == 12
    assert (PFIF / "sample.xml").is_file() and (PFIF / "pfif-1.4.rnc").is_file()
    for licence in ("LICENSE-personfinder.txt", "LICENSE-pfif-spec-GFDL-1.2.txt"):
        assert (PFIF / licence).is_file()
