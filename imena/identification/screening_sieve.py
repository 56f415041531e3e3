"""The national screening's family tables as the identification engine's DNA sieve.

When a body's post-mortem profile is new or changed, the engine's cache of
the site (``engine.SiteCache``) screens that body again against the families
(``engine.dna_lrs``: every pair with an LR of 10^-13 or more, about a sixth of
them). Against all 10,000 families of the national register that is building
every family's table again: seconds a body. The national screening wrote
those tables when it ran (``screening_tables``: float32, per marker and
genotype the log LR of each family) and the screening update has just read
them for the same body (``screening_update``). ``EngineSieve`` reads them
once more for the engine: the approximate score of the body against every
family, with its error bound, tells the families whose LR may reach the
engine's threshold; the engine computes those exactly (``dna_lrs``, float64,
as before) and leaves out the others, whose exact LR is below the
threshold, so ``dna_lrs`` over every family would not keep them either.
The DNA LRs, and so the posteriors, are those of a full computation.

A body is screened against every family as before (``candidates`` returns
None: the fallback) when the tables cannot stand for the engine's own
screening of it:

- no national run, or its tables are missing or unusable
  (``TableStore.open``: written for another run, a change to the whole
  register since);
- the run's drop-out is not the engine's, or it used theta or mutation
  (the engine uses neither);
- a locus of the body is not in the run's markers, or its marker there is
  not the shipped frequency table's (an allele added by the run: the
  engine's marker may have other frequencies), or the body has an allele
  outside it.

The engine and the run read loci under the frequency table's spelling
(``VWA`` is ``vWA``: ``kinship.genemapper.canonical_profile``). A family is
always computed exactly (not left out) when the tables do not hold it as the
engine reads it: changed since the run (``PendingUpdate`` rows since its
watermark: ``TableStore.stale``) or since the engine read the reports when
that was earlier, or not in the run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from imena.identification import changes
from imena.identification.engine import BodyIn, PersonIn
from imena.identification.models import ScreeningRun
from imena.identification.screening import frequency_table
from imena.identification.screening_national import markers_from_json
from imena.identification.screening_tables import TableStore
from kinship import KinshipError, Marker
from kinship.case import read_profile
from kinship.genemapper import canonical_profile
from kinship.screen import _victim_rows

#: Added to the tables' error bound (natural log): far above any rounding.
MARGIN = 1e-6


def _same_marker(a: Marker, b: Marker | None) -> bool:
    return (
        b is not None
        and a.alleles == b.alleles
        and np.array_equal(a.freqs, b.freqs)
        # No mutation in either (the engine's markers have none).
        and a.male_matrix is None
        and a.female_matrix is None
        and b.male_matrix is None
        and b.female_matrix is None
    )


class EngineSieve:
    """``engine.DnaSieve`` over a national run's stored family tables."""

    def __init__(self, run: Any, store: TableStore) -> None:
        self.run, self.store = run, store
        self.markers = markers_from_json(run.markers)
        self.mlist = list(self.markers.values())
        self.table = frequency_table()
        self.same = {
            name: _same_marker(m, self.table.get(name))
            for name, m in self.markers.items()
        }

    @classmethod
    def open(
        cls,
        organisation_id: int,
        dropout: float,
        *,
        read_at: tuple[int, Sequence[int]] | None = None,
    ) -> EngineSieve | None:
        """The sieve of the organisation's latest national screening, or None
        when it cannot stand for the engine's screening (see the module).

        ``read_at``: the ``changes.snapshot()`` taken before the engine's
        reports were read. The tables hold each family as it was when they
        were started; the engine, as it was when its reports were read: a
        family changed after the earlier of the two is computed exactly.
        """
        run = (
            ScreeningRun.objects.filter(organisation_id=organisation_id, national=True)
            .order_by("-created", "-pk")
            .first()
        )
        if (
            run is None
            or not run.markers
            or run.dropout != dropout
            or run.theta != 0
            or (run.mutation != "none" and run.mutation_rate > 0)
        ):
            return None
        store = TableStore.open(run)
        if store is None:
            return None
        if read_at is not None and read_at[0] < store.meta["watermark"]:
            later = changes.changed_persons(organisation_id, read_at[0], read_at[1])
            if later is None:
                return None
            store.stale |= later
        return cls(run, store)

    def _rows(self, body: BodyIn) -> tuple[np.ndarray, set[str]] | None:
        """The body's rows of the run's tables and the markers they use, or
        None (see the module)."""
        genotypes = (body.dna or {}).get("genotypes") or {}
        if not genotypes:
            return None
        # The loci the engine reads (``dna_lrs``): those of the frequency
        # table, under its spelling.
        unknown: set[str] = set()
        try:
            profile = read_profile(
                canonical_profile(genotypes), body.body_id, self.table, unknown
            )
        except KinshipError:
            return None
        for locus, g in profile.items():
            marker = self.markers.get(locus)
            if marker is None or not self.same[locus]:
                return None
            if not (marker.has(g[0]) and marker.has(g[1])):
                return None
        _names, rows, _missing = _victim_rows({body.body_id: profile}, self.mlist)
        return rows, set(profile)

    def candidates(
        self, body: BodyIn, persons: Sequence[PersonIn], log10_threshold: float
    ) -> list[PersonIn] | None:
        read = self._rows(body)
        if read is None:
            return None
        rows, loci = read
        # A person without a family has no DNA LR (``dna_lrs`` skips it).
        persons = [p for p in persons if p.family]
        stored: list[int] = []
        at: list[int] = []
        for i, p in enumerate(persons):
            if not p.person_id.isdigit():
                continue
            pid = int(p.person_id)
            if self.store.usable(pid):
                stored.append(pid)
                at.append(i)
        keep = np.ones(len(persons), dtype=bool)
        if stored:
            score, error = self.store.approximate(rows, stored)
            cut = log10_threshold * math.log(10.0)
            may = score[0] + error[0] + MARGIN >= cut
            keep[np.asarray(at, dtype=np.int64)] = may
        return [p for p, k in zip(persons, keep.tolist(), strict=True) if k]
