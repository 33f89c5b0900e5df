"""Where the search's children are evaluated: inline, or in a local process pool.

- ``workers=0``: inline, one child at a time, fully deterministic for a seed.
- ``workers=N``: a local process pool ("forkserver": never fork a process that may hold JAX;
  started without re-importing the caller's main module, see ``autonumerics.processes``).

Either way the search's ``SearchContext`` reaches each process once, not once per child.
"""

from __future__ import annotations

import warnings
from concurrent.futures import Executor

from autonumerics.evolution.child import ChildResult, ChildTask, SearchContext, evaluate_child
from autonumerics.processes import PoolStartError, start_pool

__all__ = ["make_executor", "run_task"]

_CONTEXT: SearchContext | None = None


def _init_worker(context: SearchContext) -> None:
    """Process-pool initializer: the context arrives once per worker, not once per child."""
    global _CONTEXT
    _CONTEXT = context


def run_task(task: ChildTask) -> ChildResult:
    """Evaluate one child with this process's context (set by ``make_executor``)."""
    assert _CONTEXT is not None, "worker not initialised"
    return evaluate_child(_CONTEXT, task)


def make_executor(workers: int, context: SearchContext) -> Executor | None:
    """None (inline) for 0 workers, else a started process pool primed with the context.

    The pool's processes never re-import the caller's main module (``autonumerics.processes``),
    so a script without a main guard or a notebook can run a search with workers. If the pool
    cannot start, the search runs inline, with a warning that says why.
    """
    global _CONTEXT
    if workers == 0:
        _CONTEXT = context
        return None
    try:
        return start_pool(workers, _init_worker, (context,))
    except PoolStartError as error:
        warnings.warn(f"could not start {workers} worker processes ({error}); the search runs "
                      "inline (workers=0) instead", RuntimeWarning, stacklevel=2)
        _CONTEXT = context
        return None
