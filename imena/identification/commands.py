"""`imena evaluate identification DIR`: score the candidates against the truth."""

from __future__ import annotations

import json
import math as _m
import tempfile
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import connections

from imena.accounts.models import Organisation
from imena.core.tempdb import temporary_database
from imena.dna.selectors import lineage_tables
from imena.exhumations.models import Body
from imena.identification import services
from imena.identification.engine import compute_site, recombine_body
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.missing.models import MissingPerson
from matching import physical
from matching.records import AMRecord, PMRecord

#: Posterior bins of the calibration table.
BINS = (0.0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0000001)
#: Evidence subsets scored separately.
SUBSETS = {
    "journal only": ("journal",),
    "physical only": ("physical",),
    "DNA only": ("dna",),
    "all": ("journal", "physical", "dna"),
}


def add_evaluate_arguments(parser: Any) -> None:
    parser.add_argument("directory", help="an `imena simulate` output folder")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--p-unlisted",
        type=float,
        default=None,
        help="prior of “none of these” (default: estimated from the journals)",
    )
    parser.add_argument(
        "--details",
        type=float,
        nargs="?",
        const=0.9,
        default=None,
        metavar="P",
        help="list the wrong candidates with a posterior of P or more (default "
        "0.9) with their evidence (journal, physical per trait, DNA) and the truth",
    )


def evaluate_identification(options: dict[str, Any], stdout: Any) -> None:
    """Load the scenario into a throwaway database, compute, score against truth."""
    directory = Path(options["directory"])
    if not (directory / "truth.json").is_file():
        raise CommandError(f"{directory}: not a simulate output (truth.json missing)")
    p_u = options.get("p_unlisted")
    if p_u is not None and not 0 <= p_u < 1:
        raise CommandError("--p-unlisted must be in [0, 1)")
    truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="imena-eval-") as tmp:
        result = _evaluate(directory, Path(tmp), truth, p_u, options.get("details"))
    if options.get("json"):
        stdout.write(json.dumps(result, indent=2, sort_keys=True))
        return
    stdout.write(format_result(result))
    if "details" in result:
        stdout.write(format_details(result["details"]))


def format_result(r: Mapping[str, Any]) -> str:
    lines = [
        f"bodies: {r['bodies']}, open missing persons: {r['persons']}, "
        f"p_unlisted: {r['p_unlisted']:.3f}",
        f"wrong above 0.99: {r['wrong_above_0_99']}",
        f"ranked first: {r['ranked_first']:.4f} "
        f"({r['ranked_first_n']}/{r['scored_bodies']} bodies with a report and DNA "
        "references)",
    ]
    for name, v in r["by_evidence"].items():
        lines.append(
            f"ranked first, {name}: {v['ranked_first']:.4f} "
            f"(wrong above 0.99: {v['wrong_above_0_99']})"
        )
    lines.append(
        "calibration (posterior bin: candidates, observed share right, mean posterior):"
    )
    for row in r["calibration"]:
        share = "-" if row["share_right"] is None else f"{row['share_right']:.3f}"
        mean = "-" if row["mean_posterior"] is None else f"{row['mean_posterior']:.3f}"
        lines.append(
            f"  [{row['low']:.2f}, {min(row['high'], 1):.2f}): "
            f"{row['n']} candidates, right {share}, mean posterior {mean}"
        )
    if "lineage" in r:
        g = r["lineage"]
        lines.append(
            f"lineage markers (Y-STR, mtDNA): {g['bodies_with_lineage']} bodies "
            "typed; identified (right, posterior >= 0.99) only thanks to them: "
            f"{g['identified_only_with']} (DNA evidence alone: "
            f"{g['dna_identified_only_with']}), lost with them: "
            f"{g['identified_only_without']} ({g['dna_identified_only_without']}); "
            f"ranked first only with them: {g['first_only_with']} "
            f"({g['dna_first_only_with']}), only without: "
            f"{g['first_only_without']} ({g['dna_first_only_without']})"
        )
    lines.append(f"time: {r['seconds']:.1f} s (load {r['load_seconds']:.1f} s)")
    return "\n".join(lines) + "\n"


def _evaluate(
    directory: Path,
    tmp: Path,
    truth: dict[str, Any],
    p_u: float | None,
    details: float | None = None,
) -> dict[str, Any]:

    started = time.perf_counter()
    with temporary_database(tmp / "eval.sqlite3"):
        org = Organisation.objects.create(name="evaluation", code="eval")
        context = ScenarioContext(directory=directory, organisation=org, actor=None)
        load_scenario(context)
        load_seconds = time.perf_counter() - started
        results = context.__dict__.get("identification_results") or {}
        if p_u is not None or not results:
            site = next(iter(context.sites.values()), None)
            if site is None:
                raise CommandError(f"{directory}: the scenario has no site")
            results = {
                site.code: services.candidates_compute(
                    actor=None, site=site, p_unlisted=p_u
                )
            }
        pm_of = dict(Body.objects.values_list("pk", "pm_number"))
        case_of = dict(MissingPerson.objects.values_list("pk", "case_no"))
        scored = score(results, truth, pm_of, case_of)
        if lineage_tables(org.pk):
            scored["lineage"] = lineage_gain(
                results, context.sites, truth, pm_of, case_of, p_u
            )
        if details is not None:
            site = next(iter(context.sites.values()))
            data = services.site_inputs(site)
            scored["details"] = wrong_details(
                results,
                truth,
                pm_of,
                case_of,
                data["bodies"],
                data["person_inputs"],
                data["leads"],
                details,
            )
        connections.close_all()
    scored["seconds"] = time.perf_counter() - started
    scored["load_seconds"] = load_seconds
    return scored


def lineage_gain(
    results: Mapping[str, Any],
    sites: Mapping[str, Any],
    truth: Mapping[str, Any],
    pm_of: Mapping[int, str],
    case_of: Mapping[int, str],
    p_u: float | None,
) -> dict[str, int]:
    """Bodies identified (or ranked first) with the lineage markers, not without.

    Each site is computed again with the same inputs and no lineage tables
    (``Params.lineage_tables``), not stored; "identified": the right person
    has a posterior of 0.99 or more.
    """
    person_of_report = {k: v["person_id"] for k, v in truth["reports"].items()}
    tb = truth["bodies"]

    def right(body_id: str, person_id: str) -> bool:
        pm = pm_of[int(body_id)]
        return person_of_report.get(case_of[int(person_id)]) == tb[pm]["person_id"]

    def outcome(br: Any, res: Any, kinds: tuple[str, ...]) -> tuple[bool, bool]:
        posts, _none = recombine_body(br, res.person_ids, res.params.p_unlisted, kinds)
        if not posts:
            return False, False
        best = max(posts, key=lambda x: posts[x])
        ok = right(br.body_id, best)
        return ok, ok and posts[best] >= 0.99

    keys = (
        "identified_only_with",
        "identified_only_without",
        "first_only_with",
        "first_only_without",
    )
    out = dict.fromkeys(("bodies_with_lineage", *keys), 0)
    out.update(dict.fromkeys((f"dna_{k}" for k in keys), 0))
    for code, (_run, with_) in results.items():
        data = services.site_inputs(sites[code])
        params, _basis = services.site_params(
            sites[code], data["counts"], p_u, data=data
        )
        out["bodies_with_lineage"] += sum(
            1
            for b in data["bodies"]
            if b.dna and (b.dna.get("ystr") or b.dna.get("mtdna"))
        )
        without = compute_site(
            data["bodies"],
            data["person_inputs"],
            data["leads"],
            replace(params, lineage_tables={}),
            overrides=data["overrides"],
            n_graves=data["n_graves"],
            grave_numbers=data["grave_numbers"],
        )
        for body_id, br in with_.bodies.items():
            other = without.bodies.get(body_id)
            if other is None:
                continue
            for prefix, kinds in (("", SUBSETS["all"]), ("dna_", SUBSETS["DNA only"])):
                f1, i1 = outcome(br, with_, kinds)
                f0, i0 = outcome(other, without, kinds)
                out[f"{prefix}identified_only_with"] += i1 and not i0
                out[f"{prefix}identified_only_without"] += i0 and not i1
                out[f"{prefix}first_only_with"] += f1 and not f0
                out[f"{prefix}first_only_without"] += f0 and not f1
    return out


def score(
    results: Mapping[str, Any],
    truth: Mapping[str, Any],
    pm_of: Mapping[int, str],
    case_of: Mapping[int, str],
) -> dict[str, Any]:
    """Figures of the issue from in-memory results and the simulator truth."""

    person_of_report = {k: v["person_id"] for k, v in truth["reports"].items()}
    tb = truth["bodies"]

    def right(body_id: str, person_id: str) -> bool:
        pm = pm_of[int(body_id)]
        return person_of_report.get(case_of[int(person_id)]) == tb[pm]["person_id"]

    cal = [[0, 0, 0.0] for _ in BINS[:-1]]
    wrong99 = 0
    wrong_list = []
    first = scored = 0
    by_kind = {k: {"first": 0, "wrong99": 0} for k in SUBSETS}
    n_bodies = 0
    p_unlisted = 0.0
    persons = 0
    for _run, res in results.values():
        p_unlisted = res.params.p_unlisted
        for body_id, br in res.bodies.items():
            n_bodies += 1
            persons = br.n_considered
            pm = pm_of[int(body_id)]
            info = tb[pm]
            listed = {c.person_id: c.posterior for c in br.posterior.candidates}
            for pid, post in listed.items():
                ok = right(body_id, pid)
                i = next(
                    k for k in range(len(BINS) - 1) if BINS[k] <= post < BINS[k + 1]
                )
                cal[i][0] += 1
                cal[i][1] += ok
                cal[i][2] += post
                if post > 0.99 and not ok:
                    wrong99 += 1
                    wrong_list.append((pm, case_of[int(pid)], round(post, 4)))
            if not (info.get("has_report") and info.get("has_dna_family")):
                continue
            scored += 1
            top = br.posterior.top
            if top is not None and right(body_id, top.person_id):
                first += 1
            for name, kinds in SUBSETS.items():
                posts, _none = recombine_body(
                    br, res.person_ids, res.params.p_unlisted, kinds
                )
                best = max(posts, key=lambda x: posts[x]) if posts else None
                if best is not None and right(body_id, best):
                    by_kind[name]["first"] += 1
                by_kind[name]["wrong99"] += sum(
                    1
                    for pid, p in posts.items()
                    if p > 0.99 and not right(body_id, pid)
                )
        # Candidates not listed in detail are all in the lowest bin.
    calibration = []
    for i, (n, ok, total) in enumerate(cal):  # type: ignore[assignment]
        calibration.append(
            {
                "low": BINS[i],
                "high": BINS[i + 1],
                "n": n,
                "share_right": ok / n if n else None,
                "mean_posterior": total / n if n else None,
            }
        )
    return {
        "bodies": n_bodies,
        "persons": persons,
        "p_unlisted": p_unlisted,
        "wrong_above_0_99": wrong99,
        "wrong_above_0_99_list": wrong_list[:50],
        "scored_bodies": scored,
        "ranked_first_n": first,
        "ranked_first": first / scored if scored else 0.0,
        "by_evidence": {
            k: {
                "ranked_first": v["first"] / scored if scored else 0.0,
                "wrong_above_0_99": v["wrong99"],
            }
            for k, v in by_kind.items()
        },
        "calibration": calibration,
    }


def wrong_details(
    results: Mapping[str, Any],
    truth: Mapping[str, Any],
    pm_of: Mapping[int, str],
    case_of: Mapping[int, str],
    bodies: Any,
    persons: Any,
    leads: Any,
    threshold: float,
) -> list[dict[str, Any]]:
    """The wrong candidates at or above ``threshold``, with evidence and truth.

    For each: the body and its grave, the candidate and who they really are,
    the LR of each kind (the physical one also per trait, untempered, with the
    site's physical model), the journal rows of the grave with their simulated
    noise, the true person's candidate row if any, and "none of these".
    """

    def lg(x: float) -> float | None:
        return round(_m.log10(x), 2) if x > 0 and _m.isfinite(x) else None

    person_of_report = {k: v["person_id"] for k, v in truth["reports"].items()}
    reports_of: dict[str, list[str]] = {}
    for case, pid in person_of_report.items():
        reports_of.setdefault(pid, []).append(case)
    tb = truth["bodies"]
    rows_by_grave: dict[str, list[dict[str, Any]]] = {}
    for r in truth.get("journal_rows", []):
        rows_by_grave.setdefault(r.get("grave") or "", []).append(r)
    b_in = {b.body_id: b for b in bodies}
    p_in = {p.person_id: p for p in persons}
    pid_of_case = {v: str(k) for k, v in case_of.items()}
    out = []
    for _run, res in results.values():
        model = getattr(res, "physical_model", physical.DEFAULT_MODEL)
        for body_id, br in res.bodies.items():
            pm_no = pm_of[int(body_id)]
            info = tb[pm_no]
            for c in br.posterior.candidates:
                case = case_of[int(c.person_id)]
                who = person_of_report.get(case)
                if c.posterior < threshold or who == info["person_id"]:
                    continue
                pair = br.pairs[c.person_id]
                b = b_in[body_id]
                am = AMRecord.from_dict(
                    {**p_in[c.person_id].am, "am_case_no": c.person_id}
                )
                pm = PMRecord.from_dict({**b.pm, "body_id": body_id})
                comp = physical.compare(am, pm, None, model)
                true_rows = []
                for tcase in reports_of.get(info["person_id"], []):
                    tpid = pid_of_case.get(tcase)
                    if tpid in br.pairs:
                        tp = br.pairs[tpid]
                        true_rows.append(
                            {
                                "case_no": tcase,
                                "log10_lr": {k: lg(v) for k, v in tp.lr.items()},
                                "excluded": tp.excluded,
                                "posterior": next(
                                    (
                                        x.posterior
                                        for x in br.posterior.candidates
                                        if x.person_id == tpid
                                    ),
                                    None,
                                ),
                            }
                        )
                out.append(
                    {
                        "body": pm_no,
                        "grave": info.get("grave"),
                        "posterior": c.posterior,
                        "candidate": case,
                        "candidate_person": who,
                        "candidate_at_site": (
                            truth.get("persons", {}).get(who) or {}
                        ).get("at_site"),
                        "true_person": info["person_id"],
                        "true_has_report": info.get("has_report"),
                        "true_has_dna_family": info.get("has_dna_family"),
                        "true_candidates": true_rows,
                        "posterior_unlisted": br.posterior.posterior_unlisted,
                        "log10_lr": {k: lg(v) for k, v in pair.lr.items()},
                        "journal_text": pair.journal_text[0],
                        "physical_traits": {
                            r.trait: lg(r.lr)
                            for r in comp.results
                            if r.outcome != physical.NO_DATA
                        },
                        "journal_leads": [
                            {
                                "name": lead.name,
                                "journals": list(lead.journals),
                                "matched": [
                                    case_of.get(int(x), x) for x in lead.persons
                                ],
                            }
                            for lead in leads
                            if lead.grave_id == b.grave_id
                        ],
                        "journal_rows": [
                            {
                                "file": r.get("file"),
                                "written": r.get("grave_written"),
                                "name_person": r.get("name_person_id"),
                                "person": r.get("person_id"),
                                "noise": r.get("noise"),
                            }
                            for r in rows_by_grave.get(info.get("grave") or "", [])
                        ],
                    }
                )
    out.sort(key=lambda d: -d["posterior"])
    return out


def format_details(rows: list[dict[str, Any]]) -> str:
    lines = [f"wrong candidates listed: {len(rows)}"]
    for d in rows:
        lines.append(
            f"- {d['body']} (grave {d['grave']}): {d['candidate']} = "
            f"{d['candidate_person']} (at site: {d['candidate_at_site']}), posterior "
            f"{d['posterior']:.4f}; truth {d['true_person']} (report: "
            f"{d['true_has_report']}, DNA family: {d['true_has_dna_family']}); "
            f"none of these {d['posterior_unlisted']:.4f}"
        )
        lines.append(
            f"    log10 LR {d['log10_lr']}; physical per trait (untempered) "
            f"{d['physical_traits']}"
        )
        if d["journal_text"]:
            lines.append(f"    journal: {d['journal_text']}")
        for t in d["true_candidates"]:
            lines.append(
                f"    true candidate {t['case_no']}: log10 LR {t['log10_lr']}, "
                f"excluded {t['excluded']}, posterior {t['posterior']}"
            )
        for lead in d["journal_leads"]:
            lines.append(
                f"    lead: {lead['name']} {lead['journals']} matched {lead['matched']}"
            )
        for r in d["journal_rows"]:
            lines.append(
                f"    row: {r['file']} grave {r['written']} name of "
                f"{r['name_person']} (buried: {r['person']}) noise {r['noise']}"
            )
    return "\n".join(lines) + "\n"
