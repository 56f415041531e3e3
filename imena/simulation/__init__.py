"""Synthetic Izium-like scenario: graves, burial journals, missing reports, DNA, PM findings.

A pure package (no Django). ``simulate(seed, out)`` writes the layout described in
docs/CONTRACTS.md; ``check_truth(out)`` verifies it against truth.json.
"""

from __future__ import annotations

from .core import Summary, simulate
from .truth import check_truth

__all__ = ["Summary", "check_truth", "simulate"]
