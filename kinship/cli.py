"""Command line: ``python -m kinship pairwise|joint|check CASE.json [options]``.

``export-fam CASE.json OUT.fam`` and ``import-fam FILE.fam OUT.json`` convert
between the case JSON and Familias files (:mod:`kinship.familias`).

The ``imena dvi`` command dispatches here.  Output is one JSON object on
stdout; warnings go to stderr.  Bad input gives one line on stderr and exit
code 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

from kinship.case import Case, load_case
from kinship.errors import KinshipError
from kinship.familias import (
    case_to_dict,
    fam_to_case,
    hypothesis_lrs,
    read_fam,
    write_fam_dvi,
    write_fam_pair,
)
from kinship.identify import joint, pairwise_table
from kinship.markers import apply_mutation
from kinship.mutation import MutationSpec, SexMutation
from kinship.relationships import FLAG_FACTOR, check_family


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imena dvi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("pairwise", "print {victim: {missing person: LR}}"),
        ("joint", "print ranked joint assignments and marginal posteriors"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("case", help="case JSON file (markers, pm, am, missing)")
        p.add_argument(
            "--mutation",
            choices=["none", "equal", "proportional", "stepwise"],
            help="override every marker's mutation model",
        )
        p.add_argument("--rate", type=float, default=0.001, help="mutation rate")
        p.add_argument("--theta", type=float, default=0.0, help="theta correction")
        p.add_argument(
            "--dropout", type=float, default=0.0, help="PM drop-out per allele"
        )
        p.add_argument("--top", type=int, default=10, help="assignments printed")
        p.add_argument(
            "--threshold",
            type=float,
            default=0.0,
            help="pairwise LR a pair must exceed to be considered (joint); "
            "pairwise: LRs at or below it are left out",
        )
    p = sub.add_parser(
        "check", help="check declared relationships between typed references"
    )
    p.add_argument("case", help="case JSON file (markers, pm, am, missing)")
    p.add_argument(
        "--factor",
        type=float,
        default=FLAG_FACTOR,
        help="flag when an alternative is this many times more likely",
    )
    p = sub.add_parser(
        "export-fam",
        help="write a case as a Familias .fam file (DVI file, or one victim "
        "against one missing person with --victim and --missing)",
    )
    p.add_argument("case", help="case JSON file (markers, pm, am, missing)")
    p.add_argument("out", help="the .fam file to write")
    p.add_argument("--victim", help="write a standard file: this victim ...")
    p.add_argument("--missing", help="... against this missing person")
    p.add_argument("--theta", type=float, help="theta (default: the case's, or 0)")
    p.add_argument(
        "--dropout", type=float, help="victims' drop-out (default: the case's, or 0)"
    )
    p = sub.add_parser(
        "fam-lr",
        help="print the likelihood of each pedigree of a standard .fam file and "
        "its LR against the last one",
    )
    p.add_argument("fam", help="the .fam file to read")
    p = sub.add_parser("import-fam", help="read a Familias .fam file into a case JSON")
    p.add_argument("fam", help="the .fam file to read")
    p.add_argument("out", help="the case JSON file to write")
    return parser


def export_fam(args: argparse.Namespace) -> dict[str, Any]:
    """Write ``args.case`` to ``args.out``; return a summary."""
    case = load_case(args.case)
    raw = json.loads(Path(args.case).read_text("utf-8"))
    options = raw.get("familias") if isinstance(raw.get("familias"), dict) else {}
    theta = args.theta if args.theta is not None else float(options.get("theta", 0))
    dropout = (
        args.dropout if args.dropout is not None else float(options.get("dropout", 0))
    )
    common: dict[str, Any] = {
        "theta": theta,
        "dropout": dropout,
        "database": str(options.get("database") or "Imena"),
        "locus_info": options.get("loci") or {},
    }
    if (args.victim is None) != (args.missing is None):
        raise KinshipError("--victim and --missing go together")
    if args.victim is not None:
        text = write_fam_pair(case, args.victim, args.missing, **common)
        shape = "standard"
    else:
        text = write_fam_dvi(case, **common)
        shape = "dvi"
    if not args.out.lower().endswith(".fam"):
        raise KinshipError(f"{args.out}: the output file name must end in .fam")
    try:
        Path(args.out).write_bytes(text.encode("ascii"))
    except OSError as exc:
        raise KinshipError(f"cannot write {args.out}: {exc.strerror}") from None
    return {
        "file": args.out,
        "shape": shape,
        "victims": 1 if args.victim is not None else len(case.victims),
        "families": 1 if args.victim is not None else len(case.families),
        "markers": len(case.markers),
        "theta": theta,
        "dropout": dropout,
    }


def import_fam(args: argparse.Namespace) -> dict[str, Any]:
    """Read ``args.fam`` into the case JSON ``args.out``; return a summary."""
    fam = read_fam(args.fam)
    case = fam_to_case(fam)
    data = case_to_dict(case, fam)
    try:
        Path(args.out).write_text(
            json.dumps(data, indent=1, allow_nan=False) + "\n", "utf-8"
        )
    except OSError as exc:
        raise KinshipError(f"cannot write {args.out}: {exc.strerror}") from None
    return {
        "file": args.out,
        "shape": "dvi" if fam.dvi_case is not None else "standard",
        "victims": len(case.victims),
        "families": len(case.families),
        "missing": len(case.missing),
        "markers": len(case.markers),
        "theta": data["familias"]["theta"],
        "dropout": data["familias"]["dropout"],
    }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def check(case: Case, factor: float) -> dict[str, Any]:
    """``{family: [{a, b, markers, log10_likelihood, best, flagged}]}``.

    ``log10_likelihood`` has ``declared`` and each alternative; null means
    impossible (a Mendelian inconsistency without a mutation model).
    """
    out: dict[str, Any] = {}
    for name, family in case.families.items():
        rows = []
        for c in check_family(family, case.markers, factor=factor):
            logliks = {"declared": c.declared_loglik, **c.logliks}
            rows.append(
                {
                    "a": c.a,
                    "b": c.b,
                    "markers": c.markers,
                    "log10_likelihood": {k: _finite(v) for k, v in logliks.items()},
                    "best": c.best,
                    "flagged": c.flagged,
                }
            )
        out[name] = rows
    return out


def _with_mutation(case: Case, model: str | None, rate: float) -> Case:
    if model is None:
        return case
    if model == "none":
        mutation = None
    else:
        spec = MutationSpec(model, {"rate": rate})
        mutation = SexMutation(spec, spec)
    case.markers = apply_mutation(case.markers, mutation)
    return case


def run(argv: list[str]) -> dict[str, Any]:
    """Run a sub-command and return its JSON-able result."""
    args = _parser().parse_args(argv)
    if args.command == "export-fam":
        return export_fam(args)
    if args.command == "import-fam":
        return import_fam(args)
    if args.command == "fam-lr":
        return hypothesis_lrs(read_fam(args.fam))
    if args.command == "check":
        return check(load_case(args.case), args.factor)
    for name in ("theta", "dropout"):
        value = getattr(args, name)
        if not 0.0 <= value < 1.0:
            raise KinshipError(f"--{name} must lie in [0, 1), got {value}")
    case = _with_mutation(load_case(args.case), args.mutation, args.rate)
    if args.command == "pairwise":
        table = pairwise_table(case, dropout=args.dropout, theta=args.theta)
        result = table.to_dict()
        if args.threshold > 0:
            result = {
                v: {m: lr for m, lr in row.items() if lr > args.threshold}
                for v, row in result.items()
            }
        return result
    res = joint(
        case, dropout=args.dropout, theta=args.theta, top=args.top, limit=args.threshold
    )
    return res.to_json(args.top)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else argv

    def show(
        message: Warning | str, category: type[Warning], *args: object, **kw: object
    ) -> None:
        print(f"warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        try:
            result = run(argv)
        except KinshipError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (KeyError, TypeError, AttributeError) as exc:
            print(
                f"error: malformed case ({type(exc).__name__}: {exc})", file=sys.stderr
            )
            return 2
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0
