"""Start-up time of the command line: ``autonumerics --help`` (or any arguments), median of N runs.

Every run is a fresh process, as a user's shell starts it, so the figure includes the
interpreter's start and every import the command needs. Use the console script installed beside
this interpreter, else ``python -m autonumerics``.

    python scripts/bench_cli_startup.py                   # autonumerics --help, 15 runs
    python scripts/bench_cli_startup.py --runs 9 -- search --help
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def command_line() -> list[str]:
    """The installed ``autonumerics`` script of this interpreter's environment, else ``-m``."""
    script = Path(sys.executable).parent / "autonumerics"
    if script.exists():
        return [str(script)]
    found = shutil.which("autonumerics")
    return [found] if found else [sys.executable, "-m", "autonumerics"]


def time_runs(argv: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` new processes, after one (not kept) warming the file cache."""
    subprocess.run(argv, capture_output=True, check=True)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs (default 15)")
    parser.add_argument("arguments", nargs="*", default=["--help"],
                        help="autonumerics arguments (default --help)")
    args = parser.parse_args()
    argv = command_line() + args.arguments
    seconds = time_runs(argv, args.runs)
    print(f"{' '.join(['autonumerics'] + args.arguments)}: "
          f"median {statistics.median(seconds):.3f} s "
          f"(min {min(seconds):.3f}, max {max(seconds):.3f}, {args.runs} runs; {argv[0]})")


if __name__ == "__main__":
    main()
