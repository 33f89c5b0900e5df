"""The SSA form the IR modules share: operand references, instructions, checks and walks.

Operands are references: ``"x"`` (the input), ``"c3"`` (constant 3), ``"v5"`` (the result of
instruction 5). Instruction ``j`` may only use ``v<i>`` with ``i < j``. The functions here read
any program-like value (:class:`Code`) and build new ones with ``dataclasses.replace``, so the
modules below :class:`~autonumerics.ir.program.Program` (printing, simplification, canonical
form) work on programs without importing the class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from autonumerics.errors import AutonumericsError
from autonumerics.ir.ops import get_op
from autonumerics.limits import MAX_INSTRUCTIONS, shown

INPUT = "x"


@dataclass(frozen=True)
class Instruction:
    """One SSA instruction: an op applied to operand references."""

    op: str
    args: tuple[str, ...]


class Code(Protocol):
    """What the IR functions read from a program (a frozen dataclass with these fields)."""

    @property
    def instructions(self) -> tuple[Instruction, ...]: ...

    @property
    def constants(self) -> tuple[float, ...]: ...

    @property
    def output(self) -> str: ...


CodeT = TypeVar("CodeT", bound=Code)


def const_ref(index: int) -> str:
    return f"c{index}"


def value_ref(index: int) -> str:
    return f"v{index}"


def ref_kind(ref: str) -> tuple[str, int]:
    """Split a reference into its kind ("x", "c", "v") and index (0 for x)."""
    if ref == INPUT:
        return INPUT, 0
    return ref[0], int(ref[1:])


def validate(program: Code) -> None:
    """Raise ``AutonumericsError`` unless every op exists, every reference is defined earlier
    and the program has at most ``MAX_INSTRUCTIONS`` instructions."""
    if len(program.instructions) > MAX_INSTRUCTIONS:
        raise AutonumericsError(
            f"program of {len(program.instructions)} instructions: the limit is {MAX_INSTRUCTIONS}"
        )
    for index, instruction in enumerate(program.instructions):
        op = get_op(instruction.op)
        if len(instruction.args) != op.arity:
            raise AutonumericsError(f"instruction v{index}: {op.name} takes {op.arity} operands, "
                                    f"got {len(instruction.args)}")
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


def _check_ref(ref: str, program: Code, limit: int, where: str) -> None:
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


def depends_on_input(program: Code) -> list[bool]:
    """For each instruction, whether its value depends on ``x``."""
    depends: list[bool] = []
    for instruction in program.instructions:
        depends.append(any(_ref_depends(a, depends) for a in instruction.args))
    return depends


def _ref_depends(ref: str, depends: list[bool]) -> bool:
    kind, index = ref_kind(ref)
    return kind == INPUT or (kind == "v" and depends[index])


def live_instructions(program: Code) -> list[bool]:
    """Which instructions the output depends on."""
    live = [False] * len(program.instructions)
    stack = [program.output]
    while stack:
        kind, index = ref_kind(stack.pop())
        if kind == "v" and not live[index]:
            live[index] = True
            stack.extend(program.instructions[index].args)
    return live


def prune(program: CodeT) -> CodeT:
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
    return rebuilt(program, instructions, constants, output)


def rebuilt(program: CodeT, instructions: Iterable[Instruction], constants: Iterable[float],
            output: str) -> CodeT:
    """A program of ``program``'s type with new parts (validated, as its constructor does)."""
    return replace(program, instructions=tuple(instructions), constants=tuple(constants),
                   output=output)
