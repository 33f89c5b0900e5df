"""Structural mutations of programs: insert, remove, rewire, change op, retrain.

The primitives take a program and a ``numpy.random.Generator`` and return a new program that is
not yet canonical: the parent's constants keep their indices and new constants are appended,
with log-uniform initial values that the fitter re-fits. ``mutate`` picks a primitive by weight,
canonicalises, enforces the size limits and the op set, retries until the structure changes,
and says which constants of the child are fresh (need a random start) and which survived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.evolution import motifs
from autonumerics.evolution.motifs import live_indices, random_edge, splice
from autonumerics.evolution.settings import KINDS, MutationSettings
from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.ir.ops import ARITHMETIC, OPS, get_op
from autonumerics.ir.program import (
    INPUT,
    Instruction,
    Program,
    const_ref,
    live_instructions,
    value_ref,
)

__all__ = ["KINDS", "PAPER_WEIGHTS", "Mutation", "MutationSettings", "canonical_child", "change_op",
           "insert", "mutate", "random_constants", "remove", "retrain", "rewire", "within_limits"]

# The paper's weights (insert 1 : remove 2 : rewire 3 : retrain 3) plus a rare op change; the
# config files' defaults (``MutationSettings``) grow and rewire more often.
PAPER_WEIGHTS = {"insert": 1.0, "remove": 2.0, "rewire": 3.0, "retrain": 3.0, "change_op": 0.5}
FRESH_DECADES = (-2.0, 2.0)  # a new constant is +-10**U(-2, 2): scale-free over four decades


@dataclass(frozen=True, eq=False)
class Mutation:
    """A child: its canonical program, how it was made, and which constants are fresh.

    ``fresh[i]`` is True when constant ``i`` depends on a constant the mutation drew (the fitter
    starts it at random) and False when it was computed from the parent's constants alone (the
    fitter warm-starts it). Fresh means provenance only: remove and change_op draw nothing, so
    their children have no fresh constant, even where a fold made a non-finite value from
    finite ones (``x / 0`` becomes ``x * inf``); the fitter never warm-starts from those.
    """

    program: Program
    kind: str
    fresh: np.ndarray


def _checked_ops(ops: Sequence[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(get_op(name).name for name in ops))  # unknown names raise
    if not names:
        raise AutonumericsError("the allowed op set is empty")
    return names


def random_constants(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` constants with a random sign and magnitude ``10**U(-2, 2)``."""
    signs = rng.choice((-1.0, 1.0), size=count)
    return signs * 10.0 ** rng.uniform(*FRESH_DECADES, size=count)


# -- primitives ----------------------------------------------------------------------------


def _operand(program: Program, limit: int, constants: list[float], rng: np.random.Generator,
             new_constant_rate: float, exclude: str | None = None) -> str:
    """A value defined before instruction ``limit`` (x, a parent constant, an earlier result),
    or, with probability ``new_constant_rate``, a new constant appended to ``constants``."""
    existing = [INPUT] + [const_ref(i) for i in range(program.n_constants)]
    existing += [value_ref(i) for i in range(limit)]
    existing = [ref for ref in existing if ref != exclude]
    if not existing or rng.random() < new_constant_rate:
        constants.append(float(random_constants(rng, 1)[0]))
        return const_ref(len(constants) - 1)
    return existing[int(rng.integers(len(existing)))]


def insert(program: Program, rng: np.random.Generator, ops: Sequence[str] = ARITHMETIC,
           new_constant_rate: float = 0.5) -> Program:
    """Insert an op on an edge. Works on ``f(x) = x``, whose only edge is the output.

    Args:
        program: the parent.
        rng: the source of every choice.
        ops: the op is drawn uniformly from these.
        new_constant_rate: probability that each other operand is a new constant.

    Returns:
        The parent where one live operand slot (or the output) that read ``v`` reads
        ``op(..., v, ...)``, inserted just before the slot's instruction; the other operands are
        values defined before it (x, constants, earlier results) or new appended constants.
    """
    ops = _checked_ops(ops)
    owner, slot = random_edge(program, rng)
    position = len(program.instructions) if owner is None else owner
    op = OPS[ops[int(rng.integers(len(ops)))]]
    edge_slot = int(rng.integers(op.arity))
    constants = list(program.constants)
    others = [_operand(program, position, constants, rng, new_constant_rate)
              for _ in range(op.arity - 1)]
    widened = Program(program.instructions, tuple(constants), program.output)
    return splice(widened, owner, slot, op.name, edge_slot, others)


def remove(program: Program, rng: np.random.Generator) -> Program:
    """Bypass a live op: its uses read one of its operands instead (the op is left dead)."""
    live = live_indices(program)
    if not live:
        raise AutonumericsError(f"{program.to_infix()!r} has no op to remove")
    index = live[int(rng.integers(len(live)))]
    operands = program.instructions[index].args
    replacement = operands[int(rng.integers(len(operands)))]
    target = value_ref(index)

    def bypass(ref: str) -> str:
        return replacement if ref == target else ref

    instructions = tuple(Instruction(i.op, tuple(bypass(a) for a in i.args))
                         for i in program.instructions)
    return Program(instructions, program.constants, bypass(program.output))


def rewire(program: Program, rng: np.random.Generator, new_constant_rate: float = 0.5) -> Program:
    """Make one operand of one live op read another value defined before it, or a new constant."""
    live = live_indices(program)
    if not live:
        raise AutonumericsError(f"{program.to_infix()!r} has no op to rewire")
    index = live[int(rng.integers(len(live)))]
    instruction = program.instructions[index]
    slot = int(rng.integers(len(instruction.args)))
    constants = list(program.constants)
    args = list(instruction.args)
    args[slot] = _operand(program, index, constants, rng, new_constant_rate, exclude=args[slot])
    instructions = list(program.instructions)
    instructions[index] = Instruction(instruction.op, tuple(args))
    return Program(tuple(instructions), tuple(constants), program.output)


def _alternatives(program: Program, ops: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """Live ops that another allowed op of the same arity could replace, with those ops."""
    choices = []
    for index in live_indices(program):
        current = OPS[program.instructions[index].op]
        others = [name for name in ops if name != current.name and OPS[name].arity == current.arity]
        if others:
            choices.append((index, others))
    return choices


def change_op(program: Program, rng: np.random.Generator,
              ops: Sequence[str] = ARITHMETIC) -> Program:
    """Replace one live op by another allowed op of the same arity, operands unchanged."""
    choices = _alternatives(program, _checked_ops(ops))
    if not choices:
        raise AutonumericsError(f"no op of {program.to_infix()!r} has an alternative in {ops}")
    index, others = choices[int(rng.integers(len(choices)))]
    instructions = list(program.instructions)
    instructions[index] = Instruction(others[int(rng.integers(len(others)))],
                                      instructions[index].args)
    return Program(tuple(instructions), program.constants, program.output)


def retrain(program: Program, rng: np.random.Generator) -> Program:
    """The same structure with every constant drawn anew (random sign, magnitude 10**U(-2, 2))."""
    return program.with_constants(random_constants(rng, program.n_constants))


# -- the mutation step -----------------------------------------------------------------------


def canonical_child(mutated: Program, inherited: int,
                    rng: np.random.Generator) -> tuple[Program, np.ndarray]:
    """The canonical form of a mutated program, and which of its constants are fresh.

    The first ``inherited`` constants of ``mutated`` came from the parent, the others are new.
    Canonicalising folds and merges constants (``(a + c0) + c1`` becomes ``a + (c0 + c1)``,
    ``a - c`` becomes ``a + (-c)``) and renumbers them, so provenance is found by sensitivity:
    canonicalise again with the new constants redrawn; a child constant whose value does not
    recur (bit for bit) depends on a new constant and is fresh. Values computed from parent
    constants alone recur and are not fresh, whatever their value: whether a value can
    warm-start is the fitter's call (it starts a non-finite one at random), not provenance.
    (NaN sentinels do not work: the canonical form shares equal constants, and all NaNs are equal.)
    """
    child = canonicalize(mutated)
    new = mutated.n_constants - inherited
    recurring = child.constants
    if new > 0:
        redrawn = mutated.constants[:inherited] + tuple(random_constants(rng, new))
        recurring = canonicalize(mutated.with_constants(redrawn)).constants
    keys = {value.hex() for value in recurring}
    fresh = np.array([v.hex() not in keys for v in child.constants], dtype=bool)
    fresh.flags.writeable = False
    return child, fresh


def within_limits(program: Program, config: MutationSettings) -> bool:
    """Whether the program respects the op count, constant count and op set of ``config``."""
    pairs = zip(program.instructions, live_instructions(program), strict=True)
    allowed = all(i.op in config.ops for i, alive in pairs if alive)
    return (allowed and program.n_ops <= config.max_ops
            and program.n_constants <= config.max_constants)


def _pick_kind(parent: Program, config: MutationSettings, rng: np.random.Generator) -> str:
    applies = {
        "insert": parent.n_ops < config.max_ops,
        "remove": bool(parent.instructions),
        "rewire": bool(parent.instructions),
        "change_op": bool(_alternatives(parent, config.ops)),
        "retrain": parent.n_constants > 0 and within_limits(parent, config),
        **{kind: motifs.applies(kind, parent, config.ops, config.max_ops)
           for kind in motifs.MOTIFS},
    }
    weights = np.array([config.weights.get(k, 0.0) if applies[k] else 0.0 for k in KINDS])
    if weights.sum() <= 0:
        raise AutonumericsError("no mutation with a positive weight applies to "
                                f"{parent.to_infix()!r}")
    return KINDS[int(rng.choice(len(KINDS), p=weights / weights.sum()))]


def _apply(kind: str, parent: Program, rng: np.random.Generator,
           config: MutationSettings) -> tuple[Program, int]:
    """The mutated program and how many of its constants come from the parent."""
    inherited = parent.n_constants
    if kind == "insert":
        return insert(parent, rng, config.ops, config.new_constant_rate), inherited
    if kind == "remove":
        return remove(parent, rng), inherited
    if kind == "rewire":
        return rewire(parent, rng, config.new_constant_rate), inherited
    if kind == "horner":
        return motifs.horner(parent, rng, random_constants(rng, 1))
    if kind == "fraction":
        return motifs.fraction(parent, rng, random_constants(rng, 2))
    if kind == "rescale":
        return motifs.rescale(parent, config.ops)
    return change_op(parent, rng, config.ops), inherited


def _retrained(parent: Program, rng: np.random.Generator) -> Mutation:
    child = canonicalize(retrain(parent, rng))  # new values may reorder commutative ties
    fresh = np.ones(child.n_constants, dtype=bool)
    fresh.flags.writeable = False
    return Mutation(child, "retrain", fresh)


def mutate(program: Program, rng: np.random.Generator,
           config: MutationSettings | None = None) -> Mutation:
    """One child of ``program``: a kind picked by ``config.weights`` among those that apply.

    Args:
        program: the parent (canonicalised first; its constant values are the warm start).
        rng: the source of every choice and every new constant.
        config: weights, op set and limits (default ``MutationSettings()``, as a config file).

    Returns:
        A canonical child within ``config``'s limits and op set whose structural hash differs
        from the parent's unless the kind is retrain. Failed attempts are retried, each with a
        new pick of kind; after ``max_retries`` failures the parent is retrained.

    Raises:
        AutonumericsError: no mutation applies (e.g. ``f(x) = x`` with a zero insert weight), or
            every attempt failed and the parent cannot be retrained (no constants, or itself
            outside the limits).
    """
    config = config or MutationSettings()
    _checked_ops(config.ops)  # unknown names raise here, not half-way through a mutation
    parent = canonicalize(program)
    parent_hash = structural_hash(parent)
    for _ in range(config.max_retries):
        kind = _pick_kind(parent, config, rng)
        if kind == "retrain":
            return _retrained(parent, rng)
        child, fresh = canonical_child(*_apply(kind, parent, rng, config), rng)
        if within_limits(child, config) and structural_hash(child) != parent_hash:
            return Mutation(child, kind, fresh)
    if parent.n_constants > 0 and within_limits(parent, config):
        return _retrained(parent, rng)
    raise AutonumericsError(f"could not mutate {parent.to_infix()!r} within the limits after "
                            f"{config.max_retries} attempts")
