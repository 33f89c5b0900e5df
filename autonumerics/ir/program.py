"""The program IR: an immutable SSA list of instructions over the input ``x`` and constants.

Operands are references: ``"x"`` (the input), ``"c3"`` (constant 3), ``"v5"`` (the result of
instruction 5). Instruction ``j`` may only use ``v<i>`` with ``i < j``. Programs never change:
pruning, canonicalisation and mutation return new programs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from autonumerics.errors import AutonumericsError
from autonumerics.limits import MAX_INSTRUCTIONS, shown
from autonumerics.ir.ops import OPS, get_op

INPUT = "x"


@dataclass(frozen=True)
class Instruction:
    """One SSA instruction: an op applied to operand references."""

    op: str
    args: tuple[str, ...]


def const_ref(index: int) -> str:
    return f"c{index}"


def value_ref(index: int) -> str:
    return f"v{index}"


def ref_kind(ref: str) -> tuple[str, int]:
    """Split a reference into its kind ("x", "c", "v") and index (0 for x)."""
    if ref == INPUT:
        return INPUT, 0
    return ref[0], int(ref[1:])


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
        depends: list[bool] = []
        for instruction in self.instructions:
            depends.append(any(_ref_depends(a, depends) for a in instruction.args))
        return depends

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

    # -- conversions (implemented in sibling modules, exposed here for convenience) ------------
    def to_json(self) -> dict:
        return {
            "constants": [c.hex() for c in self.constants],
            "instructions": [{"op": i.op, "args": list(i.args)} for i in self.instructions],
            "output": self.output,
        }

    @classmethod
    def from_json(cls, data: dict) -> Program:
        """Read the IR part of a program file: ``instructions`` (+ constants, output) or ``expression``.

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
            from autonumerics.ir.parse import parse_expr

            if not isinstance(data["expression"], str):
                raise AutonumericsError(f"'expression' must be a string, not {shown(data['expression'])}")
            return parse_expr(data["expression"])
        if "output" not in data:
            raise AutonumericsError("program has 'instructions' but no 'output'")
        if not isinstance(data["output"], str):
            raise AutonumericsError(f"'output' must be an operand (x, c<i> or v<i>), not {shown(data['output'])}")
        return cls(_read_instructions(data["instructions"]), _read_constants(data.get("constants", [])),
                   data["output"])

    def to_infix(self) -> str:
        from autonumerics.ir.printing import to_infix

        return to_infix(self)

    def to_python(self, name: str = "f") -> str:
        from autonumerics.ir.printing import to_python

        return to_python(self, name)

    def structural_hash(self) -> str:
        """Hash of the canonical structure, ignoring constant values."""
        from autonumerics.ir.canonical import structural_hash

        return structural_hash(self)

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
        from autonumerics.export.callables import jax_function
        from autonumerics.ir.programfile import ProgramFile

        return jax_function(ProgramFile(self), semantics, name)

    def to_numpy(self, semantics: str = "xla", name: str | None = None) -> Callable:
        """A NumPy function with the bits of :meth:`to_jax` (exact FMAs where XLA fuses), op by op."""
        from autonumerics.export.callables import numpy_function
        from autonumerics.ir.programfile import ProgramFile

        return numpy_function(ProgramFile(self), semantics, name)


def _read_instructions(items: object) -> tuple[Instruction, ...]:
    """``[{"op": "mul", "args": ["x", "c0"]}, ...]`` from JSON, every field type checked."""
    if not isinstance(items, list):
        raise AutonumericsError(f"'instructions' must be a list, not {shown(items)}")
    if len(items) > MAX_INSTRUCTIONS:
        raise AutonumericsError(f"program of {len(items)} instructions: the limit is {MAX_INSTRUCTIONS}")
    instructions = []
    for index, item in enumerate(items):
        where = f"instruction v{index}"
        if not isinstance(item, dict) or set(item) != {"op", "args"}:
            raise AutonumericsError(f'{where}: expected {{"op": NAME, "args": [...]}}, got {shown(item)}')
        op, args = item["op"], item["args"]
        if not isinstance(op, str) or op not in OPS:
            raise AutonumericsError(f"{where}: unknown op {shown(op, 40)}; known ops: {', '.join(OPS)}")
        if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
            raise AutonumericsError(f"{where}: args must be a list of operands (x, c<i>, v<i>), not {shown(args)}")
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


def _ref_depends(ref: str, depends: list[bool]) -> bool:
    kind, index = ref_kind(ref)
    return kind == INPUT or (kind == "v" and depends[index])


def validate(program: Program) -> None:
    """Raise ``AutonumericsError`` unless every op exists, every reference is defined earlier
    and the program has at most ``MAX_INSTRUCTIONS`` instructions."""
    if len(program.instructions) > MAX_INSTRUCTIONS:
        raise AutonumericsError(
            f"program of {len(program.instructions)} instructions: the limit is {MAX_INSTRUCTIONS}"
        )
    for index, instruction in enumerate(program.instructions):
        op = get_op(instruction.op)
        if len(instruction.args) != op.arity:
            raise AutonumericsError(
                f"instruction v{index}: {op.name} takes {op.arity} operands, got {len(instruction.args)}"
            )
        for ref in instruction.args:
            _check_ref(ref, program, limit=index, where=f"instruction v{index}")
    _check_ref(program.output, program, limit=len(program.instructions), where="output")


def _well_formed(ref: object) -> bool:
    """``x``, or ``c``/``v`` and a decimal index in ASCII without leading zeros (``int()`` alone
    would also take ``"v 0"``, ``"v+1"``, ``"v1_0"``)."""
    if ref == INPUT:
        return True
    if not isinstance(ref, str) or len(ref) < 2 or ref[0] not in "cv":
        return False
    digits = ref[1:]
    return digits.isascii() and digits.isdigit() and (digits[0] != "0" or digits == "0")


def _check_ref(ref: str, program: Program, limit: int, where: str) -> None:
    if not _well_formed(ref):
        raise AutonumericsError(f"{where}: bad operand {shown(ref, 40)} (use x, c<i> or v<i>)")
    kind, index = ref_kind(ref)
    ok = (
        kind == INPUT
        or (kind == "c" and index < len(program.constants))
        or (kind == "v" and index < limit)
    )
    if not ok:
        raise AutonumericsError(f"{where}: operand {ref!r} is not defined before use")


def live_instructions(program: Program) -> list[bool]:
    """Which instructions the output depends on."""
    live = [False] * len(program.instructions)
    stack = [program.output]
    while stack:
        kind, index = ref_kind(stack.pop())
        if kind == "v" and not live[index]:
            live[index] = True
            stack.extend(program.instructions[index].args)
    return live


def prune(program: Program) -> Program:
    """Drop dead instructions and unused constants, renumbering what is left (order kept)."""
    live = live_instructions(program)
    used_constants = sorted(
        {
            ref_kind(a)[1]
            for index, instruction in enumerate(program.instructions)
            if live[index]
            for a in instruction.args
            if ref_kind(a)[0] == "c"
        }
        | ({ref_kind(program.output)[1]} if ref_kind(program.output)[0] == "c" else set())
    )
    const_map = {const_ref(old): const_ref(new) for new, old in enumerate(used_constants)}
    value_map: dict[str, str] = {}
    instructions: list[Instruction] = []
    for index, instruction in enumerate(program.instructions):
        if live[index]:
            args = tuple(value_map.get(a, const_map.get(a, a)) for a in instruction.args)
            value_map[value_ref(index)] = value_ref(len(instructions))
            instructions.append(Instruction(instruction.op, args))
    output = value_map.get(program.output, const_map.get(program.output, program.output))
    constants = tuple(program.constants[i] for i in used_constants)
    return Program(tuple(instructions), constants, output)


def identity() -> Program:
    """``f(x) = x``: where a search from zero starts."""
    return Program((), (), INPUT)


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
