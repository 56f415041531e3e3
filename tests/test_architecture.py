"""docs/architecture.md: its diagram is the one generated from the contracts."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "architecture", ROOT / "scripts" / "architecture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


arch = _script()


def test_the_diagram_in_the_doc_is_generated_from_the_current_contracts() -> None:
    doc = arch.DOC.read_text("utf-8")
    assert arch.rewrite(doc, arch.render(arch.contracts())) == doc, (
        "docs/architecture.md is out of date: run python scripts/architecture.py"
    )


def test_check_fails_when_a_contract_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        (ROOT / "pyproject.toml").read_text("utf-8")
        + '\n[[tool.importlinter.contracts]]\nname = "extra"\ntype = "layers"\n'
        'layers = ["imena.reports", "imena.burials"]\n',
        "utf-8",
    )
    doc = tmp_path / "architecture.md"
    doc.write_text(arch.DOC.read_text("utf-8"), "utf-8")
    monkeypatch.setattr(arch, "DOC", doc)
    monkeypatch.setattr(arch, "ROOT", tmp_path)
    monkeypatch.setattr(arch, "contracts", lambda: arch._load(pyproject))
    assert arch.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert arch.main([]) == 0
    assert arch.main(["--check"]) == 0
    assert "imena_reports --> imena_burials" in doc.read_text("utf-8")


@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        (
            {
                "name": "apps",
                "type": "layers",
                "containers": ["imena"],
                "layers": ["demo", "reports | odk", "burials", "accounts : audit"],
            },
            [
                '  imena_demo["demo"]',
                '  subgraph c0_1["independent"]',
                '    imena_reports["reports"]',
                '    imena_odk["odk"]',
                '  subgraph c0_3["may import each other"]',
                "  imena_demo --> c0_1",
                "  c0_1 --> imena_burials",
                "  imena_burials --> c0_3",
            ],
        ),
        (
            {
                "name": "pure",
                "type": "forbidden",
                "source_modules": ["linkage"],
                "forbidden_modules": ["django", "imena.core"],
            },
            [
                '  c0_forbidden["django, core"]',
                "  linkage -. never imports .-> c0_forbidden",
            ],
        ),
        (
            {"name": "one", "type": "independence", "modules": ["linkage", "kinship"]},
            [
                '  subgraph c0["one"]',
                '    linkage["linkage"]',
                '    kinship["kinship"]',
            ],
        ),
    ],
)
def test_each_contract_type_is_drawn(
    contract: dict[str, object], expected: list[str]
) -> None:
    lines = arch.render([contract]).splitlines()
    assert lines[:2] == ["```mermaid", "flowchart TD"]
    for line in expected:
        assert line in lines
