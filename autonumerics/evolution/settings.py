"""A search's settings: the frozen sections of a config (``config.py`` reads them from TOML).

Every field has a default, so ``SearchConfig()`` is the search of an empty config file (2^x on
its default interval, float64, max relative error) before it is resolved: ``config_from_dict``
checks every value and fills in the interval. This module imports nothing heavy (no NumPy), so
reading a config stays fast for ``autonumerics search --help``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autonumerics.errors import AutonumericsError
from autonumerics.limits import LABEL_SECONDS, MAX_SEARCH_CONSTANTS, MAX_SEARCH_OPS, shown

if TYPE_CHECKING:
    from autonumerics.numerics.context import ArithmeticContext

# How parents are selected (``SearchSettings.selection``).
SELECTIONS = ("tournament", "niche")
# The mutation kinds, in the order their weights are drawn (the search's random stream): the
# one-op kinds, retrain, and the motifs of ``evolution.motifs`` (two ops in one step).
KINDS = ("insert", "remove", "rewire", "change_op", "retrain", "horner", "fraction", "rescale")
# Fields of a section that a config file does not set (the code's own knobs).
NOT_IN_FILES = {"in_files": False}


@dataclass(frozen=True)
class TargetConfig:
    """What to approximate.

    Attributes:
        name: a built-in target or an mpmath expression in x.
        interval: the search interval; in a file two numbers or a string such as
            "-ln2/2, ln2/2"; once resolved the checked bounds (the target's default if unset).
        symmetry: "auto" (the registry's for a built-in, detected for an expression), "odd",
            "even" or "none": which symmetric forms (x*p(x^2), p(x^2)) the classical baselines
            of ``compare`` use. A declaration f contradicts at a probe point is an error.
    """

    name: str = "exp2"
    interval: tuple[float, float] | None = None
    symmetry: str = "auto"


@dataclass(frozen=True)
class EvaluationConfig:
    """How children are scored.

    Attributes:
        dtype: evaluation format: float64 stands for real arithmetic; float32 etc. round per op.
        semantics: "xla" (as jitted JAX computes on CPU) or "strict"; default by dtype.
        loss: "relative", "absolute" or "ulp" (max over the points).
        train_points: points the constants are fitted on.
        validation_points: fresh points every child is also scored on (fitness = the larger).
        final_points: points the Pareto front is re-validated on at the end of a run.
        digits: significant digits of the mpmath labels.
        cost: the cost objective: "ops" (weighted op count) or "wall_clock" (measured time of
            the exported JAX kernel, stacked, in ns per element; see ``cost.py``).
        label_seconds: time limit for computing one set of labels (training, validation,
            final); a target too slow for it stops the run with an error naming the point reached.
    """

    dtype: str = "float64"
    semantics: str | None = None
    loss: str = "relative"
    train_points: int = 1024
    validation_points: int = 4096
    final_points: int = 100_000
    digits: int = 30
    cost: str = "ops"
    label_seconds: float = LABEL_SECONDS


@dataclass(frozen=True)
class MutationSettings:
    """How children are made: the structural search space (``mutate.mutate`` reads it).

    Attributes:
        ops: the ops a child may use (its canonical form included); repeats are dropped.
        max_ops: most ops (``Program.n_ops`` of the canonical form) a child may have.
        max_constants: most constants a child may have.
        weights: relative frequency of each kind in ``KINDS``; a kind left out has weight 0.
            The paper used insert 1, remove 2, rewire 3, retrain 3 with thousands of workers
            for days; with two cores for an hour, growing and rewiring more often finds the
            larger programs sooner, and the motifs (``evolution.motifs``: two ops in one step)
            found 2^x 50x more accurate at 10 ops in 6 minutes (the README's ablation).
        max_retries: attempts at changing the structure before falling back to retrain.
        new_constant_rate: probability that an operand picked by insert or rewire is a new
            constant rather than an existing value.

    The last two are not config-file keys. The op names are checked against the op registry
    by ``config_checks`` (which loads it) and where a mutation uses them.

    Raises:
        AutonumericsError: ``"<field>: <why>"`` for a value no search can use.
    """

    ops: tuple[str, ...] = ("add", "sub", "mul", "div")
    max_ops: int = 12
    max_constants: int = 10
    weights: dict[str, float] = field(
        default_factory=lambda: {"insert": 2.0, "remove": 1.0, "rewire": 2.0, "retrain": 1.0,
                                 "change_op": 1.0, "horner": 0.5, "fraction": 0.5,
                                 "rescale": 0.25}
    )
    max_retries: int = field(default=32, metadata=NOT_IN_FILES)
    new_constant_rate: float = field(default=0.5, metadata=NOT_IN_FILES)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ops", tuple(dict.fromkeys(self.ops)))
        object.__setattr__(self, "weights", dict(self.weights))  # not the caller's dict
        if not self.ops:
            raise AutonumericsError("ops: the allowed op set is empty")
        for kind, weight in self.weights.items():
            if kind not in KINDS:
                raise AutonumericsError(
                    f"weights: unknown mutation {shown(kind, 40)}; known: {', '.join(KINDS)}")
            number = isinstance(weight, (int, float)) and not isinstance(weight, bool)
            if not (number and math.isfinite(weight) and weight >= 0):
                raise AutonumericsError(
                    f"weights: {kind} = {shown(weight, 40)} must be a number >= 0")
        if sum(self.weights.values()) <= 0:
            raise AutonumericsError("weights: the mutation weights are all zero")
        limits = {"max_ops": MAX_SEARCH_OPS, "max_constants": MAX_SEARCH_CONSTANTS,
                  "max_retries": None}
        for name, limit in limits.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise AutonumericsError(f"{name}: {shown(value, 40)} is not an integer")
            if not 1 <= value <= (limit or value):
                raise AutonumericsError(f"{name}: {value} is not from 1 to {limit}" if limit else
                                        f"{name}: {value} is not >= 1")
        if not 0.0 <= self.new_constant_rate <= 1.0:
            raise AutonumericsError(
                f"new_constant_rate: {shown(self.new_constant_rate, 40)} is not in [0, 1]")


@dataclass(frozen=True)
class SearchSettings:
    """The evolutionary loop.

    Attributes:
        population: size of the aging (FIFO) population.
        tournament: members sampled per parent selection.
        selection: "tournament" (among the whole population) or "niche" (a cost drawn
            uniformly first, then a tournament among the members of that cost).
        archive_parent_rate: probability of taking the parent from the Pareto archive instead.
        seeds: starting programs as infix expressions (the identity "x" searches from zero).
        seed: random seed of the whole run.
        max_evals: stop after this many fitted children (0: no limit).
        time_budget: stop after this long, e.g. "10m", "90s", "1h" ("" : no limit).
        fit_budget: constant vectors evaluated per child fit.
        screen_margin: multi-fidelity fitting: a nonlinear child gets the full fit (global
            rounds of kicks, CMA-ES and LM, then the minimax) only if its first
            Levenberg-Marquardt fit comes within this factor of the front's error at its cost;
            the others keep that first fit. 0: every child gets the full fit. The default, 10,
            fitted 3.9x more children per second on the 2^x reals config (the README's A/B).
        checkpoint_seconds: how often the checkpoint is rewritten.
    """

    population: int = 100
    tournament: int = 4
    selection: str = "tournament"
    archive_parent_rate: float = 0.25
    seeds: tuple[str, ...] = ("x",)
    seed: int = 0
    max_evals: int = 0
    time_budget: str = "5m"
    fit_budget: int = 4000
    screen_margin: float = 10.0
    checkpoint_seconds: float = 5.0


@dataclass(frozen=True)
class SearchConfig:
    """A whole search; resolved (``config_from_dict``: its interval checked and filled in), it is
    saved in every run folder."""

    target: TargetConfig = TargetConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    mutation: MutationSettings = MutationSettings()
    search: SearchSettings = SearchSettings()

    @property
    def time_budget_seconds(self) -> float | None:
        return parse_duration(self.search.time_budget)

    @property
    def arithmetic(self) -> ArithmeticContext:
        """The arithmetic children are scored in (``evaluation.dtype`` and ``semantics``)."""
        # imported here: the context's formats load NumPy, which reading a config does not need
        from autonumerics.numerics.context import arithmetic_context

        return arithmetic_context(self.evaluation.dtype, self.evaluation.semantics)


SECTIONS = {"target": TargetConfig, "evaluation": EvaluationConfig, "mutation": MutationSettings,
            "search": SearchSettings}


def parse_duration(text: str) -> float | None:
    """Seconds in "90s", "10m", "1.5h", "1h30m" or a bare number of seconds; None for ""."""
    text = str(text).strip().lower()
    if not text or text in ("0", "none"):
        return None
    parts = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?", text)
    if not parts or not any(parts.groups()):
        raise AutonumericsError(f"bad duration {shown(text, 40)}: use e.g. 90s, 10m, 1h30m")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in parts.groups())
    return hours * 3600 + minutes * 60 + seconds
