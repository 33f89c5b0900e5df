"""`autonumerics show`: a program as math and as Python, with its metrics."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.syntax import Syntax

from autonumerics.cli.common import console, print_json
from autonumerics.ir.programfile import load_program_file


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "show",
        description="Show a program file as math and as Python, with its stored metrics; or a run's Pareto "
        "front as a table (give the run folder, its pareto.json or its front/ folder; while the run is "
        "going, its last checkpoint's front).")
    parser.add_argument("path", help="a PROGRAM.json, or a run folder (RUN, RUN/pareto.json, RUN/front)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


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
    context = ", ".join(
        part for part in (
            program_file.target and f"target {program_file.target}",
            program_file.interval and f"on [{program_file.interval[0]:g}, {program_file.interval[1]:g}]",
            f"{program_file.dtype} ({program_file.effective_semantics})",
        ) if part
    )
    console.print(f"[bold]{escape(str(path))}[/bold]: {program.n_ops} ops, {program.n_constants} constants; "
                  f"{escape(context)}")
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


def run_folder_of(path: Path) -> Path | None:
    """The run folder that ``path`` stands for (itself, its pareto.json, its front/), else None.

    A folder that is no run is returned as is: ``show_run`` then says that it is no run folder.
    """
    if path.name == "pareto.json" or (path.name == "front" and (path.parent / "config.toml").is_file()):
        return path.parent
    return path if path.is_dir() else None


def show_run(path: Path, as_json: bool) -> int:
    """The front of a run folder as a table (pareto.json; the checkpoint's archive while running)."""
    from autonumerics.cli.search import front_table
    from autonumerics.evolution.pareto import FRONT_FILE, read_front
    from autonumerics.evolution.storage import RunFolder

    run = RunFolder.open(path)
    if (path / FRONT_FILE).exists():
        front = read_front(path)
    else:  # still running: the checkpoint's archive, not yet re-validated
        front = _front_from_checkpoint(run)
    if as_json:
        print_json({"run": str(path), "front": front})
        return 0
    console.print(front_table(front, f"Pareto front of {path}"))
    console.print(f"each member is a program file: autonumerics show {path}/front/<file>")
    return 0


def _front_from_checkpoint(run) -> list[dict]:
    from autonumerics.errors import AutonumericsError
    from autonumerics.evolution.population import Member, non_dominated

    try:
        checkpoint = run.read_checkpoint()
        if checkpoint is None:
            raise AutonumericsError(f"{run.path} has neither pareto.json nor a checkpoint yet")
        members = non_dominated([Member.from_json(m) for m in checkpoint["archive"]])
    except AutonumericsError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        reason = (f"missing key {error}" if isinstance(error, KeyError) else
                  "nested too deeply" if isinstance(error, RecursionError) else "a value of the wrong type")
        raise AutonumericsError(f"{run.checkpoint_path}: not a checkpoint written by autonumerics ({reason})") from None
    return [{"n_ops": m.program.n_ops, "cost": m.cost, "fitness": m.fitness, "final_error": m.fitness,
             "expression": m.program.to_infix()} for m in members]
