"""Errors raised by the kinship package."""

from __future__ import annotations


class KinshipError(ValueError):
    """Bad input: a case, pedigree, profile or model that cannot be used."""


class KinshipWarning(UserWarning):
    """Recoverable input problem (unknown allele, unknown locus, ...)."""
