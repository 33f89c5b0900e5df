"""Shared fixtures (small searches, their run folders, a baselines problem) and the Hypothesis
profiles.

Fixtures: ``search_settings`` (the settings of a small, fast search), ``search_arguments`` (them
as ``--set`` arguments), ``small_config`` (that search's config, more settings on top),
``run_events`` (a run folder's logged events), ``no_comparison`` (searches skip the baselines
comparison), ``base_run`` (a finished 30-child inline run) and ``base_run_copy`` (a fresh copy
of it to damage); ``exp2_relative`` (the classical baselines' problem for 2^x on [0, 1]).

Hypothesis profiles: a reproducible one for CI (the default) and a wide, random one on request.

``ci`` (default): examples come from a seed hashed from each test function, no example database
is read or written and no timing check can fail a test, so one commit gives one result on any
machine, however busy. ``explore`` (``HYPOTHESIS_PROFILE=explore python -m pytest ...``): new
random examples on every run, ten times as many per test, and failures saved in
``.hypothesis/`` and replayed first on the next run. A failure prints its ``@reproduce_failure``
blob; pin it as an ``@example`` in the test.

A test's own ``@settings(...)`` overrides only the keys it names (most name ``max_examples`` and
``deadline``); every other key comes from the profile loaded here, before the test modules are
imported.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, is_hypothesis_test, settings

if TYPE_CHECKING:
    from autonumerics.evolution.config import SearchConfig

# The search fixtures import autonumerics when first used, not here: this file is imported before
# every test module, and a test of one layer should not fail to collect over another.

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
EXPLORE_FACTOR = 10  # explore runs each property test on this many times its own example count

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    # a wall-clock check: a busy machine would fail it
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    max_examples=100 * EXPLORE_FACTOR,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get(PROFILE_VARIABLE, "ci")
if PROFILE not in ("ci", "explore"):
    raise pytest.UsageError(
        f"{PROFILE_VARIABLE}={PROFILE!r}: the hypothesis profiles are ci and explore")
settings.load_profile(PROFILE)


def pytest_report_header() -> str:
    """Name the profile in pytest's header, so a log says how its examples were drawn."""
    return f"hypothesis profile: {PROFILE} ({PROFILE_VARIABLE}; ci unless set)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``explore``, multiply the example count that a test fixed with ``@settings``.

    Hypothesis has no public way to scale a per-test count, so this replaces the test's settings
    object (kept on the function by ``@settings``) with a copy; if a future Hypothesis stores it
    elsewhere, tests keep their own counts and ``explore`` still draws random examples.
    """
    if PROFILE != "explore":
        return
    objects = (getattr(item, "obj", None) for item in items)
    functions = (getattr(obj, "__func__", obj) for obj in objects)  # methods: their function
    unique = {id(f): f for f in functions if is_hypothesis_test(f)}
    for function in unique.values():  # once per function, however many parametrized items
        own = getattr(function, "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings) and own.max_examples < settings.default.max_examples:
            function._hypothesis_internal_use_settings = settings(
                own, max_examples=own.max_examples * EXPLORE_FACTOR
            )


# -- a baselines problem ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def exp2_relative():
    """The classical baselines' problem: 2^x on [0, 1] in relative error (mpmath, 'plain')."""
    import mpmath

    from autonumerics.baselines.problem import make_problem

    return make_problem(lambda x: mpmath.power(2, x), "plain", (0.0, 1.0), relative=True)


# -- small searches -------------------------------------------------------------------------------

# a search that fits a child in milliseconds: few points, a small fit budget and population
SEARCH_SETTINGS = (
    "evaluation.train_points=128", "evaluation.validation_points=256",
    "evaluation.final_points=512", "search.fit_budget=300", "search.population=30",
    "search.checkpoint_seconds=0.2",
)


@pytest.fixture(scope="session")
def search_settings() -> tuple[str, ...]:
    """The ``--set`` settings of a small, fast search (exp2 on [0, 1], the default target)."""
    return SEARCH_SETTINGS


@pytest.fixture(scope="session")
def search_arguments() -> Callable[..., list[str]]:
    """``search_arguments(*settings)``: the small search's settings, ``settings`` on top, as
    command-line arguments (``--set S`` each)."""
    return lambda *extra: [part for setting in (*SEARCH_SETTINGS, *extra)
                           for part in ("--set", setting)]


@pytest.fixture(scope="session")
def small_config() -> Callable[..., SearchConfig]:
    """``small_config(*settings)``: the small search's config with ``settings`` on top."""
    from autonumerics.evolution.config import load_config

    return lambda *extra: load_config(None, [*SEARCH_SETTINGS, *extra])


def _events(path: Path) -> list[dict]:
    log = Path(path) / "events.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture(scope="session")
def run_events() -> Callable[[Path], list[dict]]:
    """``run_events(folder)``: the events its events.jsonl logs, in order ([] without a log)."""
    return _events


@pytest.fixture
def inline_search(tmp_path, small_config):
    """``inline_search(*settings)``: a Search in a new run folder, evaluated inline."""
    from autonumerics.evolution.child import SearchContext
    from autonumerics.evolution.evolve import Search, make_executor
    from autonumerics.evolution.state import SearchState
    from autonumerics.evolution.storage import RunFolder

    def make(*extra: str):
        config = small_config(*extra)
        assert make_executor(0, SearchContext.build(config)) is None  # inline: this process
        return Search(config, RunFolder.create(tmp_path / "run", config), SearchState.fresh(30, 0))

    return make


@pytest.fixture
def no_comparison(monkeypatch) -> None:
    """Searches skip the baselines comparison written after them (seconds, not under test)."""
    from autonumerics.api import runs

    monkeypatch.setattr(runs, "write_comparison", lambda path: None)


@pytest.fixture(scope="module")
def base_run(tmp_path_factory, small_config) -> Path:
    """A finished 30-child inline run, one per test module (copy it before damaging it)."""
    from autonumerics.api.runs import start_search

    path = tmp_path_factory.mktemp("base") / "run"
    start_search(small_config("search.max_evals=30"), path, workers=0, compare=False)
    return path


@pytest.fixture(scope="module")
def base_run_copy(base_run, tmp_path_factory) -> Callable[[], Path]:
    """``base_run_copy()``: a fresh copy of ``base_run``, to damage."""
    return lambda: Path(shutil.copytree(base_run, tmp_path_factory.mktemp("copy") / "run"))
