"""Mutation models for STR transmission, one matrix per marker and sex.

Each model is a plain function in :data:`MUTATION_MODELS` that takes the allele
names, their frequencies and the model parameters and returns a row-stochastic
matrix ``M`` where ``M[i, j]`` is the probability that a parent's allele ``i``
is transmitted as allele ``j``.  The definitions follow the documentation of
the R package pedmut (Vigeland); the code is an independent implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kinship.errors import KinshipError

MutationFunction = Callable[
    [Sequence[str], np.ndarray, Mapping[str, float]], np.ndarray
]


@dataclass(frozen=True)
class MutationSpec:
    """A named mutation model with its parameters (e.g. ``rate``)."""

    model: str
    params: Mapping[str, float] = field(default_factory=dict)

    def matrix(self, alleles: Sequence[str], freqs: np.ndarray) -> np.ndarray:
        """Return the transmission matrix for these alleles and frequencies."""
        try:
            func = MUTATION_MODELS[self.model]
        except KeyError:
            known = ", ".join(sorted(MUTATION_MODELS))
            raise KinshipError(
                f"unknown mutation model {self.model!r} (known: {known})"
            ) from None
        mat = func(alleles, np.asarray(freqs, dtype=float), self.params)
        if np.any(mat < -1e-12) or not np.allclose(mat.sum(axis=1), 1.0):
            raise KinshipError(
                f"mutation model {self.model!r} with {dict(self.params)} gives an "
                "invalid transmission matrix (rate too high?)"
            )
        return np.clip(mat, 0.0, None)


def _rate(
    params: Mapping[str, float], key: str = "rate", default: float = 0.0
) -> float:
    value = float(params.get(key, default))
    if not 0.0 <= value <= 1.0:
        raise KinshipError(f"mutation {key} must lie in [0, 1], got {value}")
    return value


def trivial_model(
    alleles: Sequence[str], freqs: np.ndarray, params: Mapping[str, float]
) -> np.ndarray:
    """No mutation: the identity matrix."""
    return np.eye(len(alleles))


def equal_model(
    alleles: Sequence[str], freqs: np.ndarray, params: Mapping[str, float]
) -> np.ndarray:
    """All mutations equally likely; ``1 - rate`` of no mutation."""
    n = len(alleles)
    rate = _rate(params)
    if n == 1:
        return np.ones((1, 1))
    mat = np.full((n, n), rate / (n - 1))
    np.fill_diagonal(mat, 1.0 - rate)
    return mat


def proportional_model(
    alleles: Sequence[str], freqs: np.ndarray, params: Mapping[str, float]
) -> np.ndarray:
    """Mutation to allele ``j`` proportional to its frequency ``p_j``.

    ``M[i, j] = a p_j`` for ``i != j`` with ``a = rate / sum_k p_k (1 - p_k)``, so
    the expected mutation rate is ``rate`` and the frequencies are stationary.
    """
    rate = _rate(params)
    p = freqs / freqs.sum()
    het = float(np.sum(p * (1.0 - p)))
    if het == 0.0 or rate == 0.0:
        return np.eye(len(alleles))
    a = rate / het
    mat = np.tile(a * p, (len(p), 1))
    np.fill_diagonal(mat, 1.0 - a + a * p)
    return mat


def _allele_numbers(alleles: Sequence[str]) -> np.ndarray:
    try:
        return np.array([float(a) for a in alleles])
    except ValueError:
        raise KinshipError(
            "the stepwise mutation model needs numeric allele names"
        ) from None


def stepwise_raw(
    alleles: Sequence[str], freqs: np.ndarray, params: Mapping[str, float]
) -> np.ndarray:
    """Stepwise model before stabilisation.

    Between alleles of the same repeat fraction (``.0``, ``.1``, ``.2``, ``.3``)
    the weight of a mutation of ``k`` steps is ``range ** k``, scaled so these
    mutations sum to ``rate``; mutations to an allele of another fraction share
    ``rate2`` equally.
    """
    rate = _rate(params)
    rate2 = _rate(params, "rate2", 0.0)
    rng = float(params.get("range", 0.1))
    if not 0.0 < rng < 1.0:
        raise KinshipError(f"stepwise range must lie in (0, 1), got {rng}")
    nums = _allele_numbers(alleles)
    n = len(nums)
    frac = np.round((nums - np.round(nums)) * 10).astype(int)
    mat = np.zeros((n, n))
    for i in range(n):
        same = (frac == frac[i]) & (np.arange(n) != i)
        other = frac != frac[i]
        if same.any():
            w = rng ** np.abs(nums[same] - nums[i])
            mat[i, same] = rate * w / w.sum()
        if other.any():
            mat[i, other] = rate2 / other.sum()
        mat[i, i] = 1.0 - mat[i].sum()
    return mat


def stabilise(mat: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Make ``mat`` stationary for ``freqs`` while keeping its mutation rate.

    Off-diagonal entries become ``min(M[i, j], p_j M[j, i] / p_i)`` (a
    Metropolis-Hastings style reversibilisation, so ``p`` is stationary), then
    they are rescaled so the expected mutation rate ``sum_i p_i (1 - M[i, i])``
    equals that of the input, as far as the diagonal stays non-negative.
    """
    p = freqs / freqs.sum()
    rate = float(np.sum(p * (1.0 - np.diag(mat))))
    off = np.minimum(mat, (p[None, :] * mat.T) / p[:, None])
    np.fill_diagonal(off, 0.0)
    new_rate = float(np.sum(p * off.sum(axis=1)))
    if new_rate > 0.0:
        scale = rate / new_rate
        max_scale = 1.0 / off.sum(axis=1).max()
        off *= min(scale, max_scale)
    np.fill_diagonal(off, 1.0 - off.sum(axis=1))
    return np.asarray(off)


def stepwise_model(
    alleles: Sequence[str], freqs: np.ndarray, params: Mapping[str, float]
) -> np.ndarray:
    """Stable stepwise model: :func:`stepwise_raw` then :func:`stabilise`."""
    return stabilise(stepwise_raw(alleles, freqs, params), freqs)


MUTATION_MODELS: dict[str, MutationFunction] = {
    "trivial": trivial_model,
    "none": trivial_model,
    "equal": equal_model,
    "proportional": proportional_model,
    "stepwise": stepwise_model,
    "stepwise_unstable": stepwise_raw,
}


@dataclass(frozen=True)
class SexMutation:
    """Mutation models for paternal and maternal transmissions of one marker."""

    male: MutationSpec | None = None
    female: MutationSpec | None = None

    @property
    def is_trivial(self) -> bool:
        """Return True if neither sex has a (non-trivial) model."""
        return all(
            s is None or s.model in ("none", "trivial") or s.params.get("rate", 0) == 0
            for s in (self.male, self.female)
        )


def spec_from_json(obj: Any) -> MutationSpec | None:
    """Read one sex's model from the case JSON shape ``{"model", "rate": [x]}``."""
    if obj is None:
        return None
    if not isinstance(obj, Mapping) or "model" not in obj:
        raise KinshipError(f"bad mutation model specification: {obj!r}")
    params: dict[str, float] = {}
    for key, value in obj.items():
        if key == "model":
            continue
        if isinstance(value, list):
            if not value:
                continue
            value = value[0]
        if value is None:
            continue
        try:
            params[key] = float(value)
        except (TypeError, ValueError):
            raise KinshipError(f"bad mutation parameter {key}={value!r}") from None
    return MutationSpec(str(obj["model"]), params)


def mutation_from_json(obj: Any) -> SexMutation | None:
    """Read a marker's ``"mutation"`` key: ``{"male": {...}, "female": {...}}``."""
    if obj is None:
        return None
    if isinstance(obj, Mapping) and "model" in obj:
        spec = spec_from_json(obj)
        return SexMutation(spec, spec)
    if not isinstance(obj, Mapping):
        raise KinshipError(f"bad mutation specification: {obj!r}")
    return SexMutation(
        spec_from_json(obj.get("male")), spec_from_json(obj.get("female"))
    )
