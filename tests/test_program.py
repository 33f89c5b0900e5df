"""Program IR: parsing, printing, JSON, pruning, canonical form and op counts."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import programs

from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.errors import AutonumericsError
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Instruction, Program, identity, prune

HORNER6 = (
    "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7"
    " + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))"
)


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


@pytest.mark.parametrize(
    "text, message",
    [
        ("x + ", "expected"),
        ("exq(x)", "unknown function 'exq'"),
        ("y * 2", "unknown name 'y'"),
        ("fma(x, 1)", "fma takes 3 arguments"),
        ("x ** 3", "powers of two"),
        ("x $ 2", "cannot read"),
        ("", "empty"),
    ],
)
def test_parse_errors_name_the_problem(text, message):
    with pytest.raises(AutonumericsError, match=message):
        parse_expr(text)


@given(programs())
def test_print_then_parse_is_identity_on_parsed_programs(program):
    parsed = parse_expr(program.to_infix())
    assert parse_expr(parsed.to_infix()) == parsed


@given(programs())
def test_print_parse_preserves_the_canonical_program(program):
    # compared as JSON (hex constants) so that NaN constants compare equal
    assert canonicalize(parse_expr(program.to_infix())).to_json() == canonicalize(program).to_json()


@given(programs())
def test_json_round_trip_is_bit_exact(program):
    text = json.dumps(program.to_json())
    assert Program.from_json(json.loads(text)).to_json() == program.to_json()


def test_program_file_may_hold_only_an_expression():
    assert Program.from_json({"expression": "1 + x"}) == parse_expr("1 + x")


def test_malformed_json_program_is_a_clear_error():
    with pytest.raises(AutonumericsError, match="operand 'v3' is not defined"):
        Program.from_json({"constants": [], "instructions": [{"op": "neg", "args": ["v3"]}], "output": "v0"})
    with pytest.raises(AutonumericsError, match="unknown op 'exp'"):
        Program.from_json({"instructions": [{"op": "exp", "args": ["x"]}], "output": "v0"})


def test_prune_drops_dead_code_and_unused_constants():
    program = Program(
        (Instruction("mul", ("x", "c0")), Instruction("add", ("x", "c1"))), (2.0, 3.0), "v1"
    )
    pruned = prune(program)
    assert pruned.instructions == (Instruction("add", ("x", "c0")),) and pruned.constants == (3.0,)


@given(programs())
def test_canonical_form_is_idempotent(program):
    once = canonicalize(program)
    assert canonicalize(once).to_json() == once.to_json()


@given(programs(ops=("add", "mul", "fma", "sub", "square")))
@settings(max_examples=60)
def test_canonical_form_ignores_commutative_operand_order(program):
    swapped = Program(
        tuple(
            Instruction(i.op, (i.args[1], i.args[0]) + i.args[2:]) if i.op in ("add", "mul", "fma") else i
            for i in program.instructions
        ),
        program.constants,
        program.output,
    )
    assert canonicalize(swapped).to_json() == canonicalize(program).to_json()
    assert structural_hash(swapped) == structural_hash(program)


def test_structural_hash_ignores_constant_values_but_not_structure():
    assert structural_hash(parse_expr("1 + 2*x")) == structural_hash(parse_expr("x*3 + 5"))
    assert structural_hash(parse_expr("1 + 2*x")) != structural_hash(parse_expr("1 / (2 + x)"))


def test_canonical_form_merges_constant_chains():
    assert canonicalize(parse_expr("((x*2)*3)/4 - 1")).n_ops == 2
    assert canonicalize(parse_expr("x/1.7")).instructions[0].op == "mul"


def test_identity_program():
    assert identity().n_ops == 0 and identity().to_infix() == "x"


@given(programs(), st.integers(0, 3))
def test_with_constants_keeps_structure(program, shift):
    moved = program.with_constants([c + shift for c in program.constants])
    assert moved.instructions == program.instructions


def test_the_canonical_cache_tells_signed_zeros_and_nans_apart():
    from autonumerics.ir import canonical

    texts = ["x + 0.0", "x + -0.0", "x * -0.0", "(x + 1.5) * 2.0", "x * x + x"]
    programs = [parse_expr(text) for text in texts]
    programs.append(programs[0].with_constants((float("nan"),)))
    for first in (False, True):  # fill the cache in both orders
        for program in (programs if first else programs[::-1]):
            uncached = canonical._canonicalize(program)
            cached = canonicalize(program)
            assert canonical._exact_key(cached) == canonical._exact_key(uncached)
