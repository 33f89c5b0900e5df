"""Helpers shared by the command modules: common options, loading programs, writing files, JSON,
progress bars."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from autonumerics.errors import AutonumericsError

if TYPE_CHECKING:
    from autonumerics.ir.programfile import ProgramFile

console = Console()
Subparsers = argparse._SubParsersAction
Handler = Callable[[argparse.Namespace], int]


def add_command(subparsers: Subparsers, name: str, handler: Handler | None,
                description: str, **options: object) -> argparse.ArgumentParser:
    """A command's parser, run by ``handler``; ``description`` may span lines (argparse refills
    its white space when it prints it)."""
    parser = subparsers.add_parser(name, description=description, **options)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_target_options(parser: argparse.ArgumentParser, target_help: str,
                       interval_help: str) -> None:
    """``--target`` and ``--interval`` (A,B; a bound may be negative: see ``cli.main``)."""
    parser.add_argument("--target", help=target_help)
    parser.add_argument("--interval", help=interval_help)


def add_output_options(parser: argparse.ArgumentParser, output_help: str | None,
                       json_help: str | None = "print one JSON object") -> None:
    """``-o/--output FILE`` and ``--json``, each unless its help is None."""
    if output_help is not None:
        parser.add_argument("-o", "--output", help=output_help)
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help)


def load_program_argument(path: str | None, expression: str | None) -> ProgramFile:
    """The program from a file or from ``--expr`` (exactly one of them)."""
    from autonumerics.ir.parse import parse_expr  # imports numpy and ml_dtypes: not for `--help`
    from autonumerics.ir.programfile import ProgramFile, load_program_file

    if (path is None) == (expression is None):
        raise AutonumericsError("give a PROGRAM.json or --expr EXPRESSION (one of them)")
    if expression is not None:
        return ProgramFile(parse_expr(expression))
    return load_program_file(path)


def writing(path: Path, write: Callable[[], object]) -> None:
    """Run ``write``; a file system error (read-only, full, no such folder) names ``path``."""
    try:
        write()
    except OSError as error:
        other = error.filename and str(error.filename) != str(path)
        where = f" ({error.filename})" if other else ""
        raise AutonumericsError(f"cannot write {path}: {error.strerror or error}{where}") from None


def write_output(text: str, output: str | os.PathLike | None) -> Path | None:
    """``text`` into the file ``output`` (its folder made first), or onto stdout when None.

    Returns:
        The file written; None for stdout.
    """
    if output is None:
        sys.stdout.write(text)
        return None
    path = Path(output)

    def write() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    writing(path, write)
    return path


def print_result(data: dict, as_json: bool, show: Callable[[dict], None]) -> int:
    """``data`` as one JSON object, or as ``show`` prints it; returns the exit status, 0."""
    if as_json:
        print_json(data)
    else:
        show(data)
    return 0


def print_json(data: dict) -> None:
    """``data`` as indented JSON on stdout (non-finite numbers as strings)."""
    from autonumerics.ir.programfile import json_safe  # NumPy and ml_dtypes: not for `--help`

    json.dump(json_safe(data), sys.stdout, indent=1)
    sys.stdout.write("\n")


@contextmanager
def progress_bar(description: str,
                 enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, as a ``progress(done, total)`` callback."""
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>5.1f}%"), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def format_number(value: float | str | None, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits; "-" for None. A string is a number as JSON
    writes a non-finite one ("inf", "nan")."""
    if value is None:
        return "-"
    return f"{float(value):.{digits}g}"


def metric_table(title: str, rows: Iterable[tuple[str, str]]) -> Table:
    """A table of (metric, value) rows, values right-aligned."""
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    return table
