"""What ``autonumerics.search`` returns: the Pareto front, the best member per op budget, a plot."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autonumerics.api.args import check_count
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.pareto import front_file
from autonumerics.evolution.settings import SearchConfig
from autonumerics.evolution.storage import RunFolder
from autonumerics.ir.program import Program
from autonumerics.ir.programfile import ProgramFile, load_program_file

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from autonumerics.api.runs import RunSummary

__all__ = ["FrontMember", "SearchResult"]

_EXPRESSION_WIDTH = 72  # characters of an expression shown in a repr


@dataclass(frozen=True, repr=False)
class FrontMember:
    """One program of a search's Pareto front (error against cost).

    Attributes:
        program_file: the program with its target, interval, dtype, semantics and measured
            metrics: what the run folder's ``front/`` file holds.
        n_ops: ops that depend on x (a fused multiply-add counts one).
        cost: the search's cost (the op count, or ns per element with ``evaluation.cost =
            "wall_clock"``).
        error: the error re-measured at the end of the search on ``evaluation.final_points``
            fresh points, in the search's loss (relative, absolute or ulp).
        fitness: the error the search selected on (the larger of training and validation).
        file: the member's program file in the run folder; None for a search in memory.
    """

    program_file: ProgramFile
    n_ops: int
    cost: float
    error: float
    fitness: float
    file: Path | None = None

    @property
    def program(self) -> Program:
        return self.program_file.program

    @property
    def expression(self) -> str:
        return self.program.to_infix()

    def to_jax(self, semantics: str | None = None, name: str | None = None) -> Callable:
        """The jitted float32 JAX function of ``export --to jax`` (``ProgramFile.to_jax``)."""
        return self.program_file.to_jax(semantics, name)

    def to_numpy(self, semantics: str | None = None, name: str | None = None) -> Callable:
        """The float32 NumPy function of ``export --to numpy`` (``ProgramFile.to_numpy``)."""
        return self.program_file.to_numpy(semantics, name)

    def __repr__(self) -> str:
        return (f"FrontMember(n_ops={self.n_ops}, cost={self.cost:g}, error={self.error:.3g}, "
                f"expression={_shortened(self.expression)!r})")


@dataclass(frozen=True, repr=False)
class SearchResult:
    """A finished (or stopped) search.

    Attributes:
        front: the Pareto front, cheapest first.
        config: the resolved search config.
        path: the run folder (``autonumerics.resume(path)`` continues it); None in memory.
        n_evaluated: children fitted and scored.
        n_duplicates: fitted children equal in function to an earlier one (kept out).
        n_skipped: created children not fitted because their structure had been.
        n_lost: children lost with their workers (Dask only).
        elapsed: seconds the search ran.
        stop_reason: why it stopped early, when it was not its budget ("" otherwise).
    """

    front: tuple[FrontMember, ...]
    config: SearchConfig
    path: Path | None = None
    n_evaluated: int = 0
    n_duplicates: int = 0
    n_skipped: int = 0
    n_lost: int = 0
    elapsed: float = 0.0
    stop_reason: str = ""

    @property
    def target(self) -> str:
        return self.config.target.name

    @property
    def interval(self) -> tuple[float, float]:
        return self.config.target.interval  # resolved: the target's default when none was given

    @property
    def loss(self) -> str:
        return self.config.evaluation.loss

    def best(self, max_ops: int | None = None) -> FrontMember:
        """The most accurate member with at most ``max_ops`` ops (None: any), the cheaper on a tie.

        Raises:
            AutonumericsError: if the front is empty or no member is that small.
        """
        if max_ops is not None:
            check_count("max_ops", max_ops, 0)
        if not self.front:
            raise AutonumericsError("the search's front is empty (it fitted no child)")
        members = [m for m in self.front if max_ops is None or m.n_ops <= max_ops]
        if not members:
            smallest = min(m.n_ops for m in self.front)
            raise AutonumericsError(f"max_ops: no front member has at most {max_ops} ops "
                                    f"(the smallest has {smallest})")
        return min(members, key=lambda m: (_sortable(m.error), m.n_ops, m.cost))

    def plot(self, ax: Axes | None = None) -> Figure:
        """Error against op count, log scale: a matplotlib ``Figure`` (no display or pyplot needed).

        Args:
            ax: draw into these axes instead of a new figure (the figure they belong to is
                returned).
        """
        if ax is None:
            from matplotlib.figure import Figure

            figure = Figure(figsize=(6, 4), layout="constrained")
            ax = figure.add_subplot()
        members = sorted((m for m in self.front if 0 < m.error < math.inf), key=lambda m: m.n_ops)
        ax.step([m.n_ops for m in members], [m.error for m in members], where="post", marker="o",
                color="black")
        ax.set_yscale("log")
        ax.xaxis.get_major_locator().set_params(integer=True)  # op counts
        ax.set_xlabel("ops (that depend on x)")
        ax.set_ylabel(f"max {self.loss} error" if self.loss != "ulp" else "max error (ULP)")
        ax.set_title(f"{self.target} on [{self.interval[0]:g}, {self.interval[1]:g}], "
                     f"{self.config.evaluation.dtype}")
        ax.grid(True, which="both", alpha=0.3)
        return ax.figure

    def __repr__(self) -> str:
        where = f"run folder {str(self.path)!r}" if self.path else "in memory"
        lines = [f"SearchResult({self.target!r} on [{self.interval[0]:g}, {self.interval[1]:g}], "
                 f"{self.config.evaluation.dtype}, {self.loss} error; "
                 f"{self.n_evaluated:,} children in {self.elapsed:.1f} s; {where})"]
        if self.stop_reason:
            lines.append(f"  stopped early: {self.stop_reason}")
        lines.append(f"  {'ops':>4} {'cost':>6} {'error':>10}  expression")
        lines += [f"  {m.n_ops:>4} {m.cost:>6g} {m.error:>10.3g}  {_shortened(m.expression)}"
                  for m in self.front]
        return "\n".join(lines)

    @classmethod
    def from_summary(cls, summary: RunSummary, config: SearchConfig,
                     in_memory: bool) -> SearchResult:
        """The result of ``runs.start_search`` / ``resume_search``; ``in_memory``: no path kept."""
        path = None if in_memory else Path(summary.path)
        pairs = zip(summary.front, summary.program_files, strict=True)
        front = tuple(_member(entry, program_file, path) for entry, program_file in pairs)
        return cls(_cheapest_first(front), config, path, summary.n_evaluated, summary.n_duplicates,
                   summary.n_skipped, summary.n_lost, summary.elapsed, summary.stop_reason)

    @classmethod
    def load(cls, path: str | Path) -> SearchResult:
        """The result of the run in the folder ``path`` (its pareto.json, front/ and checkpoint).

        Raises:
            AutonumericsError: if ``path`` is not a run folder or has no front yet.
        """
        run = RunFolder.open(path)
        checkpoint = run.read_checkpoint() or {}
        entries = run.read_front()
        files = [front_file(run.path, entry.get("file"),
                            f"{run.path / 'pareto.json'}: front[{index}]")
                 for index, entry in enumerate(entries)]
        front = tuple(_member(entry, load_program_file(file), run.path)
                      for entry, file in zip(entries, files, strict=True))
        counts = {key: checkpoint.get(key, 0)
                  for key in ("n_evaluated", "n_duplicates", "n_skipped", "n_lost")}
        return cls(_cheapest_first(front), run.config(), run.path,
                   elapsed=float(checkpoint.get("elapsed", 0.0)), **counts)


def _member(entry: dict, program_file: ProgramFile, folder: Path | None) -> FrontMember:
    return FrontMember(program_file, int(entry["n_ops"]), float(entry["cost"]),
                       float(entry["final_error"]), float(entry["fitness"]),
                       folder / entry["file"] if folder else None)


def _cheapest_first(front: tuple[FrontMember, ...]) -> tuple[FrontMember, ...]:
    return tuple(sorted(front, key=lambda m: (m.cost, m.n_ops, _sortable(m.error))))


def _sortable(error: float) -> float:
    return math.inf if math.isnan(error) else error


def _shortened(text: str) -> str:
    return text if len(text) <= _EXPRESSION_WIDTH else text[: _EXPRESSION_WIDTH - 3] + "..."

