"""The measured-cost objective: config key, per-structure cache, timings that rank programs."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from autonumerics.api.runs import start_search
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import load_config
from autonumerics.evolution.cost import WallClockCost, _two_digits
from autonumerics.ir.parse import parse_expr

HORNER_10 = ("1 + x*(0.69 + x*(0.24 + x*(0.055 + x*(0.0096 + x*(0.0013 + x*(1e-4 + x*(1e-5"
             " + x*(1e-6 + x*1e-7))))))))")


def test_config_accepts_the_cost_models_and_names_a_bad_one():
    assert load_config(None).evaluation.cost == "ops"
    assert load_config(None, ['evaluation.cost="wall_clock"']).evaluation.cost == "wall_clock"
    message = r"evaluation\.cost: 'seconds' is not one of ops, wall_clock"
    with pytest.raises(AutonumericsError, match=message):
        load_config(None, ["evaluation.cost=seconds"])


def test_a_structure_is_timed_once_whatever_its_constants(monkeypatch):
    cost = WallClockCost((0.0, 1.0))
    timed = []
    monkeypatch.setattr(cost, "measure", lambda program: timed.append(program) or 1.234)
    assert cost(parse_expr("1 + x*(0.5 + x*0.25)")) == 1.2
    assert cost(parse_expr("2 + x*(0.7 + x*0.125)")) == 1.2  # same structure, other constants
    assert cost(parse_expr("1 + x*0.5")) == 1.2
    assert len(timed) == 2


def test_the_cache_is_bounded(monkeypatch):
    cost = WallClockCost((0.0, 1.0), cache_size=2)
    monkeypatch.setattr(cost, "measure", lambda program: 1.0)
    for text in ("x", "x*x", "x*x*x", "x + 1"):
        cost(parse_expr(text))
    assert cost._timed.cache_info().currsize == 2


def test_a_copy_starts_with_an_empty_cache(monkeypatch):
    cost = WallClockCost((0.5, 2.0), "strict", cache_size=8)
    monkeypatch.setattr(cost, "measure", lambda program: 1.0)
    cost(parse_expr("x*x"))
    copy = pickle.loads(pickle.dumps(cost))  # as a worker receives it
    assert (copy.interval, copy.semantics, copy.cache_size) == ((0.5, 2.0), "strict", 8)
    assert copy._timed.cache_info().currsize == 0 and cost._timed.cache_info().currsize == 1
    assert np.array_equal(copy._inputs, cost._inputs)


def test_two_significant_digits():
    assert _two_digits(0.12345) == 0.12
    assert _two_digits(15.7) == 16.0
    assert _two_digits(float("inf")) == float("inf")


def test_measured_time_ranks_a_long_polynomial_above_the_identity():
    cost = WallClockCost((0.0, 1.0))
    identity, horner = cost.measure(parse_expr("x")), cost.measure(parse_expr(HORNER_10))
    assert 0 < identity < horner  # 10 dependent FMAs against a bare clip: several times apart


def test_a_wall_clock_search_records_measured_costs(tmp_path):
    config = load_config("search_configs/exp2_reals.toml",
                         ['evaluation.cost="wall_clock"', "search.max_evals=12",
                          "search.fit_budget=200", "evaluation.train_points=64",
                          "evaluation.validation_points=64", "evaluation.final_points=256"])
    start_search(config, tmp_path / "run", workers=0)
    lines = (tmp_path / "run" / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) >= 12
    costs = {event["structure"]: event["cost"] for event in events}
    assert all(cost > 0 for cost in costs.values())
    assert any(cost != int(cost) for cost in costs.values())  # times, not op counts
    for event in events:  # one structure, one cost, whichever child measured it
        assert event["cost"] == costs[event["structure"]]
