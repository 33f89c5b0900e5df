"""Integer exp(x <= 0) for softmax (9 ops, no division), and 8-bit softmax with a division per row.

exp(x) = 2^-v with v = -x / ln2 = z + f, z = floor(v), f in [0, 1). In fixed point with F
fractional bits, ``y = d * (-K)`` with ``K = round(S / ln2 * 2^F)`` (exact rationals, ln2 from
mpmath) holds v; ``z = y >> F`` and ``g = y - (z << F)`` split it without a mask op. 2^-f is a
quadratic, written ``alpha (f - beta)^2 + gamma`` so that one squaring evaluates it:
``t = rshr(g, F - G) + B`` (B = round(-beta 2^G)), ``P = t*t + C`` (C = round(gamma / alpha 2^2G)).
The factor alpha 2^-2G becomes the *output scale* ``S_e`` (softmax divides it away, a user
dequantizes with it), so no multiply is spent on it. Finally ``out = rshr(P, z)``: the rounding
shift by a register applies 2^-z. Nine ops: mul, shr, shl, sub, rshr, add, mul, add, rshr.

The quadratic is the relative-error minimax of 2^-f on [0, 1] (floor 1.72e-3 < 2^-9).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from scipy.optimize import linprog

from autonumerics.errors import AutonumericsError
from autonumerics.quant.intprogram import IntInstruction, IntProgram, evaluate


@functools.lru_cache(maxsize=4)
def relative_minimax(degree: int, points: int = 2001) -> tuple[tuple[float, ...], float]:
    """Relative minimax polynomial of 2^-f on [0, 1]: coefficients (constant first), max error."""
    f = np.linspace(0.0, 1.0, points)
    target = 2.0**-f
    # relative error is linear in c
    basis = np.vander(f, degree + 1, increasing=True) / target[:, None]
    n = len(f)
    a_ub = np.block([[basis, -np.ones((n, 1))], [-basis, -np.ones((n, 1))]])
    result = linprog(np.eye(degree + 2)[-1], A_ub=a_ub,
                     b_ub=np.concatenate([np.ones(n), -np.ones(n)]),
                     bounds=[(None, None)] * (degree + 1) + [(0, None)], method="highs")
    return tuple(float(c) for c in result.x[:-1]), float(result.x[-1])


@functools.lru_cache(maxsize=1)
def relative_minimax_quadratic(points: int = 2001) -> tuple[float, float, float, float]:
    """The relative minimax quadratic ``alpha (f-beta)^2 + gamma ~ 2^-f`` on [0, 1].

    Returns (alpha, beta, gamma, max relative error).
    """
    f = np.linspace(0.0, 1.0, points)
    target = 2.0**-f
    # relative error is linear in c
    basis = np.stack([np.ones_like(f), f, f * f], axis=1) / target[:, None]
    n = len(f)
    a_ub = np.block([[basis, -np.ones((n, 1))], [-basis, -np.ones((n, 1))]])
    result = linprog([0, 0, 0, 1], A_ub=a_ub, b_ub=np.concatenate([np.ones(n), -np.ones(n)]),
                     bounds=[(None, None)] * 3 + [(0, None)], method="highs")
    c0, c1, c2, error = result.x
    beta = -c1 / (2 * c2)
    return float(c2), float(beta), float(c0 - c2 * beta * beta), float(error)


@dataclass(frozen=True)
class ExpKernel:
    """An exp(S * d) kernel for d <= 0: ``exp(S d) ~ program(d) * output_scale``."""

    program: IntProgram
    input_scale: float
    output_scale: float
    frac_bits: int  # F: fractional bits of v = -x / ln2
    poly_bits: int  # G: fractional bits of f in the quadratic


def ln2() -> Fraction:
    with mpmath.workdps(60):
        return Fraction(mpmath.nstr(mpmath.ln(2), 55))


def build_exp(input_scale: float, min_input: int = -32768, poly_bits: int = 14,
              degree: int = 2) -> ExpKernel:
    """Fold the exp kernel for one input scale; valid (int32-exact) for every d in [min_input, 0].

    ``degree=2`` is the 9-op kernel (relative error ~1.8e-3). ``degree=3`` evaluates the relative
    minimax cubic (7.5e-5) by Horner with coefficients at 2^16 (15 ops, output scale 2^-16): the
    more accurate exp that softmax uses.
    """
    if degree not in (2, 3):
        raise AutonumericsError(f"exp kernel degree must be 2 or 3, got {degree}")
    if not 0 < input_scale <= 1:
        raise AutonumericsError(f"exp input scale must be in (0, 1], got {input_scale}")
    code, fraction, frac_bits = reduction("d", Fraction(input_scale) / ln2(), -min_input, poly_bits)
    if degree == 3:
        code += horner_cubic(fraction, poly_bits, _CUBIC_BITS)
        return ExpKernel(IntProgram(("d",), tuple(code), "out"), input_scale, 2.0**-_CUBIC_BITS,
                         frac_bits, poly_bits)
    alpha, beta, gamma, _ = relative_minimax_quadratic()
    offset = round(Fraction(-beta) * 2**poly_bits)
    constant = round(Fraction(gamma) / Fraction(alpha) * 2 ** (2 * poly_bits))
    code += [IntInstruction("t", "add", (fraction, offset)), IntInstruction("s", "mul", ("t", "t")),
             IntInstruction("p", "add", ("s", constant)), IntInstruction("out", "rshr", ("p", "z"))]
    program = IntProgram(("d",), tuple(code), "out")
    return ExpKernel(program, input_scale, alpha * 2.0 ** (-2 * poly_bits), frac_bits, poly_bits)


def reduction(source: str, per_step: Fraction, max_steps: int, poly_bits: int,
              sign: int = -1) -> tuple[list[IntInstruction], str, int]:
    """``v = sign * source * per_step`` split as ``z = floor(v)`` (register z) and its fraction.

    The fraction is at scale 2^poly_bits. ``sign * source`` must be >= 0 with
    ``|source| <= max_steps``. F (the fixed-point bits of v) is as large as int32 allows for
    ``y = |source| K``, so K = round(per_step 2^F) is as exact as possible.
    Returns (instructions, fraction register, F).
    """
    frac_bits = poly_bits
    while (frac_bits < 30 and round(per_step * 2 ** (frac_bits + 1)) * max_steps < 2**31
           and round(per_step * 2 ** (frac_bits + 1)) < 2**31):
        frac_bits += 1
    multiplier = round(per_step * 2**frac_bits)
    code = [IntInstruction("y", "mul", (source, sign * multiplier)),
            IntInstruction("z", "shr", ("y", frac_bits)),
            IntInstruction("w", "shl", ("z", frac_bits)), IntInstruction("g", "sub", ("y", "w"))]
    if frac_bits == poly_bits:
        return code, "g", frac_bits
    return code + [IntInstruction("h", "rshr", ("g", frac_bits - poly_bits))], "h", frac_bits


_CUBIC_BITS = 16  # every Horner partial sum is at scale 2^16: |partial| * 2^14 (h) stays below 2^31


def horner_cubic(fraction: str, poly_bits: int, bits: int) -> list[IntInstruction]:
    """``2^-f`` at scale 2^bits as ((C3 h >> G) + C2) h >> G ... + C0, then rounding shift by z."""
    coefficients = [round(Fraction(c) * 2**bits) for c in relative_minimax(3)[0]]
    code: list[IntInstruction] = []
    accumulator: str | int = coefficients[3]
    for k in (2, 1, 0):
        code += [IntInstruction(f"m{k}", "mul", (fraction, accumulator)),
                 IntInstruction(f"n{k}", "rshr", (f"m{k}", poly_bits)),
                 IntInstruction(f"r{k}", "add", (f"n{k}", coefficients[k]))]
        accumulator = f"r{k}"
    return code + [IntInstruction("out", "rshr", (accumulator, "z"))]


@dataclass(frozen=True)
class ExpScore:
    """Exhaustive relative error of an exp kernel on d in [min_input, 0] with ``S d >= -radius``."""

    input_scale: float
    points: int
    max_relative_error: float
    worst_input: int
    max_tail_error_lsb: float  # max |error| in output steps over the grid inputs with x < -radius


def score_exp(kernel: ExpKernel, min_input: int = -32768, radius: float = 8.0) -> ExpScore:
    """Relative error against mpmath's exp on every grid input with x in [-radius, 0]."""
    grid = np.arange(min_input, 1, dtype=np.int64)
    outputs = evaluate(kernel.program, d=grid).astype(np.float64) * kernel.output_scale
    with mpmath.workdps(30):
        scale = mpmath.mpf(kernel.input_scale)
        exact = np.array([float(mpmath.exp(scale * int(d))) for d in grid.tolist()])
    inside = grid * kernel.input_scale >= -radius
    relative = np.abs(outputs[inside] - exact[inside]) / exact[inside]
    worst = int(np.argmax(relative))
    tail = np.abs(outputs[~inside] - exact[~inside]) / kernel.output_scale
    return ExpScore(kernel.input_scale, int(inside.sum()), float(relative[worst]),
                    int(grid[inside][worst]), float(tail.max()) if tail.size else 0.0)
