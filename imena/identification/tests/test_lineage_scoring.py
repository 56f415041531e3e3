"""Issue 18: the vectorised Y-STR path gives the scalar lineage LRs (no database)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from imena.identification.lineage import LineageScorer, add_lineage, lineage_data
from imena.simulation.lineage import Lineages, mt_json, y_json
from kinship.case import Family, Pedigree


def test_the_vectorised_y_path_gives_the_scalar_lrs() -> None:
    rng = random.Random(4)
    pop = Lineages(rng)
    victims: dict[str, dict[str, object]] = {}
    for i in range(60):
        entry: dict[str, object] = {"mtdna": mt_json(pop.founder_mt())}
        if i % 5:
            hap = y_json(pop.founder_y())
            if i % 7 == 0:
                del hap["DYS391"]  # partly typed: the scalar path
            entry["ystr"] = hap
        victims[f"B{i}"] = entry
    base = y_json(pop.founder_y())
    victims["B1"]["ystr"] = dict(base)  # the uncle's line
    families: dict[str, dict[str, object]] = {}
    targets = []
    for j in range(40):
        ped = Pedigree.from_lists(
            ["GF", "GM", "FA", "UN", "MO", "MP"],
            [None, None, "GF", "GF", None, "FA"],
            [None, None, "GM", "GM", None, "MO"],
            [1, 2, 1, 1, 2, 1],
        )
        fam: dict[str, object] = {"mtdna": {"MO": mt_json(pop.founder_mt())}}
        if j % 3:
            fam["ystr"] = {"UN": base if j == 1 else y_json(pop.founder_y())}
        families[f"P{j}"] = fam
        targets.append((Family(f"P{j}", ped, {}), "MP"))
    tables = {
        "ystr_database": {
            "haplotypes": [y_json(pop.founder_y()) for _ in range(300)],
            "rates": {"DYS19": 0.004},
        },
        "mtdna_database": {
            "sequences": [mt_json(pop.founder_mt()) for _ in range(300)]
        },
    }
    data = lineage_data(tables, victims, families)
    assert data is not None
    names = list(victims)
    hv, ht = (a.ravel().astype(np.int32) for a in np.meshgrid(
        np.arange(len(names)), np.arange(len(targets)), indexing="ij"
    ))  # fmt: skip
    got = np.zeros(len(hv))
    add_lineage(data, names, targets, hv, ht, got, {})
    scalar = LineageScorer(data, {f.name: (f, m) for f, m in targets}, {})
    expected = [
        scalar.log10(names[v], *targets[t]) or 0.0 for v, t in zip(hv, ht, strict=True)
    ]
    assert got == pytest.approx(np.array(expected), rel=1e-9, abs=1e-9)
    shared = scalar.y_log("B1", *targets[1])  # the same line: a Y LR above 1
    assert shared is not None and shared > 0
