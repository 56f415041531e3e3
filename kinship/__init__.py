"""DNA kinship likelihoods, screening and joint identification (no Django)."""

from __future__ import annotations

from kinship.case import Case, Family, Pedigree, Victim, load_case
from kinship.errors import KinshipError, KinshipWarning
from kinship.genemapper import read_genemapper_csv
from kinship.identify import JointResult, joint, pairwise_lr, pairwise_table
from kinship.likelihood import (
    genotype_posterior,
    marker_likelihood,
    pedigree_loglik,
)
from kinship.markers import MIN_FREQUENCY, Marker, load_frequency_table
from kinship.mutation import MUTATION_MODELS, MutationSpec, SexMutation
from kinship.screen import ScreeningResult, screen, screen_case, simulate_genotypes

__all__ = [
    "MIN_FREQUENCY",
    "MUTATION_MODELS",
    "Case",
    "Family",
    "JointResult",
    "KinshipError",
    "KinshipWarning",
    "Marker",
    "MutationSpec",
    "Pedigree",
    "ScreeningResult",
    "SexMutation",
    "Victim",
    "genotype_posterior",
    "joint",
    "load_case",
    "load_frequency_table",
    "marker_likelihood",
    "pairwise_lr",
    "pairwise_table",
    "pedigree_loglik",
    "read_genemapper_csv",
    "screen",
    "screen_case",
    "simulate_genotypes",
]
