"""The driver's state: recording events, duplicates and exact fits, bounded caches, checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autonumerics.evolution.child import ChildResult, ChildTask
from autonumerics.evolution.state import CHECKPOINT_VERSION, SearchState, child_event
from autonumerics.ir.canonical import structural_hash
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Program


def synthetic_event(i: int, program: Program, **changes) -> dict:
    event = {"id": i, "parent": -1, "kind": "insert", "program": program.to_json(),
             "fitness": 1.0 / (i + 1), "cost": float(i % 7), "fit": "lp" if i % 2 else "cmaes",
             "fingerprint": f"{i:016x}", "structure": f"s{i:015x}"}
    return {**event, **changes}


def test_caches_are_bounded_and_the_cap_survives_a_checkpoint():
    program = parse_expr("x")
    state = SearchState.fresh(20, 0, cache_size=50)
    sizes = []
    for i in range(1000, 5000):  # ids of 4 digits throughout: equal sizes mean a bounded checkpoint
        state.record(synthetic_event(i, program))
        if i in (2999, 4999):
            sizes.append(len(json.dumps(state.to_checkpoint(0, 0))))
    assert max(len(state.fingerprints), len(state.structures), len(state.exact)) <= 50
    assert len(state.population) == 20 and len(state.archive.best) == 7
    assert abs(sizes[1] - sizes[0]) < 0.01 * sizes[0]  # 2 000 more events, same checkpoint size
    restored = SearchState.from_checkpoint(json.loads(json.dumps(state.to_checkpoint(0, 0))))
    assert restored.fingerprints.max_size == 50
    assert restored.fingerprints.keys() == state.fingerprints.keys()


def test_a_child_equal_in_function_to_an_earlier_one_is_counted_not_admitted():
    state = SearchState.fresh(10, 0)
    program = parse_expr("x")
    assert state.record(synthetic_event(0, program, fingerprint="f")) is not None
    assert state.record(synthetic_event(1, program, fingerprint="f")) is None
    assert state.n_duplicates == 1 and state.n_evaluated == 2 and len(state.population) == 1
    seed = state.record(synthetic_event(2, program, fingerprint="f", kind="seed"))
    assert seed is not None and seed.id == 2  # a seed is admitted whatever it equals
    assert f"s{1:015x}" in state.structures  # the duplicate's structure counts as fitted


@pytest.mark.parametrize("fit, exact", [("lp", True), ("lp+float32", True), ("1d", True),
                                        ("none", True), ("cmaes", False), ("local+float32", False)])
def test_only_exact_fits_mark_a_structure_as_not_worth_retraining(fit, exact):
    state = SearchState.fresh(10, 0)
    state.record(synthetic_event(3, parse_expr("x"), fit=fit, structure="s"))
    assert ("s" in state.exact) == exact and "s" in state.structures


def test_next_id_follows_the_largest_recorded_id_in_any_order():
    state = SearchState.fresh(10, 0)
    for i in (4, 1, 9, 2):
        state.record(synthetic_event(i, parse_expr("x")))
    assert state.next_id == 10 and state.n_evaluated == 4


def test_a_checkpoint_restores_the_population_archive_counters_and_random_stream():
    state = SearchState.fresh(3, 42)
    for i, expression in enumerate(["x", "x * x", "x + 1", "x * x * x", "1 / (1 + x)"]):
        event = synthetic_event(i, parse_expr(expression), fitness=0.5 / (i + 1), cost=float(i))
        state.record(event)
    state.n_skipped, state.n_lost, state.elapsed = 7, 2, 12.5
    state.rng.random(3)  # the stream moved on since the seed
    data = json.loads(json.dumps(state.to_checkpoint(123, 45), allow_nan=False))
    assert data["events_offset"] == 123 and data["timings_offset"] == 45
    restored = SearchState.from_checkpoint(data)
    assert list(restored.population.members) == list(state.population.members)  # the 3 newest
    assert restored.archive.members() == state.archive.members()
    for name in ("next_id", "n_evaluated", "n_duplicates", "n_skipped", "n_lost", "elapsed"):
        assert getattr(restored, name) == getattr(state, name), name
    assert restored.population.members.maxlen == 3
    assert np.array_equal(restored.rng.random(5), state.rng.random(5))


def test_a_checkpoint_of_another_version_is_refused_naming_both():
    data = SearchState.fresh(3, 0).to_checkpoint(0, 0)
    named = rf"version 99; this autonumerics reads version {CHECKPOINT_VERSION}"
    with pytest.raises(ValueError, match=named):
        SearchState.from_checkpoint({**data, "version": 99})


def test_an_early_version_1_checkpoint_without_the_cache_cap_or_lost_count_reads():
    data = SearchState.fresh(3, 0, cache_size=50).to_checkpoint(0, 0)
    del data["cache_size"], data["n_lost"]
    restored = SearchState.from_checkpoint(data)
    assert restored.n_lost == 0 and restored.fingerprints.max_size > 50  # the default cap


def test_a_child_event_holds_the_canonical_program_and_writes_infinite_losses_as_strings():
    program = parse_expr("1 + x * x")
    task = ChildTask(5, 2, "insert", program, (True,), seed=0)
    result = ChildResult(task, program, train_loss=0.25, valid_loss=float("inf"), fit_method="lp",
                         fit_evaluations=3, fingerprint="ab", seconds=0.1)
    event = json.loads(json.dumps(child_event(result), allow_nan=False))
    assert (event["id"], event["parent"], event["kind"]) == (5, 2, "insert")
    assert event["fitness"] == "inf" and event["valid"] == "inf" and event["train"] == 0.25
    assert event["structure"] == structural_hash(Program.from_json(event["program"]))
    assert event["n_ops"] == 2 and event["cost"] == program.cost()
    state = SearchState.fresh(3, 0)
    member = state.record(event)  # what is logged is what is recorded
    assert member.fitness == float("inf") and member.id == 5 and not state.archive.best
