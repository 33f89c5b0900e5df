"""`autonumerics search` and `autonumerics resume`: run the evolutionary search with live progress."""

from __future__ import annotations

import argparse
from typing import Self

from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from autonumerics.cli.common import console, print_json
from autonumerics.config import load_config, parse_duration
from autonumerics.distributed import parse_dask_address
from autonumerics.evolve import Progress
from autonumerics.runs import RunSummary, default_out_dir, resume_search, start_search


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser(
        "search", help="run an evolutionary search (default: 2^x on [0, 1], 5 minutes)",
        description="Evolve programs from f(x) = x (or the config's seeds) and write a run folder "
        "with the Pareto front of error against op count.")
    search.add_argument("config", nargs="?", help="a TOML file from search_configs/ (default: built-in defaults)")
    search.add_argument("--out", help="run folder (default: runs/<timestamp>)")
    _common(search)
    search.add_argument("--seed", type=int, help="random seed (search.seed)")
    search.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set search.population=50 (repeatable)")
    search.set_defaults(handler=run_search)
    resume = subparsers.add_parser("resume", help="continue a stopped or killed search")
    resume.add_argument("run", help="the run folder")
    _common(resume)
    resume.set_defaults(handler=run_resume)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=2, help="worker processes (0: inline, deterministic)")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="evaluate on Dask distributed: tcp://SCHEDULER:8786, or local:N to start N local "
                        "workers (needs pip install \"autonumerics[dask]\"; --workers is then ignored)")
    parser.add_argument("--time-budget", help="stop after this long, e.g. 90s, 30m, 1h")
    parser.add_argument("--max-evals", type=int, help="stop after this many fitted children")
    parser.add_argument("--json", action="store_true", help="no live display; print one JSON summary")


def run_search(args: argparse.Namespace) -> int:
    if args.dask:
        parse_dask_address(args.dask)  # a bad value is a one-line error before anything starts
    overrides = list(args.overrides)
    if args.seed is not None:
        overrides.append(f"search.seed={args.seed}")
    if args.time_budget is not None:
        parse_duration(args.time_budget)
        overrides.append(f'search.time_budget="{args.time_budget}"')
    if args.max_evals is not None:
        overrides.append(f"search.max_evals={args.max_evals}")
    config = load_config(args.config, overrides)
    out = args.out or default_out_dir()
    with LiveFront(enabled=not args.json) as live:
        summary = start_search(config, out, args.workers, live.update, dask=args.dask)
    return report(summary, args.json)


def run_resume(args: argparse.Namespace) -> int:
    if args.dask:
        parse_dask_address(args.dask)
    budget = parse_duration(args.time_budget) if args.time_budget else None
    with LiveFront(enabled=not args.json) as live:
        summary = resume_search(args.run, args.workers, live.update, budget, args.max_evals, dask=args.dask)
    return report(summary, args.json)


def report(summary: RunSummary, as_json: bool) -> int:
    data = {"run": str(summary.path), "n_evaluated": summary.n_evaluated, "n_duplicates": summary.n_duplicates,
            "n_skipped": summary.n_skipped, "n_lost": summary.n_lost, "stop_reason": summary.stop_reason,
            "seconds": round(summary.elapsed, 1),
            "front": [{k: e[k] for k in ("n_ops", "cost", "fitness", "final_error", "expression", "file")}
                      for e in summary.front]}
    if as_json:
        print_json(data)
        return 0
    console.print(front_table(summary.front, f"Pareto front of {summary.path}"))
    console.print(f"{summary.n_evaluated:,} children fitted in {summary.elapsed:.0f} s "
                  f"({summary.n_duplicates:,} duplicates, {summary.n_skipped:,} skipped before fitting); "
                  f"front members are program files in {summary.path}/front/")
    if summary.n_lost:
        console.print(f"{summary.n_lost:,} children lost with their workers (never recorded)")
    if summary.stop_reason:
        console.print(f"stopped early: {summary.stop_reason}; `autonumerics resume {summary.path}` continues "
                      "(locally, or on another cluster with --dask)")
    return 0


def front_table(front: list[dict], title: str) -> Table:
    table = Table(title=title)
    for column in ("ops", "cost", "error (fit)", "error (final)", "program"):
        table.add_column(column, justify="left" if column == "program" else "right")
    for entry in front:
        table.add_row(str(entry["n_ops"]), f"{entry['cost']:g}", f"{float(entry['fitness']):.3g}",
                      f"{float(entry['final_error']):.3g}", entry["expression"])
    return table


class LiveFront:
    """A rich live display: elapsed / remaining, children per second, the current front."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.live = Live(Text("starting (labels, workers)..."), console=console, refresh_per_second=2) if enabled else None

    def __enter__(self) -> Self:
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.live:
            self.live.__exit__(*exc)

    def update(self, progress: Progress) -> None:
        if not self.live:
            return
        remaining = f", {max(0.0, progress.budget - progress.elapsed):.0f} s left" if progress.budget else ""
        header = Text(f"{progress.elapsed:.0f} s{remaining} | {progress.n_evaluated:,} children "
                      f"({progress.rate:.1f}/s), {progress.n_duplicates:,} duplicates, "
                      f"{progress.n_skipped:,} skipped")
        table = Table(show_header=True)
        table.add_column("ops (cost)", justify="right")
        table.add_column("best error", justify="right")
        for cost, fitness in progress.front:
            table.add_row(f"{cost:g}", f"{fitness:.3g}")
        self.live.update(Group(header, table))
