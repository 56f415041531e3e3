"""Imena linkage: reading burial journals, normalising names, dates and grave
numbers, and reconciling journals with Splink.

A pure package: it never imports Django or the ``imena`` application.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
