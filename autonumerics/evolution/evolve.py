"""The regularized-evolution loop: steady state, asynchronous, over any executor.

The driver owns the population. It creates a child (tournament parent, structural mutation),
hands ``evaluate_child`` to the executor, and records each result as it arrives: an event in
the log, then an update of the population and the archive. Workers only fit and score.

- no executor: inline, one child at a time, fully deterministic for a seed;
- a local process pool (``autonumerics.evolution.workers``), ``2N`` children in flight for
  ``N`` workers so no worker waits for the driver;
- any ``concurrent.futures.Executor``; ``autonumerics.evolution.distributed`` runs it on Dask,
  where a child whose worker died may be lost (counted, never recorded) and a lost scheduler
  stops the run with a checkpoint.

A result is recorded at most once: the driver keeps the ids in flight and ignores a second
result for an id it already recorded. Every loop ends: the budget, a stop request and "nothing
new to try" are observed wherever the driver waits or retries (``search_limits``).
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.child import ChildResult, ChildTask
from autonumerics.evolution.mutate import mutate
from autonumerics.evolution.search_limits import (
    EXHAUSTED_AFTER,
    SEED_GRACE_SECONDS,
    STOP_CHECK_EVERY,
    checkpoint_interval,
    exhausted_reason,
    no_seed_reason,
    seed_programs,
)
from autonumerics.evolution.settings import SearchConfig
from autonumerics.evolution.state import Progress, SearchState, child_event
from autonumerics.evolution.storage import RunFolder
from autonumerics.evolution.workers import make_executor, run_task
from autonumerics.ir.canonical import structural_hash

__all__ = ["Progress", "Search", "make_executor", "run_task"]


class Search:
    """One run: a config, its folder and its state."""

    def __init__(self, config: SearchConfig, run: RunFolder, state: SearchState,
                 time_budget: float | None = None, max_evals: int | None = None,
                 started_at: float | None = None) -> None:
        """Check the seeds (an error naming the seed) and set up.

        Args:
            started_at: when this session started (``time.monotonic()``); the budget counts
                from there, on top of ``state.elapsed``. None: when the loop starts.
        """
        self.config = config
        self.run = run
        self.state = state
        self.time_budget = config.time_budget_seconds if time_budget is None else time_budget
        self.max_evals = config.search.max_evals if max_evals is None else max_evals
        self.stop_requested = threading.Event()
        self._seeds_submitted = state.n_evaluated > 0
        self._seeds = seed_programs(config, needed=not self._seeds_submitted)
        self._open: set[int] = set()  # child ids submitted and not yet recorded (or lost)
        self._seeds_open: set[int] = set()  # seed ids submitted and not yet recorded (or lost)
        self._skips_in_a_row = 0  # tried since the last new child or the last admitted member
        self._last_failure = ""  # why the last child could not be made, when mutate said so
        self._started_at = started_at
        self._origin: float | None = None  # the monotonic time at which state.elapsed was 0
        self.stop_reason = ""  # why the loop stopped early, when it was not the budget

    # -- creating children ------------------------------------------------------------------
    def _child_seed(self, child_id: int) -> int:
        return int(np.random.SeedSequence([self.config.search.seed, child_id]).generate_state(1)[0])

    def _new_task(self) -> ChildTask | None:
        """A child whose structure was not fitted before (for a retrain: not fitted exactly).

        None when the search should create no more: a stop or the budget (checked every
        ``STOP_CHECK_EVERY`` attempts), or ``EXHAUSTED_AFTER`` attempts in a row found nothing new.
        """
        state = self.state
        while self._skips_in_a_row < EXHAUSTED_AFTER:
            if self._skips_in_a_row % STOP_CHECK_EVERY == STOP_CHECK_EVERY - 1 and self._done():
                return None
            parent = self._select_parent()
            self._skips_in_a_row += 1
            try:
                child = mutate(parent.program, state.rng, self.config.mutation)
            except AutonumericsError as error:  # this parent has no child within the limits
                self._last_failure = str(error)
                continue
            structure = structural_hash(child.program)
            if structure in (state.exact if child.kind == "retrain" else state.structures):
                state.n_skipped += 1  # fitted before (for a retrain: exactly fitted): try another
                continue
            self._skips_in_a_row = 0
            task = ChildTask(state.next_id, parent.id, child.kind, child.program,
                             tuple(bool(f) for f in child.fresh), self._child_seed(state.next_id),
                             self._screen(child.program))
            state.next_id += 1
            return task
        return None

    def _screen(self, program) -> float | None:
        """The loss a child's first local fit must reach for its full fit (multi-fidelity): the
        front's error at the child's cost (the best of the archive at that cost or below) times
        ``search.screen_margin``; None (a full fit) when screening is off, the cost is measured
        (unknown before the fit) or nothing in the archive costs as little."""
        margin = self.config.search.screen_margin
        if not margin or self.config.evaluation.cost != "ops":
            return None
        best = self.state.archive.best_up_to(program.cost())
        return margin * best if math.isfinite(best) else None

    def _select_parent(self):
        state, settings = self.state, self.config.search
        if state.archive.best and state.rng.random() < settings.archive_parent_rate:
            return state.archive.sample(state.rng)
        if settings.selection == "niche":
            return state.population.niche_tournament(state.rng, settings.tournament)
        return state.population.tournament(state.rng, settings.tournament)

    def _seed_tasks(self) -> list[ChildTask]:
        tasks = []
        for program in self._seeds:
            tasks.append(ChildTask(self.state.next_id, -1, "seed", program,
                                   (True,) * program.n_constants,
                                   self._child_seed(self.state.next_id)))
            self._seeds_open.add(self.state.next_id)
            self.state.next_id += 1
        self._seeds_submitted = True
        return tasks

    def _can_mutate(self) -> bool:
        return len(self.state.population) > 0

    @property
    def exhausted(self) -> bool:
        """Nothing new is within reach: a resume would stop at once too."""
        return self._skips_in_a_row >= EXHAUSTED_AFTER

    # -- recording ----------------------------------------------------------------------------
    def _record(self, result: ChildResult, logs: tuple) -> None:
        event = child_event(result)
        logs[0].write(json.dumps(event) + "\n")
        logs[1].write(json.dumps({"id": event["id"], "worker_seconds": round(result.seconds, 4),
                                  "elapsed": round(self.state.elapsed, 3)}) + "\n")
        if self.state.record(event) is not None:
            self._skips_in_a_row = 0  # a new member: new children are reachable again

    def checkpoint(self) -> None:
        """The state, after the logs it counts are on disk (a crash cannot lose logged children)."""
        self.run.sync_logs()
        events, timings = self.run.log_sizes()
        self.run.write_checkpoint(self.state.to_checkpoint(events, timings))

    # -- the loop -------------------------------------------------------------------------------
    def _done(self) -> bool:
        if self.stop_requested.is_set() or self.stop_reason:
            return True
        if self.max_evals and self.state.n_evaluated >= self.max_evals:
            return True
        return self._remaining() <= 0

    def _remaining(self) -> float:
        """Seconds left in the budget (inf: none); the seeds are fitted whatever it says."""
        if self._origin is not None:
            self.state.elapsed = time.monotonic() - self._origin
        if self.time_budget is None:
            return math.inf
        remaining = self.time_budget - self.state.elapsed
        return remaining + SEED_GRACE_SECONDS if self._seeds_open else remaining

    def _nothing_to_do(self, pending: dict, queue: list) -> str:
        """Why no child can ever be created again ("" while one can)."""
        if pending or queue:
            return ""
        if not self._can_mutate():
            return no_seed_reason(self.state.n_lost)
        return exhausted_reason(self.config, self._last_failure) if self.exhausted else ""

    def run_loop(self, executor: Executor | None, in_flight_limit: int | Callable[[], int],
                 progress: Callable[[Progress], None] | None = None, *,
                 runner: Callable[[ChildTask], ChildResult] = run_task,
                 lost_errors: tuple[type[BaseException], ...] = (),
                 connected: Callable[[], bool] | None = None) -> None:
        """Create, evaluate and record children until the budget is spent or a stop is requested.

        Args:
            executor: where ``runner`` runs; None evaluates inline (deterministic).
            in_flight_limit: children submitted but not yet recorded (or a function giving it,
                for clusters whose size changes).
            progress: called about once a second with a snapshot.
            runner: the function submitted per child (a Dask pool binds its context key).
            lost_errors: exceptions that mean the child's worker went away: the child is
                counted as lost, never recorded, and the run goes on.
            connected: False once the cluster is gone: the run stops with a checkpoint.
        """
        logs = self.run.open_logs()
        start = time.monotonic() if self._started_at is None else self._started_at
        self._origin = start - self.state.elapsed
        clock = {"checkpoint": time.monotonic(), "progress": time.monotonic()}
        pending: dict[Future, ChildTask] = {}
        queue: list[ChildTask] = [] if self._seeds_submitted else self._seed_tasks()
        try:
            while not self._done():
                if connected is not None and not connected():
                    self.stop_reason = "lost the connection to the Dask scheduler"
                    break
                limit = in_flight_limit() if callable(in_flight_limit) else in_flight_limit
                self._submit(executor, runner, pending, queue, limit, logs)
                self.stop_reason = self._nothing_to_do(pending, queue)
                if pending:
                    self._collect(pending, lost_errors, logs)
                elif executor is not None and not self.stop_reason:
                    time.sleep(0.1)  # nothing in flight (a cluster without workers): do not spin
                self._tick(clock, progress)
        except BaseException as error:
            self._finish(pending, logs, error)
            raise
        self._finish(pending, logs, None)

    def _finish(self, pending: dict, logs: tuple, error: BaseException | None) -> None:
        """Drop the children in flight (lost, never half-recorded), checkpoint, close the logs.

        After an ``OSError`` (the folder cannot be written) the last checkpoint stands; after
        another error a failing checkpoint does not hide it.
        """
        for future in pending:
            future.cancel()
        self._remaining()  # brings state.elapsed up to date
        if not isinstance(error, OSError):
            with contextlib.suppress(OSError) if error is not None else contextlib.nullcontext():
                self.checkpoint()
        for log in logs:
            with contextlib.suppress(OSError):  # flushed by the checkpoint, or the disk is full
                log.close()

    def _submit(self, executor: Executor | None, runner: Callable, pending: dict, queue: list,
                limit: int, logs: tuple) -> None:
        """Top up the children in flight (inline: evaluate and record one)."""
        while (len(pending) < limit and (queue or self._can_mutate())
               and not self._budget_reached(pending)):
            task = queue.pop(0) if queue else self._new_task()
            if task is None:  # a stop, the budget, or nothing new within reach
                return
            self._open.add(task.child_id)
            if executor is None:
                self._accept(run_task(task), logs)
                return
            pending[executor.submit(runner, task)] = task

    def _collect(self, pending: dict, lost_errors: tuple, logs: tuple) -> None:
        """Record the children that finished within a second (or the budget's rest), in id order."""
        timeout = min(1.0, max(0.05, self._remaining()))
        finished, _ = wait(list(pending), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=lambda f: pending[f].child_id):
            task = pending.pop(future)
            try:
                result = future.result()
            except lost_errors:  # its worker died (the cluster gave up on it): lost, not recorded
                self._open.discard(task.child_id)
                self._seeds_open.discard(task.child_id)
                self.state.n_lost += 1
                continue
            self._accept(result, logs)

    def _accept(self, result: ChildResult, logs: tuple) -> bool:
        """Record a result once: a second result for a child id already recorded is ignored."""
        child_id = result.task.child_id
        if child_id not in self._open:
            return False
        self._open.discard(child_id)
        self._seeds_open.discard(child_id)
        self._record(result, logs)
        return True

    def _tick(self, clock: dict, progress: Callable[[Progress], None] | None) -> None:
        """Checkpoint every ``checkpoint_seconds``; report progress about once a second."""
        now = time.monotonic()
        if now - clock["checkpoint"] >= checkpoint_interval(self.config):
            self.checkpoint()
            clock["checkpoint"] = now
        if progress is not None and now - clock["progress"] >= 1.0:
            progress(self.snapshot())
            clock["progress"] = now

    def _budget_reached(self, pending: dict) -> bool:
        return bool(self.max_evals) and self.state.n_evaluated + len(pending) >= self.max_evals

    def snapshot(self) -> Progress:
        return self.state.progress(self.time_budget)
