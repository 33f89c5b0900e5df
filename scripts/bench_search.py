"""Search throughput: fitted children per second over a run, and how many children were wasted.

Runs `autonumerics search` on a config (default: the 2^x reals config) for a time budget with
2 workers, then reads the run folder: children/s in each 30-second window (median reported),
the fraction of fitted children that were functional duplicates, the fraction of created
children skipped before fitting because their structure had been fitted already, and the front
at the end (best error at <= 10 ops, largest op count).

    python scripts/bench_search.py [--config search_configs/exp2_reals.toml] [--time-budget 5m]

A/B: ``--b KEY=VALUE`` (repeatable) defines variant B as the config with those overrides
(``--set`` of ``autonumerics search``); ``--rounds N`` runs A, B, B, A, A, B... (each round
alternates the order, so load that drifts during the measurement hits both alike) and reports
each variant's median over its runs and the ratio B / A of the children/s medians:

    python scripts/bench_search.py --time-budget 3m --rounds 2 --b search.screen_margin=10
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def run_once(config: str, budget: str, workers: int, overrides: list[str], window: float,
             seed: int) -> dict:
    """One search run in a temporary folder; its throughput, waste and front."""
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        command = [sys.executable, "-m", "autonumerics", "search", config, "--out", str(run),
                   "--workers", str(workers), "--time-budget", budget, "--seed", str(seed),
                   "--json"]
        for override in overrides:
            command += ["--set", override]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        summary = json.loads(done.stdout)
        timings = [json.loads(line) for line in (run / "timings.jsonl").read_text().splitlines()]
        front = json.loads((run / "pareto.json").read_text())
    front = front["front"] if isinstance(front, dict) else front
    stamps = [timing["elapsed"] for timing in timings]
    end = max(stamps)
    windows = max(1, int(end // window))
    rates = [sum(1 for t in stamps if k * window <= t < (k + 1) * window) / window
             for k in range(windows)]
    fitted, duplicates, skipped = (summary["n_evaluated"], summary["n_duplicates"],
                                   summary["n_skipped"])
    at_10 = [float(e["final_error"]) for e in front if e["n_ops"] <= 10]
    return {"fitted": fitted, "rate_median": statistics.median(rates), "rate_overall": fitted / end,
            "worker_ms_median": 1e3 * statistics.median(t["worker_seconds"] for t in timings),
            "duplicates": duplicates / fitted, "skipped": skipped / (fitted + skipped),
            "wasted": (duplicates + skipped) / (fitted + skipped),
            "best_at_10_ops": min(at_10) if at_10 else None,
            "max_ops": max(e["n_ops"] for e in front)}


def describe(label: str, runs: list[dict]) -> str:
    """One variant's medians over its runs."""
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs if r[key] is not None)

    each = ", ".join(f"{r['rate_median']:.2f}" for r in runs)
    return (f"{label}: {median('rate_median'):.2f} fitted children/s (median of 30-s windows; "
            f"runs: {each}), worker "
            f"{median('worker_ms_median'):.0f} ms/child, duplicates {median('duplicates'):.1%}, "
            f"skipped {median('skipped'):.1%}, wasted {median('wasted'):.1%} of created; "
            f"front: {median('best_at_10_ops'):.3g} at <= 10 ops, up to {median('max_ops'):.0f} "
            "ops")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="search_configs/exp2_reals.toml")
    parser.add_argument("--time-budget", default="5m")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=float, default=30.0, help="seconds per rate window")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--b", action="append", default=[], metavar="KEY=VALUE",
                        help="variant B: the config with this override (repeatable)")
    parser.add_argument("--a", action="append", default=[], metavar="KEY=VALUE",
                        help="variant A's overrides (default: the config as it is)")
    parser.add_argument("--rounds", type=int, default=1, help="A/B rounds (with --b)")
    parser.add_argument("--json", help="write every run's figures here")
    args = parser.parse_args()
    variants = {"A": args.a, "B": args.b} if args.b else {"A": args.a}
    results: dict[str, list[dict]] = {name: [] for name in variants}
    for round_index in range(args.rounds if args.b else 1):
        order = list(variants) if round_index % 2 == 0 else list(variants)[::-1]
        for name in order:
            result = run_once(args.config, args.time_budget, args.workers, variants[name],
                              args.window, args.seed)
            results[name].append(result)
            print(f"round {round_index + 1}, {name}: {result['rate_median']:.2f} children/s, "
                  f"{result['fitted']:,} fitted", flush=True)
    print(f"{args.config}, {args.workers} workers, {args.time_budget} per run:")
    for name, overrides in variants.items():
        print(describe(f"{name} ({' '.join(overrides) or 'the config'})", results[name]))
    if args.b:
        ratio = (statistics.median(r["rate_median"] for r in results["B"])
                 / statistics.median(r["rate_median"] for r in results["A"]))
        print(f"B / A fitted children per second: {ratio:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"config": args.config, "budget": args.time_budget,
                                               "workers": args.workers, "variants": variants,
                                               "runs": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
