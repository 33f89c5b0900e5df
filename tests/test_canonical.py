"""Canonical form: simplification passes, invariance under respelling, structural hash, cache."""

from __future__ import annotations

import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import programs

from autonumerics.ir import canonical
from autonumerics.ir.canonical import canonicalize, is_canonical, structural_hash
from autonumerics.ir.ops import OPS
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Instruction, Program
from autonumerics.ir.simplify import drop_identities, fold_constants, simplify_constant_chains
from autonumerics.ir.ssa import ref_kind


def ops(program: Program) -> list[str]:
    return [instruction.op for instruction in program.instructions]


def respelled(program: Program, seed: int) -> Program:
    """The same computation with the instructions in another valid order and the constants
    renumbered: any topological order, chosen at random."""
    rng = random.Random(seed)
    order = list(range(len(program.constants)))
    rng.shuffle(order)
    refs = {f"c{old}": f"c{new}" for new, old in enumerate(order)} | {"x": "x"}
    constants = [0.0] * len(order)
    for new, old in enumerate(order):
        constants[new] = program.constants[old]
    waiting = list(range(len(program.instructions)))
    instructions = []
    while waiting:
        ready = [i for i in waiting if all(a in refs for a in program.instructions[i].args)]
        index = rng.choice(ready)
        waiting.remove(index)
        old = program.instructions[index]
        instructions.append(Instruction(old.op, tuple(refs[a] for a in old.args)))
        refs[f"v{index}"] = f"v{len(instructions) - 1}"
    return Program(tuple(instructions), tuple(constants), refs[program.output])


def swapped(program: Program) -> Program:
    """Every commutative pair of operands in the other order."""
    instructions = tuple(
        Instruction(i.op, (i.args[1], i.args[0], *i.args[2:])) if OPS[i.op].commutative else i
        for i in program.instructions
    )
    return Program(instructions, program.constants, program.output)


# -- the passes ------------------------------------------------------------------------------

def test_constant_subexpressions_fold_into_one_constant():
    folded = fold_constants(parse_expr("x * (2.0 * 3.0 + 1.0)"))
    assert ops(folded) == ["mul"] and folded.constants == (7.0,)


def test_constant_chains_merge():
    assert simplify_constant_chains(parse_expr("x / 4")).constants == (0.25,)
    assert ops(simplify_constant_chains(parse_expr("x - 1.5"))) == ["add"]
    merged = simplify_constant_chains(parse_expr("(x * 2) * 3"))
    assert ops(merged) == ["mul"] and merged.constants == (6.0,)
    assert ops(simplify_constant_chains(parse_expr("fma(2, 3, x)"))) == ["add"]


def test_exact_identities_are_dropped():
    assert drop_identities(parse_expr("(x * 1 + 0) / 1 - 0")) == parse_expr("x")
    assert ops(drop_identities(parse_expr("x * -1"))) == ["neg"]
    assert ops(drop_identities(parse_expr("fma(x, -1, x*x)"))) == ["mul", "sub"]
    one = drop_identities(parse_expr("t = x*x; t / t"))
    assert one.instructions == () and ref_kind(one.output)[0] == "c"
    assert one.constants[ref_kind(one.output)[1]] == 1.0


def test_canonical_form_merges_constant_chains():
    program = parse_expr("((x*2)*3)/4 - 1")
    assert canonicalize(program).n_ops == 2
    assert is_canonical(canonicalize(program)) and not is_canonical(program)
    assert canonicalize(parse_expr("x/1.7")).instructions[0].op == "mul"


def test_sharing_exposed_identities_reach_a_fixpoint():
    program = parse_expr("k = 0.5; t = x*k; u = x*k; t/u + x")  # t and u are one value: t/t = 1
    assert canonicalize(program) == canonicalize(parse_expr("1 + x"))


# -- invariance ------------------------------------------------------------------------------

@given(programs())
def test_canonical_form_is_idempotent(program):
    once = canonicalize(program)
    assert canonicalize(once).to_json() == once.to_json()


@given(programs(ops=("add", "mul", "fma", "sub", "square")))
@settings(max_examples=60)
def test_canonical_form_ignores_commutative_operand_order(program):
    assert canonicalize(swapped(program)).to_json() == canonicalize(program).to_json()
    assert structural_hash(swapped(program)) == structural_hash(program)


@given(programs(max_instructions=10), st.integers(0, 2**32))
@settings(max_examples=60)
def test_canonical_form_ignores_instruction_order_and_constant_numbering(program, seed):
    # Equal values in distinct constants are told apart by their numbers (each is its own
    # parameter), so only distinct values are free to be renumbered.
    assume(len(set(program.constants)) == len(program.constants))
    other = respelled(program, seed)
    assert canonicalize(other).to_json() == canonicalize(program).to_json()
    assert structural_hash(other) == structural_hash(program)


@given(programs())
def test_print_parse_preserves_the_canonical_program(program):
    # compared as JSON (hex constants) so that NaN constants compare equal
    assert canonicalize(parse_expr(program.to_infix())).to_json() == canonicalize(program).to_json()


def test_structural_hash_ignores_constant_values_but_not_structure():
    assert structural_hash(parse_expr("1 + 2*x")) == structural_hash(parse_expr("x*3 + 5"))
    assert structural_hash(parse_expr("1 + 2*x")) != structural_hash(parse_expr("1 / (2 + x)"))


def test_structural_hash_counts_sharing_and_constant_identity():
    instructions = (Instruction("mul", ("x", "c0")), Instruction("mul", ("v0", "v0")))
    shared = Program(instructions, (2.0,), "v1")
    two = parse_expr("(x*2.0) * (x*3.0)")
    assert structural_hash(shared) != structural_hash(two)
    assert structural_hash(shared) == shared.structural_hash()


# -- the cache -------------------------------------------------------------------------------

def test_the_canonical_form_is_remembered_as_its_own():
    program = parse_expr("x*0.125 + 3.5*x*x - 0.25")
    result = canonicalize(program)
    before = canonical._canonical_of.cache_info()
    assert canonicalize(Program(result.instructions, result.constants, result.output)) is result
    after = canonical._canonical_of.cache_info()
    assert after.misses == before.misses and after.hits > before.hits
    assert after.currsize <= canonical.CACHE_SIZE


def test_the_canonical_cache_tells_signed_zeros_and_nans_apart():
    texts = ["x + 0.0", "x + -0.0", "x * -0.0", "(x + 1.5) * 2.0", "x * x + x"]
    programs = [parse_expr(text) for text in texts]
    programs.append(programs[0].with_constants((float("nan"),)))
    for first in (False, True):  # fill the cache in both orders
        for program in (programs if first else programs[::-1]):
            uncached = canonical._canonicalize(program)
            cached = canonicalize(program)
            assert canonical._exact_key(cached) == canonical._exact_key(uncached)
