"""`autonumerics quant search|eval|export|compare`: integer activation kernels, checked on every
input."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from autonumerics.cli.common import add_command, console, print_json, write_output
from autonumerics.evolution.config import shipped_configs
from autonumerics.quant.codegen import LANGUAGES, export_kernel
from autonumerics.quant.config import QUANT_SEARCH_TARGETS, SearchRequest, load_request
from autonumerics.quant.kernel_file import load_kernel

if TYPE_CHECKING:  # scipy and the MILP solver: the handlers import them, not `--help`
    from autonumerics.quant.search_driver import QuantProgress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "quant", run, """Integer activation kernels (GELU, exp,
        sigmoid, tanh) for quantized inputs: search them for given scales, evaluate them on every
        input, export them, compare them with I-BERT and tables.""")
    commands = parser.add_subparsers(dest="quant_command", metavar="SUBCOMMAND", required=True)
    search = add_command(commands, "search", None, f"""Search an integer kernel per input scale
        and write each as KERNEL.json, scored on every input of its grid. CONFIG is a TOML file or
        a shipped config's name ({', '.join(shipped_configs('quant'))}); without one, give
        --target and --scale.""", help="find integer kernels for given scales")
    search.add_argument("config", nargs="?",
                        help="a TOML file, or a shipped config's name, e.g. gelu_int8")
    search.add_argument("--target", choices=QUANT_SEARCH_TARGETS,
                        help="without a config: the target")
    search.add_argument("--dtype",
                        help="input storage dtype (default int8; int16 for sigmoid / tanh)")
    search.add_argument("--scale", action="append", help="input scale (repeatable), e.g. 2^-6")
    search.add_argument("--out", help="folder for the kernel files (default: the config's, else .)")
    search.add_argument("--time-limit", type=float, help="seconds per MILP (GELU)")
    for name, help_text, description in _KERNEL_COMMANDS:
        add_command(commands, name, None, description, help=help_text).add_argument(
            "kernel", help="KERNEL.json")
    export = add_command(commands, "export", None, """Write a kernel file as a standalone JAX
        module, NumPy module or C99 header with its scales and certificate (its intermediates are
        audited on the whole input grid first: an overflow is an error).""",
                         help="a kernel as standalone JAX / NumPy / C")
    export.add_argument("kernel", help="KERNEL.json")
    export.add_argument("--to", required=True, choices=LANGUAGES)
    export.add_argument("-o", "--output", help="file to write (default: stdout)")
    export.add_argument("--name", help="function name (default: <target>_<dtype>)")
    for sub in commands.choices.values():
        sub.add_argument("--json", action="store_true", help="print one JSON object")


# (name, one-line help, description) of the subcommands that take only a kernel file.
_KERNEL_COMMANDS = (
    ("eval", "every-input metrics of a kernel file",
     """Evaluate a kernel file on every input of its grid: ops, divisions, largest intermediate,
     and the error against the correctly rounded result (LSB error, fraction correctly rounded,
     bias; or relative error)."""),
    ("compare", "a kernel against I-BERT, tables and the float path",
     """Compare a kernel file on every input with the alternatives: I-BERT's integer kernel (exp,
     GELU), a lookup table and the dequantize-float32-requantize path (GELU, sigmoid, tanh): ops,
     divisions, table bytes and errors."""),
)


def run(args: argparse.Namespace) -> int:
    handlers = {"search": _search, "eval": _eval, "export": _export, "compare": _compare}
    return handlers[args.quant_command](args)


def _search(args: argparse.Namespace) -> int:
    from autonumerics.quant.search_driver import run_search  # scipy: not for `--help`

    request = load_request(args.config, target=args.target, dtype=args.dtype, scales=args.scale,
                           out=args.out, time_limit=args.time_limit)
    with _search_progress(request, enabled=not args.json) as progress:
        results = run_search(request, progress=progress)
    if args.json:
        print_json({"kernels": results})
    return 0


@contextmanager
def _search_progress(request: SearchRequest,
                     enabled: bool) -> Iterator[Callable[[QuantProgress], None] | None]:
    """A progress bar over the request's scales (elapsed time ticking), and one line per saved
    kernel."""
    from autonumerics.quant.search_driver import summary_line  # scipy: not for `--help`

    if not enabled:
        yield None
        return
    what = f"{request.target} {request.dtype}"
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(what, total=len(request.scales))

        def update(progress: QuantProgress) -> None:
            if progress.kernel is None:
                scale = f"scale {_scale_text(progress.scale)}"
                bar.update(task, completed=progress.n_done, description=f"{what}, {scale}")
                return
            finished = progress.n_done == progress.n_scales
            bar.update(task, completed=progress.n_done,
                       description=f"{what}, done" if finished else None)
            bar.console.print(summary_line(progress.kernel), highlight=False, soft_wrap=True)

        yield update


def _scale_text(scale: float) -> str:
    exponent = math.log2(scale)
    return f"2^{int(exponent)}" if exponent == int(exponent) else f"{scale:g}"


def _eval(args: argparse.Namespace) -> int:
    from autonumerics.quant.report import evaluate_kernel  # scipy: not for `--help`

    row = evaluate_kernel(load_kernel(args.kernel))
    if args.json:
        print_json(row)
    else:
        for key, value in row.items():
            console.print(f"{key:>28}: {value}", highlight=False)
    return 0


def _export(args: argparse.Namespace) -> int:
    kernel = load_kernel(args.kernel)
    source = export_kernel(kernel, args.to, name=args.name)  # the grid; clamp or reject beyond it
    if write_output(source, args.output) is None:
        return 0
    if args.json:
        print_json({"wrote": args.output, "language": args.to, "ops": kernel.program.n_ops})
    else:
        console.print(f"wrote {args.output} ({args.to}, {kernel.program.n_ops} integer ops)",
                      highlight=False, markup=False)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from autonumerics.quant.report import compare_rows  # scipy: not for `--help`

    rows = compare_rows(load_kernel(args.kernel))
    if args.json:
        print_json({"rows": rows})
        return 0
    columns = ["name", "ops", "divisions", "table_bytes"]
    columns += (["max_relative_error"] if "max_relative_error" in rows[0]
                else ["max_lsb_error", "correctly_rounded", "bias_lsb"])
    table = Table(*columns)
    for row in rows:
        table.add_row(*[_cell(row.get(column)) for column in columns])
    console.print(table)
    return 0


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)
