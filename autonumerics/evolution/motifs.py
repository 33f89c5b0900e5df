"""Structure-aware mutations: a motif of two ops that one-op mutations reach only through a
worse intermediate program.

Regularized evolution grows programs one op at a time, and every intermediate program must
survive selection. Some steps that approximation theory knows to pay off take two ops, and the
one-op halfway point is usually much worse than the parent (``e * x`` before ``+ c``), so they
are rarely taken. These mutations take such a step at once, on a random edge ``e`` of the
parent (an operand slot of a live op, or the output):

* ``horner``: ``e -> e*x + c``: one more Horner step, one more degree of a polynomial piece;
* ``fraction``: ``e -> c1 / (e + c2)``: one more level of a continued fraction (a pole the
  fit can place), the building block of the paper's rational programs;
* ``rescale``: ``f(x) -> square(f(x*c))`` with ``c`` starting at 1/2 (not fresh: the fit
  warm-starts from the parent): argument halving with a squaring, which for 2^x is exact
  (2^x = (2^(x/2))^2) and for other targets a new shape near the parent.

Each returns the mutated program (not yet canonical) and the number of its constants that come
from the parent (the others are new and fresh, see ``mutate.canonical_child``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autonumerics.ir.program import (
    INPUT,
    Instruction,
    Program,
    const_ref,
    live_instructions,
    ref_kind,
    value_ref,
)

MOTIFS = ("horner", "fraction", "rescale")
# the ops each motif writes (rescale squares with ``square`` if allowed, else ``mul``)
NEEDS = {"horner": ("mul", "add"), "fraction": ("add", "div"), "rescale": ("mul",)}
MOTIF_OPS = 2  # ops each motif adds


def applies(kind: str, program: Program, ops: Sequence[str], max_ops: int) -> bool:
    """Whether motif ``kind`` fits the op set and the op budget."""
    return all(op in ops for op in NEEDS[kind]) and program.n_ops + MOTIF_OPS <= max_ops


def splice(program: Program, owner: int | None, slot: int, op: str, edge_slot: int,
           others: Sequence[str]) -> Program:
    """Put ``op`` on an edge: the slot ``slot`` of instruction ``owner`` (None: the output) then
    reads ``op(...)``, whose operand ``edge_slot`` is the edge's old value and whose other
    operands are ``others`` (values defined before ``owner``), inserted just before ``owner``."""
    position = len(program.instructions) if owner is None else owner
    edge = program.output if owner is None else program.instructions[owner].args[slot]
    rest = iter(others)
    args = tuple(edge if k == edge_slot else next(rest) for k in range(len(others) + 1))

    def shift(ref: str) -> str:  # results from ``position`` on move one place down
        kind, index = ref_kind(ref)
        return value_ref(index + 1) if kind == "v" and index >= position else ref

    instructions = list(program.instructions[:position]) + [Instruction(op, args)]
    for index in range(position, len(program.instructions)):
        moved = [shift(a) for a in program.instructions[index].args]
        if index == owner:
            moved[slot] = value_ref(position)
        instructions.append(Instruction(program.instructions[index].op, tuple(moved)))
    output = value_ref(position) if owner is None else shift(program.output)
    return Program(tuple(instructions), program.constants, output)


def live_indices(program: Program) -> list[int]:
    """The indices of the instructions the output depends on."""
    return [index for index, live in enumerate(live_instructions(program)) if live]


def random_edge(program: Program, rng: np.random.Generator) -> tuple[int | None, int]:
    """A live operand slot ``(instruction, slot)`` or the output ``(None, 0)``, uniformly."""
    slots = [(i, s) for i in live_indices(program)
             for s in range(len(program.instructions[i].args))]
    slots.append((None, 0))
    return slots[int(rng.integers(len(slots)))]


def _with_constant(program: Program, value: float) -> tuple[Program, str]:
    constants = program.constants + (float(value),)
    return Program(program.instructions, constants, program.output), const_ref(len(constants) - 1)


def horner(program: Program, rng: np.random.Generator,
           new_constants: np.ndarray) -> tuple[Program, int]:
    """``e -> e*x + c`` on a random edge."""
    owner, slot = random_edge(program, rng)
    inherited = program.n_constants
    step = splice(program, owner, slot, "mul", 0, [INPUT])
    step, c = _with_constant(step, new_constants[0])
    step = splice(step, None if owner is None else owner + 1, slot, "add", 0, [c])
    return step, inherited


def fraction(program: Program, rng: np.random.Generator,
             new_constants: np.ndarray) -> tuple[Program, int]:
    """``e -> c1 / (e + c2)`` on a random edge."""
    owner, slot = random_edge(program, rng)
    inherited = program.n_constants
    step, c2 = _with_constant(program, new_constants[1])
    step = splice(step, owner, slot, "add", 0, [c2])
    step, c1 = _with_constant(step, new_constants[0])
    step = splice(step, None if owner is None else owner + 1, slot, "div", 1, [c1])
    return step, inherited


def rescale(program: Program, ops: Sequence[str]) -> tuple[Program, int]:
    """``f(x) -> square(f(x*c))``, c = 1/2 counted as inherited (the fit warm-starts it)."""
    scaled, half = _with_constant(program, 0.5)

    def moved(ref: str) -> str:  # x reads the scaled input v0; results move one place down
        if ref == INPUT:
            return value_ref(0)
        kind, index = ref_kind(ref)
        return value_ref(index + 1) if kind == "v" else ref

    instructions = [Instruction("mul", (INPUT, half))]
    instructions += [Instruction(i.op, tuple(moved(a) for a in i.args))
                     for i in scaled.instructions]
    output = moved(scaled.output)
    last = value_ref(len(instructions))
    square = (Instruction("square", (output,)) if "square" in ops
              else Instruction("mul", (output, output)))
    instructions.append(square)
    return Program(tuple(instructions), scaled.constants, last), scaled.n_constants
