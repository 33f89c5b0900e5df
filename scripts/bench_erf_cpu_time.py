"""CPU-time ratio of the erf kernel against jax.scipy.special.erf, for a machine shared with others.

Wall-clock ratios (``autonumerics bench``) swing 4x when other processes load the CPUs; the
process CPU time of a call (all XLA threads, waiting excluded) is steadier. Both functions are
called alternately (A/B, then B/A), 20 calls per sample, and the medians compared: at 1e6 inputs
of [-4, 4] and stacked (100 applications in a ``lax.fori_loop`` on 10 000 inputs, as ``bench``).

Usage: python scripts/bench_erf_cpu_time.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time

import jax
import numpy as np
from jax.scipy.special import erf as builtin_erf

from autonumerics.verification.bench import stacked


def _kernel():
    """The certified erf export itself (the bare float32 kernel, no gradient or dtype wrapper)."""
    from autonumerics.kernels.certified.erf import erf

    return erf


def _cpu_seconds(function, x, calls: int = 20) -> float:
    started = time.process_time()
    for _ in range(calls):
        y = function(x)
    y.block_until_ready()
    return (time.process_time() - started) / calls


def main(rounds: int = 21) -> None:
    kernel, rng = _kernel(), np.random.default_rng(0)
    big = jax.device_put(rng.uniform(-4, 4, 10**6).astype(np.float32))
    small = jax.device_put(rng.uniform(-4, 4, 10**4).astype(np.float32))
    cases = {"n=1000000": (kernel, jax.jit(builtin_erf), big),
             "stacked 100x10000": (stacked(kernel, (-4, 4), 100),
                                   stacked(builtin_erf, (-4, 4), 100), small)}
    for name, (ours, theirs, x) in cases.items():
        ours(x).block_until_ready(), theirs(x).block_until_ready()  # compile
        times: tuple[list[float], list[float]] = ([], [])
        for index in range(rounds):
            for which in ((0, 1) if index % 2 == 0 else (1, 0)):
                times[which].append(_cpu_seconds((ours, theirs)[which], x))
        kernel_s, builtin_s = statistics.median(times[0]), statistics.median(times[1])
        print(f"{name}: CPU-time ratio {builtin_s / kernel_s:.3f} (kernel {kernel_s * 1e3:.3f} ms, "
              f"built-in {builtin_s * 1e3:.3f} ms per call)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
