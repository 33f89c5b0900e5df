"""Structure-aware mutations: each motif's program, on any edge of any program, and in mutate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import programs

from autonumerics.errors import AutonumericsError
from autonumerics.evolution import motifs
from autonumerics.evolution.mutate import MutationSettings, mutate, within_limits
from autonumerics.ir.canonical import canonicalize
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.ops import ARITHMETIC
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Program, const_ref, identity, live_instructions, validate

POINTS = np.linspace(0.1, 1.0, 17)
ARITHMETIC_PROGRAMS = programs(ops=ARITHMETIC)


def _edges(program):
    live = [i for i, alive in enumerate(live_instructions(program)) if alive]
    return [(i, s) for i in live for s in range(len(program.instructions[i].args))] + [(None, 0)]


def _values(program, x=POINTS):
    with np.errstate(all="ignore"):
        return evaluate(program, x)


@settings(max_examples=60, deadline=None)
@given(ARITHMETIC_PROGRAMS, st.data())
def test_splicing_plus_zero_on_any_edge_keeps_the_function_bit_for_bit(program, data):
    owner, slot = data.draw(st.sampled_from(_edges(program)))
    widened = Program(program.instructions, program.constants + (0.0,), program.output)
    spliced = motifs.splice(widened, owner, slot, "add", 0, [const_ref(program.n_constants)])
    validate(spliced)
    assert len(spliced.instructions) == len(program.instructions) + 1
    np.testing.assert_array_equal(_values(spliced), _values(program))


@settings(max_examples=60, deadline=None)
@given(ARITHMETIC_PROGRAMS, st.integers(0, 2**32 - 1))
def test_a_horner_step_at_x_equal_1_with_c_0_is_the_parent(program, seed):
    # e -> e*x + c is e itself where x = 1 and c = 0, on whichever edge it lands
    child, inherited = motifs.horner(program, np.random.default_rng(seed), np.array([0.0]))
    validate(child)
    assert inherited == program.n_constants and child.n_constants == inherited + 1
    assert len(child.instructions) == len(program.instructions) + 2
    np.testing.assert_array_equal(_values(child, np.array([1.0])),
                                  _values(program, np.array([1.0])))


def test_each_motif_on_the_output_of_f_x_equal_x():
    rng = np.random.default_rng(0)
    horner, _ = motifs.horner(identity(), rng, np.array([0.25]))
    np.testing.assert_array_equal(_values(horner), POINTS * POINTS + 0.25)
    fraction, _ = motifs.fraction(identity(), rng, np.array([3.0, 2.0]))
    np.testing.assert_array_equal(_values(fraction), 3.0 / (POINTS + 2.0))


@settings(max_examples=60, deadline=None)
@given(ARITHMETIC_PROGRAMS)
def test_rescale_is_the_square_of_the_parent_at_half_the_argument(program):
    child, inherited = motifs.rescale(program, ("mul", "square"))
    validate(child)
    assert inherited == child.n_constants == program.n_constants + 1  # 1/2 warm-starts
    with np.errstate(all="ignore"):
        expected = _values(program, POINTS * 0.5) ** 2
    np.testing.assert_array_equal(_values(child), expected)
    without_square, _ = motifs.rescale(program, ("mul",))
    assert "square" not in {i.op for i in without_square.instructions}
    np.testing.assert_array_equal(_values(without_square), expected)


def test_rescale_of_an_exp2_approximation_is_a_warm_start_within_twice_its_error():
    parent = parse_expr("square(square(25.184133328230352 / (-12.04697604754158 + x) "
                        "+ 1.0905077322638999))")
    child, _ = motifs.rescale(parent, ("mul", "square"))
    x = np.linspace(0.0, 1.0, 101)
    parent_error = np.max(np.abs(_values(parent, x) / 2.0**x - 1))
    child_error = np.max(np.abs(_values(child, x) / 2.0**x - 1))
    # 2^x = (2^(x/2))^2: the same constants on half the interval, and squaring doubles a
    # relative error; the fit then spends the new constant and the easier interval
    assert parent_error < child_error <= 2.001 * parent_error


def test_motifs_apply_only_with_their_ops_and_within_the_op_budget():
    program = parse_expr("1.5 / (x + 2.0)")
    assert motifs.applies("fraction", program, ARITHMETIC, 4)
    assert not motifs.applies("fraction", program, ("add", "mul"), 12)
    assert not motifs.applies("horner", program, ARITHMETIC, 3)
    assert motifs.applies("rescale", program, ("mul",), 4)


@pytest.mark.parametrize("kind", motifs.MOTIFS)
def test_mutate_makes_motif_children_within_the_limits(kind):
    config = MutationSettings(ops=(*ARITHMETIC, "square"), max_ops=9, weights={kind: 1.0})
    rng = np.random.default_rng(7)
    parent = canonicalize(parse_expr("square(25.0 / (-12.0 + x) + 1.1)"))
    kinds = set()
    for _ in range(20):
        child = mutate(parent, rng, config)
        kinds.add(child.kind)
        assert within_limits(child.program, config)
        if child.kind == "rescale":  # the 1/2 is not fresh: the fit warm-starts from the parent
            assert not child.fresh.any()
        elif child.kind in ("horner", "fraction"):
            assert child.fresh.any()
    assert kind in kinds


def test_a_motif_weight_is_a_config_key_and_unknown_kinds_are_named():
    assert MutationSettings(weights={"fraction": 1.0, "insert": 1.0}).weights["fraction"] == 1.0
    with pytest.raises(AutonumericsError, match="unknown mutation 'fractions'"):
        MutationSettings(weights={"fractions": 1.0})
