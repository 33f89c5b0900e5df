"""Dask distributed as a search backend: connect to a scheduler or start a local cluster.

``--dask tcp://HOST:PORT`` connects to a cluster someone already runs (``dask scheduler`` and
``dask worker tcp://HOST:PORT`` on any machines that have autonumerics installed);
``--dask local:N`` starts a ``LocalCluster`` of N single-threaded worker processes (spawned,
never forked: the driver may hold JAX).

The search context (points, exact labels, scoring rules) reaches each worker once, as a
worker plugin: the scheduler hands it to every worker that joins, including one a nanny
restarts after a crash, and the worker keeps it in a table keyed by the context's hash. A task
carries only that key and the child, so a task costs a few hundred bytes on the wire. The
worker side lives in ``autonumerics.evolution.dask_worker`` (imported only when Dask is used).

Children are submitted through the client's ``concurrent.futures`` executor. A worker that
dies takes its in-flight children with it: the scheduler reschedules them on another worker,
and a child it gives up on (``KilledWorker``) is counted as lost by the driver.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import pickle
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Self

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.child import ChildResult, ChildTask, SearchContext

INSTALL_HINT = 'pip install "autonumerics[dask]"'
WAIT_FOR_WORKERS_SECONDS = 60.0  # a remote cluster must have one worker within this time
MAX_LOCAL_WORKERS = 256
# Dask's periodic housekeeping, slowed down. With a local cluster the scheduler and the nannies
# run in the driver's process, and an event-loop health tick every 20 ms, system metrics every
# 0.5 s and each nanny's memory check every 0.1 s cost it ~30 ms of CPU per second, idle;
# with these values ~7 ms (measured on 2 cores). A runaway worker is still stopped within 1 s.
# Housekeeping slowed down, and the workers' statistical profiler (a thread that samples the
# task's stack every 10 ms, holding the GIL) switched off: it costs the children CPU.
QUIET_CONFIG = {"distributed.admin.tick.interval": "1s",
                "distributed.admin.system-monitor.interval": "5s",
                "distributed.worker.memory.monitor-interval": "1s",
                "distributed.worker.profile.enabled": False}
# a scheduler unreachable this long stops the search (checkpoint kept)
DISCONNECT_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class DaskAddress:
    """Where to run: ``local`` with ``n_workers`` processes, or a scheduler ``address``."""

    kind: str
    address: str = ""
    n_workers: int = 0

    def __str__(self) -> str:
        return f"local:{self.n_workers}" if self.kind == "local" else self.address


def parse_dask_address(text: str) -> DaskAddress:
    """Read ``tcp://HOST:PORT`` (also ``tls://``, ``ws://``...) or ``local:N``.

    Raises:
        AutonumericsError: naming the value when it is neither form.
    """
    value = str(text).strip()
    if value.startswith("local:"):
        count = value[len("local:"):]
        if not count.isdigit() or not 1 <= int(count) <= MAX_LOCAL_WORKERS:
            raise AutonumericsError(f"--dask {text!r}: local:N needs a worker count N "
                                    f"from 1 to {MAX_LOCAL_WORKERS}")
        return DaskAddress("local", n_workers=int(count))
    scheme, _, rest = value.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("tcp", "tls", "ws", "wss", "ucx") or not host or not port.isdigit():
        raise AutonumericsError(f"--dask {text!r}: expected tcp://HOST:PORT "
                                "(a running `dask scheduler`) or local:N (start N local workers)")
    return DaskAddress("remote", address=value)


def require_distributed() -> ModuleType:
    """The ``distributed`` module, or an error that says how to install it."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise AutonumericsError("--dask needs Dask distributed, which is not installed: "
                                f"{INSTALL_HINT}") from None


def context_key(context: SearchContext) -> str:
    """A short hash naming a context on the workers (equal contexts share one entry)."""
    return hashlib.sha256(pickle.dumps(context, protocol=5)).hexdigest()[:16]


class DaskPool:
    """A Dask client primed with one search context, as the search loop needs it.

    Attributes:
        address: where it runs.
        executor: the client's ``concurrent.futures`` executor (non-pure tasks).
        runner: the function submitted per child (``evaluate_on_worker`` bound to the key).
        lost_errors: exceptions meaning "the child's worker or the cluster went away".
    """

    def __init__(self, address: DaskAddress, context: SearchContext) -> None:
        distributed = require_distributed()
        from autonumerics.evolution.dask_worker import (  # imports distributed
            ContextPlugin,
            evaluate_on_worker,
        )

        self.address = address
        with dask_config(QUIET_CONFIG):
            self.cluster = (_start_local(distributed, address.n_workers)
                            if address.kind == "local" else None)
            self.client = self._connect(distributed)
        try:
            if self.cluster is None:
                self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_SECONDS)
            self.key = context_key(context)
            self.plugin_name = f"autonumerics-context-{self.key}"
            self.client.register_plugin(ContextPlugin(self.key, context), name=self.plugin_name)
        except TimeoutError:
            self.close()
            raise AutonumericsError(f"--dask {address}: no worker joined the scheduler within "
                                    f"{WAIT_FOR_WORKERS_SECONDS:.0f} s") from None
        self.executor: Executor = self.client.get_executor(pure=False)
        self.runner: Callable[[ChildTask], ChildResult] = partial(evaluate_on_worker, self.key)
        self.lost_errors = _lost_errors(distributed)
        self._disconnected_since: float | None = None
        self._threads, self._counted_at = 1, -1e9

    def _connect(self, distributed: ModuleType) -> object:
        try:
            return distributed.Client(self.cluster if self.cluster else self.address.address,
                                      timeout=30)
        except OSError as error:
            self._close_cluster()
            raise AutonumericsError(
                f"--dask {self.address}: cannot reach the scheduler ({error})") from None

    def n_workers(self) -> int:
        """Threads over all workers (each runs one child at a time), asked at most every 5 s."""
        now = time.monotonic()
        if now - self._counted_at >= 5.0:
            with contextlib.suppress(Exception):  # a lost scheduler: keep the last count
                self._threads = max(1, sum(self.client.nthreads().values()))
            self._counted_at = now
        return self._threads

    def in_flight_limit(self) -> int:
        """Two children per worker thread; none while the scheduler is unreachable."""
        return 2 * self.n_workers() if self.client.status == "running" else 0

    def connected(self) -> bool:
        """False once the scheduler has been unreachable for ``DISCONNECT_GRACE_SECONDS``."""
        if self.client.status == "running":
            self._disconnected_since = None
            return True
        now = time.monotonic()
        if self._disconnected_since is None:
            self._disconnected_since = now
        return now - self._disconnected_since < DISCONNECT_GRACE_SECONDS

    def close(self) -> None:
        """Drop the context from the workers (a shared cluster keeps running) and disconnect."""
        with contextlib.suppress(Exception):  # best effort: the scheduler may already be gone
            if self.client.status == "running":
                self.client.unregister_worker_plugin(self.plugin_name)
        with contextlib.suppress(Exception):
            self.client.close(timeout=10)
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self.cluster is not None:
            with contextlib.suppress(Exception):  # a half-dead cluster: its processes exit with us
                self.cluster.close(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dask_config(settings: dict) -> contextlib.AbstractContextManager:
    """Dask config values set for the duration of a ``with`` block."""
    import dask

    return dask.config.set(settings)


def worker_environment() -> dict:
    """The environment a nanny gives the worker it spawns: Dask's, less ``MALLOC_TRIM_THRESHOLD_``.

    Setting any glibc malloc tunable switches off malloc's dynamic mmap threshold, so every array
    over 128 KiB (a child's points and residuals) is mmapped and unmapped again and its pages
    fault in on each use: a child then costs ~20 % more CPU than in the process pool (90-92 ms
    instead of 73-77 ms per exp2_reals child, measured in the task thread). The thread caps
    (``OMP_NUM_THREADS=1`` and friends) stay: one worker thread runs one child. A value in the
    driver's own environment still wins (the nanny reads it there): set on purpose, it is kept.
    """
    import dask

    environment = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environment.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environment


def _start_local(distributed: ModuleType, n_workers: int) -> object:
    """A LocalCluster of single-threaded worker processes, spawned (the driver may hold JAX),
    without Dask's malloc setting (see ``worker_environment``)."""
    with dask_config({"distributed.worker.multiprocessing-method": "spawn",
                      "distributed.nanny.pre-spawn-environ": worker_environment()}):
        return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR)


def _lost_errors(distributed: ModuleType) -> tuple[type[BaseException], ...]:
    """Errors a future raises when its worker or the scheduler went away, not when the child failed.

    ``CancelledError`` covers Dask's ``FutureCancelledError`` (a lost scheduler cancels every
    future); ``KilledWorker`` is a child whose workers kept dying; ``OSError`` covers closed comms.
    """
    return (CancelledError, OSError, distributed.KilledWorker)
