"""Multi-fidelity fitting: the screen stops a child's fit after its first local stage unless it
comes within ``search.screen_margin`` of the front at its cost."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.population import Archive, Member
from autonumerics.fit.driver import FitProblem, fit_constants
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import identity
from autonumerics.truth.ground_truth import labels, make_points
from autonumerics.truth.targets import get_target

# a nonlinear program (a rational in one of its constants): the full fit runs global rounds
PROGRAM = parse_expr("square(square(25.0 / (-12.0 + x) + 1.1))")


@pytest.fixture(scope="module")
def problem() -> FitProblem:
    x = make_points((0.0, 1.0), 128, "chebyshev")
    hi, lo = labels(get_target("exp2"), x)
    return FitProblem(lambda c: evaluate(PROGRAM, x, constants=c), hi, lo)


def _fit(problem: FitProblem, screen: float | None):
    fresh = np.ones(PROGRAM.n_constants, dtype=bool)
    return fit_constants(problem, np.array(PROGRAM.constants), fresh,
                         np.random.default_rng(3), budget=2000, screen=screen)


def test_a_child_that_misses_the_screen_stops_after_its_first_local_fit(problem):
    full, screened = _fit(problem, None), _fit(problem, 0.0)
    assert screened.method == "lm+screen" and full.method.startswith("lm+")
    assert "screen" not in full.method and "slp" in full.method
    assert screened.n_evaluations < full.n_evaluations / 2
    assert screened.loss >= full.loss and np.isfinite(screened.loss)


def test_a_child_within_the_screen_gets_the_full_fit_bit_for_bit(problem):
    full, passed = _fit(problem, None), _fit(problem, np.inf)
    assert passed.method == full.method and passed.n_evaluations == full.n_evaluations
    assert np.array_equal(passed.constants, full.constants) and passed.loss == full.loss


def test_the_front_at_a_cost_is_the_best_member_at_that_cost_or_below():
    def member(cost: float, fitness: float) -> Member:
        return Member(int(cost), -1, identity(), fitness, cost)

    archive = Archive([member(2, 1e-2), member(5, 1e-4), member(9, 1e-3)])
    assert archive.best_up_to(1) == np.inf
    assert archive.best_up_to(2) == 1e-2 and archive.best_up_to(4.5) == 1e-2
    assert archive.best_up_to(9) == 1e-4 and archive.best_up_to(100) == 1e-4


def test_the_driver_screens_children_by_the_margin_times_the_front(inline_search):
    search = inline_search("search.max_evals=12", "search.screen_margin=10")
    search.run_loop(None, 1)
    for _ in range(5):
        task = search._new_task()
        front = search.state.archive.best_up_to(task.program.cost())
        assert task.screen == pytest.approx(10 * front)
    settings = dataclasses.replace(search.config.search, screen_margin=0.0)  # the default
    search.config = dataclasses.replace(search.config, search=settings)
    assert search._screen(PROGRAM) is None


def test_screened_inline_runs_are_deterministic(inline_search, run_events, tmp_path):
    logs = []
    for _ in range(2):
        search = inline_search("search.max_evals=25", "search.screen_margin=3")
        search.run_loop(None, 1)
        logs.append([(e["expression"], e["fitness"], e["fit"])
                     for e in run_events(search.run.path)])
        search.run.path.rename(tmp_path / f"done{len(logs)}")
    assert logs[0] == logs[1]
    assert any("screen" in fit for _, _, fit in logs[0])


@pytest.mark.parametrize("margin", ["0.5", "-1", "nan", "inf"])
def test_a_screen_margin_no_search_can_use_is_refused_naming_the_key(small_config, margin):
    with pytest.raises(AutonumericsError, match="screen_margin"):
        small_config(f"search.screen_margin={margin}")
