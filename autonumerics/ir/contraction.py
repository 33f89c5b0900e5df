"""Model of floating-point contraction as jitted JAX (XLA → LLVM) performs it on x86-64 CPU.

XLA compiles ``a*b + c`` into one FMA instruction (rounded once) whenever the product has no
other use; numpy never does (docs/references.md). This module rewrites a program into the one
that the exported JAX kernel really computes, so that the interpreter agrees with it bit for
bit. The rules, each checked against jax 0.10.2 in ``tests/test_contraction.py``:

1. The export writes ``fma(a, b, c)`` as ``a*b + c``, so an explicit fma is only a request:
   it is expanded and goes through the rules like any other multiply-add.
   Divisions are rewritten as XLA's simplifier does: ``a/(p/q)`` → ``(a*q)/p`` and
   ``(p/q)/b`` → ``p/(q*b)``; and a division by a value that does not depend on x becomes a
   multiplication by its reciprocal (LLVM reciprocal math hoists ``1/b`` out of the loop).
2. A product that does not depend on x is evaluated once, before the loop, and never
   fused. Equal subexpressions are computed once (XLA's CSE), after constants are rounded to the
   evaluation dtype; a product with two uses is never fused.
   (XLA folds and simplifies constants even behind an optimization barrier.)
3. Negations are made explicit first, as LLVM's InstCombine does: ``-v`` is a negation, and an
   addition of terms of opposite signs is a subtraction. Whether ``v * c`` with ``c < 0`` is one
   too (``-(v * |c|)``) depends on whether LLVM sees c: constants behind the barrier reach it as
   a buffer, so their signs are unknown and ``-2*x + x/3`` fuses the left product, as written
   (found by hypothesis); constants written as literals (kernel cores: a context's
   ``literal_constants``) are seen, and there the positive product ``x/3`` is fused.
4. A subtraction tries its left (positive) operand first: ``a*b - q`` → ``fma(a, b, -q)``,
   else ``p - a*b`` → ``fma(-a, b, p)``.
5. An addition of terms of the same sign is commutative: LLVM's reassociation pass orders the
   operands by *rank* (constants 0, the input 1, an op 1 + the largest rank of its operands,
   negation not counted), lower rank first, ties kept in place; the DAG combiner then fuses
   the first operand that is a single-use product (``mul``, ``square``, or a negated one).
Negation is exact, so each fused form is the single rounding of the real result.

What XLA would otherwise rewrite, the JAX exporter hides behind ``lax.optimization_barrier``:
the constants (else XLA folds and reassociates them: ``a / c`` → ``a * (1/c)``,
``(a + c1) + c2`` → ``a + (c1 + c2)``), and every square root (else ``a / sqrt(b)``, also
one that XLA's own division rewrites create, becomes an approximate reciprocal square root,
which is not IEEE and differs between CPUs). Canonical programs also contain no ``a / a``,
which XLA replaces by 1. Under that export the rules above are exact for canonical programs.
"""

from __future__ import annotations

import numpy as np

from autonumerics.ir.program import (
    Instruction,
    Program,
    live_instructions,
    prune,
    ref_kind,
    value_ref,
)
from autonumerics.numerics.context import ArithmeticContext, arithmetic_context

_Node = tuple[str, tuple[str, ...]]


def _expand_and_share(program: Program, dtype: np.dtype, merge_equal_constants: bool) -> Program:
    """Expand fma into mul + add and merge equal subexpressions (after rounding constants).

    New constants (the 1 of a hoisted reciprocal) are appended: the program's own constant
    slots keep their positions, so a batch of constant vectors still lines up.
    """
    rounded = np.asarray(program.constants, np.float64).astype(dtype)
    constant_of_value: dict[float, str] = {}
    mapping: dict[str, str] = {}
    if merge_equal_constants:
        for index, value in enumerate(rounded.astype(np.float64)):
            mapping[f"c{index}"] = constant_of_value.setdefault(float(value), f"c{index}")
    instructions: list[Instruction] = []
    new_depends: list[bool] = []
    seen: dict[_Node, str] = {}
    constants = [float(v) for v in rounded.astype(np.float64)]

    def push(op: str, args: tuple[str, ...]) -> str:
        if op == "square":  # emitted as v * v: XLA sees a multiply, and shares it as one
            op, args = "mul", (args[0], args[0])
        key = (op, tuple(sorted(args)) if op in ("add", "mul") else args)
        if key not in seen:
            instructions.append(Instruction(op, args))
            new_depends.append(any(not invariant(a) for a in args))
            seen[key] = value_ref(len(instructions) - 1)
        return seen[key]

    def instruction_of(ref: str) -> Instruction | None:
        kind, position = ref_kind(ref)
        return instructions[position] if kind == "v" else None

    def invariant(ref: str) -> bool:
        kind, position = ref_kind(ref)
        return kind == "c" or (kind == "v" and not new_depends[position])

    def divide(a: str, b: str) -> str:
        numerator, denominator = instruction_of(a), instruction_of(b)
        if denominator is not None and denominator.op == "div":  # a/(p/q) -> (a*q)/p
            return divide(push("mul", (a, denominator.args[1])), denominator.args[0])
        if numerator is not None and numerator.op == "div":  # (p/q)/b -> p/(q*b)
            return divide(numerator.args[0], push("mul", (numerator.args[1], b)))
        if invariant(b) and not invariant(a):  # reciprocal math: 1/b hoisted out of the loop
            constants.append(1.0)
            return push("mul", (a, push("div", (f"c{len(constants) - 1}", b))))
        return push("div", (a, b))

    for index, instruction in enumerate(program.instructions):
        args = tuple(mapping.get(a, a) for a in instruction.args)
        if instruction.op == "div":
            mapping[value_ref(index)] = divide(*args)
        elif instruction.op == "fma":
            product = push("mul", args[:2])
            mapping[value_ref(index)] = push("add", (product, args[2]))
        else:
            mapping[value_ref(index)] = push(instruction.op, args)
    output = mapping.get(program.output, program.output)
    return Program(tuple(instructions), tuple(constants), output)


def _ranks_and_uses(program: Program) -> tuple[list[int], dict[str, int]]:
    ranks: list[int] = []
    uses: dict[str, int] = {program.output: 1}

    def rank(ref: str) -> int:
        kind, index = ref_kind(ref)
        return {"x": 1, "c": 0}.get(kind, ranks[index] if kind == "v" else 0)

    for instruction in program.instructions:
        highest = max(rank(a) for a in instruction.args)
        ranks.append(highest if instruction.op == "neg" else highest + 1)
        for ref in instruction.args:
            uses[ref] = uses.get(ref, 0) + 1
    return ranks, uses


def _sign(program: Program, ref: str, literal_constants: bool) -> int:
    """-1 where LLVM sees a negation: ``-v``, and with ``literal_constants`` also ``v * c`` with
    ``c < 0`` (read as ``-(v*|c|)``)."""
    kind, index = ref_kind(ref)
    if kind != "v":
        return 1
    instruction = program.instructions[index]
    if instruction.op == "neg":
        return -1
    if literal_constants and instruction.op == "mul":
        kinds = [ref_kind(a) for a in instruction.args]
        negative = [kind == "c" and program.constants[i] < 0 for kind, i in kinds]
        return -1 if sum(negative) == 1 and not all(kind == "c" for kind, _ in kinds) else 1
    return 1


def _product(program: Program, ref: str, uses: dict[str, int]) -> tuple[str, str, bool] | None:
    """(a, b, negated) if ``ref`` is a single-use product a*b or a single-use -(a*b).

    A product that does not depend on x is never fused: XLA evaluates it once, separately
    rounded, before the loop.
    """
    kind, index = ref_kind(ref)
    if kind != "v" or uses.get(ref, 0) != 1 or not program.depends_on_input()[index]:
        return None
    instruction = program.instructions[index]
    if instruction.op == "mul":
        return instruction.args[0], instruction.args[1], False
    if instruction.op == "square":
        return instruction.args[0], instruction.args[0], False
    if instruction.op == "neg":
        inner = _product(program, instruction.args[0], uses)
        return (inner[0], inner[1], not inner[2]) if inner else None
    return None


def _fusion_order(program: Program, instruction: Instruction, rank,
                  literal_constants: bool) -> tuple[int, ...]:
    """Which operand LLVM tries to fuse first (0 = left, 1 = right).

    With the negations made explicit, ``p + q`` with equal signs is a commutative fadd, ordered
    by rank (lower first, ties kept); with different signs it is an fsub, whose left operand
    (the positive one) is tried first.
    """
    left, right = instruction.args
    left_sign = _sign(program, left, literal_constants)
    right_sign = _sign(program, right, literal_constants) * (1 if instruction.op == "add" else -1)
    if left_sign == right_sign:
        return (1, 0) if rank(right) < rank(left) else (0, 1)
    return (0, 1) if left_sign > 0 else (1, 0)


def contract_multiply_add(program: Program, arithmetic: ArithmeticContext | str = "float32",
                          merge_equal_constants: bool = True) -> Program:
    """The program as XLA on CPU evaluates it: contractible multiply-adds fused into fma.

    Args:
        program: the program (canonical, for the model to be exact).
        arithmetic: the evaluation's context, or its format's name (constants are rounded to
            the format before XLA compares them). With the context's ``literal_constants`` the
            JAX code writes the constants as literals, which LLVM sees (a product by a negative
            one is then a negation, rule 3); otherwise they sit behind
            ``lax.optimization_barrier`` in an array, as the exporter writes them.
        merge_equal_constants: XLA shares equal constants (and so the products that use them).
            Pass False when the constants will be replaced by other values (a fitting batch):
            then every constant slot stays where it is, and the result has the same first
            ``n_constants`` slots (plus any appended), whatever the values.
    """
    if not isinstance(arithmetic, ArithmeticContext):
        arithmetic = arithmetic_context(arithmetic, "xla")
    literal_constants = arithmetic.literal_constants
    program = _expand_and_share(program, arithmetic.format.dtype, merge_equal_constants)
    ranks, uses = _ranks_and_uses(program)
    out: list[Instruction] = []
    mapping: dict[str, str] = {}

    def new(ref: str) -> str:
        return mapping.get(ref, ref)

    def push(op: str, args: tuple[str, ...]) -> str:
        out.append(Instruction(op, args))
        return value_ref(len(out) - 1)

    def rank(ref: str) -> int:
        kind, index = ref_kind(ref)
        return {"x": 1, "c": 0}.get(kind, ranks[index] if kind == "v" else 0)

    for index, instruction in enumerate(program.instructions):
        op, args = instruction.op, instruction.args
        fused = None
        if op in ("add", "sub"):
            for position in _fusion_order(program, instruction, rank, literal_constants):
                factors = _product(program, args[position], uses)
                if factors:
                    fused = position, factors
                    break
        if fused is None:
            mapping[value_ref(index)] = push(op, tuple(new(a) for a in args))
            continue
        # value = sign_p * (a*b) + sign_q * q, every sign change exact.
        position, (a, b, negated) = fused
        product_negated = negated != (op == "sub" and position == 1)
        addend_negated = op == "sub" and position == 0
        a, b, addend = new(a), new(b), new(args[1 - position])
        if product_negated:
            a = push("neg", (a,))
        if addend_negated:
            addend = push("neg", (addend,))
        mapping[value_ref(index)] = push("fma", (a, b, addend))
    return _prune_instructions(Program(tuple(out), program.constants, new(program.output)))


def _prune_instructions(program: Program) -> Program:
    """Drop dead instructions but keep every constant slot (a batch indexes them by position)."""
    pruned = prune(program)
    if pruned.constants == program.constants:
        return pruned
    live = live_instructions(program)
    mapping: dict[str, str] = {}
    instructions: list[Instruction] = []
    for index, instruction in enumerate(program.instructions):
        if live[index]:
            mapping[value_ref(index)] = value_ref(len(instructions))
            instructions.append(Instruction(instruction.op,
                                            tuple(mapping.get(a, a) for a in instruction.args)))
    return Program(tuple(instructions), program.constants,
                   mapping.get(program.output, program.output))
