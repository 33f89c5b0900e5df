"""Worker processes that never re-import the caller's main module.

With the "forkserver" and "spawn" start methods, multiprocessing sends every new process the
name or path of the parent's ``__main__`` (``spawn.get_preparation_data`` records
``init_main_from_name`` / ``init_main_from_path``), and the child imports that module again, as
``__mp_main__``, before it unpickles its work. A script without an ``if __name__ == "__main__":``
guard then runs its whole top level again in every worker; the search it starts there fails in
multiprocessing's bootstrapping check and the parent sees a broken pipe. In a notebook the
kernel's main module is imported instead.

autonumerics' workers need nothing from ``__main__``: every function they run lives in an
autonumerics module. So the context below launches each process (and the fork server, which the
first launch starts) while ``sys.modules["__main__"]`` is an empty stand-in module: the
preparation data then names no main module, and the child keeps its own (CPython 3.11
``multiprocessing.spawn.prepare`` only re-imports a main module it is told about). The swap
lasts one launch (pickling the process object and handing it to the fork server, about a
millisecond) under a lock, and covers every start: ``ProcessPoolExecutor`` starts its workers
lazily, at ``submit``, through ``context.Process``. The price: an object defined in
``__main__`` cannot be sent to these workers (pickling it fails with a clear error), which the
search never does.

Workers also end with the process that started them. A pool worker waits for work on a pipe
whose write end it holds itself (a ``multiprocessing.Queue`` travels with both ends), so a
driver killed with ``kill -9`` never sends it an end-of-file: without help it would wait
forever, and keep alive the fork server (every child holds the fork server's "alive" pipe) and
the resource tracker. ``PR_SET_PDEATHSIG`` does not fit: a worker's parent is the fork server,
not the driver. Instead each process these contexts start runs a daemon thread that waits on
``multiprocessing.parent_process().sentinel`` (a pipe whose only write end is in the driver:
readable exactly when the driver is gone) and then ends the worker with ``os._exit``; the
fork server and the resource tracker follow as their last clients disappear. The thread costs
nothing while it waits (a blocking ``select`` without the GIL).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import context as mp_context

__all__ = ["PoolStartError", "exit_with_parent", "main_module_hidden", "process_context",
           "start_pool", "stop_pool"]

# Worker start-up: a fork server, then imports of numpy / scipy and the context in each worker.
# Generous, because a loaded machine can take seconds; past this the caller falls back.
START_TIMEOUT_SECONDS = 120.0

# The exit status of a worker that ended because its driver died.
ORPHAN_EXIT_STATUS = 1
# How long stop_pool waits for each terminated worker to be reaped.
STOP_JOIN_SECONDS = 5.0

_SWAP_LOCK = threading.Lock()


class PoolStartError(RuntimeError):
    """The worker processes could not be started (the message says why)."""


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """Within the block, ``sys.modules["__main__"]`` is an empty module (no file, no spec)."""
    with _SWAP_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is None:
                sys.modules.pop("__main__", None)
            else:
                sys.modules["__main__"] = main


if hasattr(mp_context, "ForkServerContext"):  # POSIX
    from multiprocessing import popen_forkserver

    class _MainHiddenPopen(popen_forkserver.Popen):
        """A fork-server launch that does not tell the child about the parent's main module."""

        def _launch(self, process_obj) -> None:
            with main_module_hidden():
                super()._launch(process_obj)

    class _MainHiddenProcess(mp_context.ForkServerProcess):
        @staticmethod
        def _Popen(process_obj) -> _MainHiddenPopen:
            return _MainHiddenPopen(process_obj)

        def run(self) -> None:
            """In the child: watch the driver, then do the work (a pool worker's loop)."""
            exit_with_parent()
            super().run()

    class MainHiddenForkServerContext(mp_context.ForkServerContext):
        """The "forkserver" context, its processes started without the caller's main module."""

        Process = _MainHiddenProcess


def exit_with_parent() -> None:
    """In a child process: end it (``os._exit``) as soon as the process that started it dies.

    A no-op in a process that multiprocessing did not start.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the sentinel pipe reads end-of-file: the driver is gone
        os._exit(ORPHAN_EXIT_STATUS)

    threading.Thread(target=watch, name="autonumerics-exit-with-parent", daemon=True).start()


def process_context() -> mp_context.BaseContext:
    """The multiprocessing context for autonumerics' worker pools.

    Raises:
        PoolStartError: where the platform has no fork server (never fork: JAX may be loaded).
    """
    if not hasattr(mp_context, "ForkServerContext"):
        raise PoolStartError(f"the 'forkserver' start method is not available on {sys.platform}")
    return MainHiddenForkServerContext()


def start_pool(workers: int, initializer: Callable[..., None], initargs: tuple = (),
               timeout: float = START_TIMEOUT_SECONDS) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes, every one started and initialised.

    One trivial task per worker is run to completion, so a pool that cannot start (no fork
    server, an initializer that fails, arguments that do not pickle, a worker that dies) is
    found here, not in the middle of a search.

    Raises:
        PoolStartError: naming the cause; the pool is shut down.
    """
    try:
        executor = ProcessPoolExecutor(workers, mp_context=process_context(),
                                       initializer=initializer, initargs=initargs)
    except (OSError, ValueError) as error:
        raise PoolStartError(f"{type(error).__name__}: {error}") from error
    try:
        for future in [executor.submit(os.getpid) for _ in range(workers)]:
            future.result(timeout=timeout)
    except BaseException as error:  # whatever stops the start is reported; the caller falls back
        executor.shutdown(wait=False, cancel_futures=True)
        if not isinstance(error, Exception):  # Ctrl-C while starting: no workers left behind
            raise
        cause = ("timed out" if isinstance(error, TimeoutError)
                 else f"{type(error).__name__}: {error}")
        raise PoolStartError(cause) from error
    return executor


def stop_pool(executor: ProcessPoolExecutor) -> None:
    """Shut a pool down now: queued work is cancelled and busy workers are terminated.

    ``shutdown(wait=False)`` alone lets each worker finish the task it holds, and the
    interpreter's exit then waits for them (a search's budget overrun, and CPU taken from the
    front's validation). Their results would be discarded anyway.
    """
    # the worker processes, read before shutdown drops them
    workers = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(timeout=STOP_JOIN_SECONDS)
