"""``extend_markers`` with ``seen``: the alleles of some profiles found once
(``seen_alleles``, kept for a site's bodies) and the others added later give
the markers of adding all the profiles at once, in the same order."""

from __future__ import annotations

import warnings

import numpy as np

from kinship.case import extend_markers, seen_alleles
from kinship.errors import KinshipWarning
from kinship.genemapper import Genotype
from kinship.markers import load_frequency_table

MARKERS = dict(list(load_frequency_table().items())[:4])
A, B, C, D = list(MARKERS)


def test_alleles_seen_first_then_the_others_equal_all_at_once() -> None:
    victims: list[dict[str, Genotype]] = [
        {A: ("99.1", "98.3"), B: ("77", MARKERS[B].alleles[0])},
        {A: ("98.3", "97.2"), "NOT_A_MARKER": ("1", "2")},
    ]
    families: list[dict[str, Genotype]] = [
        {A: ("96", "99.1"), C: ("55", "56")},
        {B: ("77", "78")},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KinshipWarning)
        seen = seen_alleles(MARKERS, victims)
        kept = {k: dict(v) for k, v in seen.items()}
        at_once = extend_markers(MARKERS, victims + families)
        in_two = extend_markers(MARKERS, families, seen=seen)
    assert seen == {A: {"99.1": None, "98.3": None, "97.2": None}, B: {"77": None}}
    assert seen == kept  # (not changed by the second step)
    assert list(in_two) == list(at_once)
    for locus, m in at_once.items():
        assert in_two[locus].alleles == m.alleles
        assert np.array_equal(in_two[locus].freqs, m.freqs)
    # The new alleles in the order first seen: the bodies' before the families'.
    assert at_once[A].alleles[-4:] == ("99.1", "98.3", "97.2", "96")
    assert at_once[D] is MARKERS[D]
