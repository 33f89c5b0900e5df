"""Batched interpreter speed: a 12-op program, 128 constant vectors x 1 024 points, float64.

This is the inner loop of constant fitting (one CMA-ES generation). Prints the median of
many repeats and the throughput.

    python scripts/bench_interpreter.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr

# Degree-6 Horner: 12 ops (6 mul + 6 add), 7 constants.
PROGRAM = parse_expr("c + x*(c + x*(c + x*(c + x*(c + x*(c + x*c)))))".replace("c", "1.0"))


def main(population: int = 128, n_points: int = 1024, repeats: int = 300) -> None:
    rng = np.random.default_rng(0)
    x = np.linspace(0.0, 1.0, n_points)
    constants = rng.normal(size=(population, PROGRAM.n_constants))
    assert PROGRAM.n_ops == 12
    evaluate(PROGRAM, x, "float64", constants)  # warm up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        evaluate(PROGRAM, x, "float64", constants)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"12-op program, {population} constant vectors x {n_points} points, float64: "
          f"median {median * 1e3:.3f} ms over {repeats} runs "
          f"(min {min(times) * 1e3:.3f} ms; "
          f"{population * n_points * 12 / median / 1e9:.2f} G op-evaluations/s)")


if __name__ == "__main__":
    main()
