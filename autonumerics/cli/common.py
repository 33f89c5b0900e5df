"""Helpers shared by the command modules: loading programs, printing JSON, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from autonumerics.errors import AutonumericsError

if TYPE_CHECKING:
    from autonumerics.ir.programfile import ProgramFile

console = Console()


def load_program_argument(path: str | None, expression: str | None) -> ProgramFile:
    """The program from a file or from ``--expr`` (exactly one of them)."""
    from autonumerics.ir.parse import parse_expr  # imports numpy and ml_dtypes: not for `--help`
    from autonumerics.ir.programfile import ProgramFile, load_program_file

    if (path is None) == (expression is None):
        raise AutonumericsError("give a PROGRAM.json or --expr EXPRESSION (one of them)")
    if expression is not None:
        return ProgramFile(parse_expr(expression))
    return load_program_file(path)


def print_json(data: dict) -> None:
    """``data`` as indented JSON on stdout (non-finite numbers as strings)."""
    from autonumerics.ir.programfile import json_safe

    json.dump(json_safe(data), sys.stdout, indent=1)
    sys.stdout.write("\n")


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, as a ``progress(done, total)`` callback."""
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def format_number(value: float | None, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits; "-" for None."""
    if value is None:
        return "-"
    return f"{value:.{digits}g}"
