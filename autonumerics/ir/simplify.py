"""Simplification: fold constants and drop what a compiler would rewrite, to a fixpoint.

Each pass returns an equivalent program (over the reals; constants are free parameters) with
no more ops. XLA performs the same rewrites when it compiles an export, changing which
products it fuses and how it rounds, so a program must not keep any of them for the
interpreter and the exported kernel to compute the same bits.
"""

from __future__ import annotations

import numpy as np

from autonumerics.ir.ops import OPS
from autonumerics.ir.ssa import (
    CodeT,
    Instruction,
    const_ref,
    depends_on_input,
    prune,
    rebuilt,
    ref_kind,
    value_ref,
)


def fold_constants(program: CodeT) -> CodeT:
    """Replace every instruction that does not depend on ``x`` by one constant.

    The folded value is computed in float64, once: a constant-only subexpression is a single
    free parameter of the program, and the fitter owns its value afterwards.
    """
    depends = depends_on_input(program)
    constants = list(program.constants)
    mapping: dict[str, str] = {}
    instructions: list[Instruction] = []
    with np.errstate(all="ignore"):
        for index, instruction in enumerate(program.instructions):
            args = tuple(mapping.get(a, a) for a in instruction.args)
            if depends[index]:
                mapping[value_ref(index)] = value_ref(len(instructions))
                instructions.append(Instruction(instruction.op, args))
                continue
            operands = [np.float64(constants[ref_kind(a)[1]]) for a in args]
            constants.append(float(OPS[instruction.op].numpy(*operands)))
            mapping[value_ref(index)] = const_ref(len(constants) - 1)
    output = mapping.get(program.output, program.output)
    return prune(rebuilt(program, instructions, constants, output))


def _split_constant(args: tuple[str, ...], constants: list[float]) -> tuple[str, float] | None:
    """For a commutative pair with exactly one constant operand: (the other operand, its value)."""
    kinds = [ref_kind(a) for a in args]
    if kinds[0][0] == "c" and kinds[1][0] != "c":
        return args[1], constants[kinds[0][1]]
    if kinds[1][0] == "c" and kinds[0][0] != "c":
        return args[0], constants[kinds[1][1]]
    return None


def simplify_constant_chains(program: CodeT) -> CodeT:
    """Merge constants into their neighbours where the real-number meaning allows it.

    ``a / c`` becomes ``a * (1/c)``, ``a - c`` becomes ``a + (-c)``, ``(a + c1) + c2`` becomes
    ``a + (c1 + c2)``, ``(a * c1) * c2`` becomes ``a * (c1 * c2)`` and ``fma(c1, c2, a)``
    becomes ``a + c1*c2``. Constants are free
    parameters, so nothing is lost, an op may be saved, and XLA (which performs these same
    rewrites at compile time, changing the rounding) finds nothing left to rewrite, so the
    interpreter and an exported JAX kernel compute the same bits.
    """
    constants = list(program.constants)
    instructions: list[Instruction] = []

    def new_constant(value: float) -> str:
        constants.append(float(value))
        return const_ref(len(constants) - 1)

    with np.errstate(all="ignore"):
        for instruction in program.instructions:
            op, args = instruction.op, instruction.args
            divisor = ref_kind(args[-1])
            if op in ("div", "sub") and divisor[0] == "c" and ref_kind(args[0])[0] != "c":
                value = constants[divisor[1]]
                op = "mul" if op == "div" else "add"
                args = (args[0], new_constant(1.0 / np.float64(value) if op == "mul" else -value))
            if op == "fma" and all(ref_kind(a)[0] == "c" for a in args[:2]):
                first, second = (constants[ref_kind(a)[1]] for a in args[:2])
                op, args = "add", (args[2], new_constant(np.float64(first) * second))
            outer = _split_constant(args, constants) if op in ("add", "mul") else None
            if outer and ref_kind(outer[0])[0] == "v":
                inner = instructions[ref_kind(outer[0])[1]]
                inner_split = _split_constant(inner.args, constants) if inner.op == op else None
                if inner_split:
                    merged = inner_split[1] + outer[1] if op == "add" else inner_split[1] * outer[1]
                    args = (inner_split[0], new_constant(merged))
                else:
                    op, args = _fold_into_leading_constant(op, args, outer, inner, constants,
                                                           new_constant)
            elif op in ("sub", "div") and [ref_kind(a)[0] for a in args] == ["c", "v"]:
                op, args = _fold_into_leading_constant_inverse(op, args, instructions, constants,
                                                               new_constant)
            instructions.append(Instruction(op, args))
    return prune(rebuilt(program, instructions, constants, program.output))


def _leading_constant(instruction: Instruction, constants: list[float]) -> float | None:
    kind, index = ref_kind(instruction.args[0])
    if kind == "c" and ref_kind(instruction.args[1])[0] != "c":
        return constants[index]
    return None


def _fold_into_leading_constant(op, args, outer, inner, constants, new_constant):
    """``(c1 - a) + c2`` → ``(c1 + c2) - a`` and ``(c1 / a) * c2`` → ``(c1 * c2) / a``."""
    lead = _leading_constant(inner, constants)
    if lead is not None and (op, inner.op) in (("add", "sub"), ("mul", "div")):
        merged = lead + outer[1] if op == "add" else lead * outer[1]
        return inner.op, (new_constant(merged), inner.args[1])
    return op, args


def _fold_into_leading_constant_inverse(op, args, instructions, constants, new_constant):
    """``c1 - (a + c2)`` → ``(c1 - c2) - a``, ``c1 - (c2 - a)`` → ``a + (c1 - c2)`` and
    ``c1 / (a * c2)`` → ``(c1 / c2) / a``."""
    c1 = constants[ref_kind(args[0])[1]]
    inner = instructions[ref_kind(args[1])[1]]
    split = _split_constant(inner.args, constants) if inner.op in ("add", "mul") else None
    if op == "sub" and inner.op == "add" and split:
        return "sub", (new_constant(c1 - split[1]), split[0])
    if op == "div" and inner.op == "mul" and split:
        return "div", (new_constant(np.float64(c1) / split[1]), split[0])
    lead = _leading_constant(inner, constants)
    if op == "sub" and inner.op == "sub" and lead is not None:
        return "add", (inner.args[1], new_constant(c1 - lead))
    return op, args


def drop_identities(program: CodeT) -> CodeT:
    """Remove exact no-ops: ``a*1``, ``a/1``, ``a+0``, ``a-0``; ``a*(-1)`` becomes ``-a``,
    ``fma(a, ±1, b)`` becomes ``b ± a`` and ``a/a`` becomes 1.

    XLA removes them too, which changes which products it fuses, so they must not survive in
    a program whose float32 meaning is "what the exported kernel computes".
    """
    mapping: dict[str, str] = {}
    instructions: list[Instruction] = []
    constants = list(program.constants)
    for index, instruction in enumerate(program.instructions):
        args = tuple(mapping.get(a, a) for a in instruction.args)
        op = instruction.op
        split = _split_constant(args, constants) if op in ("add", "mul") else None
        if op in ("sub", "div") and ref_kind(args[1])[0] == "c" and ref_kind(args[0])[0] != "c":
            split = (args[0], constants[ref_kind(args[1])[1]])
        if op == "div" and args[0] == args[1]:  # a/a is 1 as XLA computes it (even at 0 or inf)
            mapping[value_ref(index)] = const_ref(len(constants))
            constants.append(1.0)
            continue
        neutral = {"add": 0.0, "sub": 0.0, "mul": 1.0, "div": 1.0}.get(op)
        if split is not None and split[1] == neutral:
            mapping[value_ref(index)] = split[0]
            continue
        if split is not None and op == "mul" and split[1] == -1.0:
            op, args = "neg", (split[0],)
        if op == "fma":
            unit = _split_constant(args[:2], constants)
            if unit is not None and unit[1] in (1.0, -1.0):
                if unit[1] == 1.0:
                    op, args = "add", (unit[0], args[2])
                else:
                    op, args = "sub", (args[2], unit[0])
        mapping[value_ref(index)] = value_ref(len(instructions))
        instructions.append(Instruction(op, args))
    output = mapping.get(program.output, program.output)
    return prune(rebuilt(program, instructions, constants, output))


def simplified(program: CodeT) -> CodeT:
    """Folding, constant chains and identities repeated to a fixpoint (each pass can expose work
    for the others; a fixpoint comes fast)."""
    for _ in range(8):
        simplified = drop_identities(simplify_constant_chains(fold_constants(program)))
        if simplified == program:
            break
        program = simplified
    return program
