"""The integer program IR: straight-line int32 code, numpy interpreter, overflow audit, text form.

A program is an immutable list of SSA instructions ``dest = op(arg, ...)`` whose arguments are
earlier registers (the inputs first) or integer constants. Every value is an int32; the
interpreter computes in int64 so that an overflow is *seen* (and reported by ``audit``) rather
than wrapped. Once ``audit`` shows every intermediate fits int32, the JAX int32 evaluation
(``evaluate_jax``) gives the same integers bit for bit.

The ops and their meaning in every language: ``quant.int_ops``.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.export.text import C_KEYWORDS
from autonumerics.quant.int_ops import INT32_MAX, INT32_MIN, INT_OPS

Arg = str | int

# Register names are written verbatim into the exported Python and C, so each must be an ASCII
# identifier that neither language reserves: the keywords of C (C23, which adds bool, true,
# false, ...) and Python, C's reserved spellings (a leading "__" or "_" + capital), the names
# that <stdint.h>, included by the C export, reserves (int*_t, uint*_t, INT*_MAX, ...) and
# Python's builtins (a register named max makes the exported function's own max(...) a local).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_C_RESERVED = re.compile(r"_[A-Z_]|u?int\w*_t\Z|U?INT\w*_(MIN|MAX|WIDTH|C)\Z")


def check_register_name(name: object) -> None:
    """Raise ``AutonumericsError`` naming ``name`` unless every export can use it as a variable."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise AutonumericsError(f"register name {name!r} is not an identifier (letters, digits, "
                                "'_'; not starting with a digit)")
    if (keyword.iskeyword(name) or name in C_KEYWORDS or _C_RESERVED.match(name)
            or hasattr(builtins, name)):
        raise AutonumericsError(f"register name {name!r} is a reserved word or builtin of Python "
                                "or C")


@dataclass(frozen=True)
class IntInstruction:
    """One SSA instruction ``dest = op(args)``; an argument is a register name or an int."""

    dest: str
    op: str
    args: tuple[Arg, ...]


@dataclass(frozen=True)
class IntProgram:
    """A straight-line integer program over named int32 inputs; ``output`` names the result."""

    inputs: tuple[str, ...]
    instructions: tuple[IntInstruction, ...]
    output: str

    def __post_init__(self) -> None:
        for name in self.inputs:
            check_register_name(name)
        defined = set(self.inputs)
        if len(defined) != len(self.inputs):
            raise AutonumericsError(f"an input is named twice in {', '.join(self.inputs)}")
        for instruction in self.instructions:
            check_register_name(instruction.dest)
            if instruction.op not in INT_OPS:
                raise AutonumericsError(f"unknown integer op {instruction.op!r} (choose from "
                                        f"{', '.join(INT_OPS)})")
            if len(instruction.args) != INT_OPS[instruction.op].arity:
                raise AutonumericsError(f"{instruction.op} takes {INT_OPS[instruction.op].arity} "
                                        f"arguments, got {len(instruction.args)} in "
                                        f"{instruction.dest!r}")
            for arg in instruction.args:
                if isinstance(arg, str) and arg not in defined:
                    raise AutonumericsError(f"register {arg!r} used before it is defined (in "
                                            f"{instruction.dest!r})")
                if isinstance(arg, int) and not INT32_MIN <= arg <= INT32_MAX:
                    raise AutonumericsError(f"constant {arg} does not fit int32 (in "
                                            f"{instruction.dest!r})")
            if instruction.dest in defined:
                raise AutonumericsError(f"register {instruction.dest!r} is assigned twice")
            defined.add(instruction.dest)
        check_register_name(self.output)
        if self.output not in defined:
            raise AutonumericsError(f"output register {self.output!r} is never defined")

    @property
    def n_ops(self) -> int:
        """Integer ops per element (every instruction counts one)."""
        return len(self.instructions)

    @property
    def n_divisions(self) -> int:
        return sum(instruction.op == "div" for instruction in self.instructions)


# --- numpy semantics (int64, exact) ---------------------------------------------------------------

def run(program: IntProgram, **inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Every register's int64 values (inputs included), computed exactly (no wrap-around)."""
    missing = set(program.inputs) - set(inputs)
    if missing:
        raise AutonumericsError(f"missing program inputs: {', '.join(sorted(missing))}")
    values = {name: np.asarray(inputs[name], dtype=np.int64) for name in program.inputs}
    for instruction in program.instructions:
        args = [values[a] if isinstance(a, str) else np.int64(a) for a in instruction.args]
        values[instruction.dest] = np.asarray(INT_OPS[instruction.op].numpy(*args), dtype=np.int64)
    return values


def evaluate(program: IntProgram, **inputs: np.ndarray) -> np.ndarray:
    """The program's output (int64 array) on the given inputs; the reference semantics."""
    return run(program, **inputs)[program.output]


@dataclass(frozen=True)
class Audit:
    """Largest magnitude of any intermediate over an input grid, and what it needs."""

    max_abs: int
    worst_register: str
    bits: int  # signed bits needed: the smallest b with -2**(b-1) <= every value < 2**(b-1)
    fits_int32: bool


def audit(program: IntProgram, **grid: np.ndarray) -> Audit:
    """Run the program on the full grid and report its largest intermediate (inputs included)."""
    values = run(program, **grid)
    worst_register, max_abs, bits = program.inputs[0], 0, 1
    for name, array in values.items():
        if array.size == 0:
            continue
        low, high = int(array.min()), int(array.max())
        needed = max(high.bit_length() + 1, (-low - 1).bit_length() + 1 if low < 0 else 1)
        magnitude = max(abs(low), abs(high))
        if needed > bits or (needed == bits and magnitude > max_abs):
            worst_register, bits = name, needed
        max_abs = max(max_abs, magnitude)
    return Audit(max_abs, worst_register, bits, bits <= 32)


# --- JAX semantics (int32) ------------------------------------------------------------------------

def jax_ops() -> dict[str, Callable]:
    """The ops on int32 JAX arrays; equal to the NumPy ones wherever the audit shows no overflow."""
    import jax.numpy as jnp  # lazy: JAX is heavy, and the interpreter and audit do not need it

    return {name: op.jax(jnp) for name, op in INT_OPS.items()}


def evaluate_jax(program: IntProgram, **inputs):
    """The program on int32 JAX arrays (traceable: wrap in ``jax.jit``); returns int32."""
    import jax.numpy as jnp

    ops = jax_ops()
    values = {name: jnp.asarray(inputs[name], dtype=jnp.int32) for name in program.inputs}
    for instruction in program.instructions:
        args = [values[a] if isinstance(a, str) else jnp.int32(a) for a in instruction.args]
        values[instruction.dest] = ops[instruction.op](*args)
    return values[program.output]


# --- text form ------------------------------------------------------------------------------------

_LINE = re.compile(r"^(\w+)\s*=\s*(\w+)\s*\((.*)\)$")
_INT = re.compile(r"^[+-]?\d+$")


def format_program(program: IntProgram, header: str = "") -> str:
    """The program as text: ``input q``, one ``dest = op(args)`` per line, ``return r``."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines.append("input " + ", ".join(program.inputs))
    for instruction in program.instructions:
        args = ", ".join(str(a) for a in instruction.args)
        lines.append(f"{instruction.dest} = {instruction.op}({args})")
    lines.append(f"return {program.output}")
    return "\n".join(lines) + "\n"


def parse_program(text: str) -> IntProgram:
    """Parse the text form of ``format_program`` ('#' starts a comment); errors name the line."""
    inputs: tuple[str, ...] = ()
    instructions: list[IntInstruction] = []
    output = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if match := _LINE.match(line):  # first: "input = f(...)" is an assignment (a bad name)
            dest, op, body = match.groups()
            parts = (part.strip() for part in body.split(","))
            args = tuple(int(a) if _INT.match(a) else a for a in parts if a)
            instructions.append(IntInstruction(dest, op, args))
        elif line.startswith("input "):
            inputs = tuple(name.strip() for name in line[6:].split(","))
        elif line.startswith("return "):
            output = line[7:].strip()
        else:
            raise AutonumericsError(f"line {number}: cannot read {raw.strip()!r} "
                                    "(expected 'x = op(a, b)')")
    if not inputs or output is None:
        raise AutonumericsError("an integer program needs an 'input ...' line and a "
                                "'return ...' line")
    return IntProgram(inputs, tuple(instructions), output)
