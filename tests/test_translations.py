"""Every Ukrainian catalogue is complete: no empty or fuzzy translation."""

from __future__ import annotations

from pathlib import Path

import pytest

polib = pytest.importorskip("polib")

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/uk/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def test_there_is_a_catalogue_for_the_project_and_each_app_with_pages() -> None:
    assert ROOT / "locale/uk/LC_MESSAGES/django.po" in CATALOGUES
    for app in [
        "journals",
        "exhumations",
        "missing",
        "dna",
        "identification",
        "reports",
        "odk",
        "families",
    ]:
        assert ROOT / f"imena/{app}/locale/uk/LC_MESSAGES/django.po" in CATALOGUES, app


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(path: Path) -> None:
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:5]}"
