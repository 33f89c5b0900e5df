"""`autonumerics search` and `autonumerics resume`: the evolutionary search with live progress."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Self

from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from autonumerics.cli.common import add_command, add_output_options, console, print_json
from autonumerics.evolution.config import (
    SearchConfig,
    load_config,
    parse_duration,
    shipped_configs,
)

if TYPE_CHECKING:  # the search library takes seconds to import: the handlers import it, not --help
    from autonumerics.api.runs import RunSummary
    from autonumerics.evolution.evolve import Progress


def register(subparsers: argparse._SubParsersAction) -> None:
    search = add_command(subparsers, "search", run_search, f"""Evolve programs from f(x) = x (or
        the config's seeds) and write a run folder with the Pareto front of error against cost
        (pareto.json, front/*.json, compare.png). CONFIG is a TOML file or a shipped config's name
        ({', '.join(shipped_configs())}); without one: 2^x on [0, 1] in real arithmetic, 5
        minutes.""")
    search.add_argument("config", nargs="?",
                        help="a TOML file, or a shipped config's name, e.g. exp2_reals")
    search.add_argument("--target", metavar="NAME_OR_EXPR",
                        help="the function (target.name): a built-in name or an mpmath expression "
                        "in x; another target than the config's is searched on its default "
                        "interval")
    search.add_argument("--interval", metavar="A,B",
                        help="the interval (target.interval), e.g. 0,1 or -ln2/2,ln2/2")
    search.add_argument("--out", help="run folder (default: runs/<timestamp>)")
    _common(search)
    search.add_argument("--seed", type=int, help="random seed (search.seed)")
    search.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set search.population=50 "
                        "(repeatable)")
    resume = add_command(subparsers, "resume", run_resume, """Continue a run folder's search from
        its checkpoint plus the children logged after it (a run stopped by Ctrl-C, a time budget
        or kill -9), then re-validate and write its front.""")
    resume.add_argument("run", help="the run folder")
    _common(resume)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_count, default=2,
                        help="worker processes (0: inline, deterministic)")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="evaluate on Dask distributed: tcp://SCHEDULER:8786, or local:N to "
                        "start N local workers (needs pip install \"autonumerics[dask]\"; "
                        "--workers is then ignored)")
    parser.add_argument("--time-budget",
                        help="stop after this long, e.g. 90s, 30m, 1h, counted from the start "
                        "(labels and worker start-up included; the front's final validation "
                        "comes after)")
    parser.add_argument("--max-evals", type=_count,
                        help="stop after this many fitted children (0: no limit)")
    add_output_options(parser, None, "no live display; print one JSON summary")


def _count(text: str) -> int:
    """An integer >= 0 (argparse turns the error into one line naming the option)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def run_search(args: argparse.Namespace) -> int:
    """Resolve the config (name or file, flags, --set), search with the live display, report."""
    started_at = time.monotonic()  # the time budget counts from here: imports and labels included
    from autonumerics.api.runs import default_out_dir, start_search
    from autonumerics.evolution.distributed import parse_dask_address

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
    config = load_config(args.config, overrides, target=args.target, interval=args.interval)
    out = args.out or default_out_dir()
    with LiveFront(describe_search(config), enabled=not args.json) as live:
        summary = start_search(config, out, args.workers, live.update, dask=args.dask,
                               started_at=started_at)
    return report(summary, args.json)


def run_resume(args: argparse.Namespace) -> int:
    """Continue a run folder with the live display, report."""
    started_at = time.monotonic()
    from autonumerics.api.runs import resume_search
    from autonumerics.evolution.distributed import parse_dask_address
    from autonumerics.evolution.storage import RunFolder

    if args.dask:
        parse_dask_address(args.dask)
    budget = parse_duration(args.time_budget) if args.time_budget else None
    config = RunFolder.open(args.run).config()
    with LiveFront(describe_search(config), enabled=not args.json) as live:
        summary = resume_search(args.run, args.workers, live.update, budget, args.max_evals,
                                dask=args.dask, started_at=started_at)
    return report(summary, args.json)


def describe_search(config: SearchConfig) -> str:
    """What is searched, in one line: target, interval, dtype (semantics), loss, cost, op limit."""
    from autonumerics.ir.programfile import default_semantics  # NumPy: not for `--help`
    from autonumerics.truth.targets import get_target

    target = get_target(config.target.name)
    low, high = config.target.interval or target.default_intervals[0]
    evaluation = config.evaluation
    semantics = evaluation.semantics or default_semantics(evaluation.dtype)
    return (f"{target.name} on [{low:.6g}, {high:.6g}] | {evaluation.dtype} ({semantics}) | "
            f"loss: {evaluation.loss} | cost: {evaluation.cost}, "
            f"at most {config.mutation.max_ops} ops")


def report(summary: RunSummary, as_json: bool) -> int:
    """The final front and where everything is: pareto.json, compare.png and the next commands."""
    plot = summary.path / "compare.png"
    keys = ("n_ops", "cost", "fitness", "final_error", "expression", "file")
    data = {"run": str(summary.path), "n_evaluated": summary.n_evaluated,
            "n_duplicates": summary.n_duplicates, "n_skipped": summary.n_skipped,
            "n_lost": summary.n_lost, "stop_reason": summary.stop_reason,
            "seconds": round(summary.elapsed, 1),
            "finish_seconds": round(summary.finish_seconds, 1),
            "pareto": str(summary.path / "pareto.json"),
            "plot": str(plot) if plot.exists() else None,
            "front": [{k: e[k] for k in keys} for e in summary.front]}
    if as_json:
        print_json(data)
        return 0
    console.print(front_table(summary.front, f"Pareto front of {summary.path}"))
    console.print(f"{summary.n_evaluated:,} children fitted in {summary.elapsed:.0f} s "
                  f"({summary.n_duplicates:,} duplicates, {summary.n_skipped:,} skipped before "
                  "fitting); "
                  f"the front's validation and comparison took {summary.finish_seconds:.0f} s more",
                  highlight=False)
    if summary.n_lost:
        console.print(f"{summary.n_lost:,} children lost with their workers (never recorded)")
    if summary.stop_reason and summary.resumable:
        console.print(f"stopped early: {summary.stop_reason}; `autonumerics resume {summary.path}` "
                      "continues (locally, or on another cluster with --dask)", highlight=False)
    elif summary.stop_reason:
        console.print(f"stopped early: {summary.stop_reason}", highlight=False)
    for line in next_steps(summary.path, summary.front, plot.exists()):
        console.print(line, highlight=False, soft_wrap=True)
    return 0


def next_steps(run: Path, front: list[dict], plotted: bool) -> list[str]:
    """Where the results are and the commands that use them (with the most accurate program)."""
    lines = [f"front: {run / 'pareto.json'} (each member a program file in {run / 'front'}/)"]
    if plotted:
        lines.append(f"plot against the classical baselines: {run / 'compare.png'}")
    elif (run / "compare.txt").exists():
        lines.append(f"no plot against the classical baselines: {run / 'compare.txt'} says why")
    lines.append("next:")
    lines.append(f"  autonumerics show {run / 'pareto.json'}    "
                 "# this front again (or the front/ folder)")
    if front:
        best = run / min(front, key=lambda entry: float(entry["final_error"]))["file"]
        lines.append(f"  autonumerics show {best}    # one program: math, Python, metrics")
        lines.append(f"  autonumerics export {best} --to jax -o {best.stem}.py    "
                     "# or --to numpy, c")
    return lines


def front_table(front: list[dict], title: str) -> Table:
    """The front as a table: ops, cost, fit and final error, the program."""
    table = Table(title=title)
    for column in ("ops", "cost", "error (fit)", "error (final)", "program"):
        table.add_column(column, justify="left" if column == "program" else "right")
    for entry in front:
        table.add_row(str(entry["n_ops"]), f"{entry['cost']:g}", f"{float(entry['fitness']):.3g}",
                      f"{float(entry['final_error']):.3g}", entry["expression"])
    return table


class LiveFront:
    """A rich live display: what is searched, elapsed / remaining, children per second, the
    current front."""

    def __init__(self, searching: str, enabled: bool) -> None:
        self.searching = Text(f"searching {searching}", style="bold")
        self.enabled = enabled
        starting = Group(self.searching, Text("starting (labels, workers)..."))
        self.live = Live(starting, console=console, refresh_per_second=2) if enabled else None

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
        remaining = ""
        if progress.budget:
            remaining = f", {max(0.0, progress.budget - progress.elapsed):.0f} s left"
        status = Text(f"{progress.elapsed:.0f} s{remaining} | {progress.n_evaluated:,} children "
                      f"({progress.rate:.1f}/s), {progress.n_duplicates:,} duplicates, "
                      f"{progress.n_skipped:,} skipped")
        table = Table(show_header=True)
        table.add_column("ops (cost)", justify="right")
        table.add_column("best error", justify="right")
        for cost, fitness in progress.front:
            table.add_row(f"{cost:g}", f"{fitness:.3g}")
        self.live.update(Group(self.searching, status, table))
