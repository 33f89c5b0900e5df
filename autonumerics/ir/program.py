"""The program IR: an immutable SSA list of instructions over the input ``x`` and constants.

Operands are references: ``"x"`` (the input), ``"c3"`` (constant 3), ``"v5"`` (the result of
instruction 5). Instruction ``j`` may only use ``v<i>`` with ``i < j``. Programs never change:
pruning, canonicalisation and mutation return new programs.

:class:`Program` sits on top of the IR's core: the SSA form (:mod:`~autonumerics.ir.ssa`, whose
names are re-exported here), the grammar, printing and the canonical form, which all work on
its fields and never import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from autonumerics.errors import AutonumericsError
from autonumerics.ir import canonical, printing
from autonumerics.ir.grammar import read_infix
from autonumerics.ir.ops import OPS
from autonumerics.ir.ssa import (
    INPUT,
    Instruction,
    const_ref,
    depends_on_input,
    live_instructions,
    prune,
    ref_kind,
    validate,
    value_ref,
)
from autonumerics.limits import MAX_INSTRUCTIONS, shown

__all__ = ["INPUT", "Instruction", "Program", "const_ref", "identity", "live_instructions", "prune",
           "ref_kind", "validate", "value_ref"]


@dataclass(frozen=True)
class Program:
    """A straight-line program computing one float from ``x``.

    Attributes:
        instructions: SSA instructions in evaluation order.
        constants: constant values as Python floats (float64; exact when written as hex).
        output: the reference returned.
    """

    instructions: tuple[Instruction, ...]
    constants: tuple[float, ...]
    output: str

    def __post_init__(self) -> None:
        validate(self)

    # -- counting -----------------------------------------------------------------------
    def depends_on_input(self) -> list[bool]:
        """For each instruction, whether its value depends on ``x``."""
        return depends_on_input(self)

    def cost(self, weights: dict[str, float] | None = None) -> float:
        """Sum of op weights over live instructions that depend on ``x`` (constants fold free)."""
        live = live_instructions(self)
        depends = self.depends_on_input()
        total = 0.0
        for index, instruction in enumerate(self.instructions):
            if live[index] and depends[index]:
                weight = (weights or {}).get(instruction.op, OPS[instruction.op].cost)
                total += weight
        return total

    @property
    def n_ops(self) -> int:
        """Number of live ops that depend on ``x`` (unweighted)."""
        return int(self.cost({name: 1.0 for name in OPS}))

    @property
    def n_constants(self) -> int:
        return len(self.constants)

    def with_constants(self, constants: Iterable[float]) -> Program:
        """The same structure with new constant values."""
        values = tuple(float(c) for c in constants)
        if len(values) != len(self.constants):
            raise ValueError(f"expected {len(self.constants)} constants, got {len(values)}")
        return Program(self.instructions, values, self.output)

    # -- conversions (implemented in the modules below, exposed here for convenience) ---------
    def to_json(self) -> dict:
        return {
            "constants": [c.hex() for c in self.constants],
            "instructions": [{"op": i.op, "args": list(i.args)} for i in self.instructions],
            "output": self.output,
        }

    @classmethod
    def from_json(cls, data: dict) -> Program:
        """The IR part of a program file: ``instructions`` (+ constants, output) or ``expression``.

        Raises:
            AutonumericsError: naming the field, for a missing or wrongly typed one (every
                instruction is ``{"op": NAME, "args": [REF, ...]}``), a bad operand or op, or more
                than ``MAX_INSTRUCTIONS`` instructions.
        """
        if not isinstance(data, dict):
            raise AutonumericsError(f"a program is a JSON object, not {shown(data)}")
        if "instructions" not in data:
            if "expression" not in data:
                raise AutonumericsError("program has neither 'instructions' nor 'expression'")
            if not isinstance(data["expression"], str):
                raise AutonumericsError(
                    f"'expression' must be a string, not {shown(data['expression'])}")
            return cls(*read_infix(data["expression"]))
        if "output" not in data:
            raise AutonumericsError("program has 'instructions' but no 'output'")
        if not isinstance(data["output"], str):
            raise AutonumericsError(
                f"'output' must be an operand (x, c<i> or v<i>), not {shown(data['output'])}")
        instructions = _read_instructions(data["instructions"])
        return cls(instructions, _read_constants(data.get("constants", [])), data["output"])

    def to_infix(self) -> str:
        return printing.to_infix(self)

    def to_python(self, name: str = "f") -> str:
        return printing.to_python(self, name)

    def structural_hash(self) -> str:
        """Hash of the canonical structure, ignoring constant values."""
        return canonical.structural_hash(self)

    # -- callables (built from the exporters: ``autonumerics.export.callables``) -------------------
    def to_jax(self, semantics: str = "xla", name: str | None = None) -> Callable:
        """A jitted JAX function computing this program in float32, as its JAX export does.

        Args:
            semantics: "xla" (multiply-adds fused as jitted JAX on CPU fuses them; the fast
                export) or "strict" (every op rounded once).
            name: the function's name (default "kernel").

        Returns:
            ``f(x)``: any shape, float32 in (other dtypes are cast) and out; bit for bit the
            module ``autonumerics export --to jax`` writes (``ProgramFile.to_jax`` for a file).
        """
        from autonumerics.export.callables import jax_function  # the one import up the layers

        return jax_function(self, semantics, name)

    def to_numpy(self, semantics: str = "xla", name: str | None = None) -> Callable:
        """A NumPy function with the bits of :meth:`to_jax` (exact FMAs where XLA fuses)."""
        from autonumerics.export.callables import numpy_function  # the one import up the layers

        return numpy_function(self, semantics, name)


def _read_instructions(items: object) -> tuple[Instruction, ...]:
    """``[{"op": "mul", "args": ["x", "c0"]}, ...]`` from JSON, every field type checked."""
    if not isinstance(items, list):
        raise AutonumericsError(f"'instructions' must be a list, not {shown(items)}")
    if len(items) > MAX_INSTRUCTIONS:
        raise AutonumericsError(
            f"program of {len(items)} instructions: the limit is {MAX_INSTRUCTIONS}")
    instructions = []
    for index, item in enumerate(items):
        where = f"instruction v{index}"
        if not isinstance(item, dict) or set(item) != {"op", "args"}:
            raise AutonumericsError(
                f'{where}: expected {{"op": NAME, "args": [...]}}, got {shown(item)}')
        op, args = item["op"], item["args"]
        if not isinstance(op, str) or op not in OPS:
            raise AutonumericsError(
                f"{where}: unknown op {shown(op, 40)}; known ops: {', '.join(OPS)}")
        if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
            raise AutonumericsError(
                f"{where}: args must be a list of operands (x, c<i>, v<i>), not {shown(args)}")
        instructions.append(Instruction(op, tuple(args)))
    return tuple(instructions)


def _read_constants(items: object) -> tuple[float, ...]:
    if not isinstance(items, list):
        raise AutonumericsError(f"'constants' must be a list, not {shown(items)}")
    return tuple(_read_float(item) for item in items)


def _read_float(value: object) -> float:
    """A constant from JSON: a number, or a string in hex (exact) or decimal."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float64 range
            pass
    if isinstance(value, str) and len(value) <= 100:
        try:
            return float.fromhex(value) if "0x" in value.lower() else float(value)
        except (ValueError, OverflowError):  # not a number, or a hex float beyond float64
            pass
    raise AutonumericsError(f"constant {shown(value, 40)} is not a number")


def identity() -> Program:
    """``f(x) = x``: where a search from zero starts."""
    return Program((), (), INPUT)

