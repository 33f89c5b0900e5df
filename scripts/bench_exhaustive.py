"""Exhaustive float32 verification speed and memory: the README's test vector over [0, 1].

Runs `autonumerics evaluate --exhaustive` three times for each rounding semantics (xla: the
six multiply-adds fused, as jitted JAX computes them; strict: every op rounded) and reports
the median wall time and the peak memory of the whole process tree (driver + workers).

    python scripts/bench_exhaustive.py [--runs 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

PROGRAM = {
    "expression": "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5"
                  " + x*(0x1.3cfb6p-7 + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))",
    "target": "exp2", "interval": [0, 1], "dtype": "float32",
}


def run_once(path: Path, semantics: str, workers: int) -> tuple[float, float, dict]:
    """Wall seconds, peak summed RSS (GiB) of the process tree, and the JSON result."""
    command = [sys.executable, "-m", "autonumerics", "evaluate", str(path), "--exhaustive",
               "--semantics", semantics, "--workers", str(workers), "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not stop.is_set():
            try:
                tree = [root] + root.children(recursive=True)
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"evaluate failed with exit code {process.returncode}")
    return time.perf_counter() - started, peak / 2**30, json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "horner6.json"
        path.write_text(json.dumps(PROGRAM))
        for semantics in ("xla", "strict"):
            runs = [run_once(path, semantics, args.workers) for _ in range(args.runs)]
            result = runs[0][2]
            print(f"{semantics:6s}: {result['n_points']:,} inputs, "
                  f"max {result['max_ulp']:.4f} ULP at x={result['worst_input']:.5f}, "
                  f"{result['n_ge_one_ulp']:,} inputs >= 1 ULP; "
                  f"wall median {statistics.median(r[0] for r in runs):.1f} s "
                  f"(runs: {', '.join(f'{r[0]:.1f}' for r in runs)}), "
                  f"peak memory {max(r[1] for r in runs):.2f} GiB")


if __name__ == "__main__":
    main()
