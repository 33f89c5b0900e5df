"""Exhaustive float32 verification: every float32 of an interval, in chunks over worker processes.

The float32 values of [a, b] are enumerated by ordered integer keys (their bit patterns, made
monotone across zero), cut into chunks, and scored exactly by :mod:`autonumerics.verification.exhaustive_chunk`
in ``workers`` processes; the chunk reports merge into one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from autonumerics.processes import process_context
from autonumerics.errors import AutonumericsError
from autonumerics.verification.exhaustive_chunk import ChunkScorer, ExactTarget, keys_to_bits
from autonumerics.numerics.metrics import ErrorReport, merge

__all__ = ["ExactTarget", "exhaustive_float32", "float32_grid", "float32_values"]

_SIGN = 0x80000000


# --- the float32 grid -----------------------------------------------------------------------


def _ordered_key(value: np.float32) -> int:
    """The float32's position on the number line: its bits if >= +0, minus its magnitude bits if < 0."""
    bits = int(np.float32(value).view(np.uint32))
    return -(bits & 0x7FFFFFFF) if bits & _SIGN else bits


def float32_grid(a: float, b: float) -> tuple[int, int]:
    """Every float32 in the closed interval [a, b], as ``(first_key, count)``.

    Keys order float32 values as integers: ``key = bits`` for +0 and above, ``key = -(bits &
    0x7fffffff)`` below, so -0 and +0 share key 0 and count once, and consecutive keys are
    consecutive float32 values across zero.

    Raises:
        AutonumericsError: for a NaN bound, a > b, or no float32 in [a, b].
    """
    if math.isnan(a) or math.isnan(b) or a > b:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] is empty, reversed or NaN")
    with np.errstate(over="ignore"):  # bounds beyond the float32 range become ±inf
        first, last = np.float32(a), np.float32(b)  # nearest; then step inwards into [a, b]
    if float(first) < a:
        first = np.nextafter(first, np.float32(np.inf))
    if float(last) > b:
        last = np.nextafter(last, np.float32(-np.inf))
    count = _ordered_key(last) - _ordered_key(first) + 1
    if count <= 0:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] holds no float32 value")
    return _ordered_key(first), count


def float32_values(first_key: int, count: int) -> np.ndarray:
    """The float32 values of keys first_key .. first_key+count-1, in increasing order."""
    split = min(max(-first_key, 0), count)  # how many keys are negative
    parts = []
    for start, n in ((first_key, split), (first_key + split, count - split)):
        if n:
            iota = np.arange(n, dtype=np.int32)
            parts.append(keys_to_bits(start, n, iota, np.empty(n, np.int32)).view(np.float32))
    return np.concatenate(parts) if parts else np.empty(0, np.float32)


def _chunks(first_key: int, count: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """``(index, start_key, count)`` pieces of at most chunk_size keys, none straddling zero."""
    pieces, key, end = [], first_key, first_key + count
    while key < end:
        stop = min(end, key + chunk_size, 0 if key < 0 else end)
        pieces.append((len(pieces), key, stop - key))
        key = stop
    return pieces


# --- the driver -------------------------------------------------------------------------------

_WORKER_SCORER: ChunkScorer | None = None


def _init_worker(approx_fn: Callable[[np.ndarray], np.ndarray], target: ExactTarget) -> None:
    global _WORKER_SCORER
    _WORKER_SCORER = ChunkScorer(approx_fn, target)


def _score_chunk(chunk: tuple[int, int, int]) -> tuple[int, ErrorReport]:
    index, start, count = chunk
    assert _WORKER_SCORER is not None, "worker not initialised"
    return index, _WORKER_SCORER.score(start, count)


def exhaustive_float32(
    approx_fn: Callable[[np.ndarray], np.ndarray],
    target: ExactTarget,
    interval: Sequence[float],
    *,
    workers: int = 2,
    chunk_size: int = 1 << 22,
    progress: Callable[[int, int], None] | None = None,
) -> ErrorReport:
    """Score ``approx_fn`` on every float32 of ``interval`` with exact counts.

    Args:
        approx_fn: picklable callable, float32 array -> float32 array (e.g. an instance of a
            top-level class); must not modify its input.
        target: the exact function (``reference_f64``, ``mp``, ``f64_rel_error_bound``).
        interval: ``(a, b)``, closed; each float32 in it is scored once (±0 once).
        workers: processes ("forkserver": never fork once JAX may be imported); 0 runs inline.
        chunk_size: inputs per task sent to a worker.
        progress: called in this process as ``progress(done_inputs, total_inputs)``.

    Returns:
        The merged report. The counts are exact. ``max_ulp`` is the exact (mpmath) error of
        ``worst_input``, the true maximum unless a plateau of more than MAX_REFINED_FOR_MAX
        inputs lies within the float64 margin of it (``2**24 * f64_rel_error_bound`` ulp);
        no input's error exceeds it by more than two margins.
    """
    a, b = (float(v) for v in interval)
    if workers < 0 or chunk_size < 1:
        raise AutonumericsError(f"need workers >= 0 and chunk_size >= 1, got {workers}, {chunk_size}")
    first_key, total = float32_grid(a, b)
    chunks = _chunks(first_key, total, chunk_size)
    reports: dict[int, ErrorReport] = {}
    done = 0
    for index, report in _run_chunks(approx_fn, target, chunks, workers):
        reports[index], done = report, done + report.n_points
        if progress is not None:
            progress(done, total)
    return merge([reports[i] for i in range(len(chunks))])  # in input order: ties go to the smallest x


def _run_chunks(approx_fn: Callable[[np.ndarray], np.ndarray], target: ExactTarget,
                chunks: list[tuple[int, int, int]], workers: int) -> Iterator[tuple[int, ErrorReport]]:
    """Yield ``(index, report)`` as chunks finish, inline or over a process pool."""
    if workers == 0:
        scorer = ChunkScorer(approx_fn, target)
        for index, start, count in chunks:
            yield index, scorer.score(start, count)
        return
    # forkserver, never fork: the caller may have imported JAX (threads) already; started without
    # the caller's __main__ (a script with no main guard is not re-run). An executor, unlike
    # multiprocessing.Pool, fails loudly when a worker cannot start or dies.
    context = process_context()
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context,
                             initializer=_init_worker, initargs=(approx_fn, target)) as pool:
        futures = [pool.submit(_score_chunk, chunk) for chunk in chunks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool as error:
            raise AutonumericsError(
                "an exhaustive-verification worker died; approx_fn and target must be picklable "
                "instances of importable top-level classes, and a script that calls this must "
                "guard its code with `if __name__ == '__main__':`"
            ) from error
        finally:  # on an error (or an abandoned generator) do not wait for the rest
            for future in futures:
                future.cancel()
