"""Canonical form of programs: fold constants, share equal subexpressions, order commutative operands.

Two spellings of the same computation (``1 + 2*x`` and ``x*2 + 1``) have the same canonical
form, and their structural hashes (which ignore constant values) are equal. The search uses the
hash to reject mutations that did not change the structure.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from autonumerics.ir.ops import OPS
from autonumerics.ir.program import (
    INPUT,
    Instruction,
    Program,
    const_ref,
    prune,
    ref_kind,
    short_hash,
    value_ref,
)


def fold_constants(program: Program) -> Program:
    """Replace every instruction that does not depend on ``x`` by one constant.

    The folded value is computed in float64, once: a constant-only subexpression is a single
    free parameter of the program, and the fitter owns its value afterwards.
    """
    depends = program.depends_on_input()
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
    return prune(Program(tuple(instructions), tuple(constants), output))


def _split_constant(args: tuple[str, ...], constants: list[float]) -> tuple[str, float] | None:
    """For a commutative pair with exactly one constant operand: (the other operand, the constant)."""
    kinds = [ref_kind(a) for a in args]
    if kinds[0][0] == "c" and kinds[1][0] != "c":
        return args[1], constants[kinds[0][1]]
    if kinds[1][0] == "c" and kinds[0][0] != "c":
        return args[0], constants[kinds[1][1]]
    return None


def simplify_constant_chains(program: Program) -> Program:
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
                product = np.float64(constants[ref_kind(args[0])[1]]) * constants[ref_kind(args[1])[1]]
                op, args = "add", (args[2], new_constant(product))
            outer = _split_constant(args, constants) if op in ("add", "mul") else None
            if outer and ref_kind(outer[0])[0] == "v":
                inner = instructions[ref_kind(outer[0])[1]]
                inner_split = _split_constant(inner.args, constants) if inner.op == op else None
                if inner_split:
                    merged = inner_split[1] + outer[1] if op == "add" else inner_split[1] * outer[1]
                    args = (inner_split[0], new_constant(merged))
                else:
                    op, args = _fold_into_leading_constant(op, args, outer, inner, constants, new_constant)
            elif op in ("sub", "div") and ref_kind(args[0])[0] == "c" and ref_kind(args[1])[0] == "v":
                op, args = _fold_into_leading_constant_inverse(op, args, instructions, constants, new_constant)
            instructions.append(Instruction(op, args))
    return prune(Program(tuple(instructions), tuple(constants), program.output))


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


def drop_identities(program: Program) -> Program:
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
                op, args = ("add", (unit[0], args[2])) if unit[1] == 1.0 else ("sub", (args[2], unit[0]))
        mapping[value_ref(index)] = value_ref(len(instructions))
        instructions.append(Instruction(op, args))
    output = mapping.get(program.output, program.output)
    return prune(Program(tuple(instructions), tuple(constants), output))


def _ordered_args(instruction: Instruction, keys: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    """Operands with the commutative prefix sorted by (structure key, full key)."""
    n_free = OPS[instruction.op].commutative
    head = sorted(instruction.args[:n_free], key=lambda a: keys[a])
    return tuple(head) + instruction.args[n_free:]


def _node_keys(program: Program) -> dict[str, tuple[str, str]]:
    """(structure key, full key) of every reference; the structure key ignores constant values."""
    keys: dict[str, tuple[str, str]] = {INPUT: ("x", "x")}
    for index, value in enumerate(program.constants):
        # distinct constants stay distinct parameters even when their values are equal
        keys[const_ref(index)] = ("c", f"c{value.hex()}#{index}")
    for index, instruction in enumerate(program.instructions):
        args = _ordered_args(instruction, keys)
        n_free = OPS[instruction.op].commutative
        struct_parts = sorted(keys[a][0] for a in args[:n_free]) + [keys[a][0] for a in args[n_free:]]
        full_parts = [keys[a][1] for a in args]
        keys[value_ref(index)] = (
            short_hash(f"{instruction.op}({','.join(struct_parts)})"),
            short_hash(f"{instruction.op}({','.join(full_parts)})"),
        )
    return keys


_CANONICAL_CACHE: OrderedDict[tuple, Program] = OrderedDict()
_CANONICAL_CACHE_SIZE = 4096
_CANONICAL_LOCK = threading.Lock()


def canonicalize(program: Program) -> Program:
    """The canonical form: folded, pruned, common subexpressions shared, operands ordered.

    Instructions are emitted in post-order from the output, visiting operands in canonical
    order, and constants are numbered by first use, so the result does not depend on how the
    program was spelled. Canonicalising twice gives the same program.

    Programs are immutable, so recent results are remembered (LRU), each also as its own
    canonical form: the search canonicalises a parent, hashes it, and canonicalises and
    hashes each child again, and those repeats become lookups.
    """
    key = _exact_key(program)
    with _CANONICAL_LOCK:
        cached = _CANONICAL_CACHE.get(key)
        if cached is not None:
            _CANONICAL_CACHE.move_to_end(key)
            return cached
    canonical = _canonicalize(program)
    with _CANONICAL_LOCK:
        _CANONICAL_CACHE[key] = _CANONICAL_CACHE[_exact_key(canonical)] = canonical
        while len(_CANONICAL_CACHE) > _CANONICAL_CACHE_SIZE:
            _CANONICAL_CACHE.popitem(last=False)
    return canonical


def _exact_key(program: Program) -> tuple:
    """Program equality compares floats, so 0.0 == -0.0 and NaN != NaN: key by the exact bits."""
    return program.instructions, program.output, tuple(float(c).hex() for c in program.constants)


def _simplified(program: Program) -> Program:
    """Folding, constant chains and identities repeated to a fixpoint (each pass can expose work
    for the others; a fixpoint comes fast)."""
    for _ in range(8):
        simplified = drop_identities(simplify_constant_chains(fold_constants(program)))
        if simplified == program:
            break
        program = simplified
    return program


def _canonicalize(program: Program) -> Program:
    """Simplify, then share equal subexpressions in canonical order, until nothing changes: sharing
    can expose a new identity (``(x*c)/(x*c)`` becomes ``t/t``), so one round is not idempotent."""
    current = program
    for _ in range(8):
        folded = _simplified(current)
        instructions, constants, output = _emit_post_order(folded, _node_keys(folded))
        shared = Program(tuple(instructions), tuple(constants), output)
        if _exact_key(shared) == _exact_key(current):  # bit-exact constants: NaN equals itself here
            break
        current = shared
    return shared


def _emit_post_order(
    program: Program, keys: dict[str, tuple[str, str]]
) -> tuple[list[Instruction], list[float], str]:
    """Instructions in post-order from the output, operands in canonical order, each value once.

    A depth-first walk with an explicit stack (a chain of 10 000 ops would overflow Python's):
    a frame is [reference, its ordered operands (None before the first visit), new operands].
    """
    instructions: list[Instruction] = []
    constants: list[float] = []
    emitted: dict[str, str] = {}  # full key -> new reference
    stack: list[list] = [[program.output, None, []]]
    output = INPUT
    while stack:
        frame = stack[-1]
        ref, operands, done = frame
        full_key = keys[ref][1]
        new_ref = emitted.get(full_key)
        if new_ref is None and operands is None:
            kind, index = ref_kind(ref)
            if kind == INPUT:
                new_ref = INPUT
            elif kind == "c":
                constants.append(program.constants[index])
                new_ref = const_ref(len(constants) - 1)
            else:
                frame[1] = operands = _ordered_args(program.instructions[index], keys)
        if new_ref is None and len(done) < len(operands):
            stack.append([operands[len(done)], None, []])
            continue
        if new_ref is None:
            instructions.append(Instruction(program.instructions[ref_kind(ref)[1]].op, tuple(done)))
            new_ref = value_ref(len(instructions) - 1)
        emitted[full_key] = new_ref
        stack.pop()
        if stack:
            stack[-1][2].append(new_ref)
        else:
            output = new_ref
    return instructions, constants, output


def structural_hash(program: Program) -> str:
    """Hash of the canonical program with constant values left out.

    Sharing and constant identity count: ``(x*c0)*(x*c1)`` and ``(x*c0)*(x*c0)`` differ.
    """
    canonical = canonicalize(program)
    text = ";".join(f"{i.op}({','.join(i.args)})" for i in canonical.instructions)
    return short_hash(f"{text}->{canonical.output}/{len(canonical.constants)}")


def is_canonical(program: Program) -> bool:
    return canonicalize(program) == program
