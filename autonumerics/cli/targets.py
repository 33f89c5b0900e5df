"""The ``targets`` command: list the built-in target functions and their default intervals."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from autonumerics.cli.common import add_command, add_output_options
from autonumerics.truth.targets import TARGETS, Target


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``autonumerics targets [--json]``."""
    parser = add_command(subparsers, "targets", run, """List the built-in targets: definition,
        domain and default search intervals. Any other real mpmath expression in x (e.g.
        'besselj(0, x)') is accepted as a target too.""")
    add_output_options(parser, None)


def describe(target: Target) -> dict[str, object]:
    """A target as plain JSON data (intervals as float64 numbers; ``repr`` round-trips them)."""
    return {
        "name": target.name,
        "expression": target.expression,
        "domain": str(target.domain),
        "default_intervals": [[a, b] for a, b in target.default_intervals],
        "symmetry": target.symmetry,
        "f64_rel_error_bound": target.f64_rel_error_bound,
    }


def run(args: argparse.Namespace) -> int:
    """Print the registry as JSON or as a table."""
    if args.json:
        print(json.dumps({"targets": [describe(target) for target in TARGETS.values()]}))
        return 0
    table = Table(title="built-in targets")
    for column in ("name", "definition", "domain", "default intervals", "symmetry"):
        table.add_column(column)
    for target in TARGETS.values():
        intervals = "  ".join(f"[{a:.6g}, {b:.6g}]" for a, b in target.default_intervals)
        table.add_row(target.name, target.expression, str(target.domain), intervals,
                      target.symmetry or "")
    Console().print(table)
    return 0
