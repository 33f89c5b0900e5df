"""The ``baselines`` command: classical approximations of a target, their errors and programs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autonumerics.baselines import DEFAULT_KINDS, FAMILIES
from autonumerics.baselines.report import BaselineReport, baseline_report, save_program_files
from autonumerics.cli.common import add_command, add_output_options, writing
from autonumerics.errors import AutonumericsError
from autonumerics.limits import clipped
from autonumerics.truth.symmetry import DECLARATIONS, target_with_symmetry
from autonumerics.truth.target_interval import target_interval
from autonumerics.truth.targets import get_target


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``autonumerics baselines TARGET --interval A,B ...``."""
    parser = add_command(subparsers, "baselines", run, """Compute the classical approximations of
        TARGET on an interval, each as a program scored like an evolved one: max relative /
        absolute error (sampled, in --dtype), max float32 ULP error (sampled, FMA-contracted as
        exported to JAX), and for the minimax families the equioscillation certificate.""")
    parser.add_argument("target", help="a built-in target name or an mpmath expression in x")
    parser.add_argument("--interval", help="A,B (default: the target's first default interval)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="format of the relative / absolute error columns (default float64)")
    parser.add_argument("--max-ops", type=int, default=16, help="op budget (default 16)")
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                        help=f"comma-separated families (default all: {','.join(DEFAULT_KINDS)})")
    parser.add_argument("--symmetry", choices=DECLARATIONS, default="auto",
                        help="auto (default): the built-in's, or detected for an expression; "
                        "odd / even add the forms x*p(x^2) / p(x^2); none: plain forms only")
    parser.add_argument("--absolute", action="store_true",
                        help="minimise absolute instead of relative error")
    parser.add_argument("--out", type=Path, help="write all baselines as JSON to this file")
    parser.add_argument("--programs", type=Path, metavar="DIR",
                        help="write each baseline as a program file (for evaluate / export / "
                        "verify)")
    parser.add_argument("--sollya", action="store_true",
                        help="also report Sollya's fpminimax float32 polynomials (needs sollya on "
                        "PATH)")
    add_output_options(parser, None)


def run(args: argparse.Namespace) -> int:
    """Compute, print, and write the requested files."""
    target = target_with_symmetry(get_target(args.target), args.symmetry)
    interval = target_interval(target, args.interval)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FAMILIES]
    if bad:
        raise AutonumericsError(f"unknown kind(s) {clipped(', '.join(bad), 100)}; "
                                f"choose from {', '.join(FAMILIES)}")
    report = baseline_report(target, interval, kinds, args.max_ops, not args.absolute, args.dtype,
                             sollya=args.sollya)
    data = report.to_json()
    if args.out:
        writing(args.out, lambda: args.out.write_text(json.dumps(data, indent=1)))
    if args.programs:
        writing(args.programs, lambda: save_program_files(args.programs, report))
    if args.json:
        print(json.dumps(data))
    else:
        _print_table(report)
        for note in report.warnings:
            print(f"warning: {note}", file=sys.stderr)
    return 0


def _print_table(report: BaselineReport) -> None:
    low, high = report.interval
    symmetry = f" ({report.target.symmetry})" if report.target.symmetry else ""
    table = Table(title=f"baselines for {report.target.name}{symmetry} on [{low:.6g}, {high:.6g}]")
    dtype = report.dtype
    for column in ("approximation", "ops", f"max rel {dtype}", f"max abs {dtype}", "ULP f32",
                   "certificate"):
        table.add_column(column, justify="left" if column[0] in "ac" else "right", no_wrap=True)
    for b in report.baselines:
        certificate = ""
        if b.certificate is not None:
            state = "ok" if b.certificate.passed else "FAILED"
            alternations = f"{len(b.certificate.points)}/{b.certificate.required}"
            certificate = f"{state} {alternations} {b.certificate.levelling:.0e}"
        table.add_row(b.label, "" if b.n_ops is None else str(b.n_ops), f"{b.max_rel_error:.3e}",
                      f"{b.max_abs_error:.3e}", f"{b.max_ulp_float32:.4g}", certificate)
    Console(width=max(Console().width, 100)).print(table)
    print("errors sampled: float64 on 4097 Chebyshev points, float32 ULP on ~65k float32 inputs "
          "(FMA-contracted as exported to JAX); certificate: alternations found/required and "
          "levelling 1 - min|e_i|/max|e|")
