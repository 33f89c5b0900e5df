"""Canonical form of programs: simplified, equal subexpressions shared, operands ordered.

Two spellings of the same computation (``1 + 2*x`` and ``x*2 + 1``) have the same canonical
form, and their structural hashes (which ignore constant values) are equal. The search uses the
hash to reject mutations that did not change the structure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from autonumerics.ir.ops import OPS
from autonumerics.ir.simplify import simplified
from autonumerics.ir.ssa import (
    INPUT,
    Code,
    CodeT,
    Instruction,
    const_ref,
    rebuilt,
    ref_kind,
    value_ref,
)

CACHE_SIZE = 4096  # canonical forms remembered (least recently used go first)


def _ordered_args(instruction: Instruction, keys: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    """Operands with the commutative prefix sorted by (structure key, full key)."""
    n_free = OPS[instruction.op].commutative
    head = sorted(instruction.args[:n_free], key=lambda a: keys[a])
    return tuple(head) + instruction.args[n_free:]


def _node_keys(program: Code) -> dict[str, tuple[str, str]]:
    """(structure key, full key) of every reference; the structure key ignores constant values."""
    keys: dict[str, tuple[str, str]] = {INPUT: ("x", "x")}
    for index, value in enumerate(program.constants):
        # distinct constants stay distinct parameters even when their values are equal
        keys[const_ref(index)] = ("c", f"c{value.hex()}#{index}")
    for index, instruction in enumerate(program.instructions):
        args = _ordered_args(instruction, keys)
        n_free = OPS[instruction.op].commutative
        struct_parts = sorted(keys[a][0] for a in args[:n_free])
        struct_parts += [keys[a][0] for a in args[n_free:]]
        full_parts = [keys[a][1] for a in args]
        keys[value_ref(index)] = (
            short_hash(f"{instruction.op}({','.join(struct_parts)})"),
            short_hash(f"{instruction.op}({','.join(full_parts)})"),
        )
    return keys


def canonicalize(program: CodeT) -> CodeT:
    """The canonical form: folded, pruned, common subexpressions shared, operands ordered.

    Instructions are emitted in post-order from the output, visiting operands in canonical
    order, and constants are numbered by first use, so the result does not depend on how the
    program was spelled. Canonicalising twice gives the same program.

    Programs are immutable, so recent results are remembered (LRU), each also as its own
    canonical form: the search canonicalises a parent, hashes it, and canonicalises and
    hashes each child again, and those repeats become lookups.
    """
    canonical = _canonical_of(_Exact(_exact_key(program), program))
    if canonical is not program:
        _canonical_of(_Exact(_exact_key(canonical), canonical, canonical))
    return canonical


@dataclass(frozen=True)
class _Exact:
    """A program as a cache key: equal when the exact keys are; ``known`` is its canonical form
    when that is known already (the cache then only records it)."""

    key: tuple
    program: Code = field(compare=False)
    known: Code | None = field(default=None, compare=False)


@lru_cache(maxsize=CACHE_SIZE)
def _canonical_of(exact: _Exact) -> Code:
    return exact.known if exact.known is not None else _canonicalize(exact.program)


def _exact_key(program: Code) -> tuple:
    """Program equality compares floats, so 0.0 == -0.0 and NaN != NaN: key by the exact bits."""
    return program.instructions, program.output, tuple(float(c).hex() for c in program.constants)


def _canonicalize(program: CodeT) -> CodeT:
    """Simplify, then share equal subexpressions in canonical order, until nothing changes: sharing
    can expose a new identity (``(x*c)/(x*c)`` becomes ``t/t``), so one round is not idempotent."""
    current = program
    for _ in range(8):
        folded = simplified(current)
        instructions, constants, output = _emit_post_order(folded, _node_keys(folded))
        shared = rebuilt(current, instructions, constants, output)
        if _exact_key(shared) == _exact_key(current):  # bit-exact constants: NaN equals itself here
            break
        current = shared
    return shared


def _emit_post_order(
    program: Code, keys: dict[str, tuple[str, str]]
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


def structural_hash(program: Code) -> str:
    """Hash of the canonical program with constant values left out.

    Sharing and constant identity count: ``(x*c0)*(x*c1)`` and ``(x*c0)*(x*c0)`` differ.
    """
    canonical = canonicalize(program)
    text = ";".join(f"{i.op}({','.join(i.args)})" for i in canonical.instructions)
    return short_hash(f"{text}->{canonical.output}/{len(canonical.constants)}")


def is_canonical(program: Code) -> bool:
    return canonicalize(program) == program


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
