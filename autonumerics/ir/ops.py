"""The op registry: every op's arity, algebra, cost and meaning in each backend, in one row.

A row holds the numpy meaning (evaluated per dtype, rounding once per op), the mpmath meaning
(exact at the working precision), and the source templates for the JAX and C emitters, so the
backends cannot drift apart. Ops are looked up by name; an unknown name is a user error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.fma import fused_multiply_add


@dataclass(frozen=True)
class Op:
    """One operation of the program IR.

    Attributes:
        name: identifier used in programs, JSON files and configs.
        arity: number of operands.
        commutative: how many leading operands may be swapped freely (0, or 2 for add/mul/fma).
        cost: weight in the op count (a fused multiply-add is one instruction, like an add).
        numpy: elementwise implementation on numpy arrays of one dtype; rounds once.
        mpmath: implementation on mpmath numbers at the working precision.
        jax: JAX source template, operands as {0}, {1}, {2}.
        c: C source template for float operands.
        infix: the operator symbol when printed infix (None: printed as a call `name(...)`).
    """

    name: str
    arity: int
    commutative: int
    cost: float
    numpy: Callable[..., np.ndarray]
    mpmath: Callable[..., object]
    jax: str
    c: str
    infix: str | None = None


def _mp_sqrt(a):
    return mpmath.sqrt(a) if a >= 0 else mpmath.mpf("nan")


def _mp_div(a, b):
    return a / b if b != 0 else mpmath.mpf("nan")


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("add", 2, 2, 1.0, np.add, lambda a, b: a + b, "{0} + {1}", "{0} + {1}", "+"),
        Op("sub", 2, 0, 1.0, np.subtract, lambda a, b: a - b, "{0} - {1}", "{0} - {1}", "-"),
        Op("mul", 2, 2, 1.0, np.multiply, lambda a, b: a * b, "{0} * {1}", "{0} * {1}", "*"),
        Op("div", 2, 0, 1.0, np.divide, _mp_div, "{0} / {1}", "{0} / {1}", "/"),
        Op("neg", 1, 0, 1.0, np.negative, lambda a: -a, "-{0}", "-{0}"),
        Op("square", 1, 0, 1.0, np.square, lambda a: a * a, "{0} * {0}", "{0} * {0}"),
        Op("sqrt", 1, 0, 1.0, np.sqrt, _mp_sqrt, "jnp.sqrt({0})", "sqrtf({0})"),
        Op("fma", 3, 2, 1.0, fused_multiply_add, lambda a, b, c: a * b + c,
           "{0} * {1} + {2}", "fmaf({0}, {1}, {2})"),
    )
}

# The default search alphabet of the paper: the four arithmetic operations.
ARITHMETIC = ("add", "sub", "mul", "div")


def get_op(name: str) -> Op:
    """The op called ``name``; an error naming the known ops otherwise."""
    try:
        return OPS[name]
    except KeyError:
        raise AutonumericsError(f"unknown op {name!r}; known ops: {', '.join(OPS)}") from None
