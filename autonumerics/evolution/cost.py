"""The cost objective of a search: weighted op count, or measured time of the exported JAX kernel.

``cost = "wall_clock"`` (section ``[evaluation]``) replaces the op count by the paper's
compute-bound timing: the program, exported as its JAX kernel, applied 100 times in a
``lax.fori_loop`` to 10 000 float32 inputs, each application clipped back into the interval,
in nanoseconds per element and application. The timing depends only on the program's structure
(its canonical form without constant values), so each worker times a structure once and keeps
the figure in an LRU cache; every time is the median of several samples, rounded to two
significant digits so that noise between two timings of one structure rarely changes its cost.

A measured cost is not reproducible bit for bit: a ``--workers 0`` run with ``wall_clock`` is
deterministic in everything but the costs (and what they steer).
"""

from __future__ import annotations

import math
import statistics
from collections import OrderedDict

import numpy as np

from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.ir.program import Program

__all__ = ["COST_MODELS", "WallClockCost"]

COST_MODELS = ("ops", "wall_clock")
STACKED_SIZE = 10_000
STACKED_ITERATIONS = 100
_SAMPLES = 5
_MIN_SAMPLE_SECONDS = 0.005


class WallClockCost:
    """Measured stacked time of a program's JAX export, cached per structure (see module doc).

    Args:
        interval: the search interval: inputs are drawn from it and clipped back into it.
        semantics: "xla" or "strict", as the program would be exported.
        cache_size: structures remembered (LRU).
    """

    def __init__(self, interval: tuple[float, float], semantics: str = "xla", cache_size: int = 4096) -> None:
        self.interval = (float(interval[0]), float(interval[1]))
        self.semantics = semantics
        self.cache_size = cache_size
        self._cache: OrderedDict[str, float] = OrderedDict()
        self._inputs = np.random.default_rng(0).uniform(*self.interval, STACKED_SIZE).astype(np.float32)

    def __call__(self, program: Program) -> float:
        """Nanoseconds per element and application, two significant digits."""
        key = structural_hash(program)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        cost = _two_digits(self.measure(program))
        self._cache[key] = cost
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return cost

    def measure(self, program: Program) -> float:
        """Median nanoseconds per element of the stacked loop (uncached, unrounded)."""
        import jax

        from autonumerics.verification.bench import seconds_per_call, stacked

        kernel = _jax_kernel(canonicalize(program), self.interval, self.semantics)
        loop = stacked(kernel, self.interval, STACKED_ITERATIONS)
        x = jax.device_put(self._inputs)
        loop(x).block_until_ready()  # compile
        calls = max(1, int(_MIN_SAMPLE_SECONDS / max(seconds_per_call(loop, x, 1), 1e-7)))
        samples = [seconds_per_call(loop, x, calls) for _ in range(_SAMPLES)]
        return statistics.median(samples) / (STACKED_SIZE * STACKED_ITERATIONS) * 1e9


def _jax_kernel(program: Program, interval: tuple[float, float], semantics: str):
    """The function the JAX export of ``program`` defines (the exported source, executed)."""
    from autonumerics.export import export_source
    from autonumerics.ir.programfile import ProgramFile

    source = export_source(ProgramFile(program, interval=interval, dtype="float32", semantics=semantics),
                           "jax", name="kernel")
    namespace: dict = {"__name__": "autonumerics_cost_kernel"}
    exec(compile(source, "<autonumerics cost kernel>", "exec"), namespace)  # noqa: S102 - our own export
    return namespace["kernel"]


def _two_digits(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        return value
    return float(f"{value:.2g}")
