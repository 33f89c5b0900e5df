"""``autonumerics.search`` and ``autonumerics.resume``: the evolutionary search from Python.

Both run in a notebook and in a script without an ``if __name__ == "__main__":`` guard, with
worker processes: the pool never re-imports the caller's main module (``autonumerics.processes``),
and if it cannot start the search runs inline with a warning. Nothing is printed; pass
``progress`` for a snapshot about once a second.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from autonumerics.api.args import (
    check_callable,
    check_count,
    check_duration,
    check_flag,
    check_out,
    search_config,
)
from autonumerics.api.result import SearchResult
from autonumerics.api.runs import resume_search, start_search
from autonumerics.errors import AutonumericsError, error_context
from autonumerics.evolution.evolve import Progress
from autonumerics.evolution.settings import (
    EvaluationConfig,
    MutationSettings,
    SearchSettings,
    TargetConfig,
    parse_duration,
)
from autonumerics.evolution.storage import RunFolder
from autonumerics.ir.program import Program

__all__ = ["resume", "search"]


def search(target: str = TargetConfig.name, interval: tuple[float, float] | str | None = None, *,
           dtype: str = EvaluationConfig.dtype, loss: str = EvaluationConfig.loss,
           ops: Sequence[str] = MutationSettings.ops,
           time_budget: float | str | None = SearchSettings.time_budget,
           workers: int = 2, seeds: Sequence[str | Program] = SearchSettings.seeds,
           out: str | os.PathLike | None = None, max_ops: int = MutationSettings.max_ops,
           max_evals: int | None = None, seed: int = SearchSettings.seed,
           semantics: str | None = None, settings: Mapping[str, Any] | None = None,
           progress: Callable[[Progress], None] | None = None,
           compare: bool = False) -> SearchResult:
    """Evolve programs approximating ``target`` and return their Pareto front (error against ops).

    Args:
        target: a built-in target ("exp2", "erf", "tanh", ... see ``autonumerics targets``) or
            an mpmath expression in x ("exp(-x**2)").
        interval: ``(a, b)`` or ``"a,b"`` (constant expressions allowed: ``"-ln2/2, ln2/2"``);
            None: the target's default.
        dtype: "float64" (real arithmetic), "float32", "bfloat16" or "float16".
        loss: "relative", "absolute" or "ulp" (the max over the points).
        ops: the ops programs may use (``add sub mul div``, also ``fma sqrt square``...).
        time_budget: seconds, or a duration such as "90s", "10m", "1h"; None: no limit (then
            ``max_evals`` or Ctrl-C / a notebook interrupt stops it, cleanly).
        workers: worker processes; 0 runs inline, deterministic for a ``seed``.
        seeds: starting programs, as expressions or ``Program`` objects ("x": from zero).
        out: a run folder to write (see the README's "Searching"); None: in memory, in a
            temporary folder that is removed before this returns (the front's programs are
            kept in the result).
        max_ops: the largest program searched (ops that depend on x).
        max_evals: stop after this many fitted children (None: no limit).
        seed: the run's random seed.
        semantics: "xla" or "strict" float rounding (default: "xla" below float64).
        settings: any other config key, ``{"search.population": 50, "evaluation.final_points":
            20_000}`` (the keys of the TOML configs; not the ones above).
        progress: called about once a second with an ``autonumerics.evolution.evolve.Progress``
            (``elapsed``, ``n_evaluated``, ``rate``, ``front`` as ``[(cost, error)]``...).
        compare: with ``out``, also write compare.json / compare.png (the front against the
            classical baselines, as the CLI does; about 10 s more).

    Returns:
        A ``SearchResult``: ``.front``, ``.best(max_ops)``, ``.plot()``, ``.path``.

    Raises:
        AutonumericsError: a bad argument (the message names it) or an ``out`` folder that
            already holds a run. Nothing is written before the arguments are checked, and a
            search that fails before its first child is recorded leaves no run folder behind.
    """
    config = search_config(target, interval, dtype=dtype, semantics=semantics, loss=loss, ops=ops,
                           max_ops=max_ops, seeds=seeds, seed=seed, max_evals=max_evals,
                           time_budget=time_budget, settings=settings)
    workers = check_count("workers", workers, 0)
    progress = check_callable("progress", progress)
    path = check_out(out)
    if check_flag("compare", compare) and path is None:
        raise AutonumericsError("compare: the comparison is written into a run folder: "
                                "pass out= too")
    if path is None:
        with tempfile.TemporaryDirectory(prefix="autonumerics-search-") as folder:
            summary = start_search(config, Path(folder) / "run", workers, progress, compare=False)
        return _without_run_paths(SearchResult.from_summary(summary, config, in_memory=True))
    if (path / "config.toml").exists():
        raise AutonumericsError(f"out: {path} already holds a run: "
                                f"autonumerics.resume({str(path)!r}) continues it")
    summary = start_search(config, path, workers, progress, compare=compare)
    return SearchResult.from_summary(summary, config, in_memory=False)


def resume(path: str | os.PathLike, *, workers: int = 2, time_budget: float | str | None = None,
           max_evals: int | None = None, progress: Callable[[Progress], None] | None = None,
           compare: bool = False) -> SearchResult:
    """Continue a stopped or killed run folder from its checkpoint (as ``autonumerics resume``).

    Args:
        path: the run folder.
        workers: worker processes; 0 runs inline.
        time_budget: the run's total time, counting the time it already ran (seconds or a
            duration such as "20m"); None: the budget in its config.
        max_evals: the run's total number of fitted children (None: its config's).
        progress: as for :func:`search`.
        compare: also rewrite compare.json / compare.png.

    Raises:
        AutonumericsError: a bad argument, or ``path`` is not a run folder.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise AutonumericsError(f"path: expected a run folder, got {path!r}")
    budget = (None if time_budget is None
              else parse_duration(check_duration("time_budget", time_budget)))
    if max_evals is not None:
        check_count("max_evals", max_evals, 1)
    workers, progress = check_count("workers", workers, 0), check_callable("progress", progress)
    with error_context("path"):
        config = RunFolder.open(path).config()
    summary = resume_search(path, workers, progress, budget, max_evals,
                            compare=check_flag("compare", compare))
    return SearchResult.from_summary(summary, config, in_memory=False)


def _without_run_paths(result: SearchResult) -> SearchResult:
    """Drop the removed temporary folder from the members' provenance."""
    front = tuple(dataclasses.replace(member, program_file=dataclasses.replace(
        member.program_file,
        provenance={k: v for k, v in member.program_file.provenance.items() if k != "run"}))
        for member in result.front)
    return dataclasses.replace(result, front=front)
