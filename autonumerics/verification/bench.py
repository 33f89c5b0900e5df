"""Throughput of a jitted kernel against a JAX built-in on this CPU, reported as ratios.

Two measurements, both on the same float32 inputs of the kernel's interval:

* streaming: the function on n inputs (1e4 .. 1e7), memory traffic included. Each sample
  times enough back-to-back calls to last >= 1 ms (``block_until_ready`` on the last), the two
  functions alternate A/B, B/A in every round (so drifting load hits both alike), after a
  warm-up that compiles; the figure is the median over rounds.
* stacked (the paper's compute-bound method): the function applied ``iterations`` times in
  one ``lax.fori_loop`` over 10 000 inputs, the output clipped back into the interval between
  applications, so the time is arithmetic, not memory or dispatch.

``ratio`` is builtin time / kernel time: above 1 the kernel is faster.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autonumerics.errors import AutonumericsError

DEFAULT_SIZES = (10_000, 1_000_000, 10_000_000)
_MIN_SAMPLE_SECONDS = 1e-3


@dataclass(frozen=True)
class Timing:
    """One row: median seconds per call of the kernel and of the built-in."""

    case: str  # "n=1000000" or "stacked 100x10000"
    n_elements: int  # elements processed per call (iterations * size when stacked)
    kernel_seconds: float
    builtin_seconds: float

    @property
    def ratio(self) -> float:
        """Built-in time / kernel time (> 1: the kernel is faster)."""
        return self.builtin_seconds / self.kernel_seconds

    def to_json(self) -> dict:
        return {"case": self.case, "n_elements": self.n_elements,
                "kernel_seconds": self.kernel_seconds,
                "builtin_seconds": self.builtin_seconds, "ratio": self.ratio,
                "kernel_ns_per_element": 1e9 * self.kernel_seconds / self.n_elements,
                "builtin_ns_per_element": 1e9 * self.builtin_seconds / self.n_elements}


def load_kernel(path: str | Path, name: str | None = None) -> tuple[Callable, object]:
    """The kernel function and its module from a kernel file or a program file (exported now)."""
    # verify loads mpmath and the ground truth: imported here, not for `autonumerics bench --help`
    from autonumerics.verification.verify import load_kernel_module

    path = Path(path)
    if path.suffix == ".json":
        from autonumerics.export import export_source
        from autonumerics.ir.programfile import load_program_file

        source = export_source(load_program_file(path), "jax")
        path = Path(tempfile.mkdtemp(prefix="autonumerics_bench_")) / "kernel.py"
        path.write_text(source)
    module = load_kernel_module(path)
    name = name or getattr(module, "KERNEL_NAME", None)
    if not name or not callable(getattr(module, name, None)):
        raise AutonumericsError(f"{path}: no kernel function (give --function NAME)")
    return getattr(module, name), module


def resolve_against(against: str, target: str | None) -> tuple[Callable, str]:
    """The comparison function: "jnp" (the target's JAX built-in) or a dotted JAX name."""
    from autonumerics.verification.builtins import JAX_BUILTINS, builtin_source  # as above
    from autonumerics.verification.verify import BuiltinFunction

    if against == "jnp":
        if target not in JAX_BUILTINS:
            raise AutonumericsError(f"target {target!r} has no JAX built-in; pass --against "
                                    "jnp.NAME")
        module, name, keywords = JAX_BUILTINS[target]
        function = BuiltinFunction(f"{module}.{name}")._resolve()
        return (lambda x: function(x, **keywords)), builtin_source(target)
    return BuiltinFunction(against)._resolve(), against


def seconds_per_call(function: Callable, x, calls: int) -> float:
    """Seconds per call of ``calls`` back-to-back calls of ``function(x)`` (one wait at the end)."""
    started = time.perf_counter()
    for _ in range(calls):
        y = function(x)
    y.block_until_ready()
    return (time.perf_counter() - started) / calls


def time_pair(kernel: Callable, builtin: Callable, x, repeats: int = 15) -> tuple[float, float]:
    """Median seconds per call of two jitted functions on ``x``, interleaved A/B then B/A."""
    for function in (kernel, builtin):  # compile, fault pages in
        function(x).block_until_ready()
        function(x).block_until_ready()
    single = max(seconds_per_call(kernel, x, 1), seconds_per_call(builtin, x, 1), 1e-7)
    calls = max(1, int(_MIN_SAMPLE_SECONDS / single))
    times: tuple[list[float], list[float]] = ([], [])
    for round_index in range(repeats):
        order = (0, 1) if round_index % 2 == 0 else (1, 0)
        for which in order:
            times[which].append(seconds_per_call((kernel, builtin)[which], x, calls))
    return statistics.median(times[0]), statistics.median(times[1])


def stacked(function: Callable, interval: tuple[float, float], iterations: int) -> Callable:
    """``function`` applied ``iterations`` times by fori_loop, clipped to the interval between."""
    import jax
    import jax.numpy as jnp

    low, high = np.float32(interval[0]), np.float32(interval[1])

    def body(_, x):
        return jnp.clip(function(x), low, high)

    return jax.jit(lambda x: jax.lax.fori_loop(0, iterations, body, x))


def bench(kernel: Callable, builtin: Callable, interval: tuple[float, float],
          sizes: tuple[int, ...] = DEFAULT_SIZES, repeats: int = 15, stacked_size: int = 10_000,
          stacked_iterations: int = 100, seed: int = 0) -> list[Timing]:
    """Streaming rows per size, then the stacked row (skipped if ``stacked_iterations`` is 0)."""
    import jax

    rng = np.random.default_rng(seed)
    kernel_jit, builtin_jit = jax.jit(kernel), jax.jit(builtin)
    rows = []
    for size in sizes:
        x = jax.device_put(rng.uniform(interval[0], interval[1], int(size)).astype(np.float32))
        rows.append(Timing(f"n={int(size)}", int(size), *time_pair(kernel_jit, builtin_jit, x,
                                                                   repeats)))
        del x
    if stacked_iterations:
        x = jax.device_put(rng.uniform(interval[0], interval[1], stacked_size).astype(np.float32))
        pair = time_pair(stacked(kernel, interval, stacked_iterations),
                         stacked(builtin, interval, stacked_iterations),
                         x, repeats)
        rows.append(Timing(f"stacked {stacked_iterations}x{stacked_size}",
                           stacked_iterations * stacked_size, *pair))
    return rows


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"1e4,1e6,1e7"`` → (10000, 1000000, 10000000)."""
    try:
        sizes = tuple(int(float(part)) for part in text.split(",") if part.strip())
    except ValueError:
        raise AutonumericsError(f"sizes {text!r} must be numbers such as 1e4,1e6,1e7") from None
    if not sizes or min(sizes) < 1:
        raise AutonumericsError(f"sizes {text!r} must be positive")
    return sizes
