"""The national screening's family tables, kept on disk for fast updates.

A family's screening table (``kinship.screen._targets_tables``: per marker and
observed genotype, the log LR of a body showing it) is what a national
screening costs: about 3 ms a family. A full national run writes them, block by
block, under ``SCREENING_TABLES_DIR/org-<id>/run-<pk>/`` (float32, ``numpy``
files; about 18 KB a family, 0.9 GB for 50,000 families); the update of one new
post-mortem profile then reads, per block, only the rows its genotypes select
(``TableStore.approximate``) instead of rebuilding every family.

The stored float32 values are only a sieve: every family whose approximate
score could reach the body's kept candidates (the error of float32 is bounded
and added) is screened again exactly, so the rows stored equal those of a full
screening (``screening_national.screen_bodies_stored``).

A family changed after the tables were written is not read from them: the
``PendingUpdate`` rows (written with every change to a report, its pedigree and
its reference samples and profiles, ``changes``) name it, and it is screened
afresh; a change to the whole register (a bulk import, a lineage table) makes
the tables unusable until the next full run (the update then screens the body
against every family, as before). A change committed while the tables were
being written is caught too: its row's id is either above the last id seen
when the tables were started or one of the ids below it not visible then
(``changes.snapshot``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imena.identification import changes
from imena.identification.models import PendingUpdate

#: float32 rounding: each stored value is within |v| * REL of the exact one.
REL = 2.0**-23


def root() -> Path:
    return Path(
        getattr(
            settings, "SCREENING_TABLES_DIR", settings.DATA_DIR / "screening-tables"
        )
    )


def _org_dir(organisation_id: int) -> Path:
    return root() / f"org-{organisation_id}"


@dataclass
class TableWriter:
    """Collects the blocks of a full run; ``commit(run)`` names them after it."""

    organisation_id: int
    started: dt.datetime = field(default_factory=timezone.now)
    watermark: int = 0
    unseen: list[int] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self.watermark, self.unseen = changes.snapshot()
        self.path = _org_dir(self.organisation_id) / f"tmp-{uuid.uuid4().hex}"
        self.path.mkdir(parents=True, exist_ok=True)

    def add(self, table: np.ndarray, person_ids: list[int], sexes: list[int]) -> None:
        assert self.path is not None
        name = f"block-{len(self.blocks):05d}.npy"
        np.save(self.path / name, np.ascontiguousarray(table, dtype=np.float32))
        self.blocks.append({"file": name, "persons": person_ids, "sexes": sexes})

    def commit(self, run: Any) -> None:
        """Keep the tables as ``run``'s once the transaction commits (and drop
        the organisation's older ones); on a rollback they are deleted."""
        assert self.path is not None
        meta = {
            "run": run.pk,
            "created": run.created.isoformat(),
            "started": self.started.isoformat(),
            "watermark": self.watermark,
            "unseen": self.unseen,
            "blocks": self.blocks,
        }
        (self.path / "meta.json").write_text(json.dumps(meta))
        path, org_dir = self.path, _org_dir(self.organisation_id)

        def keep() -> None:
            final = org_dir / f"run-{run.pk}"
            shutil.rmtree(final, ignore_errors=True)
            path.rename(final)
            for other in org_dir.iterdir():
                if other != final and other.name.startswith("run-"):
                    shutil.rmtree(other, ignore_errors=True)

        transaction.on_commit(keep)

    def discard(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


@dataclass
class TableStore:
    """A national run's family tables, opened for an update."""

    path: Path
    meta: dict[str, Any]
    column: dict[int, tuple[int, int]]  # person id -> (block, column)
    stale: set[int]

    def sex_of(self, person_id: int) -> int:
        """The missing person's sex on the pedigree when the tables were written."""
        b, c = self.column[person_id]
        return int(self.meta["blocks"][b]["sexes"][c])

    @classmethod
    def open(cls, run: Any) -> TableStore | None:
        """The run's tables, or None (none written, another run's, or the
        whole register changed since)."""
        path = _org_dir(run.organisation_id) / f"run-{run.pk}"
        try:
            meta = json.loads((path / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        if meta.get("run") != run.pk or meta.get("created") != run.created.isoformat():
            return None
        # A change recorded after the tables were started, or not committed yet
        # when they were.
        stale = changes.changed_persons(
            run.organisation_id, meta["watermark"], meta.get("unseen", [])
        )
        if stale is None:
            return None
        # A change numbered below the watermark but recorded after the tables
        # were started: the database went back (a restored backup).
        if PendingUpdate.objects.filter(
            pk__lte=meta["watermark"],
            created__gt=dt.datetime.fromisoformat(meta["started"]),
        ).exists():
            return None
        column: dict[int, tuple[int, int]] = {}
        for b, block in enumerate(meta["blocks"]):
            for c, pid in enumerate(block["persons"]):
                column[pid] = (b, c)
        return cls(path, meta, column, stale)

    def usable(self, person_id: int) -> bool:
        return person_id in self.column and person_id not in self.stale

    def approximate(
        self, rows: np.ndarray, person_ids: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """For the victims whose table rows are ``rows`` (markers x victims),
        the approximate score of each of ``person_ids`` (victims x persons)
        and its error bound."""
        n_m, n_v = rows.shape
        score = np.zeros((n_v, len(person_ids)))
        error = np.zeros((n_v, len(person_ids)))
        by_block: dict[int, tuple[list[int], list[int]]] = {}
        for j, pid in enumerate(person_ids):
            b, c = self.column[pid]
            cols, out = by_block.setdefault(b, ([], []))
            cols.append(c)
            out.append(j)
        flat = rows.ravel()
        for b, (cols, out) in by_block.items():
            table = np.load(self.path / self.meta["blocks"][b]["file"], mmap_mode="r")
            sub = np.take(table, flat, axis=0)[:, cols].astype(np.float64)
            sub = sub.reshape(n_m, n_v, len(cols))
            score[:, out] = sub.sum(axis=0)
            error[:, out] = np.abs(sub).sum(axis=0) * REL
        return score, error + 1e-9
