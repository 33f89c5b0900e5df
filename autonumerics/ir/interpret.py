"""Vectorised numpy interpreter: evaluate a program on many points, for many constant vectors.

Every op rounds once in the chosen dtype, exactly like the exported code computes it. With a
batch of constant vectors, shape ``(pop, k)``, constants broadcast as ``(pop, 1)`` columns
against ``x`` as a ``(1, n)`` row: values that depend only on ``x`` are computed once for the
whole population, and each instruction is one numpy call. This is the inner loop of fitting.

Division by zero, overflow and invalid operations produce inf / nan silently; the metrics turn
them into an error of +inf at that point. Dead code (values the output does not depend on) is
skipped, and each intermediate is recycled after its last use, so memory follows the number of
values alive at once, not the program's length.
"""

from __future__ import annotations

import functools
import threading

import mpmath
import numpy as np

from autonumerics.ir.contraction import contract_multiply_add
from autonumerics.ir.ops import OPS
from autonumerics.ir.program import INPUT, Program, live_instructions, ref_kind
from autonumerics.numerics.context import ArithmeticContext
from autonumerics.numerics.dtypes import float_format


class _Workspace(threading.local):
    """Reusable output buffers, per thread and per (shape, dtype).

    Allocating a fresh megabyte-sized array for every op costs far more than the op itself
    (fresh pages fault in); the interpreter hands each intermediate back here after its last
    use, and the next op writes into it.
    """

    max_per_key = 16
    max_keys = 8

    def __init__(self) -> None:
        self.free: dict[tuple, list[np.ndarray]] = {}

    def take(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        stack = self.free.get((shape, dtype))
        return stack.pop() if stack else np.empty(shape, dtype)

    def give(self, array: np.ndarray) -> None:
        key = (array.shape, array.dtype)
        if key not in self.free and len(self.free) >= self.max_keys:
            self.free.clear()
        stack = self.free.setdefault(key, [])
        if len(stack) < self.max_per_key:
            stack.append(array)


_WORKSPACE = _Workspace()


@functools.lru_cache(maxsize=512)
def _plan(program: Program) -> tuple[tuple | None, ...]:
    """The program compiled for the loop: per instruction, its function, operand slots and the
    results it reads for the last time (to recycle); None for dead code, which is never run.
    Slots: ("x",), ("c", i) or ("v", j)."""
    live = live_instructions(program)
    last: dict[int, int] = {}
    for index, instruction in enumerate(program.instructions):
        for ref in instruction.args if live[index] else ():
            kind, position = ref_kind(ref)
            if kind == "v":
                last[position] = index
    kind, position = ref_kind(program.output)
    if kind == "v":
        last.pop(position, None)  # the output is returned, never recycled
    freed: list[list[int]] = [[] for _ in program.instructions]
    for position, index in last.items():
        freed[index].append(position)
    return tuple(
        (OPS[i.op].numpy, tuple(ref_kind(a) for a in i.args),
         tuple(freed[index])) if live[index] else None
        for index, i in enumerate(program.instructions)
    )


def evaluate(
    program: Program,
    x: np.ndarray,
    arithmetic: ArithmeticContext | str = "float64",
    constants: np.ndarray | None = None,
    contract: bool = False,
) -> np.ndarray:
    """Evaluate ``program`` at the points ``x``, rounding after every op in the context's format.

    Args:
        program: the program.
        x: 1-D array of points (rounded to the format first).
        arithmetic: an arithmetic context (its format, and whether it contracts), or a format's
            name: "float64", "float32", "bfloat16" or "float16", rounding every op separately
            unless ``contract``.
        constants: None for the program's own constants, shape ``(k,)`` for another vector, or
            ``(pop, k)`` for a batch; constants are rounded to the format.
        contract: with a format's name: model jitted JAX/XLA on CPU, which fuses ``a*b + c``
            into one FMA (see ``contraction.py``), as a context with "xla" semantics does. With
            explicit ``constants`` XLA's sharing of equal constants is not modelled (the values
            vary along a batch); with the program's own it is.

    Returns:
        Shape ``(n,)``, or ``(pop, n)`` for a batch of constants, in the format; a new array.
    """
    if isinstance(arithmetic, ArithmeticContext):
        if contract:
            raise ValueError("contract= goes with a format's name: a context says if it contracts")
        fmt, contract = arithmetic.format, arithmetic.contracts
    else:
        fmt = float_format(arithmetic)
    if contract:
        merge = constants is None  # a batch's constants vary: XLA's sharing is not modelled
        contracted = contract_multiply_add(program, arithmetic, merge_equal_constants=merge)
        if constants is not None and contracted.n_constants > program.n_constants:
            constants = np.asarray(constants, dtype=np.float64)
            extra = np.broadcast_to(np.asarray(contracted.constants[program.n_constants:]),
                                    constants.shape[:-1]
                                    + (contracted.n_constants - program.n_constants,))
            constants = np.concatenate([constants, extra], axis=-1)
        program = contracted
    x = np.asarray(x)
    points = x if x.dtype == fmt.dtype else x.astype(np.float64).astype(fmt.dtype)
    values = _constant_columns(program, constants, fmt.dtype)
    batched = values.ndim == 2
    row = points[np.newaxis, :] if batched else points
    results: list[np.ndarray | None] = []

    def operand(slot: tuple[str, int]) -> np.ndarray:
        kind, index = slot
        if kind == INPUT:
            return row
        if kind == "c":
            return values[:, index : index + 1] if batched else values[index]
        return results[index]

    with np.errstate(all="ignore"):
        for step in _plan(program):
            if step is None:  # dead code: its value is never read
                results.append(None)
                continue
            function, slots, freed = step
            args = [operand(slot) for slot in slots]
            if isinstance(function, np.ufunc):
                out = _WORKSPACE.take(np.broadcast_shapes(*(np.shape(a) for a in args)), fmt.dtype)
                results.append(function(*args, out=out))
            else:
                results.append(np.asarray(function(*args)))
            for position in freed:
                if results[position].ndim:
                    _WORKSPACE.give(results[position])
                results[position] = None
    output = operand(ref_kind(program.output))
    shape = (values.shape[0], points.size) if batched else (points.size,)
    if ref_kind(program.output)[0] == "v" and output.shape == shape and output.dtype == fmt.dtype:
        return output  # a fresh array the caller now owns: it never returns to the workspace
    return np.broadcast_to(output, shape).astype(fmt.dtype, copy=True)


def _constant_columns(program: Program, constants, dtype: np.dtype) -> np.ndarray:
    if constants is None:
        constants = program.constants
    constants = np.asarray(constants, dtype=np.float64)
    if constants.shape[-1] != len(program.constants):
        raise ValueError(
            f"program has {len(program.constants)} constants, got shape {constants.shape}"
        )
    # a constant beyond the format's range is +-inf there, by design
    with np.errstate(over="ignore"):
        return constants.astype(dtype)


def evaluate_mp(program: Program, x: float, digits: int = 30,
                prec: int | None = None) -> mpmath.mpf:
    """Evaluate at one point in mpmath, every op rounded to ``digits`` digits (or ``prec`` bits).

    With many digits this is the real-number meaning of the program; with ``prec=53`` every op
    rounds to nearest-even at float64's precision, which is the oracle for the numpy
    interpreter (exponent range aside).
    """
    context = mpmath.workprec(prec) if prec is not None else mpmath.workdps(digits)
    with context:
        results: list = []

        def operand(ref: str):
            kind, index = ref_kind(ref)
            if kind == INPUT:
                return mpmath.mpf(x)
            return mpmath.mpf(program.constants[index]) if kind == "c" else results[index]

        live = live_instructions(program)
        for instruction, needed in zip(program.instructions, live, strict=True):
            if not needed:
                results.append(None)
                continue
            args = [operand(a) for a in instruction.args]
            try:
                results.append(OPS[instruction.op].mpmath(*args))
            except (ZeroDivisionError, ValueError):
                results.append(mpmath.mpf("nan"))
        return +operand(program.output)
