"""Structural mutations of programs (insert, remove, rewire, change op, retrain) and the
functional-duplicate filter of the search.

The primitives take a program and a ``numpy.random.Generator`` and return a new program that is
not yet canonical: the parent's constants keep their indices and new constants are appended,
with log-uniform initial values that the fitter re-fits. ``mutate`` picks a primitive by weight,
canonicalises, enforces the size limits and the op set, retries until the structure changes,
and says which constants of the child are fresh (need a random start) and which survived.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.errors import AutonumericsError
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.ops import ARITHMETIC, OPS, get_op
from autonumerics.ir.program import (
    INPUT,
    Instruction,
    Program,
    const_ref,
    live_instructions,
    ref_kind,
    value_ref,
)

KINDS = ("insert", "remove", "rewire", "change_op", "retrain")
# The paper's weights (insert 1 : remove 2 : rewire 3 : retrain 3) plus a rare op change.
DEFAULT_WEIGHTS = {"insert": 1.0, "remove": 2.0, "rewire": 3.0, "retrain": 3.0, "change_op": 0.5}
FRESH_DECADES = (-2.0, 2.0)  # a new constant is +-10**U(-2, 2): scale-free over four decades
SIGNIFICANT_DIGITS = 12  # fingerprints ignore differences below ~1e-12 relative (rounding noise)
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class MutationConfig:
    """How children are made.

    Attributes:
        weights: relative frequency of each kind in ``KINDS``; a kind left out has weight 0.
        ops: the ops a child may use (its canonical form included).
        max_ops: most ops (``Program.n_ops`` of the canonical form) a child may have.
        max_constants: most constants a child may have.
        max_retries: attempts at changing the structure before falling back to retrain.
        new_constant_rate: probability that an operand picked by insert or rewire is a new
            constant rather than an existing value.
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    ops: tuple[str, ...] = ARITHMETIC
    max_ops: int = 16
    max_constants: int = 10
    max_retries: int = 32
    new_constant_rate: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "ops", _checked_ops(self.ops))
        for kind, weight in self.weights.items():
            if kind not in KINDS:
                raise AutonumericsError(f"unknown mutation {kind!r}; known: {', '.join(KINDS)}")
            if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight >= 0):
                raise AutonumericsError(f"mutation weight {kind} = {weight!r} must be a number >= 0")
        if sum(self.weights.values()) <= 0:
            raise AutonumericsError("mutation weights are all zero")
        for name in ("max_ops", "max_constants", "max_retries"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise AutonumericsError(f"{name} = {getattr(self, name)!r} must be an integer >= 1")
        if not 0.0 <= self.new_constant_rate <= 1.0:
            raise AutonumericsError(f"new_constant_rate = {self.new_constant_rate!r} must be in [0, 1]")


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


def _live_indices(program: Program) -> list[int]:
    return [index for index, live in enumerate(live_instructions(program)) if live]


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
    slots = [(index, slot) for index in _live_indices(program)
             for slot in range(len(program.instructions[index].args))] + [(None, 0)]
    owner, slot = slots[int(rng.integers(len(slots)))]
    position = len(program.instructions) if owner is None else owner
    edge = program.output if owner is None else program.instructions[owner].args[slot]
    op = OPS[ops[int(rng.integers(len(ops)))]]
    edge_slot = int(rng.integers(op.arity))
    constants = list(program.constants)
    args = tuple(edge if k == edge_slot else
                 _operand(program, position, constants, rng, new_constant_rate)
                 for k in range(op.arity))

    def shift(ref: str) -> str:  # results from ``position`` on move one place down
        kind, index = ref_kind(ref)
        return value_ref(index + 1) if kind == "v" and index >= position else ref

    instructions = list(program.instructions[:position]) + [Instruction(op.name, args)]
    for index in range(position, len(program.instructions)):
        moved = [shift(a) for a in program.instructions[index].args]
        if index == owner:
            moved[slot] = value_ref(position)
        instructions.append(Instruction(program.instructions[index].op, tuple(moved)))
    output = value_ref(position) if owner is None else shift(program.output)
    return Program(tuple(instructions), tuple(constants), output)


def remove(program: Program, rng: np.random.Generator) -> Program:
    """Bypass a live op: its uses read one of its operands instead (the op is left dead)."""
    live = _live_indices(program)
    if not live:
        raise AutonumericsError(f"{program.to_infix()!r} has no op to remove")
    index = live[int(rng.integers(len(live)))]
    operands = program.instructions[index].args
    replacement = operands[int(rng.integers(len(operands)))]
    target = value_ref(index)

    def bypass(ref: str) -> str:
        return replacement if ref == target else ref

    instructions = tuple(Instruction(i.op, tuple(bypass(a) for a in i.args)) for i in program.instructions)
    return Program(instructions, program.constants, bypass(program.output))


def rewire(program: Program, rng: np.random.Generator, new_constant_rate: float = 0.5) -> Program:
    """Make one operand of one live op read another value defined before it, or a new constant."""
    live = _live_indices(program)
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
    for index in _live_indices(program):
        current = OPS[program.instructions[index].op]
        others = [name for name in ops if name != current.name and OPS[name].arity == current.arity]
        if others:
            choices.append((index, others))
    return choices


def change_op(program: Program, rng: np.random.Generator, ops: Sequence[str] = ARITHMETIC) -> Program:
    """Replace one live op by another allowed op of the same arity, operands unchanged."""
    choices = _alternatives(program, _checked_ops(ops))
    if not choices:
        raise AutonumericsError(f"no op of {program.to_infix()!r} has an alternative in {ops}")
    index, others = choices[int(rng.integers(len(choices)))]
    instructions = list(program.instructions)
    instructions[index] = Instruction(others[int(rng.integers(len(others)))], instructions[index].args)
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


def within_limits(program: Program, config: MutationConfig) -> bool:
    """Whether the program respects the op count, constant count and op set of ``config``."""
    live = live_instructions(program)
    allowed = all(i.op in config.ops for i, alive in zip(program.instructions, live) if alive)
    return allowed and program.n_ops <= config.max_ops and program.n_constants <= config.max_constants


def _pick_kind(parent: Program, config: MutationConfig, rng: np.random.Generator) -> str:
    applies = {
        "insert": parent.n_ops < config.max_ops,
        "remove": bool(parent.instructions),
        "rewire": bool(parent.instructions),
        "change_op": bool(_alternatives(parent, config.ops)),
        "retrain": parent.n_constants > 0 and within_limits(parent, config),
    }
    weights = np.array([config.weights.get(k, 0.0) if applies[k] else 0.0 for k in KINDS])
    if weights.sum() <= 0:
        raise AutonumericsError(f"no mutation with a positive weight applies to {parent.to_infix()!r}")
    return KINDS[int(rng.choice(len(KINDS), p=weights / weights.sum()))]


def _apply(kind: str, parent: Program, rng: np.random.Generator, config: MutationConfig) -> Program:
    if kind == "insert":
        return insert(parent, rng, config.ops, config.new_constant_rate)
    if kind == "remove":
        return remove(parent, rng)
    if kind == "rewire":
        return rewire(parent, rng, config.new_constant_rate)
    return change_op(parent, rng, config.ops)


def _retrained(parent: Program, rng: np.random.Generator) -> Mutation:
    child = canonicalize(retrain(parent, rng))  # new values may reorder commutative ties
    fresh = np.ones(child.n_constants, dtype=bool)
    fresh.flags.writeable = False
    return Mutation(child, "retrain", fresh)


def mutate(program: Program, rng: np.random.Generator, config: MutationConfig | None = None) -> Mutation:
    """One child of ``program``: a kind picked by ``config.weights`` among those that apply.

    Args:
        program: the parent (canonicalised first; its constant values are the warm start).
        rng: the source of every choice and every new constant.
        config: weights, op set and limits (default ``MutationConfig()``).

    Returns:
        A canonical child within ``config``'s limits and op set whose structural hash differs
        from the parent's unless the kind is retrain. Failed attempts are retried, each with a
        new pick of kind; after ``max_retries`` failures the parent is retrained.

    Raises:
        AutonumericsError: no mutation applies (e.g. ``f(x) = x`` with a zero insert weight), or
            every attempt failed and the parent cannot be retrained (no constants, or itself
            outside the limits).
    """
    config = config or MutationConfig()
    parent = canonicalize(program)
    parent_hash = structural_hash(parent)
    for _ in range(config.max_retries):
        kind = _pick_kind(parent, config, rng)
        if kind == "retrain":
            return _retrained(parent, rng)
        child, fresh = canonical_child(_apply(kind, parent, rng, config), parent.n_constants, rng)
        if within_limits(child, config) and structural_hash(child) != parent_hash:
            return Mutation(child, kind, fresh)
    if parent.n_constants > 0 and within_limits(parent, config):
        return _retrained(parent, rng)
    raise AutonumericsError(
        f"could not mutate {parent.to_infix()!r} within the limits after {config.max_retries} attempts"
    )


# -- functional duplicates --------------------------------------------------------------------


def probe_points(low: float, high: float, count: int = 16) -> np.ndarray:
    """``count`` fixed, irregularly spaced points inside ``[low, high]`` (a golden-ratio
    sequence): irregular, so two different functions rarely agree on all of them."""
    fractions = (0.5 + _GOLDEN * np.arange(count)) % 1.0
    return low + (high - low) * fractions


def fingerprint(program: Program, points: np.ndarray) -> bytes:
    """A hash of the program's values (its own constants, float64) at ``points``, each rounded to
    ``SIGNIFICANT_DIGITS`` digits: programs computing the same function share it, up to
    rounding noise (a value right at a rounding boundary may split a pair; that only costs an
    evaluation)."""
    values = evaluate(program, np.asarray(points, dtype=np.float64), "float64") + 0.0  # -0 -> +0
    text = ",".join("nan" if math.isnan(v) else f"{v:.{SIGNIFICANT_DIGITS - 1}e}" for v in values.tolist())
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class FingerprintCache:
    """A bounded set of keys (fingerprints, structural hashes) that forgets the least recently
    seen first; ``keys()`` and the ``items`` argument let a checkpoint save and restore it."""

    def __init__(self, max_size: int = 100_000, items: Iterable[Hashable] = ()) -> None:
        if max_size < 1:
            raise AutonumericsError(f"fingerprint cache size {max_size!r} must be >= 1")
        self.max_size = max_size
        self._entries: OrderedDict[Hashable, None] = OrderedDict()
        for item in items:
            self.seen(item)

    def keys(self) -> list[Hashable]:
        """The remembered keys, least recently seen first."""
        return list(self._entries)

    def seen(self, key: Hashable) -> bool:
        """True if ``key`` was seen before (and is remembered); otherwise remember it, False."""
        if key in self._entries:
            self._entries.move_to_end(key)
            return True
        self._entries[key] = None
        if len(self._entries) > self.max_size:
            self._entries.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries
