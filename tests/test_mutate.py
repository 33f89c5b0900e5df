"""Mutations: validity, limits, structural change, constants' provenance, determinism, settings."""

import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from strategies import programs

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import config_from_dict
from autonumerics.evolution.mutate import (
    KINDS,
    PAPER_WEIGHTS,
    MutationSettings,
    canonical_child,
    change_op,
    insert,
    mutate,
    remove,
    retrain,
    rewire,
    within_limits,
)
from autonumerics.ir.canonical import canonicalize, is_canonical, structural_hash
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.ops import ARITHMETIC
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Instruction, Program, identity, validate

# The paper's search space (as these tests were written for); the config files' defaults differ.
CONFIG = MutationSettings(ops=ARITHMETIC, max_ops=16, weights=PAPER_WEIGHTS)
POINTS = np.linspace(0.0, 1.0, 33)


def _parent(program: Program, config: MutationSettings = CONFIG) -> Program:
    """A canonical parent inside the limits with finite constants (what the search breeds from)."""
    parent = canonicalize(program)
    assume(within_limits(parent, config))
    assume(all(math.isfinite(c) for c in parent.constants))
    return parent


@given(programs(ops=ARITHMETIC), st.integers(0, 2**32 - 1))
@settings(max_examples=120, deadline=None)
def test_every_child_is_canonical_valid_within_limits_and_changed(program, seed):
    parent = _parent(program)
    child = mutate(parent, np.random.default_rng(seed), CONFIG)
    assert child.kind in KINDS
    validate(child.program)  # every reference defined before use, every arity right
    assert is_canonical(child.program) and within_limits(child.program, CONFIG)
    assert child.fresh.shape == (child.program.n_constants,) and child.fresh.dtype == bool
    changed = structural_hash(child.program) != structural_hash(parent)
    assert changed == (child.kind != "retrain")
    if child.kind == "retrain":
        assert child.fresh.all()
    if child.kind in ("remove", "change_op"):  # no new constant: everything survives
        assert not child.fresh.any()


def _oracle_check(parent: Program, mutated: Program, seed: int) -> None:
    """Child constants equal (bitwise) to a parent constant survive; equal to a new one are fresh.

    Zero is left out: ``0 * new`` folds to a zero whose sign may follow the new constant's.
    """
    child, fresh = canonical_child(mutated, parent.n_constants, np.random.default_rng(seed))
    old = {c.hex() for c in parent.constants}
    new = {c.hex() for c in mutated.constants[parent.n_constants:]} - old
    for value, is_fresh in zip(child.constants, fresh, strict=True):
        if value == 0.0:
            continue
        if value.hex() in new:
            assert is_fresh
        elif value.hex() in old:
            assert not is_fresh


# c0 - c0 folds to a zero constant; removing the inner division leaves x / 0, canonically
# x * inf: a non-finite value made from inherited ones, once wrongly marked fresh.
ZERO_DIVISOR = Program(
    (Instruction("sub", ("c0", "c0")),) + (Instruction("add", ("x", "x")),) * 5
    + (Instruction("div", ("v0", "x")), Instruction("div", ("x", "v6"))),
    (1.0,), "v7",
)


@given(programs(ops=ARITHMETIC), st.integers(0, 2**32 - 1))
@example(ZERO_DIVISOR, 8)
@settings(max_examples=120, deadline=None)
def test_fresh_marks_new_constants_and_not_inherited_ones(program, seed):
    parent = _parent(program)
    assume(parent.instructions)
    rng = np.random.default_rng(seed)
    for mutated in (insert(parent, rng, ARITHMETIC), rewire(parent, rng)):
        _oracle_check(parent, mutated, seed)
    for mutated in (remove(parent, rng), change_op(parent, rng, ARITHMETIC)):
        assert not canonical_child(mutated, parent.n_constants, rng)[1].any()


def test_insert_on_the_output_keeps_the_parent_when_the_new_constant_is_neutral():
    parent = canonicalize(parse_expr("0.75 + x*(1.25 + x*0.5)"))
    n = len(parent.instructions)
    mutated = Program(parent.instructions + (Instruction("mul", (parent.output, "c3")),),
                      parent.constants + (37.5,), f"v{n}")
    child, fresh = canonical_child(mutated, parent.n_constants, np.random.default_rng(0))
    assert fresh.sum() == 1 and child.constants[int(np.argmax(fresh))] == 37.5
    kept = sorted(c for c, f in zip(child.constants, fresh, strict=True) if not f)
    assert kept == sorted(parent.constants)
    neutral = np.where(fresh, 1.0, np.asarray(child.constants))  # times 1 is exact
    assert np.array_equal(evaluate(child, POINTS, constants=neutral), evaluate(parent, POINTS))


@pytest.mark.parametrize(
    "instructions, constants, inherited, expect_fresh",
    [
        # (x + c0) + c1 with both inherited folds to x + (c0 + c1): a parent value, warm start.
        ((("add", ("x", "c0")), ("add", ("v0", "c1"))), (0.5, 0.25), 2, [False]),
        # the same chain with c1 new: the merged constant depends on it.
        ((("add", ("x", "c0")), ("add", ("v0", "c1"))), (0.5, 0.25), 1, [True]),
        # x - c0 (new) becomes x + (-c0).
        ((("sub", ("x", "c0")),), (3.0,), 0, [True]),
        # a constant-only subexpression with a new constant folds into one fresh constant.
        ((("mul", ("c0", "c1")), ("mul", ("v0", "x")), ("add", ("v1", "c0"))), (2.0, 7.0), 1,
         [True, False]),
        # fma(x, new, new): two distinct fresh constants (NaN sentinels would merge them).
        ((("fma", ("x", "c0", "c1")),), (3.0, 5.0), 0, [True, True]),
        # a non-finite inherited constant is not fresh (the fitter, not provenance, redraws it).
        ((("mul", ("x", "c0")),), (math.inf,), 1, [False]),
        # x / 0 with the zero inherited folds to x * inf, computed from the parent alone.
        ((("div", ("x", "c0")),), (0.0,), 1, [False]),
    ],
)
def test_fresh_in_constructed_examples(instructions, constants, inherited, expect_fresh):
    program = Program(tuple(Instruction(op, args) for op, args in instructions), constants,
                      f"v{len(instructions) - 1}")
    child, fresh = canonical_child(program, inherited, np.random.default_rng(1))
    assert sorted(fresh.tolist()) == sorted(expect_fresh)
    assert child.n_constants == len(expect_fresh)


def test_remove_merging_constant_chains_marks_nothing_fresh():
    parent = canonicalize(parse_expr("(x + 0.5)*1.5 + 0.25"))
    only_remove = MutationSettings(weights={"remove": 1.0})
    rng = np.random.default_rng(3)
    children = [mutate(parent, rng, only_remove) for _ in range(30)]
    assert {c.kind for c in children} == {"remove"}
    assert not any(c.fresh.any() for c in children)
    assert any(c.program.constants == (0.75,) for c in children)  # (x + 0.5) + 0.25, merged


@pytest.mark.parametrize("kind", ["remove", "change_op"])
def test_a_zero_divisor_after_remove_or_change_op_is_not_fresh(kind):
    parent = canonicalize(ZERO_DIVISOR)  # x / (0 / x)
    assert parent.constants == (0.0,)
    only = MutationSettings(weights={kind: 1.0})
    rng = np.random.default_rng(0)
    children = [mutate(parent, rng, only) for _ in range(40)]
    assert {c.kind for c in children} == {kind}
    assert not any(c.fresh.any() for c in children)
    if kind == "remove":  # bypassing the inner division leaves x / 0, canonically x * inf
        assert any(not all(map(math.isfinite, c.program.constants)) for c in children)


def test_retrain_keeps_the_structure_and_redraws_every_constant():
    parent = canonicalize(parse_expr("1.2/(3.4 + x*0.5) + 0.7"))
    child = mutate(parent, np.random.default_rng(0), MutationSettings(weights={"retrain": 1.0}))
    assert child.kind == "retrain" and child.fresh.all()
    assert structural_hash(child.program) == structural_hash(parent)
    assert not set(child.program.constants) & set(parent.constants)
    magnitudes = np.abs(retrain(parent, np.random.default_rng(1)).constants)
    assert np.all((magnitudes >= 1e-2) & (magnitudes <= 1e2))


def test_random_walks_from_identity_never_crash_and_grow():
    grow = MutationSettings(weights={"insert": 3.0, "remove": 1.0, "rewire": 1.0, "change_op": 1.0,
                                   "retrain": 1.0})
    largest = {}
    for name, config in (("default", CONFIG), ("grow", grow)):
        rng, program, largest[name] = np.random.default_rng(7), identity(), 0
        for _ in range(200):
            child = mutate(program, rng, config)
            assert within_limits(child.program, config)
            assert child.fresh.size == child.program.n_constants
            program = child.program
            largest[name] = max(largest[name], program.n_ops)
    assert largest["grow"] >= 5 and largest["default"] >= 2


def test_identity_only_admits_growing_mutations():
    kinds = set()
    for seed in range(40):
        child = mutate(identity(), np.random.default_rng(seed))
        kinds.add(child.kind)
        assert child.program.n_ops <= (1 if child.kind == "insert" else 2)
        assert structural_hash(child.program) != structural_hash(identity())
    assert kinds <= {"insert", "horner", "fraction", "rescale"} and "insert" in kinds
    for primitive in (remove, rewire):
        with pytest.raises(AutonumericsError, match="no op"):
            primitive(identity(), np.random.default_rng(0))
    with pytest.raises(AutonumericsError, match="no mutation"):
        mutate(identity(), np.random.default_rng(0), MutationSettings(weights={"remove": 1.0}))


def test_limits_and_op_set_are_enforced():
    config = MutationSettings(ops=("add", "mul"), max_ops=3, max_constants=2,
                            weights={"insert": 3.0, "rewire": 1.0, "change_op": 1.0})
    rng, program = np.random.default_rng(11), identity()
    for _ in range(150):
        program = mutate(program, rng, config).program
        assert program.n_ops <= 3 and program.n_constants <= 2
        assert {i.op for i in program.instructions} <= {"add", "mul"}


def test_unchangeable_parent_falls_back_to_retrain_or_says_why():
    # Multiplying x*c by a new constant anywhere merges into x*c again: insert cannot succeed.
    parent = canonicalize(parse_expr("x*0.5"))
    config = MutationSettings(ops=("mul",), weights={"insert": 1.0}, new_constant_rate=1.0,
                              max_retries=4)
    child = mutate(parent, np.random.default_rng(0), config)
    assert child.kind == "retrain" and child.fresh.all()
    # A parent outside the op set whose disallowed op no permitted kind can remove.
    outside = canonicalize(parse_expr("square(x)*0.5"))
    with pytest.raises(AutonumericsError, match="could not mutate"):
        mutate(outside, np.random.default_rng(0),
               MutationSettings(weights={"change_op": 1.0}, max_retries=4))


def test_same_seed_same_children():
    def walk(seed):
        rng, program, out = np.random.default_rng(seed), identity(), []
        for _ in range(60):
            child = mutate(program, rng)
            out.append((child.program, child.kind, child.fresh.tolist()))
            program = child.program
        return out

    assert walk(5) == walk(5)
    assert walk(5) != walk(6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ops": ()}, "ops: the allowed op set is empty"),
        ({"weights": {"insert": 1.0, "crossover": 1.0}}, "weights: unknown mutation 'crossover'"),
        ({"weights": {"insert": -1.0}}, "weights: insert = -1.0"),
        ({"weights": {"insert": 0.0}}, "all zero"),
        ({"max_ops": 0}, "max_ops: 0 is not from 1 to"),
        ({"max_constants": 1.5}, "max_constants"),
        ({"max_retries": 0}, "max_retries"),
        ({"new_constant_rate": 1.5}, "new_constant_rate"),
    ],
)
def test_bad_settings_name_the_field(kwargs, message):
    with pytest.raises(AutonumericsError, match=message):
        MutationSettings(**kwargs)


def test_unknown_ops_are_refused_by_the_config_and_by_mutate():
    with pytest.raises(AutonumericsError, match="settings: mutation.ops: unknown op 'exp'"):
        config_from_dict({"mutation": {"ops": ["add", "exp"]}}, "settings")
    with pytest.raises(AutonumericsError, match="unknown op 'exp'"):
        mutate(identity(), np.random.default_rng(0), MutationSettings(ops=("add", "exp")))


def test_a_config_file_sets_the_file_keys_only_and_repeated_ops_count_once():
    settings = config_from_dict({"mutation": {"ops": ["mul", "add", "mul"], "max_ops": 5}}).mutation
    assert settings.ops == ("mul", "add") and settings.max_ops == 5
    assert settings.max_retries == MutationSettings.max_retries  # a knob of the code, not of files
    with pytest.raises(AutonumericsError,
                       match=r"mutation\.max_retries: unknown key; known: ops, max_ops"):
        config_from_dict({"mutation": {"max_retries": 3}})
    with pytest.raises(AutonumericsError, match=r"defaults: mutation\.weights: insert = -1\.0"):
        config_from_dict({"mutation": {"weights": {"insert": -1}}}, "defaults")


def test_canonical_form_is_idempotent_when_sharing_exposes_an_identity():
    """(x*0.5)/(x*0.5) + x: sharing the equal products gives t/t, an identity the first
    simplification could not see; the canonical form must go on to 1 + x (found by the
    explore profile, seed 8)."""
    from autonumerics.ir.canonical import _canonicalize, canonicalize
    from autonumerics.ir.parse import parse_expr
    from autonumerics.ir.program import Instruction, Program

    program = Program((Instruction("mul", ("x", "c0")), Instruction("mul", ("x", "c0")),
                       Instruction("div", ("v0", "v1")), Instruction("add", ("x", "v2"))),
                      (0.5,), "v3")
    canonical = canonicalize(program)
    assert _canonicalize(canonical) == canonical == _canonicalize(program)
    shared = canonicalize(parse_expr("t = x*0.5; t/t + x"))
    assert canonical == shared == canonicalize(parse_expr("1 + x"))
