"""`autonumerics evaluate`: the metrics of one program (sampled, or exhaustive in float32)."""

from __future__ import annotations

import argparse
import time

from rich.markup import escape

from autonumerics.cli.common import (
    add_command,
    add_output_options,
    add_target_options,
    console,
    format_number,
    load_program_argument,
    metric_table,
    print_result,
    progress_bar,
)
from autonumerics.errors import AutonumericsError
from autonumerics.ir.programfile import SEMANTICS, ProgramFile
from autonumerics.numerics.context import arithmetic_context
from autonumerics.truth.target_interval import target_interval
from autonumerics.truth.targets import Target, get_target
from autonumerics.verification.evaluation import measure


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "evaluate", run, """Measure a program (a file, or --expr)
        against a target: max relative and absolute error, ULP error, correctly rounded fraction.
        Sampled at --points inputs with mpmath labels, or --exhaustive over every float32 of the
        interval.""")
    parser.add_argument("program", nargs="?", help="PROGRAM.json")
    parser.add_argument("--expr", help='an infix expression in x, e.g. "1 + x*(0.693 + x*0.24)"')
    add_target_options(parser, "target name (see `autonumerics targets`) or mpmath expression",
                       "A,B (default: the program file's, else the target's)")
    parser.add_argument("--dtype", help="float64 | float32 | bfloat16 | float16")
    parser.add_argument("--semantics", choices=SEMANTICS,
                        help="xla: rounding of jitted JAX on CPU (a*b+c fused); strict: every op "
                        "rounds")
    parser.add_argument("--points", type=int, default=10_000, help="sample size (default 10000)")
    parser.add_argument("--exhaustive", action="store_true", help="every float32 in the interval")
    parser.add_argument("--workers", type=int, default=2, help="processes for --exhaustive")
    add_output_options(parser, None)


def resolve_context(args: argparse.Namespace,
                    program_file: ProgramFile) -> tuple[Target, tuple[float, float], str, str]:
    """Target, interval, dtype and semantics from the flags, else the file, else defaults."""
    target_name = args.target or program_file.target
    if not target_name:
        raise AutonumericsError("no target: pass --target (the program file names none)")
    target = get_target(target_name)
    interval = target_interval(target, args.interval, program_file.interval)
    dtype = args.dtype or program_file.dtype
    arithmetic = arithmetic_context(dtype, args.semantics, program_file.semantics)
    return target, interval, arithmetic.dtype, arithmetic.semantics


def run(args: argparse.Namespace) -> int:
    program_file = load_program_argument(args.program, args.expr)
    target, interval, dtype, semantics = resolve_context(args, program_file)
    if args.exhaustive and dtype != "float32":
        raise AutonumericsError("--exhaustive checks every float32 input: use --dtype float32 "
                                f"(not {dtype})")
    if args.workers < 0:
        raise AutonumericsError(f"--workers {args.workers}: need 0 (in this process) or more")
    started = time.perf_counter()
    with progress_bar("every float32", enabled=args.exhaustive and not args.json) as progress:
        report = measure(program_file.program, target, interval, dtype, semantics,
                         points=args.points, exhaustive=args.exhaustive, workers=args.workers,
                         progress=progress)
    elapsed = time.perf_counter() - started
    result = {
        "expression": program_file.program.to_infix(),
        "n_ops": program_file.program.n_ops,
        "target": target.name,
        "interval": list(interval),
        "semantics": semantics,
        "seconds": round(elapsed, 3),
        **report.to_dict(),
    }
    return print_result(result, args.json, print_report)


def print_report(result: dict) -> None:
    how = "every float32" if result["exhaustive"] else "sampled"
    low, high = result["interval"]
    rows = [("ops", str(result["n_ops"])),
            ("max relative error", format_number(result["max_rel_error"])),
            ("max absolute error", format_number(result["max_abs_error"]))]
    if result["dtype"] != "float64":
        rows += [("max ULP", format_number(result["max_ulp"], 5)),
                 ("inputs >= 0.5 ULP", f"{result['n_ge_half_ulp']:,}"),
                 ("inputs >= 1 ULP", f"{result['n_ge_one_ulp']:,}"),
                 ("correctly rounded", f"{100 * result['frac_correctly_rounded']:.3f} %")]
    rows += [("worst input", f"{result['worst_input']!r} ({result['worst_input_hex']})"),
             ("time", f"{result['seconds']:.2f} s")]
    console.print(f"[bold]{escape(str(result['expression']))}[/bold]")
    title = (f"{result['target']} on [{low:g}, {high:g}], {result['dtype']} "
             f"({result['semantics']}), {how}, {result['n_points']:,} inputs")
    console.print(metric_table(title, rows))
