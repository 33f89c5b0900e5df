"""Infix text to programs and back: the grammar, its errors and limits, printing round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import programs

from autonumerics.errors import AutonumericsError
from autonumerics.ir.grammar import read_infix
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Instruction, Program
from autonumerics.limits import MAX_INSTRUCTIONS, MAX_PROGRAM_CHARS

HORNER6 = (
    "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7"
    " + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))"
)
POINTS = np.linspace(-3.0, 3.0, 41)


def test_parse_reads_hex_and_decimal_exactly():
    program = parse_expr("0x1.62e42cp-1 + x*0.2402")
    assert program.constants == (float.fromhex("0x1.62e42cp-1"), 0.2402)
    assert program.n_ops == 2


def test_horner_degree_six_counts_twelve_ops():
    assert parse_expr(HORNER6).n_ops == 12


def test_constant_subexpressions_are_free():
    assert parse_expr("x * (2.0 * 3.0 + 1.0)").n_ops == 1


def test_power_of_two_is_repeated_squaring():
    program = parse_expr("(x + 1)**8")
    assert [i.op for i in program.instructions] == ["add", "square", "square", "square"]
    assert parse_expr("x**1") == parse_expr("x")


def test_precedence_and_associativity():
    program = parse_expr("x - 1 - 2*x / 3")  # (x - 1) - ((2*x) / 3)
    assert [i.op for i in program.instructions] == ["sub", "mul", "div", "sub"]
    assert program.output == "v3" and program.instructions[3].args == ("v0", "v2")
    assert [i.op for i in parse_expr("-x*x").instructions] == ["neg", "mul"]  # (-x) * x


def test_a_minus_sign_before_a_number_is_part_of_the_literal():
    assert parse_expr("-0.5*x").constants == (-0.5,) and parse_expr("-0.5*x").n_ops == 1
    assert parse_expr("x - -0.5").constants == (-0.5,)
    assert [i.op for i in parse_expr("-(0.5)*x").instructions] == ["neg", "mul"]


def test_statements_name_shared_values():
    program = parse_expr("t = x*x; u = t + 1; t*u")
    assert [i.op for i in program.instructions] == ["mul", "add", "mul"]
    assert program.instructions[2].args == ("v0", "v1")  # t is one value, used twice


def test_calls_take_any_op_by_name():
    program = parse_expr("fma(x, 2, sqrt(square(x)))")
    assert [i.op for i in program.instructions] == ["square", "sqrt", "fma"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("x + ", "expected"),
        ("exq(x)", "unknown function 'exq'"),
        ("y * 2", "unknown name 'y'"),
        ("fma(x, 1)", "fma takes 3 arguments"),
        ("x ** 3", "powers of two"),
        ("x ** 0", "powers of two"),
        ("x**2**2", "one exponent per power"),
        ("x $ 2", "cannot read"),
        ("", "empty"),
        ("(x + 1", r"expected '\)'"),
        ("x + 1)", r"unexpected '\)'"),
        ("x, 1", "outside a call"),
        ("x = 2; x", "cannot assign to 'x'"),
        ("mul = 2; x", "cannot assign to 'mul'"),
        ("0x1p99999 * x", "beyond the float64 range"),
    ],
)
def test_parse_errors_name_the_problem(text, message):
    with pytest.raises(AutonumericsError, match=message):
        parse_expr(text)


def test_the_limits_are_errors_not_crashes():
    with pytest.raises(AutonumericsError, match="characters: the limit is"):
        parse_expr("x" + " " * MAX_PROGRAM_CHARS)
    with pytest.raises(AutonumericsError, match="more than"):
        parse_expr("x" + " + x" * (MAX_INSTRUCTIONS + 1))
    with pytest.raises(AutonumericsError, match="a string"):
        parse_expr(3.0)


def test_the_grammar_reads_parts_without_a_program():
    instructions, constants, output = read_infix("1.5 * x")
    assert instructions == (Instruction("mul", ("c0", "x")),) and constants == (1.5,)
    assert output == "v0"


@given(programs())
def test_print_then_parse_is_identity_on_parsed_programs(program):
    parsed = parse_expr(program.to_infix())
    assert parse_expr(parsed.to_infix()) == parsed


@given(programs())
def test_print_then_parse_computes_the_same_bits(program):
    parsed = parse_expr(program.to_infix())
    with np.errstate(all="ignore"):
        expected, got = evaluate(program, POINTS), evaluate(parsed, POINTS)
    assert np.array_equal(expected, got, equal_nan=True)


@given(st.floats(allow_nan=False))
def test_printed_constants_read_back_exactly(value):
    program = Program((Instruction("mul", ("x", "c0")),), (value,), "v0")
    assert parse_expr(program.to_infix()).constants == (value,)
    assert parse_expr(f"x * {value.hex()}").constants == (value,)


def test_a_deep_chain_prints_and_parses_back_without_recursion():
    depth = 5000
    instructions = [Instruction("sub", ("c0", "x"))]
    instructions += [Instruction("sub", ("c0", f"v{i}")) for i in range(depth - 1)]
    program = Program(tuple(instructions), (0.5,), f"v{depth - 1}")
    assert parse_expr(program.to_infix()) == program
