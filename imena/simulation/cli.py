"""``imena simulate --seed N --out DIR [--graves N] [--scale K]``."""

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
    start = time.perf_counter()
    try:
        summary = simulate(args.seed, args.out, graves=args.graves, scale=args.scale)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(
            f"imena simulate: error: cannot write to {args.out}: {reason}",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - start
    total = sum(summary.files.values())
    print(
        f"wrote {summary.out}: {summary.graves} graves, {summary.bodies} bodies, "
        f"{summary.funeral_rows}+{summary.volunteer_rows} journal rows, "
        f"{summary.reports} reports, {summary.families} DNA families, "
        f"{total / 1e6:.1f} MB in {elapsed:.1f} s"
    )
    return 0
