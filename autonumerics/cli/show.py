"""`autonumerics show`: a program as math and as Python, with its metrics; or a run's front."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.syntax import Syntax

from autonumerics.cli.common import add_command, add_output_options, console, print_json
from autonumerics.cli.search import front_table
from autonumerics.evolution.live_front import current_front, run_folder_of
from autonumerics.ir.programfile import load_program_file


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "show", run, """Show a program file as math and as Python,
        with its stored metrics; or a run's Pareto front as a table (give the run folder, its
        pareto.json or its front/ folder; while the run is going, its last checkpoint's front).""")
    parser.add_argument("path",
                        help="a PROGRAM.json, or a run folder (RUN, RUN/pareto.json, RUN/front)")
    add_output_options(parser, None)


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    run = run_folder_of(path)
    if run is not None:
        return show_run(run, args.json)
    program_file = load_program_file(path)
    program = program_file.program
    if args.json:
        print_json({**program_file.to_json(), "python": program.to_python()})
        return 0
    interval = program_file.interval
    context = ", ".join(
        part for part in (
            program_file.target and f"target {program_file.target}",
            interval and f"on [{interval[0]:g}, {interval[1]:g}]",
            f"{program_file.dtype} ({program_file.effective_semantics})",
        ) if part
    )
    console.print(f"[bold]{escape(str(path))}[/bold]: {program.n_ops} ops, {program.n_constants} "
                  f"constants; {escape(context)}")
    console.print(f"\n[bold]math[/bold]\n  {program.to_infix()}\n")
    console.print("[bold]python[/bold]")
    console.print(Syntax(program.to_python(), "python"))
    if program_file.metrics:
        console.print("[bold]metrics[/bold]")
        for key, value in program_file.metrics.items():
            console.print(f"  {escape(str(key))}: {escape(str(value))}")
    else:
        console.print("no stored metrics: `autonumerics evaluate` measures them")
    return 0


def show_run(path: Path, as_json: bool) -> int:
    """The front of a run folder as a table (pareto.json; while running, the checkpoint's)."""
    front = current_front(path)
    if as_json:
        print_json({"run": str(path), "front": front})
        return 0
    console.print(front_table(front, f"Pareto front of {path}"))
    console.print(f"each member is a program file: autonumerics show {path}/front/<file>")
    return 0
