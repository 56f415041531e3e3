"""Expected log10 LR of one reference profile per relation (for "what would change it most").

Gene-drops the missing person and one relative through a small pedigree with
``kinship`` (23 loci of the simulator's set, NorskDB frequencies, no mutation,
no drop-out) and prints the mean log10 LR of the true pair, per relation.
The figures are copied into ``imena/identification/adapters.py``
(``DNA_EXPECTED_LOG10``). Run: ``.venv/bin/python benchmarks/bench_dna_expected.py``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kinship.case import Case, Family, Pedigree, Victim  # noqa: E402
from kinship.identify import pairwise_lr  # noqa: E402
from kinship.markers import load_frequency_table  # noqa: E402
from kinship.screen import simulate_genotypes  # noqa: E402

LOCI = [
    "CSF1PO",
    "D10S1248",
    "D12S391",
    "D13S317",
    "D16S539",
    "D18S51",
    "D19S433",
    "D1S1656",
    "D21S11",
    "D22S1045",
    "D2S1338",
    "D2S441",
    "D3S1358",
    "D5S818",
    "D7S820",
    "D8S1179",
    "FGA",
    "PENTA_D",
    "PENTA_E",
    "SE33",
    "TH01",
    "TPOX",
    "VWA",
]
# relation -> (ids, fathers, mothers, sexes, reference id); MP is the missing person.
PEDIGREES = {
    "mother": (
        ["FA", "MO", "MP"],
        [None, None, "FA"],
        [None, None, "MO"],
        [1, 2, 1],
        "MO",
    ),
    "child": (
        ["MP", "SP", "CH"],
        [None, None, "MP"],
        [None, None, "SP"],
        [1, 2, 1],
        "CH",
    ),
    "full_sibling": (
        ["FA", "MO", "MP", "S1"],
        [None, None, "FA", "FA"],
        [None, None, "MO", "MO"],
        [1, 2, 1, 1],
        "S1",
    ),
    "half_sibling_maternal": (
        ["FA", "FA2", "MO", "MP", "HS"],
        [None, None, None, "FA", "FA2"],
        [None, None, None, "MO", "MO"],
        [1, 1, 2, 1, 1],
        "HS",
    ),
    "grandparent": (
        ["GF", "GM", "FA", "MO", "MP"],
        [None, None, "GF", None, "FA"],
        [None, None, "GM", None, "MO"],
        [1, 2, 1, 2, 1],
        "GM",
    ),
    "uncle_aunt": (
        ["GF", "GM", "FA", "UN", "MO", "MP"],
        [None, None, "GF", "GF", None, "FA"],
        [None, None, "GM", "GM", None, "MO"],
        [1, 2, 1, 1, 2, 1],
        "UN",
    ),
}


def main(n: int = 200) -> None:
    table = load_frequency_table()
    markers = {k: table[k] for k in LOCI if k in table}
    rng = np.random.default_rng(1)
    for rel, (ids, fid, mid, sex, ref) in PEDIGREES.items():
        ped = Pedigree.from_lists(ids, fid, mid, sex)
        vals = []
        for _ in range(n):
            g = simulate_genotypes(ped, markers, rng, ids=["MP", ref])
            case = Case(
                markers,
                {"V": Victim("V", 1, g["MP"])},
                {"F": Family("F", ped, {ref: g[ref]})},
                ["MP"],
            )
            lr = pairwise_lr(case)["V"]["MP"]
            vals.append(math.log10(lr) if lr > 0 else -300)
        print(
            f"{rel:24s} mean log10 LR {np.mean(vals):5.2f}  median {np.median(vals):5.2f}"
        )


if __name__ == "__main__":
    main()
