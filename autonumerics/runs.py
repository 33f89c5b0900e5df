"""Starting, resuming and finishing searches: the library calls behind `search` and `resume`."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autonumerics.child import SearchContext
from autonumerics.config import SearchConfig
from autonumerics.distributed import (
    DaskAddress,
    DaskPool,
    parse_dask_address,
    require_distributed,
)
from autonumerics.errors import AutonumericsError
from autonumerics.evaluation import measure
from autonumerics.evolve import Progress, Search, make_executor
from autonumerics.programfile import ProgramFile
from autonumerics.search_state import SearchState
from autonumerics.storage import RunFolder
from autonumerics.targets import get_target


@dataclass(frozen=True)
class RunSummary:
    """What a finished (or stopped) run reports.

    Attributes:
        front: one dict per Pareto member, as in pareto.json.
        program_files: the members as program files, in the order of ``front`` (what
            front/*.json hold).
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


def start_search(config: SearchConfig, out: str | Path, workers: int = 2,
                 progress: Callable[[Progress], None] | None = None, executor=None,
                 dask: str | None = None, compare: bool = True) -> RunSummary:
    """Run a new search into the folder ``out`` (created; must not hold a run).

    Nothing is written before the arguments are checked (the Dask address, the seeds, the
    mutation settings). If the search then fails before it records a child (labels, workers,
    a Dask cluster, Ctrl-C), what it created in ``out`` is removed again.

    Args:
        config: the resolved search config.
        out: the run folder.
        workers: local worker processes (0: inline, deterministic); ignored with ``dask``.
        progress: called about once a second with a snapshot.
        executor: an external executor (its workers must be primed with the context).
        dask: ``tcp://HOST:PORT`` or ``local:N``: evaluate the children on Dask distributed.
        compare: also write compare.json / compare.png (the front against the classical
            baselines; seconds to compute).
    """
    address = _dask_address(dask)  # a bad value or a missing Dask fails before the folder exists
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise AutonumericsError(f"{path} is not a folder")
    state = SearchState.fresh(config.search.population, config.search.seed)
    search = Search(config, RunFolder(path), state)  # parses the seeds and the mutation settings
    with _undone_unless_started(path, state):
        _create_run_folder(path, config)
        context = SearchContext.build(config)
        return _drive(search, context, workers, progress, executor, address, compare)


def resume_search(path: str | Path, workers: int = 2, progress: Callable[[Progress], None] | None = None,
                  time_budget: float | None = None, max_evals: int | None = None, executor=None,
                  dask: str | None = None, compare: bool = True) -> RunSummary:
    """Continue a stopped or killed run from its checkpoint and the events logged after it.

    The run may continue anywhere: inline, on a local pool, or on another Dask cluster (``dask``).
    """
    address = _dask_address(dask)
    run = RunFolder.open(path)
    config = run.config()
    run.truncate_partial_lines()
    checkpoint = run.read_checkpoint()
    state = (SearchState.from_checkpoint(checkpoint) if checkpoint
             else SearchState.fresh(config.search.population, config.search.seed))
    for event in run.events_after(checkpoint["events_offset"] if checkpoint else 0):
        state.record(event)  # children finished after the last checkpoint
    search = Search(config, run, state, time_budget=time_budget, max_evals=max_evals)
    return _drive(search, SearchContext.build(config), workers, progress, executor, address, compare)


def _dask_address(dask: str | None) -> DaskAddress | None:
    if not dask:
        return None
    address = parse_dask_address(dask)
    require_distributed()
    return address


def _create_run_folder(path: Path, config: SearchConfig) -> RunFolder:
    try:
        return RunFolder.create(path, config)
    except OSError as error:
        raise AutonumericsError(f"cannot create the run folder {path}: {error.strerror or error}") from None


@contextmanager
def _undone_unless_started(path: Path, state: SearchState) -> Iterator[None]:
    """On a failure before the first child is recorded, remove what appeared in ``path``.

    A folder that did not exist goes, with the parents created for it; in a folder that did,
    only the new entries go (never what was there before).
    """
    created, existing = None, path  # the outermost folder the run creates; the folder that exists
    while not existing.exists() and existing != existing.parent:
        created, existing = existing, existing.parent
    before = set() if created else set(os.listdir(path))
    try:
        yield
    except BaseException:
        if state.n_evaluated == 0:
            for entry in [created] if created else [path / name for name in set(os.listdir(path)) - before]:
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        raise


def _drive(search: Search, context: SearchContext, workers: int, progress, executor,
           address: DaskAddress | None = None, compare: bool = True) -> RunSummary:
    """Run the loop (Ctrl-C and SIGTERM stop it cleanly), then validate and write the front."""
    if address is not None:
        with DaskPool(address, context) as pool:
            _loop(search, progress, pool.executor, pool.in_flight_limit, runner=pool.runner,
                  lost_errors=pool.lost_errors, connected=pool.connected)
    else:
        owned = executor is None
        if owned:
            executor = make_executor(workers, context)
        elif workers == 0:
            raise AutonumericsError("an external executor needs workers >= 1")
        try:
            _loop(search, progress, executor, max(1, 2 * workers))
        finally:
            if owned and executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
    front, program_files = write_front(search)
    if compare:
        write_comparison(search.run.path)
    state = search.state
    return RunSummary(search.run.path, state.n_evaluated, state.n_duplicates, state.n_skipped, state.elapsed, front,
                      state.n_lost, search.stop_reason, tuple(program_files))


def _loop(search: Search, progress, executor, in_flight, **backend) -> None:
    """``search.run_loop`` with Ctrl-C and SIGTERM turned into a clean stop (checkpoint kept).

    SIGTERM is caught only in the main thread (Python allows signal handlers nowhere else).
    """
    catch_sigterm = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: search.stop_requested.set()) if catch_sigterm else None
    try:
        search.run_loop(executor, in_flight, progress, **backend)
    except KeyboardInterrupt:
        search.stop_requested.set()
    finally:
        if catch_sigterm:
            signal.signal(signal.SIGTERM, previous)


def write_front(search: Search) -> tuple[list[dict], list[ProgramFile]]:
    """Re-validate the archive's front on ``final_points`` and write pareto.json and front/.

    Returns:
        The pareto.json entries and the members as program files (what front/ holds).
    """
    config = search.config
    target = get_target(config.target.name)
    interval = target.check_interval(*(config.target.interval or target.default_intervals[0]))
    evaluation = config.evaluation
    entries, files, program_files = [], [], []
    for member in search.state.archive.front():
        report = measure(member.program, target, interval, evaluation.dtype, evaluation.semantics,
                         points=evaluation.final_points)
        final = report.max_ulp if evaluation.loss == "ulp" else (
            report.max_abs_error if evaluation.loss == "absolute" else report.max_rel_error)
        name = f"ops_{member.program.n_ops:02d}_cost_{member.cost:g}.json"
        metrics = {"fitness": member.fitness, "final_error": final, "loss": evaluation.loss,
                   "final": report.to_dict(), "final_points": evaluation.final_points}
        entries.append({"id": member.id, "n_ops": member.program.n_ops, "cost": member.cost,
                        "fitness": member.fitness, "final_error": final,
                        "expression": member.program.to_infix(), "program": member.program.to_json(),
                        "file": f"front/{name}", "final": report.to_dict()})
        program_file = ProgramFile(member.program, config.target.name, interval, evaluation.dtype,
                                   evaluation.semantics, tuple(config.mutation.ops), metrics,
                                   {"run": str(search.run.path), "child": member.id, "seed": config.search.seed})
        files.append((name, program_file.to_json()))
        program_files.append(ProgramFile.from_json(files[-1][1], name))  # exactly what the file holds
    search.run.write_front(entries, files)
    return entries, program_files


def write_comparison(path: Path) -> None:
    """compare.json and compare.png in the run folder: the front against the classical baselines."""
    from autonumerics.compare import compare_run, plot_comparison
    from autonumerics.programfile import write_json_atomic

    try:
        comparison = compare_run(path)
    except AutonumericsError as error:  # e.g. a custom target no classical family can handle
        (path / "compare.txt").write_text(f"no comparison: {error}\n")
        return
    plot_comparison(comparison, path / "compare.png")
    write_json_atomic(path / "compare.json", {"metric": comparison.metric,
                                              "rows": [row.to_json() for row in comparison.rows]})


def default_out_dir() -> Path:
    """runs/<timestamp> under the current folder."""
    import time

    return Path("runs") / time.strftime("%Y%m%d-%H%M%S")
