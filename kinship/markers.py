"""Markers (STR loci) with allele frequencies, and the bundled norSTR table."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from kinship.errors import KinshipError, KinshipWarning
from kinship.mutation import SexMutation

#: Frequency given to an allele that the frequency table does not list.  It is
#: the smallest frequency of the norSTR tables; the locus is renormalised after.
MIN_FREQUENCY = 0.001

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TABLE = DATA_DIR / "NorskDB_v2023.txt"


@dataclass
class Marker:
    """One autosomal marker: allele names, frequencies, optional mutation model."""

    name: str
    alleles: tuple[str, ...]
    freqs: np.ndarray
    mutation: SexMutation | None = None
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.freqs = np.asarray(self.freqs, dtype=float)
        if len(self.alleles) != len(self.freqs):
            raise KinshipError(
                f"marker {self.name}: {len(self.alleles)} alleles but "
                f"{len(self.freqs)} frequencies"
            )
        if len(set(self.alleles)) != len(self.alleles):
            raise KinshipError(f"marker {self.name}: duplicated allele names")
        if len(self.alleles) == 0 or np.any(self.freqs <= 0):
            raise KinshipError(f"marker {self.name}: frequencies must be positive")
        total = float(self.freqs.sum())
        if abs(total - 1.0) > 1e-6:
            self.freqs = self.freqs / total
        self._index = {a: i for i, a in enumerate(self.alleles)}

    @property
    def n_alleles(self) -> int:
        """Number of alleles."""
        return len(self.alleles)

    def index(self, allele: str) -> int:
        """Return the position of ``allele`` (KeyError if unknown)."""
        return self._index[allele]

    def positions(self) -> Mapping[str, int]:
        """Allele name -> position (read-only use: ``index`` without a call
        per allele, for loops over many profiles)."""
        return self._index

    def has(self, allele: str) -> bool:
        """Return True if the allele is listed."""
        return allele in self._index

    def with_alleles(self, extra: Iterable[str]) -> Marker:
        """Return a copy listing ``extra`` alleles too, each at ``MIN_FREQUENCY``.

        The frequencies are then rescaled to sum to one.  A
        :class:`KinshipWarning` names the added alleles.
        """
        new = [a for a in dict.fromkeys(extra) if a not in self._index]
        if not new:
            return self
        warnings.warn(
            f"marker {self.name}: allele(s) {', '.join(new)} not in the frequency "
            f"table; using the minimum frequency {MIN_FREQUENCY}",
            KinshipWarning,
            stacklevel=2,
        )
        freqs = np.concatenate([self.freqs, np.full(len(new), MIN_FREQUENCY)])
        return replace(
            self, alleles=self.alleles + tuple(new), freqs=freqs / freqs.sum()
        )

    def with_mutation(self, mutation: SexMutation | None) -> Marker:
        """Return a copy with another mutation model."""
        return replace(self, mutation=mutation)

    @cached_property
    def male_matrix(self) -> np.ndarray | None:
        """Paternal transmission matrix, or None without mutation."""
        return self._matrix("male")

    @cached_property
    def female_matrix(self) -> np.ndarray | None:
        """Maternal transmission matrix, or None without mutation."""
        return self._matrix("female")

    def _matrix(self, sex: str) -> np.ndarray | None:
        if self.mutation is None:
            return None
        spec = getattr(self.mutation, sex)
        if spec is None or spec.model in ("none", "trivial"):
            return None
        if spec.params.get("rate", 0.0) == 0.0 and spec.params.get("rate2", 0.0) == 0.0:
            return None
        return spec.matrix(self.alleles, self.freqs)  # type: ignore[no-any-return]


def parse_frequency_table(text: str) -> dict[str, Marker]:
    """Parse the norSTR format: locus line, ``allele<TAB>frequency`` lines."""
    markers: dict[str, Marker] = {}
    name: str | None = None
    alleles: list[str] = []
    freqs: list[float] = []

    def flush() -> None:
        if name is not None and alleles:
            markers[name] = Marker(name, tuple(alleles), np.array(freqs))

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            name, alleles, freqs = None, [], []
            continue
        if name is None:
            name = line
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        if name is None or len(parts) != 2:
            raise KinshipError(f"frequency table line {lineno}: cannot parse {raw!r}")
        try:
            freqs.append(float(parts[1]))
        except ValueError:
            raise KinshipError(
                f"frequency table line {lineno}: bad frequency {parts[1]!r}"
            ) from None
        alleles.append(parts[0])
    flush()
    return markers


def load_frequency_table(path: str | Path | None = None) -> dict[str, Marker]:
    """Load a frequency table; by default the bundled norSTR NorskDB_v2023."""
    return parse_frequency_table(Path(path or DEFAULT_TABLE).read_text("utf-8"))


def apply_mutation(
    markers: Mapping[str, Marker], mutation: SexMutation | None
) -> dict[str, Marker]:
    """Return the markers with ``mutation`` on every one (None: no mutation)."""
    return {k: m.with_mutation(mutation) for k, m in markers.items()}
