"""`autonumerics compare`: a run's front against the classical baselines (table and plot)."""

from __future__ import annotations

import argparse

from rich.table import Table

from autonumerics.baselines.compare import compare_run, plot_comparison
from autonumerics.cli.common import (
    add_command,
    add_output_options,
    console,
    format_number,
    print_json,
)
from autonumerics.errors import AutonumericsError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "compare", run, """Compare a run's Pareto front with the
        classical approximations (Taylor, Padé, Chebyshev, minimax, float32 polynomials) of at
        most as many ops, scored with the same evaluator: a table of the best error per op count,
        and a plot (error against ops).""")
    parser.add_argument("run", help="the run folder")
    parser.add_argument("--plot", help="write the plot (PNG) here (default: RUN/compare.png)")
    parser.add_argument("--max-ops", type=int,
                        help="largest op count compared (default: the run's limit)")
    add_output_options(parser, None)


def run(args: argparse.Namespace) -> int:
    comparison = compare_run(args.run, args.max_ops)
    plot_path = args.plot or f"{args.run}/compare.png"
    try:
        plot_comparison(comparison, plot_path)
    except OSError as error:
        raise AutonumericsError(
            f"cannot write the plot {plot_path}: {error.strerror or error}") from None
    if args.json:
        print_json({"target": comparison.target, "interval": list(comparison.interval),
                    "metric": comparison.metric, "plot": plot_path,
                    "rows": [row.to_json() for row in comparison.rows]})
        return 0
    metric = comparison.metric.replace("_", " ")
    table = Table(title=f"{comparison.target}: best {metric} with at most N ops")
    for column in ("ops", "evolved", "classical", "classical / evolved", "classical form"):
        table.add_column(column, justify="left" if column == "classical form" else "right")
    for row in comparison.rows:
        ratio = row.ratio
        table.add_row(str(row.n_ops), format_number(row.evolved, 3),
                      format_number(row.classical, 3),
                      "-" if ratio is None else f"{ratio:.3g}", row.classical_label or "-")
    console.print(table)
    console.print(f"plot: {plot_path}", markup=False)
    return 0
