"""The integer ops: one row per op, with its arity and its meaning in every language.

Every value is an int32 (one op each in the count; constants are free). ``numpy`` is the
reference semantics, computed in int64 so that an overflow is *seen* (``intprogram.audit``)
rather than wrapped; ``jax`` is the same op on int32 arrays, equal to it wherever the audit
shows no overflow; ``c`` and ``python`` are the exported expressions (operands ``{0}``,
``{1}``, ...; ``{m}``: ``np`` or ``jnp``; the ``an_*`` / ``_rshr`` / ``_shl`` helpers are
written into every export).

========  =====================================================================================
add sub   a + b, a - b
mul       a * b
shr       arithmetic right shift, floor(a / 2**k); k clamped to [0, 31]
rshr      rounding right shift, round half up: floor(a / 2**k + 1/2) for k >= 1, a for k = 0
          (computed as (a >> k) + bit k-1 of a, which equals (a + 2**(k-1)) >> k and never
          overflows; one instruction on ARM NEON, SRSHL); k clamped to [0, 31]
shl       saturating left shift: clamp(a * 2**k, -2**31, 2**31 - 1); k in [0, 31]
min max   minimum, maximum
abs       |a| (the audit flags |-2**31|)
sel       sel(a, b, c, d) = c where a < b else d
clamp     clamp(a, lo, hi) = min(max(a, lo), hi)
div       floor(a / b), b != 0 (counted separately: the targets forbid or ration divisions)
========  =====================================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from autonumerics.errors import AutonumericsError

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

ArrayModule = ModuleType  # numpy or jax.numpy


@dataclass(frozen=True)
class IntOp:
    """One integer op: how many arguments, and what it means in each language."""

    arity: int
    numpy: Callable[..., np.ndarray]
    jax: Callable[[ArrayModule], Callable]
    c: str
    python: str


def _shift_amount(m: ArrayModule, k):
    return m.clip(k, 0, 31)


def _rshr(m: ArrayModule) -> Callable:
    def rshr(a, k):
        # a = q 2^k + r with 0 <= r < 2^k: floor(a/2^k + 1/2) = q + [r >= 2^(k-1)], and that
        # bracket is bit k-1 of a (two's complement); q + 1 never leaves int32
        k = _shift_amount(m, k)
        return m.where(k == 0, a, (a >> k) + ((a >> m.maximum(k - 1, 0)) & 1))
    return rshr


def _shl_int64(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.clip(a << _shift_amount(np, k), INT32_MIN, INT32_MAX)


def _shl_int32(m: ArrayModule) -> Callable:
    def shl(a, k):
        # a * 2^k fits iff a lies in [INT32_MIN >> k, INT32_MAX >> k]; past either end the
        # result is that edge of int32 (shifting the clamped a would give 2^31 - 2^k above)
        k = _shift_amount(m, k)
        low = m.right_shift(m.int32(INT32_MIN), k)
        high = m.right_shift(m.int32(INT32_MAX), k)
        inside = m.left_shift(m.clip(a, low, high), k)
        return m.where(a > high, m.int32(INT32_MAX), m.where(a < low, m.int32(INT32_MIN), inside))
    return shl


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.any(b == 0):
        raise AutonumericsError("integer division by zero")
    return a // b


def _named(name: str) -> Callable[[ArrayModule], Callable]:
    """The op ``m.name`` of the array module."""
    return lambda m: getattr(m, name)


INT_OPS: dict[str, IntOp] = {
    "add": IntOp(2, np.add, _named("add"), "{0} + {1}", "{0} + {1}"),
    "sub": IntOp(2, np.subtract, _named("subtract"), "{0} - {1}", "{0} - {1}"),
    "mul": IntOp(2, np.multiply, _named("multiply"), "{0} * {1}", "{0} * {1}"),
    "shr": IntOp(2, lambda a, k: a >> _shift_amount(np, k),
                 lambda m: lambda a, k: m.right_shift(a, _shift_amount(m, k)),
                 "an_shr({0}, {1})", "{0} >> {m}.clip({1}, 0, 31)"),
    "rshr": IntOp(2, _rshr(np), _rshr, "an_rshr({0}, {1})", "_rshr({0}, {1})"),
    "shl": IntOp(2, _shl_int64, _shl_int32, "an_shl({0}, {1})", "_shl({0}, {1})"),
    "min": IntOp(2, np.minimum, _named("minimum"), "({0} < {1} ? {0} : {1})",
                 "{m}.minimum({0}, {1})"),
    "max": IntOp(2, np.maximum, _named("maximum"), "({0} > {1} ? {0} : {1})",
                 "{m}.maximum({0}, {1})"),
    "abs": IntOp(1, np.abs, _named("abs"), "({0} < 0 ? -{0} : {0})", "{m}.abs({0})"),
    "sel": IntOp(4, lambda a, b, c, d: np.where(a < b, c, d),
                 lambda m: lambda a, b, c, d: m.where(a < b, c, d),
                 "({0} < {1} ? {2} : {3})", "{m}.where({0} < {1}, {2}, {3})"),
    "clamp": IntOp(3, lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
                   lambda m: lambda a, lo, hi: m.minimum(m.maximum(a, lo), hi),
                   "an_clamp({0}, {1}, {2})", "{m}.minimum({m}.maximum({0}, {1}), {2})"),
    "div": IntOp(2, _div, _named("floor_divide"), "an_floordiv({0}, {1})",
                 "{m}.floor_divide({0}, {1})"),
}
