"""The regularized-evolution loop: steady state, asynchronous, over any executor.

The driver owns the population. It creates a child (tournament parent, structural mutation),
hands ``evaluate_child`` to the executor, and records each result as it arrives: an event in
the log, then an update of the population and the archive. Workers only fit and score.

- ``workers=0``: inline, one child at a time, fully deterministic for a seed.
- ``workers=N``: a local process pool ("forkserver": never fork a process that may hold JAX),
  ``2N`` children in flight so no worker waits for the driver.
- any ``concurrent.futures.Executor`` (e.g. ``distributed.Client(...).get_executor()``).
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable

import numpy as np

from autonumerics.canonical import canonicalize, structural_hash
from autonumerics.child import ChildResult, ChildTask, SearchContext, evaluate_child
from autonumerics.config import SearchConfig
from autonumerics.mutate import MutationConfig, mutate
from autonumerics.parse import parse_expr
from autonumerics.search_state import SearchState
from autonumerics.storage import RunFolder

_CONTEXT: SearchContext | None = None


def _init_worker(context: SearchContext) -> None:
    """Process-pool initializer: the context arrives once per worker, not once per child."""
    global _CONTEXT
    _CONTEXT = context


def run_task(task: ChildTask) -> ChildResult:
    assert _CONTEXT is not None, "worker not initialised"
    return evaluate_child(_CONTEXT, task)


@dataclass(frozen=True)
class Progress:
    """A snapshot for progress displays."""

    elapsed: float
    budget: float | None
    n_evaluated: int
    n_duplicates: int
    n_skipped: int
    rate: float
    front: list  # [(cost, fitness)]


class Search:
    """One run: a config, its folder and its state."""

    def __init__(self, config: SearchConfig, run: RunFolder, state: SearchState,
                 time_budget: float | None = None, max_evals: int | None = None) -> None:
        self.config = config
        self.run = run
        self.state = state
        self.time_budget = config.time_budget_seconds if time_budget is None else time_budget
        self.max_evals = config.search.max_evals if max_evals is None else max_evals
        settings = config.mutation
        self.mutation = MutationConfig(weights=settings.weights, ops=settings.ops, max_ops=settings.max_ops,
                                       max_constants=settings.max_constants)
        self.stop_requested = threading.Event()
        self._seeds = [canonicalize(parse_expr(text)) for text in config.search.seeds]
        self._seeds_submitted = state.n_evaluated > 0

    # -- creating children ------------------------------------------------------------------
    def _child_seed(self, child_id: int) -> int:
        return int(np.random.SeedSequence([self.config.search.seed, child_id]).generate_state(1)[0])

    def _new_task(self) -> ChildTask:
        state = self.state
        while True:
            parent = self._select_parent()
            child = mutate(parent.program, state.rng, self.mutation)
            structure = structural_hash(child.program)
            if child.kind == "retrain" and structure not in state.exact:
                break
            if child.kind != "retrain" and structure not in state.structures:
                break
            state.n_skipped += 1  # fitted before (or exactly fitted, for a retrain): try another
        task = ChildTask(state.next_id, parent.id, child.kind, child.program, tuple(bool(f) for f in child.fresh),
                         self._child_seed(state.next_id))
        state.next_id += 1
        return task

    def _select_parent(self):
        state, settings = self.state, self.config.search
        if state.archive.best and state.rng.random() < settings.archive_parent_rate:
            return state.archive.sample(state.rng)
        return state.population.tournament(state.rng, settings.tournament)

    def _seed_tasks(self) -> list[ChildTask]:
        tasks = []
        for program in self._seeds:
            tasks.append(ChildTask(self.state.next_id, -1, "seed", program, (True,) * program.n_constants,
                                   self._child_seed(self.state.next_id)))
            self.state.next_id += 1
        self._seeds_submitted = True
        return tasks

    def _can_mutate(self) -> bool:
        return len(self.state.population) > 0

    # -- recording ----------------------------------------------------------------------------
    def _record(self, result: ChildResult, logs: tuple) -> None:
        program = canonicalize(result.program)
        event = {
            "id": result.task.child_id, "parent": result.task.parent_id, "kind": result.task.kind,
            "expression": program.to_infix(), "program": program.to_json(),
            "n_ops": program.n_ops, "cost": program.cost(),
            "fitness": _finite_or_inf(result.fitness), "train": _finite_or_inf(result.train_loss),
            "valid": _finite_or_inf(result.valid_loss), "fit": result.fit_method,
            "fit_evaluations": result.fit_evaluations, "fingerprint": result.fingerprint,
            "structure": structural_hash(program),
        }
        logs[0].write(json.dumps(event) + "\n")
        logs[1].write(json.dumps({"id": event["id"], "worker_seconds": round(result.seconds, 4),
                                  "elapsed": round(self.state.elapsed, 3)}) + "\n")
        self.state.record(event)

    def checkpoint(self) -> None:
        events, timings = self.run.log_sizes()
        self.run.write_checkpoint(self.state.to_checkpoint(events, timings))

    # -- the loop -------------------------------------------------------------------------------
    def _done(self) -> bool:
        if self.stop_requested.is_set():
            return True
        if self.max_evals and self.state.n_evaluated >= self.max_evals:
            return True
        return self.time_budget is not None and self.state.elapsed >= self.time_budget

    def run_loop(self, executor: Executor | None, in_flight_limit: int,
                 progress: Callable[[Progress], None] | None = None) -> None:
        """Create, evaluate and record children until the budget is spent or a stop is requested.

        Args:
            executor: where ``run_task`` runs; None evaluates inline (deterministic).
            in_flight_limit: children submitted but not yet recorded.
            progress: called about once a second with a snapshot.
        """
        logs = self.run.open_logs()
        context = None if executor is not None else _CONTEXT
        started = time.monotonic() - self.state.elapsed
        last_checkpoint = last_progress = time.monotonic()
        pending: dict[Future, ChildTask] = {}
        queue: list[ChildTask] = [] if self._seeds_submitted else self._seed_tasks()
        try:
            while not self._done():
                while len(pending) < in_flight_limit and (queue or self._can_mutate()) and not self._budget_reached(pending):
                    task = queue.pop(0) if queue else self._new_task()
                    if executor is None:
                        self._record(evaluate_child(context, task), logs)
                        self.state.elapsed = time.monotonic() - started
                        break
                    pending[executor.submit(run_task, task)] = task
                if pending:
                    finished, _ = wait(list(pending), timeout=1.0, return_when=FIRST_COMPLETED)
                    for future in sorted(finished, key=lambda f: pending[f].child_id):
                        pending.pop(future)
                        self._record(future.result(), logs)
                self.state.elapsed = time.monotonic() - started
                now = time.monotonic()
                if now - last_checkpoint >= self.config.search.checkpoint_seconds:
                    self.checkpoint()
                    last_checkpoint = now
                if progress is not None and now - last_progress >= 1.0:
                    progress(self.snapshot())
                    last_progress = now
        finally:
            for future in pending:  # children in flight are lost by design: never half-recorded
                future.cancel()
            self.state.elapsed = time.monotonic() - started
            self.checkpoint()
            for log in logs:
                log.close()

    def _budget_reached(self, pending: dict) -> bool:
        return bool(self.max_evals) and self.state.n_evaluated + len(pending) >= self.max_evals

    def snapshot(self) -> Progress:
        state = self.state
        rate = state.n_evaluated / state.elapsed if state.elapsed > 0 else 0.0
        front = [(m.cost, m.fitness) for m in state.archive.front()]
        return Progress(state.elapsed, self.time_budget, state.n_evaluated, state.n_duplicates,
                        state.n_skipped, rate, front)


def _finite_or_inf(value: float) -> float | str:
    return float(value) if np.isfinite(value) else "inf"


def make_executor(workers: int, context: SearchContext) -> Executor | None:
    """None (inline) for 0 workers, else a forkserver process pool primed with the context."""
    global _CONTEXT
    if workers == 0:
        _CONTEXT = context
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_init_worker, initargs=(context,))
