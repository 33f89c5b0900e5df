"""Hypothesis profiles: a reproducible one for CI (the default) and a wide, random one on request.

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

import os

import pytest
from hypothesis import HealthCheck, is_hypothesis_test, settings

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
EXPLORE_FACTOR = 10  # explore runs each property test on this many times its own example count

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],  # a wall-clock check: a busy machine would fail it
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
    raise pytest.UsageError(f"{PROFILE_VARIABLE}={PROFILE!r}: the hypothesis profiles are ci and explore")
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
