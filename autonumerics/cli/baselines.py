"""The ``baselines`` command: classical approximations of a target with their errors and programs."""

from __future__ import annotations

import argparse
import json
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autonumerics.baselines import DEFAULT_KINDS, FAMILIES, Baseline, compute_baselines
from autonumerics.baselines.sollya import fpminimax_float32, sollya_available
from autonumerics.errors import AutonumericsError
from autonumerics.limits import clipped
from autonumerics.ir.programfile import ProgramFile, save_program_file
from autonumerics.truth.targets import Target, get_target, parse_interval


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``autonumerics baselines TARGET --interval A,B ...``."""
    parser = subparsers.add_parser(
        "baselines",
        description="Compute the classical approximations of TARGET on an interval, each as a program "
        "scored like an evolved one: max relative / absolute error (sampled, in --dtype), max float32 "
        "ULP error (sampled, FMA-contracted as exported to JAX), and for the minimax families the "
        "equioscillation certificate.",
    )
    parser.add_argument("target", help="a built-in target name or an mpmath expression in x")
    parser.add_argument("--interval", help="A,B (default: the target's first default interval)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="format of the relative / absolute error columns (default float64)")
    parser.add_argument("--max-ops", type=int, default=16, help="op budget (default 16)")
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                        help=f"comma-separated families (default all: {','.join(DEFAULT_KINDS)})")
    parser.add_argument("--absolute", action="store_true",
                        help="minimise absolute instead of relative error")
    parser.add_argument("--out", type=Path, help="write all baselines as JSON to this file")
    parser.add_argument("--programs", type=Path, metavar="DIR",
                        help="write each baseline as a program file (for evaluate / export / verify)")
    parser.add_argument("--sollya", action="store_true",
                        help="also report Sollya's fpminimax float32 polynomials (needs sollya on PATH)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compute, print, and write the requested files."""
    target = get_target(args.target)
    interval = parse_interval(args.interval) if args.interval else target.default_intervals[0]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FAMILIES]
    if bad:
        raise AutonumericsError(f"unknown kind(s) {clipped(', '.join(bad), 100)}; choose from {', '.join(FAMILIES)}")
    if args.sollya and not sollya_available():
        raise AutonumericsError("--sollya needs the 'sollya' program on PATH (Debian package 'sollya')")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        baselines = compute_baselines(target, interval, kinds, args.max_ops, not args.absolute, args.dtype)
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    report = {
        "target": target.name,
        "expression": target.expression,
        "interval": list(interval),
        "dtype": args.dtype,
        "error": "absolute" if args.absolute else "relative",
        "max_ops": args.max_ops,
        "baselines": [b.to_json() for b in baselines],
        "warnings": notes,
    }
    if args.sollya:
        report["sollya"] = _sollya_rows(target, interval, baselines)
    if args.out:
        _writing(args.out, lambda: args.out.write_text(json.dumps(report, indent=1)))
    if args.programs:
        _writing(args.programs, lambda: _write_programs(args.programs, target, interval, baselines))
    if args.json:
        print(json.dumps(report))
    else:
        _print_table(target, interval, baselines, args.dtype)
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
    return 0


def _writing(path: Path, write: Callable[[], object]) -> None:
    """Run ``write``; a file system error (read-only, full, no such folder) names ``path``."""
    try:
        write()
    except OSError as error:
        where = f" ({error.filename})" if error.filename and str(error.filename) != str(path) else ""
        raise AutonumericsError(f"cannot write {path}: {error.strerror or error}{where}") from None


def _print_table(target: Target, interval: tuple[float, float], baselines: list[Baseline], dtype: str) -> None:
    table = Table(title=f"baselines for {target.name} on [{interval[0]:.6g}, {interval[1]:.6g}]")
    for column in ("approximation", "ops", f"max rel {dtype}", f"max abs {dtype}", "ULP f32", "certificate"):
        table.add_column(column, justify="left" if column[0] in "ac" else "right", no_wrap=True)
    for b in baselines:
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


def _write_programs(folder: Path, target: Target, interval: tuple[float, float],
                    baselines: list[Baseline]) -> None:
    """One program file per baseline (``programfile`` format), named after its label."""
    for b in baselines:
        if b.program is None:
            continue
        data = b.to_json()
        metrics = {key: data[key] for key in ("max_rel_error", "max_abs_error", "max_ulp_float32")}
        metrics["measured"] = (f"sampled: relative/absolute in {b.dtype} on 4097 Chebyshev points, "
                               "float32 ULP on ~65k float32 inputs, FMA-contracted (xla)")
        provenance = {"baseline": {key: data[key] for key in ("family", "label", "degree", "form", "certificate")}}
        program_file = ProgramFile(
            program=b.program, target=target.name, interval=interval,
            dtype="float32" if b.family == "fp32" else b.dtype,
            ops=tuple(sorted({i.op for i in b.program.instructions})),
            metrics=metrics, provenance=provenance,
        )
        name = re.sub(r"[^A-Za-z0-9]+", "-", b.label).strip("-")
        save_program_file(folder / f"{name}.json", program_file)


def _sollya_rows(target: Target, interval: tuple[float, float], baselines: list[Baseline]) -> list[dict]:
    """Sollya's fpminimax at every degree of our plain fp32 rows."""
    degrees = sorted({b.degree for b in baselines if b.family == "fp32" and b.form == "plain"})
    return [{"degree": d, **fpminimax_float32(target.expression, d, interval)} for d in degrees]
