"""Issue 18: the simulator types Y-STR and mtDNA for some families and the bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imena.simulation.lineage import Y_RATE


def test_some_families_and_the_bodies_are_typed_for_lineage_markers(
    out: Path, truth: dict[str, Any]
) -> None:
    case = json.loads((out / "dna/case.json").read_text("utf-8"))
    typed = {fid: f for fid, f in case["am"].items() if "ystr" in f or "mtdna" in f}
    assert 0 < len(typed) < len(case["am"])
    assert any("ystr" in f for f in typed.values())
    assert any("mtdna" in f for f in typed.values())
    for fid, fam in typed.items():
        assert truth["families"][fid]["pedigree"] not in ("parents", "mother", "father")
        assert set(fam.get("ystr", {})) <= set(fam["genotypes"])
    men = [v for v in case["pm"].values() if v["sex"] == 1]
    assert men and all("ystr" in v for v in men)
    assert all("mtdna" in v for v in case["pm"].values())
    assert not any("ystr" in v for v in case["pm"].values() if v["sex"] == 2)
    for name, rows in (("ystr", "haplotypes"), ("mtdna", "sequences")):
        table = json.loads((out / f"dna/{name}_table.json").read_text("utf-8"))
        assert table == case[f"{name}_database"] and len(table[rows]) == 2000


def test_line_sharing_relatives_carry_the_body_s_haplotype(
    out: Path, truth: dict[str, Any]
) -> None:
    case = json.loads((out / "dna/case.json").read_text("utf-8"))
    same = differ = 0
    for fid, fam in case["am"].items():
        pm = truth["persons"][truth["families"][fid]["person_id"]]["body"]
        body = case["pm"].get(pm) if pm else None
        if body is None or "ystr" not in body:
            continue
        for hap in fam.get("ystr", {}).values():
            steps = sum(
                abs(int(a) - int(b))
                for locus in hap
                for a, b in zip(hap[locus], body["ystr"][locus], strict=True)
            )
            same += steps == 0
            differ += steps > 0
    # 27 copies, a few meioses at 2.5e-3: most relatives carry the same haplotype.
    assert same > 0 and differ <= max(1, same * 27 * 6 * Y_RATE * 3)
