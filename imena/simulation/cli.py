"""``imena simulate --seed N --out DIR [--graves N] [--scale K]``.

``imena simulate --seed N --out DIR --national`` (or ``--sites N [--bodies B]
[--missing M]``) writes the national scenario instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .core import simulate


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports one line and raises instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="imena simulate",
        description="Write a synthetic numbered-graves scenario (same seed, "
        "same bytes).",
    )
    parser.add_argument(
        "--seed", type=_count, required=True, help="random seed (0 or more)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--graves",
        type=_count,
        default=None,
        help="graves per scale unit (default 445, one mass grave of 17)",
    )
    parser.add_argument(
        "--scale",
        type=_count,
        default=1,
        help="multiply the graves by K (about 900 journal rows per unit)",
    )
    parser.add_argument(
        "--national",
        action="store_true",
        help="the national scenario: 40 sites, 10,000 bodies, 55,000 reports",
    )
    parser.add_argument(
        "--sites",
        type=_count,
        default=None,
        help="national scenario with N burial sites (250 exhumed bodies each)",
    )
    parser.add_argument(
        "--bodies",
        type=_count,
        default=None,
        help="national scenario: exhumed bodies in all sites",
    )
    parser.add_argument(
        "--missing",
        type=_count,
        default=None,
        help="national scenario: missing-person reports (default 5.5 per body)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator; return the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "simulate":
        args_list = args_list[1:]
    try:
        args = build_parser().parse_args(args_list)
    except _UsageError as exc:
        print(f"imena simulate: error: {exc}", file=sys.stderr)
        return 2
    if args.graves is not None and args.graves < 1:
        print("imena simulate: error: --graves must be 1 or more", file=sys.stderr)
        return 2
    if args.scale < 1:
        print("imena simulate: error: --scale must be 1 or more", file=sys.stderr)
        return 2
    national = args.national or any(
        v is not None for v in (args.sites, args.bodies, args.missing)
    )
    if national and (args.graves is not None or args.scale != 1):
        print(
            "imena simulate: error: --graves and --scale apply to the one-site "
            "scenario, not with --national, --sites, --bodies or --missing",
            file=sys.stderr,
        )
        return 2
    if national and (
        args.sites == 0
        or args.missing == 0
        or (args.bodies is not None and args.bodies < (args.sites or 1))
    ):
        print(
            "imena simulate: error: --sites and --missing must be 1 or more, "
            "--bodies at least one per site",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    try:
        summary = simulate(
            args.seed,
            args.out,
            graves=args.graves,
            scale=args.scale,
            national=national,
            sites=args.sites,
            bodies=args.bodies,
            missing=args.missing,
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(
            f"imena simulate: error: cannot write to {args.out}: {reason}",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - start
    total = sum(summary.files.values())
    if national:
        print(
            f"wrote {summary.out}: {summary.sites} sites, {summary.graves} graves, "
            f"{summary.bodies} bodies, "
            f"{summary.funeral_rows}+{summary.volunteer_rows} journal rows, "
            f"{summary.reports} reports, {summary.families} DNA families, "
            f"{summary.references} reference profiles, "
            f"{total / 1e6:.1f} MB in {elapsed:.1f} s"
        )
        return 0
    print(
        f"wrote {summary.out}: {summary.graves} graves, {summary.bodies} bodies, "
        f"{summary.funeral_rows}+{summary.volunteer_rows} journal rows, "
        f"{summary.reports} reports, {summary.families} DNA families, "
        f"{total / 1e6:.1f} MB in {elapsed:.1f} s"
    )
    return 0
