"""The worker side of Dask searches: a plugin that installs the search context, and the task.

Imported only when a search runs on Dask (it imports ``distributed``). Each worker process keeps
the contexts of the searches using it in a small table keyed by the context's hash; a task
names its context by that key, so the points and labels never travel with a task.
"""

from __future__ import annotations

from distributed import WorkerPlugin

from autonumerics.evolution.child import ChildResult, ChildTask, SearchContext, evaluate_child

# Contexts a worker keeps at once (one per search sharing the cluster); the oldest is dropped.
MAX_CONTEXTS_PER_WORKER = 4

_CONTEXTS: dict[str, SearchContext] = {}


class ContextPlugin(WorkerPlugin):
    """Installs one search context on every worker that joins the cluster, restarts included."""

    idempotent = True  # registering the same context twice is a no-op

    def __init__(self, key: str, context: SearchContext) -> None:
        self.key = key
        self.context = context

    def setup(self, worker: object = None) -> None:
        install_context(self.key, self.context)

    def teardown(self, worker: object = None) -> None:
        _CONTEXTS.pop(self.key, None)


def install_context(key: str, context: SearchContext) -> None:
    """Keep ``context`` under ``key`` in this process (bounded: oldest contexts dropped first)."""
    _CONTEXTS[key] = context
    while len(_CONTEXTS) > MAX_CONTEXTS_PER_WORKER:
        del _CONTEXTS[next(iter(_CONTEXTS))]


def evaluate_on_worker(key: str, task: ChildTask) -> ChildResult:
    """What a Dask worker runs for one child: look up the installed context and evaluate."""
    context = _CONTEXTS.get(key)
    if context is None:
        raise RuntimeError(f"search context {key} is not installed on this worker (plugin missing)")
    return evaluate_child(context, task)
