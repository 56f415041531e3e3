"""The journal parts of `imena import` and `imena evaluate`."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.management.base import CommandError
from django.db import connections, transaction

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.burials.scenario import load_scenario as load_sites
from imena.core.tempdb import temporary_database
from imena.core.times import local_time
from imena.journals import services
from imena.journals.models import ClusterMember, JournalRow
from imena.journals.scenario import SCENARIO_JOURNALS
from imena.lib.scenario import ScenarioContext
from linkage.evaluate import (
    PAIR_CLASSES,
    PairwiseScores,
    grave_name_accuracy,
    load_simulator_truth,
    pairwise_scores,
    pairwise_scores_by_class,
    same_journal_no_common_grave,
    without_grave_number,
)
from linkage.io import JournalFileError


def add_import_journal_arguments(parser: Any) -> None:
    parser.add_argument("file", help="CSV (UTF-8, UTF-8 BOM, cp1251) or XLSX file")
    parser.add_argument("--site", required=True, help="site code or id")
    parser.add_argument(
        "--journal", required=True, help="journal name (created if new)"
    )
    parser.add_argument(
        "--mapping",
        help="column mapping: a JSON file or inline JSON {field: column header}",
    )
    parser.add_argument(
        "--organisation", help="organisation code (when site codes repeat)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _site(code: str, organisation: str | None) -> Any:

    sites = Site.objects.all()
    if organisation:
        sites = sites.filter(organisation__code=organisation)
    found = list(sites.filter(code=code)) or (
        list(sites.filter(pk=int(code))) if code.isdigit() else []
    )
    if not found:
        raise CommandError(f"no site with code or id {code!r}")
    if len(found) > 1:
        raise CommandError(
            f"site code {code!r} is used by several organisations: add --organisation"
        )
    return found[0]


def _mapping(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    path = Path(value)
    text = path.read_text(encoding="utf-8") if path.exists() else value
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as e:
        raise CommandError(f"--mapping is not valid JSON: {e}") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(v, str) for v in mapping.values()
    ):
        raise CommandError("--mapping must be a JSON object {field: column header}")
    return mapping


def _bar(stream: Any) -> Any:
    def progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return progress


def import_journal(options: dict[str, Any], stdout: Any) -> None:

    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    site = _site(options["site"], options.get("organisation"))
    progress = None if options.get("no_progress") else _bar(sys.stderr)
    try:
        # A refused file leaves no new, empty journal behind.
        with transaction.atomic():
            journal = services.journal_get_or_create(
                actor=None, site=site, name=options["journal"]
            )
            result = services.journal_import(
                actor=None,
                journal=journal,
                path=path,
                filename=path.name,
                mapping=_mapping(options.get("mapping")),
                progress=progress,
            )
    except JournalFileError as e:
        raise CommandError(str(e)) from None
    imp = result.source_import
    if not result.created:
        stdout.write(
            f"{path.name}: already imported into {journal.name!r} on "
            f"{local_time(imp.created)} (SHA-256 {imp.sha256}); nothing added"
        )
        return
    stdout.write(
        f"{path.name}: {imp.row_count} rows imported into {journal.name!r} "
        f"({imp.problem_row_count} with problems; {imp.format}"
        f"{', ' + imp.encoding if imp.encoding else ''}; SHA-256 {imp.sha256})"
    )


def add_evaluate_journals_arguments(parser: Any) -> None:
    parser.add_argument("directory", help="an `imena simulate` output folder")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")


def evaluate_journals(options: dict[str, Any], stdout: Any) -> None:
    """Import the scenario's journals into a throwaway database and score them."""
    directory = Path(options["directory"])
    if not (directory / "truth.json").is_file():
        raise CommandError(f"{directory}: not a simulate output (truth.json missing)")
    with tempfile.TemporaryDirectory(prefix="imena-eval-") as tmp:
        result = _evaluate_in_temporary_database(
            directory, Path(tmp), options["engine"]
        )
    if options["json"]:
        stdout.write(json.dumps(result, indent=2, sort_keys=True))
        return
    stdout.write(
        f"pairwise precision: {result['precision']:.4f}\n"
        f"pairwise recall: {result['recall']:.4f}\n"
        f"pairwise F1: {result['f1']:.4f}\n"
        f"grave-name accuracy: {result['grave_name_accuracy']:.4f} "
        f"({result['graves_right']}/{result['graves_scored']} graves)\n"
        f"rows: {result['rows']}, people: {result['people']}, conflicts: {result['conflicts']}\n"
        f"time: {result['seconds']:.2f} s (import {result['import_seconds']:.2f} s, "
        f"reconcile {result['reconcile_seconds']:.2f} s)\n"
        f"review items per 1,000 rows: {result['review_items_per_1000_rows']:.1f}\n"
    )
    classes = [*result["by_class"].items()]
    classes.append(("rows without a grave number", result["without_grave_number"]))
    classes.append(
        ("same journal, no common grave number", result["same_journal_no_common_grave"])
    )
    for name, c in classes:
        stdout.write(
            f"{name}: precision {c['precision']:.4f}, recall {c['recall']:.4f}, "
            f"F1 {c['f1']:.4f} ({c['true_pairs']} true pairs)\n"
        )


def _evaluate_in_temporary_database(
    directory: Path, tmp: Path, engine: str
) -> dict[str, Any]:

    started = time.perf_counter()
    with temporary_database(tmp / "eval.sqlite3"):
        org = Organisation.objects.create(name="evaluation", code="eval")
        context = ScenarioContext(directory=directory, organisation=org, actor=None)

        load_sites(context)
        site: Site = next(iter(context.sites.values()))
        t0 = time.perf_counter()
        for file_name, journal_name in SCENARIO_JOURNALS.items():
            journal = services.journal_get_or_create(
                actor=None, site=site, name=journal_name
            )
            services.journal_import(
                actor=None,
                journal=journal,
                path=directory / "journals" / file_name,
                filename=file_name,
            )
        t1 = time.perf_counter()
        run = services.reconcile_site(actor=None, site=site, engine=engine)
        t2 = time.perf_counter()
        source_of = {
            j.pk: Path(f).stem
            for f, n in SCENARIO_JOURNALS.items()
            for j in services.Journal.objects.filter(site=site, name=n)
        }
        predicted: dict[tuple[str, int], str] = {}
        pair_rows: list[SimpleNamespace] = []
        for member in ClusterMember.objects.filter(cluster__run=run).select_related(
            "cluster", "row"
        ):
            row: JournalRow = member.row
            predicted[(source_of[row.journal_id], row.row_number)] = member.cluster.key
            pair_rows.append(
                SimpleNamespace(
                    source=source_of[row.journal_id], row_number=row.row_number,
                    surname=row.surname, given_name=row.given_name,
                    grave_key=row.grave_number,
                )
            )  # fmt: skip
        truth = load_simulator_truth(directory)
        pairwise = pairwise_scores(predicted, truth.row_person)
        by_class = pairwise_scores_by_class(pair_rows, predicted, truth.row_person)
        no_grave = pairwise_scores_by_class(
            pair_rows, predicted, truth.row_person, classify=without_grave_number
        ).get("without grave number", PairwiseScores(0, 0, 0))
        apart = pairwise_scores_by_class(
            pair_rows,
            predicted,
            truth.row_person,
            classify=same_journal_no_common_grave,
        ).get("same journal, no common grave number", PairwiseScores(0, 0, 0))
        review_items = run.review_items.count()
        proposals = SimpleNamespace(
            clusters=[
                SimpleNamespace(
                    grave=c.grave_number or None,
                    surname=c.surname,
                    given_name=c.given_name,
                )
                for c in run.clusters.all()
            ]
        )
        accuracy, graves_scored = grave_name_accuracy(proposals, truth)  # type: ignore[arg-type]
        scores = {
            "precision": pairwise.precision,
            "recall": pairwise.recall,
            "f1": pairwise.f1,
            "true_positive_pairs": pairwise.true_positives,
            "false_positive_pairs": pairwise.false_positives,
            "false_negative_pairs": pairwise.false_negatives,
            "grave_name_accuracy": accuracy,
            "graves_scored": graves_scored,
            "graves_right": round(accuracy * graves_scored),
            # pairwise scores by class of difficulty (#15)
            "by_class": {
                name: {
                    "precision": by_class[name].precision,
                    "recall": by_class[name].recall,
                    "f1": by_class[name].f1,
                    "true_pairs": by_class[name].true_positives
                    + by_class[name].false_negatives,
                }
                for name in PAIR_CLASSES
                if name in by_class
            },
            "review_items_per_1000_rows": 1000 * review_items / max(run.row_count, 1),
            # one person written twice in one journal at no common grave
            # number (a reburial, a corrected entry; #15)
            "same_journal_no_common_grave": {
                "precision": apart.precision,
                "recall": apart.recall,
                "f1": apart.f1,
                "true_pairs": apart.true_positives + apart.false_negatives,
            },
            # every pair with a row that has no grave number (#15's target)
            "without_grave_number": {
                "precision": no_grave.precision,
                "recall": no_grave.recall,
                "f1": no_grave.f1,
                "true_pairs": no_grave.true_positives + no_grave.false_negatives,
            },
        }
        connections.close_all()
    total = time.perf_counter() - started
    return {
        **scores,
        "rows": run.row_count,
        "people": run.cluster_count,
        "conflicts": run.conflict_count,
        "import_seconds": t1 - t0,
        "reconcile_seconds": t2 - t1,
        "seconds": total,
        "engine": engine,
    }
