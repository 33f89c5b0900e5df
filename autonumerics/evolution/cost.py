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
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from autonumerics.export import export_source
from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.ir.program import Program
from autonumerics.ir.programfile import ProgramFile
from autonumerics.verification.bench import seconds_per_call, stacked

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

    def __init__(self, interval: tuple[float, float], semantics: str = "xla",
                 cache_size: int = 4096) -> None:
        self.interval = (float(interval[0]), float(interval[1]))
        self.semantics = semantics
        self.cache_size = cache_size
        inputs = np.random.default_rng(0).uniform(*self.interval, STACKED_SIZE)
        self._inputs = inputs.astype(np.float32)
        self._timed = lru_cache(maxsize=cache_size)(self._time)

    def __reduce__(self) -> tuple:
        """A copy (a worker's) starts with an empty cache."""
        return type(self), (self.interval, self.semantics, self.cache_size)

    def __call__(self, program: Program) -> float:
        """Nanoseconds per element and application, two significant digits."""
        return self._timed(_Structure(structural_hash(program), program))

    def _time(self, structure: _Structure) -> float:
        return _two_digits(self.measure(structure.program))

    def measure(self, program: Program) -> float:
        """Median nanoseconds per element of the stacked loop (uncached, unrounded)."""
        import jax  # heavy: only a wall-clock search needs it

        kernel = _jax_kernel(canonicalize(program), self.interval, self.semantics)
        loop = stacked(kernel, self.interval, STACKED_ITERATIONS)
        x = jax.device_put(self._inputs)
        loop(x).block_until_ready()  # compile
        calls = max(1, int(_MIN_SAMPLE_SECONDS / max(seconds_per_call(loop, x, 1), 1e-7)))
        samples = [seconds_per_call(loop, x, calls) for _ in range(_SAMPLES)]
        return statistics.median(samples) / (STACKED_SIZE * STACKED_ITERATIONS) * 1e9


@dataclass(frozen=True)
class _Structure:
    """A program as a cache key: equal to every program of the same structure (``key``)."""

    key: str
    program: Program = field(compare=False)


def _jax_kernel(program: Program, interval: tuple[float, float], semantics: str):
    """The function the JAX export of ``program`` defines (the exported source, executed)."""
    program_file = ProgramFile(program, interval=interval, dtype="float32", semantics=semantics)
    source = export_source(program_file, "jax", name="kernel")
    namespace: dict = {"__name__": "autonumerics_cost_kernel"}
    exec(compile(source, "<autonumerics cost kernel>", "exec"), namespace)  # our own export
    return namespace["kernel"]


def _two_digits(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        return value
    return float(f"{value:.2g}")
