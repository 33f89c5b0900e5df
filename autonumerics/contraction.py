"""Model of floating-point contraction as jitted JAX (XLA → LLVM) performs it on x86-64 CPU.

XLA compiles ``a*b + c`` into one FMA instruction (rounded once) whenever the product has no
other use; numpy never does (REFERENCE.md §3). This module rewrites a program into the one
that the exported JAX kernel really computes, so that the interpreter agrees with it bit for
bit. The rules, each checked against jax 0.10.2 in ``tests/test_contraction.py``:

1. The export writes ``fma(a, b, c)`` as ``a*b + c``, so an explicit fma is only a request:
   it is expanded and goes through the rules like any other multiply-add.
2. Equal subexpressions are computed once (XLA's CSE), after constants are rounded to the
   evaluation dtype; a product with two uses is never fused.
3. ``add(p, q)``: LLVM's reassociation pass first orders the operands of a commutative op by
   *rank* (constants 0, the input 1, an op 1 + the largest rank of its operands, negation not
   counted), lower rank first, ties kept in place; then the DAG combiner fuses the first
   operand that is a single-use product (``mul``, ``square``, or the negation of one).
4. ``sub(p, q)`` is not commutative: the left operand is fused if it is a single-use product
   (``a*b - q`` → ``fma(a, b, -q)``), else the right (``p - a*b`` → ``fma(-a, b, p)``).
   Negation is exact, so each fused form is the single rounding of the real result.

XLA also rewrites ``a / c`` and chains of constant additions or multiplications; canonical
programs (``canonical.py``) contain none, and the rules above are exact for them.
"""

from __future__ import annotations

import numpy as np

from autonumerics.dtypes import float_format
from autonumerics.program import Instruction, Program, prune, ref_kind, value_ref

_Node = tuple[str, tuple[str, ...]]


def _expand_and_share(program: Program, dtype: str) -> Program:
    """Expand fma into mul + add and merge equal subexpressions (after rounding constants)."""
    rounded = np.asarray(program.constants, np.float64).astype(float_format(dtype).dtype)
    constant_of_value: dict[float, str] = {}
    mapping: dict[str, str] = {}
    for index, value in enumerate(rounded.astype(np.float64)):
        mapping[f"c{index}"] = constant_of_value.setdefault(float(value), f"c{index}")
    instructions: list[Instruction] = []
    seen: dict[_Node, str] = {}

    def push(op: str, args: tuple[str, ...]) -> str:
        key = (op, tuple(sorted(args)) if op in ("add", "mul") else args)
        if key not in seen:
            instructions.append(Instruction(op, args))
            seen[key] = value_ref(len(instructions) - 1)
        return seen[key]

    for index, instruction in enumerate(program.instructions):
        args = tuple(mapping.get(a, a) for a in instruction.args)
        if instruction.op == "fma":
            product = push("mul", args[:2])
            mapping[value_ref(index)] = push("add", (product, args[2]))
        else:
            mapping[value_ref(index)] = push(instruction.op, args)
    constants = tuple(float(v) for v in rounded.astype(np.float64))
    return prune(Program(tuple(instructions), constants, mapping.get(program.output, program.output)))


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


def _product(program: Program, ref: str, uses: dict[str, int]) -> tuple[str, str, bool] | None:
    """(a, b, negated) if ``ref`` is a single-use product a*b or a single-use -(a*b)."""
    kind, index = ref_kind(ref)
    if kind != "v" or uses.get(ref, 0) != 1:
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


def contract_multiply_add(program: Program, dtype: str = "float32") -> Program:
    """The program as XLA on CPU evaluates it: contractible multiply-adds fused into fma."""
    program = _expand_and_share(program, dtype)
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
        choice = None
        if op == "add":
            ordered = sorted(args, key=rank)  # stable: ties keep their order
            for position, ref in enumerate(ordered):
                factors = _product(program, ref, uses)
                if factors:
                    choice = (factors, ordered[1 - position], False)
                    break
        elif op == "sub":
            left, right = _product(program, args[0], uses), _product(program, args[1], uses)
            if left:
                choice = (left, args[1], True)  # a*b - q: negate the addend
            elif right:
                a, b, negated = right
                choice = ((a, b, not negated), args[0], False)  # p - a*b = (-a)*b + p
        if choice is None:
            mapping[value_ref(index)] = push(op, tuple(new(a) for a in args))
            continue
        (a, b, negated), addend, negate_addend = choice
        a, addend = new(a), new(addend)
        if negated:
            a = push("neg", (a,))
        if negate_addend:
            addend = push("neg", (addend,))
        mapping[value_ref(index)] = push("fma", (a, new(b), addend))
    return prune(Program(tuple(out), program.constants, new(program.output)))
