"""`autonumerics quant search|eval|export|compare`: integer activation kernels, checked on every input."""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

from rich.table import Table

from autonumerics.cli.common import console, print_json
from autonumerics.errors import AutonumericsError
from autonumerics.quant.export import LANGUAGES, export_source
from autonumerics.quant.programfile import load_kernel
from autonumerics.quant.report import compare_rows, evaluate_kernel
from autonumerics.quant.search_driver import CONFIG_KEYS, SearchRequest, run_search


def parse_scale(text: str) -> float:
    """A scale as ``2^-6``, ``2**-6`` or a decimal number (> 0); errors name the text."""
    match = re.fullmatch(r"\s*2\s*(?:\^|\*\*)\s*(-?\d+)\s*", text)
    try:
        value = 2.0 ** int(match.group(1)) if match else float(text)
    except ValueError:
        raise AutonumericsError(f"cannot read the scale {text!r} (write 2^-6, 2**-6 or 0.015625)") from None
    if not value > 0:
        raise AutonumericsError(f"a scale must be positive, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quant", help="integer activation kernels (GELU, exp, sigmoid, tanh), every input checked",
                                   description="Search, evaluate, export and compare integer kernels.")
    commands = parser.add_subparsers(dest="quant_command", metavar="SUBCOMMAND", required=True)
    search = commands.add_parser("search", help="find integer kernels for given scales")
    search.add_argument("config", nargs="?", help="search_configs/quant/*.toml")
    search.add_argument("--target", choices=("gelu", "exp", "sigmoid", "tanh"), help="without a config: the target")
    search.add_argument("--dtype", help="input storage dtype (default int8; int16 for sigmoid / tanh)")
    search.add_argument("--scale", action="append", help="input scale (repeatable), e.g. 2^-6")
    search.add_argument("--out", help="folder for the kernel files (default: the config's, else .)")
    search.add_argument("--time-limit", type=float, help="seconds per MILP (GELU)")
    for name, help_text in (("eval", "every-input metrics of a kernel file"),
                            ("compare", "a kernel against I-BERT, tables and the float path")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("kernel", help="KERNEL.json")
    export = commands.add_parser("export", help="a kernel as standalone JAX / NumPy / C")
    export.add_argument("kernel", help="KERNEL.json")
    export.add_argument("--to", required=True, choices=LANGUAGES)
    export.add_argument("-o", "--output", help="file to write (default: stdout)")
    export.add_argument("--name", help="function name (default: <target>_<dtype>)")
    for sub in commands.choices.values():
        sub.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return {"search": _search, "eval": _eval, "export": _export, "compare": _compare}[args.quant_command](args)


def _request(args: argparse.Namespace) -> SearchRequest:
    settings: dict = {}
    if args.config:
        try:
            settings = tomllib.loads(Path(args.config).read_text())
        except OSError as error:
            raise AutonumericsError(f"cannot read {args.config}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise AutonumericsError(f"{args.config} is not valid TOML: {error}") from None
        unknown = set(settings) - set(CONFIG_KEYS)
        if unknown:
            raise AutonumericsError(f"unknown key(s) in {args.config}: {', '.join(sorted(unknown))}")
    if args.target:
        settings["target"] = args.target
    if args.dtype:
        settings["dtype"] = args.dtype
    if args.scale:
        settings["scales"] = args.scale
    if args.out:
        settings["out"] = args.out
    if args.time_limit is not None:
        settings["time_limit"] = args.time_limit
    if "target" not in settings or "scales" not in settings:
        raise AutonumericsError("give a config file, or --target and at least one --scale")
    settings["scales"] = [parse_scale(str(s)) for s in settings["scales"]]
    return SearchRequest(**settings)


def _search(args: argparse.Namespace) -> int:
    results = run_search(_request(args), log=None if args.json else console.print)
    if args.json:
        print_json({"kernels": results})
    return 0


def _eval(args: argparse.Namespace) -> int:
    row = evaluate_kernel(load_kernel(args.kernel))
    if args.json:
        print_json(row)
    else:
        for key, value in row.items():
            console.print(f"{key:>28}: {value}", highlight=False)
    return 0


def _export(args: argparse.Namespace) -> int:
    kernel = load_kernel(args.kernel)
    name = args.name or f"{kernel.target}_{kernel.params_in.dtype}"
    grid = kernel.params_in.grid()
    if kernel.target == "exp":
        grid = grid[grid <= 0]
    source = export_source(kernel.program, args.to, grid, name=name, target=kernel.target,
                           input_scale=kernel.params_in.scale, output_scale=kernel.params_out.scale,
                           valid_scales=[kernel.params_in.scale], certificate=kernel.metrics)
    if args.output is None:
        sys.stdout.write(source)
        return 0
    try:
        Path(args.output).write_text(source)
    except OSError as error:
        raise AutonumericsError(f"cannot write {args.output}: {error.strerror}") from None
    if args.json:
        print_json({"wrote": args.output, "language": args.to, "ops": kernel.program.n_ops})
    else:
        console.print(f"wrote {args.output} ({args.to}, {kernel.program.n_ops} integer ops)", highlight=False)
    return 0


def _compare(args: argparse.Namespace) -> int:
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
