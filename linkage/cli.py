"""``imena reconcile FILE [FILE ...] --out CLUSTERS.csv`` (pure, no database).

Reads the journals, reconciles them and writes one line per input row:
file, row, cluster id, proposed grave, match probability to its cluster.
With ``--explain PAIRS.csv``, also one line per linked pair (two rows that
ended in one cluster and were scored) with each comparison's level and match
weight: the match-weight waterfall of the pair; and how the pair was linked
(Splink, a clustering rule with its evidence, a reviewer's decision), with a
line for each rule's link between rows that were not scored.
Bad input: one-line error on stderr, exit status 2, no traceback.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from linkage.io import DEFAULT_MAX_BYTES, JournalFileError, ParsedRow, read_journal

if TYPE_CHECKING:
    from linkage.reconcile import ReconcileResult

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="imena reconcile",
        description="Reconcile burial journals (CSV/XLSX) into clusters of rows "
        "that are one person.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="journal files")
    p.add_argument("--out", required=True, metavar="CLUSTERS.csv")
    p.add_argument("--threshold", type=float, default=0.9,
                   help="match probability to join a cluster (default 0.9)")  # fmt: skip
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    p.add_argument("--explain", metavar="PAIRS.csv",
                   help="also write each linked pair's per-comparison weights")  # fmt: skip
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    rows: list[ParsedRow] = []
    names: dict[str, str] = {}
    try:
        for f in args.files:
            stem = Path(f).stem
            source = stem if stem not in names else f"{stem}#{len(names)}"
            j = read_journal(f, source=source, max_bytes=args.max_bytes)
            names[source] = Path(f).name
            rows.extend(j.rows)
    except JournalFileError as e:
        print(f"imena reconcile: error: {e}", file=sys.stderr)
        return 2
    if not rows:
        print(
            "imena reconcile: error: no data rows in the input files", file=sys.stderr
        )
        return 2
    from linkage.reconcile import reconcile

    try:
        res = reconcile(rows, engine=args.engine, threshold=args.threshold)
    except (ValueError, ImportError) as e:
        print(f"imena reconcile: error: {e}", file=sys.stderr)
        return 2
    grave = {c.cluster_id: c.grave or "" for c in res.clusters}
    try:
        with open(args.out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                ["file", "row", "cluster_id", "proposed_grave", "match_probability"]
            )
            for r in rows:
                ref = (r.source, r.row_number)
                cid = res.row_cluster[ref]
                p = res.row_probability[ref]
                w.writerow([names[r.source], r.row_number, cid, grave[cid],
                            "" if p is None else f"{p:.4f}"])  # fmt: skip
    except OSError as e:
        print(f"imena reconcile: error: cannot write {args.out}: {e.strerror}",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.explain:
        try:
            _write_explain(args.explain, res, names)
        except OSError as e:
            print(f"imena reconcile: error: cannot write {args.explain}: "
                  f"{e.strerror}", file=sys.stderr)  # fmt: skip
            return 2
    print(
        f"{len(rows)} rows, {len(res.clusters)} clusters, "
        f"{len(res.conflicts)} conflicts -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _write_explain(path: str, res: ReconcileResult, names: dict[str, str]) -> None:
    """One line per linked pair: the two rows, the cluster, the match weight
    and probability, the prior's weight, then per comparison its level and
    weight (prior + comparison weights = match weight), then (appended, #15)
    ``source`` (``splink``, ``rule``, ``decision`` or ``cluster``), ``rule``
    and ``evidence``. A link a rule made between rows Splink did not score
    gets a line of its own with the weights empty. The lines whose source is
    not ``cluster`` connect every cluster's rows."""
    comps = res.comparison_names
    links = {frozenset((k.left, k.right)): k for k in res.links}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["file_l", "row_l", "file_r", "row_r", "cluster_id", "match_weight",
             "match_probability", "prior_weight"]
            + [f"{c}_{x}" for c in comps for x in ("level", "weight")]
            + ["source", "rule", "evidence"]
        )  # fmt: skip
        for p in res.linked_pairs():
            levels = {c.comparison: c for c in p.explanation}
            link = links.get(frozenset((p.left, p.right)))
            if link is not None:
                how = [link.source, link.rule, ";".join(link.evidence)]
            elif p.match_probability >= res.threshold:
                how = ["splink", "splink", ""]
            else:
                how = ["cluster", "", ""]
            w.writerow(
                [names[p.left[0]], p.left[1], names[p.right[0]], p.right[1],
                 res.row_cluster[p.left], f"{p.match_weight:.3f}",
                 f"{p.match_probability:.4f}", f"{p.prior_weight:.3f}"]
                + [v for c in comps for v in (levels[c].level,
                                               f"{levels[c].match_weight:.3f}")]
                + how
            )  # fmt: skip
        for link in res.links:
            if link.pair is not None:
                continue
            w.writerow(
                [names[link.left[0]], link.left[1], names[link.right[0]],
                 link.right[1], res.row_cluster[link.left], "", "", ""]
                + ["" for _c in comps for _x in ("level", "weight")]
                + [link.source, link.rule, ";".join(link.evidence)]
            )  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
