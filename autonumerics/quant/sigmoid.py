"""int16 sigmoid and tanh (input scale 2^-12, output scale 2^-15) with exact symmetry, table-free.

For a = |q| >= 0: ``e = exp(-c a S)`` from the cubic exp kernel (``expkernel``; c = 1 for sigmoid,
2 for tanh), then one division:

* sigmoid(a) = 1 / (1 + e):   ``y = (2^30 + K) div (e + 2^15)`` with e at scale 2^-15;
* tanh(a) = 2 / (1 + e) - 1:  ``y = (2^30 + K) div (e + 2^14) - 2^15`` with e at scale 2^-14.

K is the division's rounding offset, chosen by exhaustive scoring (it also keeps tanh's y below
2^15 where e underflows to 0). Symmetry is exact by construction: negative inputs return
``32768 - y`` (sigmoid(-x) = 1 - sigmoid(x)) or ``-y`` (tanh is odd) through one select.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.quant.expkernel import horner_cubic, ln2, reduction
from autonumerics.quant.intprogram import Instruction, IntProgram, evaluate
from autonumerics.quant.params import QuantParams
from autonumerics.quant.score import Score, reference, score_outputs

INPUT = QuantParams(2.0**-12, 0, "int16")
OUTPUT = QuantParams(2.0**-15, 0, "int16")
POLY_BITS = 14


def build(target: str, offset: int) -> IntProgram:
    """The sigmoid or tanh program with division rounding offset ``offset``."""
    if target not in ("sigmoid", "tanh"):
        raise AutonumericsError(f"int16 kernels exist for sigmoid and tanh, not {target!r}")
    factor, bits = (1, 15) if target == "sigmoid" else (2, 14)
    code = [Instruction("a", "abs", ("q",))]
    steps, fraction, _ = reduction("a", Fraction(factor) * Fraction(INPUT.scale) / ln2(), 32768, POLY_BITS, sign=1)
    code += steps + horner_cubic(fraction, POLY_BITS, bits)  # register "out" holds e at scale 2^-bits
    code += [Instruction("den", "add", ("out", 2**bits)), Instruction("quo", "div", (2**30 + offset, "den"))]
    if target == "sigmoid":
        code += [Instruction("neg", "sub", (32768, "quo")), Instruction("res", "sel", ("q", 0, "neg", "quo"))]
    else:
        code += [Instruction("pos", "sub", ("quo", 32768)), Instruction("neg", "sub", (0, "pos")),
                 Instruction("res", "sel", ("q", 0, "neg", "pos"))]
    return IntProgram(("q",), tuple(code), "res")


def tune(target: str, candidates: range = range(-2**14, 2**15, 256)) -> tuple[IntProgram, Score]:
    """The rounding offset with the smallest max error, then the most correctly rounded (every input)."""
    grid = INPUT.grid()
    exact, rounded = reference(target, INPUT, OUTPUT)
    best: tuple[tuple, IntProgram, Score] | None = None
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
