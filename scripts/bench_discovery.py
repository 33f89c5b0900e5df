"""Discovery benchmark: how fast an unseeded search (from f(x) = x) finds programs that beat the
classical forms, on a fixed set of problems, seeds, time budget and worker count.

Each (problem, seed) is one `autonumerics search` subprocess (runs are sequential and isolated;
this driver imports nothing of JAX before its last run ends). From each run folder's event log
(one line per fitted child, with the run time at which it was recorded) it rebuilds:

- the front over time: at checkpoints 1, 2, 5, 10, 30, 60 min (those within the budget) and at
  the end, the best error at each op count <= n (a staircase, non-increasing in n);
- per op count n = 3..10, the first time the front beats the best classical form with <= n
  ops (strictly lower error), and the time it beats all of them (null: never);
- the largest op count on the final front, fitted children per second, and the share of
  wasted children (skipped as already-fitted structures, plus functional duplicates, over all
  created children).

"Classical" is the staircase of the project's own baselines (every family and form, the
symmetric ones included where the target has a symmetry), in the metric matching the loss,
computed once per problem and cached in the output JSON. An event's error is its search
fitness: the max over the training and validation points (not the final, denser validation).

    python scripts/bench_discovery.py                   # all problems, seeds 0 1 2, 10m, 2 workers
    python scripts/bench_discovery.py --problems exp2_reals --seeds 0 --budget 2m --workers 1
    python scripts/bench_discovery.py --analyse-only    # re-read runs/discovery/, no new runs
    python scripts/bench_discovery.py --set search.screen_margin=0 \
        --out results/discovery/ablation/no_screen --runs-dir runs/discovery/no_screen   # a variant
    python scripts/bench_discovery.py --ablation results/discovery/ablation/*   # variants' table

Writes results/discovery/bench.json (merged with what is there, keyed by problem and seed)
and results/discovery/error_at_10_ops.png, and prints a Markdown table (``markdown_table``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

# no JAX behind these imports: the runs are spawned from a driver without it
from discovery_report import (  # noqa: E402
    BEAT_OPS,
    CHECKPOINTS,
    METRICS,
    NOTES,
    REPORT_OPS,
    RUN_META,
    ablation_table,
    analyse_run,
    format_number,
    format_time,
    load_json,
    markdown_table,
    merge_results,
    plot_error_at_10,
    up_to,
)

from autonumerics.errors import AutonumericsError  # noqa: E402
from autonumerics.evolution.settings import parse_duration  # noqa: E402

BASIC_OPS = ("add", "sub", "mul", "div", "square")


@dataclass(frozen=True)
class Problem:
    """One benchmark problem: a shipped config, with these values forced on top of it."""

    name: str
    config: str  # the shipped config the other settings (population, points, fit budget) come from
    target: str  # a built-in name or an mpmath expression in x
    interval: str
    dtype: str
    loss: str
    semantics: str | None  # None: the dtype's default
    ops: tuple[str, ...]
    max_ops: int
    note: str  # what the shipped config is (budgets and seeds are always overridden)


PROBLEMS = {p.name: p for p in (
    Problem("exp2_reals", "exp2_reals", "exp2", "0,1", "float64", "relative", None, BASIC_OPS,
            12, "the paper's problem; config unseeded, 60m budget"),
    Problem("exp2_float32", "exp2_float32", "exp2", "0,1", "float32", "ulp", "xla", BASIC_OPS,
            14, "config unseeded, 25m budget, 2048/16384 points"),
    Problem("log2_reals", "log2_reals", "log2", "1,2", "float64", "relative", None, BASIC_OPS,
            12, "config unseeded, 30m budget"),
    Problem("tanh_float32", "tanh_float32", "tanh", "0,1", "float32", "ulp", "xla", BASIC_OPS,
            16, "odd target; config unseeded, 30m budget"),
    Problem("erf_float32", "erf_float32", "erf", "0,1", "float32", "ulp", "xla", BASIC_OPS,
            16, "odd target; config unseeded, 30m budget"),
    Problem("sin_reals", "exp2_reals", "sin", "0,pi/4", "float64", "relative", None, BASIC_OPS,
            12, "odd target; no config of its own: exp2_reals' settings"),
    Problem("cos_reals", "exp2_reals", "cos", "0,pi/4", "float64", "relative", None, BASIC_OPS,
            12, "even target; exp2_reals' settings"),
    Problem("atan_custom", "exp2_reals", "atan(x)", "0,1", "float64", "relative", None,
            BASIC_OPS, 12, "custom mpmath expression, odd; exp2_reals' settings"),
)}
CLASSICAL_MAX_OPS = 12


# -- running ---------------------------------------------------------------------------------
def search_command(problem: Problem, seed: int, workers: int, budget: str, out: Path,
                   engine: tuple[str, ...] = ()) -> list:
    """The `autonumerics search` command of one run: the table's values forced, unseeded, then
    the engine settings under test (``--set``, e.g. ``search.screen_margin=10``)."""
    command = [sys.executable, "-m", "autonumerics", "search", problem.config,
               "--target", problem.target, "--interval", problem.interval, "--seed", str(seed),
               "--workers", str(workers), "--time-budget", budget, "--out", str(out), "--json"]
    for override in (*problem_overrides(problem), *engine):
        command += ["--set", override]
    return command


def problem_overrides(problem: Problem) -> list[str]:
    """The ``--set`` values that force the table's settings on the shipped config, unseeded."""
    overrides = [f'evaluation.dtype="{problem.dtype}"', f'evaluation.loss="{problem.loss}"',
                 f"mutation.ops={json.dumps(list(problem.ops))}",
                 f"mutation.max_ops={problem.max_ops}", 'search.seeds=["x"]']
    if problem.semantics:
        overrides.append(f'evaluation.semantics="{problem.semantics}"')
    return overrides


def resolved_config(problem: Problem, engine: tuple[str, ...] = ()):
    """The config a run of ``problem`` searches with (an error naming a bad table entry or a bad
    engine setting)."""
    from autonumerics.evolution.config import load_config  # no JAX behind it

    return load_config(problem.config, [*problem_overrides(problem), *engine],
                       target=problem.target, interval=problem.interval)


def run_search(problem: Problem, seed: int, workers: int, budget: str, folder: Path,
               engine: tuple[str, ...] = ()) -> dict:
    """Run one search into ``folder`` (an earlier run there is replaced); writes bench_run.json."""
    if folder.exists():
        if not any((folder / name).exists() for name in ("config.toml", RUN_META)):
            raise AutonumericsError(f"{folder} exists and is not a benchmark run: move it away")
        shutil.rmtree(folder)
    command = search_command(problem, seed, workers, budget, folder, engine)
    seconds = parse_duration(budget)
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                              timeout=1.25 * seconds + 600)
        returncode, error = done.returncode, done.stderr.strip()[-2000:]
    except subprocess.TimeoutExpired:
        returncode, error = -1, "timed out"
    meta = {"budget_s": seconds, "workers": workers, "seed": seed, "returncode": returncode,
            "error": error if returncode else "", "wall_s": round(time.monotonic() - started, 1),
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "command": shlex.join(["python", *command[1:]]), "machine": machine()}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RUN_META).write_text(json.dumps(meta, indent=1))
    return meta


def machine() -> dict:
    """Where the numbers come from: host, cores, load, Python, git commit."""
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, text=True,
                                capture_output=True).stdout.strip()
    except OSError:
        commit = ""
    return {"host": platform.node(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "load_1m": round(os.getloadavg()[0], 2),
            "git": commit}


# -- classical and the results file --------------------------------------------------------------
def classical_staircase(problem: Problem) -> dict:
    """{str(n): {"error", "label"}} at each op count where the best classical form improves
    (imports the baselines, hence JAX: call it after the runs)."""
    import warnings

    from autonumerics.baselines import best_by_ops, compute_baselines
    from autonumerics.truth.symmetry import target_with_symmetry
    from autonumerics.truth.targets import get_target

    config = resolved_config(problem)
    target = target_with_symmetry(get_target(config.target.name), config.target.symmetry)
    metric = METRICS[problem.loss]
    with warnings.catch_warnings():  # a degenerate Padé or an unconverged Remez: not the point
        warnings.simplefilter("ignore")
        baselines = compute_baselines(
            target, config.target.interval, max_ops=CLASSICAL_MAX_OPS,
            relative=problem.loss != "absolute", dtype=problem.dtype)
    return {str(n): {"error": float(getattr(b, metric)), "label": b.label}
            for n, b in best_by_ops(baselines, metric).items()}


# -- the command ------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", default="10m", help="per run, e.g. 45s, 10m, 1h")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs-dir", type=Path, default=ROOT / "runs" / "discovery")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "discovery")
    parser.add_argument("--set", action="append", default=[], dest="engine",
                        metavar="KEY=VALUE", help="an engine setting for every run (repeatable), "
                        "e.g. search.screen_margin=10: ablations write one --out each")
    parser.add_argument("--ablation", nargs="+", type=Path, metavar="OUT",
                        help="print the variants' table from these --out folders and stop")
    parser.add_argument("--analyse-only", action="store_true",
                        help="re-read the existing run folders, start no run")
    args = parser.parse_args(argv)
    try:
        positive = bool(parse_duration(args.budget))
    except AutonumericsError:
        positive = False
    if not positive:
        parser.error(f"--budget {args.budget!r}: a positive duration, e.g. 45s, 10m, 1h")
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.ablation:
        variants = {folder.name: load_json(folder / "bench.json") or {} for folder in args.ablation}
        print(ablation_table(variants))
        return variants
    pairs = [(PROBLEMS[name], seed) for name in args.problems for seed in args.seeds]
    bench = args.out / "bench.json"
    existing = load_json(bench) or {}
    cached = existing.get("problems", {})
    engine = tuple(args.engine)
    if existing.get("problems") and existing.get("engine", []) != list(engine):
        raise AutonumericsError(f"{bench} holds runs with the engine settings "
                                f"{existing.get('engine', [])}, not {list(engine)}: give each "
                                "variant its own --out and --runs-dir")
    for problem in dict.fromkeys(p for p, _ in pairs):
        resolved_config(problem, engine)  # a bad entry or setting fails here, before any run
    if not args.analyse_only:
        for number, (problem, seed) in enumerate(pairs, start=1):
            folder = args.runs_dir / problem.name / f"seed{seed}"
            tag = f"[{number}/{len(pairs)}] {problem.name} seed {seed}"
            print(f"{tag}: {args.budget}, {args.workers} workers -> {folder}", flush=True)
            meta = run_search(problem, seed, args.workers, args.budget, folder, engine)
            if meta["returncode"]:
                print(f"{tag}: FAILED ({meta['error'][-300:]})", flush=True)
                continue
            print(f"{tag}: {_headline(folder, cached.get(problem.name, {}).get('classical'))}",
                  flush=True)
    command = ["scripts/bench_discovery.py", *(sys.argv[1:] if argv is None else argv)]
    update = {"machine": machine(), "command": shlex.join(command), "notes": NOTES,
              "engine": list(engine),
              "protocol": {"checkpoints_s": [s for s, _ in CHECKPOINTS],
                           "beat_ops": list(BEAT_OPS), "classical_max_ops": CLASSICAL_MAX_OPS},
              "problems": {}}
    for problem in dict.fromkeys(p for p, _ in pairs):
        spec = json.loads(json.dumps(asdict(problem)))  # as the results file holds it
        old = cached.get(problem.name, {})
        classical = old.get("classical") if old.get("spec") == spec else None  # cached
        if classical is None:
            print(f"classical baselines for {problem.name}...", flush=True)
            classical = classical_staircase(problem)
        seeds = {}
        for seed in args.seeds:
            folder = args.runs_dir / problem.name / f"seed{seed}"
            if (folder / "checkpoint.json").is_file():
                seeds[str(seed)] = analyse_run(folder, classical)
            else:
                print(f"{problem.name} seed {seed}: no finished run in {folder}", flush=True)
        update["problems"][problem.name] = {"spec": spec, "classical": classical, "seeds": seeds}
    results = merge_results(existing, update)
    args.out.mkdir(parents=True, exist_ok=True)
    bench.write_text(json.dumps(results, indent=1) + "\n")
    if results["problems"]:
        plot_error_at_10(results, args.out / "error_at_10_ops.png")
    print(markdown_table(results))
    return results


def _headline(folder: Path, classical: dict | None) -> str:
    run = analyse_run(folder, classical)
    at_10 = up_to(run["front_over_time"][-1]["front"], REPORT_OPS)
    text = (f"{run['n_evaluated']} fitted in {run['elapsed_s']:.0f} s "
            f"({run['children_per_s'] or 0:.1f}/s), wasted {run['wasted_share'] or 0:.0%}, "
            f"best ≤10 ops {format_number(at_10)}, max ops {run['max_ops']}")
    if "beat_all_3_10_s" in run:
        text += f", beats classical 3..10 at {format_time(run['beat_all_3_10_s'])}"
    return text


if __name__ == "__main__":
    try:
        main()
    except AutonumericsError as error:
        sys.exit(f"error: {error}")
