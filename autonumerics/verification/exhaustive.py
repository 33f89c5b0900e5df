"""Exhaustive float32 verification: every float32 of an interval, in chunks over worker processes.

The float32 values of [a, b] are enumerated by ordered integer keys (their bit patterns, made
monotone across zero: :mod:`autonumerics.numerics.float_keys`), cut into chunks, and scored
exactly by :mod:`autonumerics.verification.exhaustive_chunk` in ``workers`` processes; the chunk
reports merge into one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.float_keys import float32_grid
from autonumerics.numerics.reports import ErrorReport, merge
from autonumerics.processes import process_context
from autonumerics.verification.exact_values import ExactTarget
from autonumerics.verification.exhaustive_chunk import ChunkScorer

__all__ = ["exhaustive_float32"]


# --- the chunks -------------------------------------------------------------------------------


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
        raise AutonumericsError(
            f"need workers >= 0 and chunk_size >= 1, got {workers}, {chunk_size}"
        )
    first_key, total = float32_grid(a, b)
    chunks = _chunks(first_key, total, chunk_size)
    reports: dict[int, ErrorReport] = {}
    done = 0
    for index, report in _run_chunks(approx_fn, target, chunks, workers):
        reports[index], done = report, done + report.n_points
        if progress is not None:
            progress(done, total)
    # In input order: ties go to the smallest x.
    return merge([reports[i] for i in range(len(chunks))])


def _run_chunks(
    approx_fn: Callable[[np.ndarray], np.ndarray], target: ExactTarget,
    chunks: list[tuple[int, int, int]], workers: int,
) -> Iterator[tuple[int, ErrorReport]]:
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
