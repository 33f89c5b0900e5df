"""What a search config must meet: known choices, and every count, time and size within limits.

Called by ``config_from_dict`` once the TOML is typed; errors name the config (file, or
"defaults") and the key. The limits are those of ``autonumerics.limits``: generous for real
searches, far below what would exhaust memory or never end.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import NoReturn

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.settings import (
    SELECTIONS,
    EvaluationConfig,
    MutationSettings,
    SearchConfig,
    SearchSettings,
    parse_duration,
)
from autonumerics.limits import (
    MAX_DIGITS,
    MAX_FIT_BUDGET,
    MAX_POINTS,
    MAX_POPULATION,
    MIN_DIGITS,
    shown,
)

Fail = Callable[[str, str], NoReturn]


def check_config(config: SearchConfig, source: str) -> SearchConfig:
    """The config with its interval resolved, or an ``AutonumericsError`` naming ``source`` and
    the key unless every value is usable.

    The target must be known and finite on its interval (the config's, else the target's
    default); every choice must be one offered; every count, time and size must lie within the
    limits of ``autonumerics.limits`` (the mutation settings check theirs when built).
    """
    # numpy and mpmath: not for `search --help`
    from autonumerics.truth.symmetry import DECLARATIONS, check_declared_symmetry
    from autonumerics.truth.target_interval import target_interval
    from autonumerics.truth.targets import get_target

    def fail(key: str, message: str) -> NoReturn:
        raise AutonumericsError(f"{source}: {key}: {message}")

    try:
        target = get_target(config.target.name)
        interval = target_interval(target, config.target.interval)
    except AutonumericsError as error:
        fail("target", str(error))
    if config.target.symmetry not in DECLARATIONS:
        fail("target.symmetry", f"{shown(config.target.symmetry, 40)} is not one of "
             f"{', '.join(DECLARATIONS)}")
    try:
        check_declared_symmetry(target, config.target.symmetry)
    except AutonumericsError as error:
        fail("target.symmetry", str(error).removeprefix("symmetry: "))
    _check_evaluation(config.evaluation, fail)
    _check_mutation(config.mutation, fail)
    _check_search(config.search, fail)
    return dataclasses.replace(config, target=dataclasses.replace(config.target, interval=interval))


def _check_evaluation(evaluation: EvaluationConfig, fail: Fail) -> None:
    # The registries load numpy, ml_dtypes and mpmath: imported here, so that reading this module
    # stays light (for the config classes or the shipped names, e.g. `autonumerics search --help`).
    from autonumerics.evolution.cost import COST_MODELS
    from autonumerics.numerics.context import SEMANTICS
    from autonumerics.numerics.dtypes import FORMATS

    if evaluation.dtype not in FORMATS:
        fail("evaluation.dtype",
             f"{shown(evaluation.dtype, 40)} is not one of {', '.join(FORMATS)}")
    if evaluation.semantics is not None and evaluation.semantics not in SEMANTICS:
        fail("evaluation.semantics", f"{shown(evaluation.semantics, 40)} is not xla or strict")
    if evaluation.loss not in ("relative", "absolute", "ulp"):
        fail("evaluation.loss", f"{shown(evaluation.loss, 40)} is not relative, absolute or ulp")
    if evaluation.cost not in COST_MODELS:
        fail("evaluation.cost",
             f"{shown(evaluation.cost, 40)} is not one of {', '.join(COST_MODELS)}")
    for key in ("train_points", "validation_points", "final_points"):
        if not 2 <= getattr(evaluation, key) <= MAX_POINTS:
            fail(f"evaluation.{key}",
                 f"{getattr(evaluation, key)} is not from 2 to {MAX_POINTS} points")
    if not MIN_DIGITS <= evaluation.digits <= MAX_DIGITS:
        fail("evaluation.digits", f"{evaluation.digits} is not from {MIN_DIGITS} to {MAX_DIGITS}")
    if not (math.isfinite(evaluation.label_seconds) and evaluation.label_seconds > 0):
        fail("evaluation.label_seconds",
             f"{evaluation.label_seconds!r} is not a number of seconds > 0")


def _check_mutation(mutation: MutationSettings, fail: Fail) -> None:
    from autonumerics.ir.ops import OPS  # numpy, as above

    unknown_ops = [op for op in mutation.ops if op not in OPS]
    if unknown_ops:
        fail("mutation.ops", f"unknown op {shown(unknown_ops[0], 40)}; known: {', '.join(OPS)}")


def _check_search(search: SearchSettings, fail: Fail) -> None:
    if (not 2 <= search.population <= MAX_POPULATION
            or not 1 <= search.tournament <= search.population):
        fail("search.tournament",
             f"need 2 <= population <= {MAX_POPULATION} and 1 <= tournament <= population")
    if search.selection not in SELECTIONS:
        fail("search.selection", f"unknown selection {shown(search.selection, 40)}; choose one of "
             f"{', '.join(SELECTIONS)}")
    if not 0.0 <= search.archive_parent_rate <= 1.0:
        fail("search.archive_parent_rate", "must be in [0, 1]")
    if not (search.screen_margin == 0.0 or 1.0 <= search.screen_margin < math.inf):
        fail("search.screen_margin", "must be 0 (off) or a finite factor >= 1")
    if search.max_evals < 0:
        fail("search.max_evals", "must be >= 0 (0: no limit)")
    if not 1 <= search.fit_budget <= MAX_FIT_BUDGET:
        fail("search.fit_budget", f"{search.fit_budget} is not from 1 to {MAX_FIT_BUDGET}")
    if search.seed < 0:
        fail("search.seed", f"{search.seed} is negative (seeds are integers >= 0)")
    if not (math.isfinite(search.checkpoint_seconds) and search.checkpoint_seconds >= 0):
        fail("search.checkpoint_seconds",
             f"{search.checkpoint_seconds!r} is not a number of seconds >= 0")
    try:
        parse_duration(search.time_budget)
    except AutonumericsError as error:
        fail("search.time_budget", str(error))
