"""Search throughput: fitted children per second over a run, and how many children were duplicates.

Runs `autonumerics search` on a config (default: the 2^x reals config) for a time budget with
2 workers, then reads the run folder: children/s in each 30-second window (median reported),
the fraction of fitted children that were functional duplicates, and the fraction of created
children skipped before fitting because their structure had been fitted already.

    python scripts/bench_search.py [--config search_configs/exp2_reals.toml] [--time-budget 5m]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="search_configs/exp2_reals.toml")
    parser.add_argument("--time-budget", default="5m")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=float, default=30.0, help="seconds per rate window")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        command = [sys.executable, "-m", "autonumerics", "search", args.config, "--out", str(run),
                   "--workers", str(args.workers), "--time-budget", args.time_budget, "--json"]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        summary = json.loads(done.stdout)
        timings = [json.loads(line) for line in (run / "timings.jsonl").read_text().splitlines()]
        stamps = [timing["elapsed"] for timing in timings]
        worker = [timing["worker_seconds"] for timing in timings]
    end = max(stamps)
    windows = int(end // args.window)
    rates = [sum(1 for t in stamps if k * args.window <= t < (k + 1) * args.window) / args.window
             for k in range(windows)]
    fitted, duplicates = summary["n_evaluated"], summary["n_duplicates"]
    skipped = summary["n_skipped"]
    print(f"{args.config}, {args.workers} workers, {args.time_budget}: {fitted:,} children fitted")
    print(f"children/s: median {statistics.median(rates):.2f} over {windows} windows of "
          f"{args.window:g} s (overall {fitted / end:.2f}); "
          f"median worker time per child {statistics.median(worker) * 1e3:.0f} ms")
    print(f"functional duplicates among fitted children: {duplicates / fitted:.1%}; "
          f"skipped before fitting (structure seen): {skipped / (fitted + skipped):.1%} "
          "of created children")


if __name__ == "__main__":
    main()
