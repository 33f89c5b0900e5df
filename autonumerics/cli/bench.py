"""`autonumerics bench`: a jitted kernel against the JAX built-in, as ratios."""

from __future__ import annotations

import argparse

from rich.table import Table

from autonumerics.cli.common import add_command, add_output_options, console, print_json
from autonumerics.errors import AutonumericsError
from autonumerics.truth.targets import get_target, parse_interval
from autonumerics.verification.bench import bench, load_kernel, parse_sizes, resolve_against


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "bench", run, """Time an exported JAX kernel (or a program
        file, exported on the fly) against the JAX built-in on the same float32 inputs of its
        interval: streaming at each size (median of interleaved repeats) and stacked (the function
        applied many times in a lax.fori_loop on 10 000 inputs). Ratio = built-in time / kernel
        time.""")
    parser.add_argument("kernel", help="KERNEL.py (or PROGRAM.json)")
    parser.add_argument("--against", default="jnp",
                        help="jnp (the target's built-in) or a JAX name, e.g. jnp.exp2")
    parser.add_argument("--function",
                        help="the kernel's function name (default: the file's KERNEL_NAME)")
    parser.add_argument("--sizes", default="1e4,1e6,1e7", help="input sizes (default 1e4,1e6,1e7)")
    parser.add_argument("--interval", help="A,B (default: the kernel's, else the target's)")
    parser.add_argument("--repeats", type=int, default=15,
                        help="interleaved rounds per row (median)")
    parser.add_argument("--stacked-iterations", type=int, default=100,
                        help="applications in the loop (0: skip)")
    parser.add_argument("--stacked-size", type=int, default=10_000,
                        help="inputs of the stacked loop")
    add_output_options(parser, None)


def run(args: argparse.Namespace) -> int:
    if args.repeats < 1 or args.stacked_iterations < 0 or args.stacked_size < 1:
        raise AutonumericsError("--repeats and --stacked-size must be >= 1, "
                                "--stacked-iterations >= 0")
    kernel, module = load_kernel(args.kernel, args.function)
    target = getattr(module, "TARGET", None)
    builtin, builtin_name = resolve_against(args.against, target)
    if args.interval:
        interval = parse_interval(args.interval)
    else:
        interval = getattr(module, "INTERVAL", None) or (
            get_target(target).default_intervals[0] if target else None)
    if interval is None:
        raise AutonumericsError("no interval: pass --interval")
    rows = bench(kernel, builtin, tuple(interval), parse_sizes(args.sizes), args.repeats,
                 args.stacked_size, args.stacked_iterations)
    result = {"kernel": str(args.kernel), "against": builtin_name, "interval": list(interval),
              "rows": [row.to_json() for row in rows]}
    if args.json:
        print_json(result)
        return 0
    low, high = interval
    table = Table(title=f"{args.kernel} against {builtin_name} on [{low:g}, {high:g}] "
                        "(ratio > 1: the kernel is faster)")
    for column in ("case", "kernel", "built-in", "ratio"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(row.case, _time(row.kernel_seconds, row.n_elements),
                      _time(row.builtin_seconds, row.n_elements),
                      f"{row.ratio:.2f}x")
    console.print(table)
    return 0


def _time(seconds: float, n: int) -> str:
    return f"{seconds * 1e3:.3f} ms ({seconds * 1e9 / n:.2f} ns/elt)"
