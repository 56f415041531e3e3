"""Issue 18: a simulated case with Y-STR and mtDNA data loads in ``kinship``."""

from __future__ import annotations

import json
from pathlib import Path

from imena.simulation import simulate
from kinship import load_case


def test_the_simulated_case_with_lineage_markers_loads_in_kinship(
    tmp_path: Path,
) -> None:
    simulate(seed=11, out=tmp_path, graves=20)
    case = load_case(json.loads((tmp_path / "dna/case.json").read_text("utf-8")))
    assert len(case.lineage.y_table) == 2000 and case.lineage.mt_table
    assert case.lineage.y_victims and case.lineage.mt_victims
    assert case.lineage.y_refs or case.lineage.mt_refs
