"""Starting, resuming and finishing searches: the library calls behind `search` and `resume`.

A start checks everything it can before it writes a file (the arguments, the seeds and the
mutation settings, the labels, the workers or the Dask cluster), then creates and locks the
run folder in one step; a failure before the first child is recorded removes what it created.
A resume locks the folder before it reads it. Either holds the lock until the front is written,
so a second process on the same folder gets a one-line error instead of a shared event log.
An ``OSError`` while the folder is written (a read-only or full file system) is one line too.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from autonumerics.api.args import one_line
from autonumerics.api.front import write_comparison, write_front
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.child import SearchContext
from autonumerics.evolution.distributed import (
    DaskAddress,
    DaskPool,
    parse_dask_address,
    require_distributed,
)
from autonumerics.evolution.evolve import Progress, Search, make_executor
from autonumerics.evolution.settings import SearchConfig
from autonumerics.evolution.state import SearchState
from autonumerics.evolution.storage import RunFolder, check_new_run_folder, describe_os_error
from autonumerics.ir.programfile import ProgramFile
from autonumerics.processes import stop_pool


@dataclass(frozen=True)
class RunSummary:
    """What a finished (or stopped) run reports.

    Attributes:
        elapsed: seconds the search ran, across resumes (start-up included: what the time
            budget counts).
        front: one dict per Pareto member, as in pareto.json.
        stop_reason: why it stopped early, when it was not its budget ("" otherwise).
        program_files: the members as program files, in the order of ``front`` (what
            front/*.json hold).
        finish_seconds: re-validating the front and comparing it with the baselines, after
            the search stopped (outside the time budget).
        resumable: False when resuming cannot find anything new (nothing was left to try).
    """

    path: Path
    n_evaluated: int
    n_duplicates: int
    n_skipped: int
    elapsed: float
    front: list[dict]
    n_lost: int = 0
    stop_reason: str = ""
    program_files: tuple[ProgramFile, ...] = ()
    finish_seconds: float = 0.0
    resumable: bool = True


def start_search(config: SearchConfig, out: str | Path, workers: int = 2,
                 progress: Callable[[Progress], None] | None = None, executor=None,
                 dask: str | None = None, compare: bool = True,
                 started_at: float | None = None) -> RunSummary:
    """Run a new search into the folder ``out`` (created; must not hold a run).

    Nothing is written before the arguments, the seeds and the mutation settings are checked,
    the labels computed and the workers (or the Dask cluster) started. If the search then
    fails before it records a child (Ctrl-C, a full disk), what it created in ``out`` is removed.

    Args:
        config: the resolved search config.
        out: the run folder.
        workers: local worker processes (0: inline, deterministic); ignored with ``dask``.
        progress: called about once a second with a snapshot.
        executor: an external executor (its workers must be primed with the context).
        dask: ``tcp://HOST:PORT`` or ``local:N``: evaluate the children on Dask distributed.
        compare: also write compare.json / compare.png (the front against the classical
            baselines; seconds to compute).
        started_at: ``time.monotonic()`` when the caller started (the budget counts from
            there); None: now.
    """
    started_at = time.monotonic() if started_at is None else started_at
    workers, address, path = check_workers(workers), _dask_address(dask), Path(out)
    # early, to fail fast; again, under the lock, when the folder is created
    check_new_run_folder(path)
    search = Search(config, RunFolder(path), _fresh_state(config), started_at=started_at)
    context = SearchContext.build(config)
    with _writes_to(path):
        return _drive(search, context, workers, progress, executor, address, compare,
                      open_run=lambda: RunFolder.create(path, config))


def resume_search(path: str | Path, workers: int = 2,
                  progress: Callable[[Progress], None] | None = None,
                  time_budget: float | None = None, max_evals: int | None = None, executor=None,
                  dask: str | None = None, compare: bool = True,
                  started_at: float | None = None) -> RunSummary:
    """Continue a stopped or killed run from its checkpoint and the events logged after it.

    The run may continue anywhere: inline, on a local pool, or on another Dask cluster (``dask``).
    The folder is locked first: a search still running in it is an error, never a second writer.
    """
    started_at = time.monotonic() if started_at is None else started_at
    workers, address = check_workers(workers), _dask_address(dask)
    run = RunFolder.open(path)
    config = run.config()
    run.lock()
    try:
        with _writes_to(run.path):
            run.truncate_partial_lines()
            state = _resumed_state(run, config)
            search = Search(config, run, state, time_budget=time_budget, max_evals=max_evals,
                            started_at=started_at)
            return _drive(search, SearchContext.build(config), workers, progress, executor,
                          address, compare)
    finally:
        run.release()


def check_workers(workers: object) -> int:
    """A worker count: an int >= 0 (not a bool)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise AutonumericsError(f"workers: expected an integer >= 0, got {workers!r}")
    return workers


def _dask_address(dask: str | None) -> DaskAddress | None:
    if not dask:
        return None
    address = parse_dask_address(dask)
    require_distributed()
    return address


def _fresh_state(config: SearchConfig) -> SearchState:
    seed = config.search.seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise AutonumericsError(f"search.seed: expected an integer >= 0, got {seed!r}")
    return SearchState.fresh(config.search.population, seed)


def _resumed_state(run: RunFolder, config: SearchConfig) -> SearchState:
    """The checkpoint's state (a fresh one without), plus the events logged after it."""
    checkpoint = run.read_checkpoint()
    if checkpoint is None:
        state, offset = _fresh_state(config), 0
    else:
        try:
            state = SearchState.from_checkpoint(checkpoint)
            offset = int(checkpoint["events_offset"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            keyed = isinstance(error, KeyError) and error.args
            reason = f"missing key {error.args[0]!r}" if keyed else str(error)
            raise AutonumericsError(f"{run.checkpoint_path}: not a checkpoint autonumerics wrote "
                                    f"({reason})") from None
    run.replay_events(offset, state.record)  # children finished after the last checkpoint
    return state


def _writes_to(path: Path) -> AbstractContextManager[None]:
    """An ``OSError`` from the run folder (read-only, full, removed) as one line naming the file."""
    return one_line(OSError, lambda error: f"{path}: {describe_os_error(error)}")


def _drive(search: Search, context: SearchContext, workers: int, progress, executor,
           address: DaskAddress | None = None, compare: bool = True,
           open_run: Callable[[], RunFolder] | None = None) -> RunSummary:
    """Start the workers, open the folder (``open_run``: create and lock it), run the loop (Ctrl-C
    and SIGTERM stop it cleanly), stop the workers, then validate and write the front.

    A folder that ``open_run`` created is discarded if no child was recorded when this fails.
    """
    backend = _Backend(context, workers, executor, address)
    created = None
    try:
        if open_run is not None:
            search.run = created = open_run()
        try:
            _loop(search, progress, backend.executor, backend.in_flight, **backend.options)
        finally:
            backend.close()
        # stopped (Ctrl-C, SIGTERM) that early
        if created is not None and search.state.n_evaluated == 0:
            raise AutonumericsError("the search stopped before its first child was fitted "
                                    "(Ctrl-C, SIGTERM, or a time budget spent starting up): "
                                    "no run folder is left")
        finishing = time.monotonic()
        front, program_files = write_front(search)
        if compare:
            write_comparison(search.run.path)
    except BaseException:
        backend.close()
        if created is not None and search.state.n_evaluated == 0:
            created.discard()
        raise
    finally:
        if created is not None:
            created.release()
    state = search.state
    return RunSummary(search.run.path, state.n_evaluated, state.n_duplicates, state.n_skipped,
                      state.elapsed, front, state.n_lost, search.stop_reason, tuple(program_files),
                      time.monotonic() - finishing, resumable=not search.exhausted)


class _Backend:
    """Where the children are evaluated: inline, a local pool, the caller's executor, or Dask."""

    def __init__(self, context: SearchContext, workers: int, executor,
                 address: DaskAddress | None) -> None:
        self.dask = DaskPool(address, context) if address is not None else None
        self.owned = executor is None and self.dask is None
        if self.dask is not None:
            executor, self.in_flight = self.dask.executor, self.dask.in_flight_limit
            self.options = {"runner": self.dask.runner, "lost_errors": self.dask.lost_errors,
                            "connected": self.dask.connected}
        else:
            if not self.owned and workers == 0:
                raise AutonumericsError("an external executor needs workers >= 1")
            executor = executor or make_executor(workers, context)
            self.in_flight, self.options = max(1, 2 * workers), {}
        self.executor = executor

    def close(self) -> None:
        """Stop the workers now (their children are lost by design); idempotent."""
        if self.dask is not None:
            self.dask.close()
            self.dask = None
        elif self.owned and self.executor is not None:
            stop_pool(self.executor)
        self.executor = None


def _loop(search: Search, progress, executor, in_flight, **backend) -> None:
    """``search.run_loop`` with Ctrl-C and SIGTERM turned into a clean stop (checkpoint kept).

    SIGTERM is caught only in the main thread (Python allows signal handlers nowhere else).
    """
    catch_sigterm = threading.current_thread() is threading.main_thread()
    previous = (signal.signal(signal.SIGTERM, lambda *_: search.stop_requested.set())
                if catch_sigterm else None)
    try:
        search.run_loop(executor, in_flight, progress, **backend)
    except KeyboardInterrupt:
        search.stop_requested.set()
    finally:
        if catch_sigterm:
            signal.signal(signal.SIGTERM, previous)


def default_out_dir() -> Path:
    """runs/<timestamp> under the current folder."""
    return Path("runs") / time.strftime("%Y%m%d-%H%M%S")
