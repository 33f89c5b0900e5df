"""The Program type: validation, JSON, pruning, op counts (text: test_parse; canonical form:
test_canonical)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import programs

from autonumerics.errors import AutonumericsError
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Instruction, Program, identity, prune


@given(programs())
def test_json_round_trip_is_bit_exact(program):
    text = json.dumps(program.to_json())
    assert Program.from_json(json.loads(text)).to_json() == program.to_json()


def test_program_file_may_hold_only_an_expression():
    assert Program.from_json({"expression": "1 + x"}) == parse_expr("1 + x")


def test_malformed_json_program_is_a_clear_error():
    with pytest.raises(AutonumericsError, match="operand 'v3' is not defined"):
        Program.from_json({"constants": [], "instructions": [{"op": "neg", "args": ["v3"]}],
                           "output": "v0"})
    with pytest.raises(AutonumericsError, match="unknown op 'exp'"):
        Program.from_json({"instructions": [{"op": "exp", "args": ["x"]}], "output": "v0"})
    with pytest.raises(AutonumericsError, match="'expression' must be a string"):
        Program.from_json({"expression": 1})


@pytest.mark.parametrize("ref", ["v 0", "v+1", "v01", "v1_0", "y", "c1", "v0", "", "c"])
def test_validation_names_a_bad_or_undefined_operand(ref):
    with pytest.raises(AutonumericsError, match="instruction v0"):
        Program((Instruction("add", ("x", ref)),), (2.0,), "v0")


def test_validation_checks_arity_and_output():
    with pytest.raises(AutonumericsError, match="add takes 2 operands, got 1"):
        Program((Instruction("add", ("x",)),), (), "v0")
    with pytest.raises(AutonumericsError, match="output: operand 'v1' is not defined"):
        Program((Instruction("neg", ("x",)),), (), "v1")


def test_prune_drops_dead_code_and_unused_constants():
    program = Program(
        (Instruction("mul", ("x", "c0")), Instruction("add", ("x", "c1"))), (2.0, 3.0), "v1"
    )
    pruned = prune(program)
    assert pruned.instructions == (Instruction("add", ("x", "c0")),) and pruned.constants == (3.0,)


def test_op_counts_skip_dead_and_constant_only_instructions():
    program = Program(
        (Instruction("mul", ("x", "x")), Instruction("mul", ("c0", "c0")),
         Instruction("add", ("v0", "v1")), Instruction("sqrt", ("x",))),
        (2.0,), "v2",
    )
    assert program.depends_on_input() == [True, False, True, True]
    assert program.n_ops == 2  # the sqrt is dead, c0*c0 folds free
    assert program.cost({"mul": 3.0}) == 4.0


def test_identity_program():
    assert identity().n_ops == 0 and identity().to_infix() == "x"


@given(programs(), st.integers(0, 3))
def test_with_constants_keeps_structure(program, shift):
    moved = program.with_constants([c + shift for c in program.constants])
    assert moved.instructions == program.instructions
    with pytest.raises(ValueError, match="constants"):
        program.with_constants(program.constants + (1.0,))
