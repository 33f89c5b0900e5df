"""int16 sigmoid and tanh (input scale 2^-12, output scale 2^-15) with exact symmetry, table-free.

For a = |q| >= 0: ``e = exp(-c a S)`` (c = 1 for sigmoid, 2 for tanh) by the exp reduction of
``expkernel`` and the relative minimax cubic of 2^-f evaluated *factored at its real root*,
``|c3| (r - f) ((f - m)^2 + k)`` (7 ops instead of Horner's 9; |c3| goes into e's scale sigma),
then one division with ``one = round(sigma)``:

* sigmoid(a) = 1 / (1 + e):   ``y = (one 2^15 + K) div (e + one)``  (18 ops);
* tanh(a) = 2 / (1 + e) - 1:  ``y = min((one 2^16 + K) div (e + one) - 2^15, 32767)``  (20 ops).

K is the division's rounding offset, chosen by exhaustive scoring. Symmetry is exact by
construction: negative inputs return ``32768 - y`` (sigmoid(-x) = 1 - sigmoid(x)) or ``-y``
(tanh is odd) through one select.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.quant.expkernel import ln2, reduction, relative_minimax
from autonumerics.quant.intprogram import IntInstruction, IntProgram, evaluate
from autonumerics.quant.params import QuantParams
from autonumerics.quant.score import QuantScore, reference, score_outputs

INPUT = QuantParams(2.0**-12, 0, "int16")
OUTPUT = QuantParams(2.0**-15, 0, "int16")
POLY_BITS = 14


def factored_cubic(fraction: str) -> tuple[list[IntInstruction], float]:
    """``2^-f`` as ``|c3| (r - f) ((f - m)^2 + k)``: the relative minimax cubic, r its real root.

    Seven ops (add, mul, rshr, add, sub, mul, rshr) instead of Horner's nine, then the shift by z.
    With f at 2^14: u = h - m 2^14 (|u| < 2^15), u^2 at 2^28 -> 2^12 (+ k), r - f at 2^14, their
    product at 2^26 (< 2^30.7), then >> 16. Returns the instructions (register "out" holds e) and
    e's scale sigma: e ~ 2^-v * sigma with sigma = 2^10 / |c3| ~ 2^14.7 (|c3| folded out of
    the product).
    """
    coefficients = np.array(relative_minimax(3)[0])
    roots = np.roots(coefficients[::-1])
    root = float(next(x.real for x in roots if abs(x.imag) < 1e-12))
    quadratic = np.polydiv(coefficients[::-1], np.array([1.0, -root]))[0] / coefficients[3]
    middle, offset = -quadratic[1] / 2, quadratic[2] - quadratic[1] ** 2 / 4
    code = [IntInstruction("u", "add", (fraction, round(Fraction(-middle) * 2**POLY_BITS))),
            IntInstruction("s", "mul", ("u", "u")), IntInstruction("s1", "rshr", ("s", 16)),
            IntInstruction("qd", "add", ("s1", round(Fraction(offset) * 2**12))),
            IntInstruction("ln", "sub", (round(Fraction(root) * 2**POLY_BITS), fraction)),
            IntInstruction("pr", "mul", ("qd", "ln")), IntInstruction("p", "rshr", ("pr", 16)),
            IntInstruction("out", "rshr", ("p", "z"))]
    return code, 2.0**10 / abs(float(coefficients[3]))


def build(target: str, offset: int) -> IntProgram:
    """The sigmoid or tanh program with division rounding offset ``offset``."""
    if target not in ("sigmoid", "tanh"):
        raise AutonumericsError(f"int16 kernels exist for sigmoid and tanh, not {target!r}")
    factor = 1 if target == "sigmoid" else 2
    code = [IntInstruction("a", "abs", ("q",))]
    steps, fraction, _ = reduction("a", Fraction(factor) * Fraction(INPUT.scale) / ln2(), 32768,
                                   POLY_BITS, sign=1)
    cubic, sigma = factored_cubic(fraction)  # register "out" holds e = exp(-factor x) * sigma
    # sigmoid = 1 / (1 + e) at 2^-15: 2^15 sigma / (e + sigma); tanh + 1 = 2 / (1 + e):
    # 2^16 sigma / (...)
    one = round(sigma)  # 1.0 in e's units; the numerator uses it too, so e = 0 gives exactly 1
    numerator = one * 2 ** (14 + factor) + offset
    code += steps + cubic
    code += [IntInstruction("den", "add", ("out", one)),
             IntInstruction("quo", "div", (numerator, "den"))]
    if target == "sigmoid":
        code += [IntInstruction("neg", "sub", (32768, "quo")),
                 IntInstruction("res", "sel", ("q", 0, "neg", "quo"))]
    else:
        # pos <= 32767 needs either a negative offset (a floor-like division) or this min: the
        # min (op 20) lets the offset round to nearest.
        code += [IntInstruction("pos0", "sub", ("quo", 32768)),
                 IntInstruction("pos", "min", ("pos0", 32767)),
                 IntInstruction("neg", "sub", (0, "pos")),
                 IntInstruction("res", "sel", ("q", 0, "neg", "pos"))]
    return IntProgram(("q",), tuple(code), "res")


def tune(target: str,
         candidates: range = range(-2**15, 2**15, 256)) -> tuple[IntProgram, QuantScore]:
    """The rounding offset with the least max error, then most correctly rounded (every input)."""
    grid = INPUT.grid()
    exact, rounded = reference(target, INPUT, OUTPUT)
    best: tuple[tuple, IntProgram, QuantScore] | None = None
    for offset in candidates:
        program = build(target, offset)
        outputs = evaluate(program, q=grid)
        if outputs.max() > OUTPUT.qrange[1] or outputs.min() < OUTPUT.qrange[0]:
            continue  # would need a saturating clamp
        score = score_outputs(outputs, grid, exact, rounded)
        key = (score.max_lsb_error, -score.correctly_rounded, abs(score.bias_lsb))
        if best is None or key < best[0]:
            best = (key, program, score)
    if best is None:
        raise AutonumericsError(f"no rounding offset keeps {target} inside int16")
    return best[1], best[2]


def symmetric(target: str, program: IntProgram) -> bool:
    """Whether out(-q) == 32768 - out(q) (sigmoid) or -out(q) (tanh) for every q in [1, 32767]."""
    q = np.arange(1, 32768)
    positive, negative = evaluate(program, q=q), evaluate(program, q=-q)
    return bool(np.array_equal(negative, 32768 - positive if target == "sigmoid" else -positive))
