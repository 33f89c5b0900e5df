"""Baselines, same harness: I-BERT i-GELU / i-exp, lookup tables, dequantize -> float -> requantize.

I-BERT (Kim et al., 2021) is written from the paper's description:

* i-erf: ``L(x) = sign(x) [a (min(|x|, -b) + b)^2 + 1]`` with a = -0.2888, b = -1.769, integer
  constants folded as ``q_b = floor(b / S)``, ``q_c = floor(1 / (a S^2))`` (the folds that lose
  precision at coarse scales); i-GELU ``= q (q_L + floor(1 / S_L))`` at scale ``S S_L / 2``, with
  the erf argument at scale S / sqrt(2). The result is requantized to the output grid exactly
  (rounded), which is kinder than the paper's fixed shift.
* i-exp: ``z = floor(-q / floor(ln2 / S))``, ``p = q + z floor(ln2 / S)``,
  ``L = (p + floor(b / S))^2 + floor(c / (a S^2))`` with (a, b, c) = (0.3585, 1.353, 0.344),
  result ``L >> z`` at scale ``a S^2``.

Each returns integer outputs over the full grid; ops are the integer ops per element as the
paper's algorithm spells them (requantization multiply and shift included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from autonumerics.quant.params import QuantParams, quantize
from autonumerics.quant.score import reference

IBERT_ERF = (-0.2888, -1.769)
IBERT_EXP = (0.3585, 1.353, 0.344)


@dataclass(frozen=True)
class BaselineOutputs:
    """A baseline's integer outputs on the whole grid and its cost."""

    name: str
    outputs: np.ndarray
    ops: int
    divisions: int
    table_bytes: int


def _requantize(values: np.ndarray, scale: Fraction, params_out: QuantParams) -> np.ndarray:
    """Round ``values * scale / S_out`` to nearest (exact rationals), add Z_out, saturate."""
    ratio = scale / Fraction(params_out.scale)
    numerator, denominator = ratio.numerator, ratio.denominator
    scaled = [int(v) * numerator for v in values.tolist()]
    rounded = np.array([(2 * s + denominator) // (2 * denominator) for s in scaled], dtype=np.int64)
    low, high = params_out.qrange
    return np.clip(rounded + params_out.zero_point, low, high)


def ibert_gelu(params_in: QuantParams, params_out: QuantParams) -> BaselineOutputs:
    """I-BERT's integer GELU on every input, requantized (rounded) to ``params_out``."""
    a, b = IBERT_ERF
    q = params_in.grid() - params_in.zero_point
    s_erf = params_in.scale / math.sqrt(2.0)
    q_b = math.floor(b / s_erf)
    q_c = math.floor(1.0 / (a * s_erf * s_erf))
    clipped = np.minimum(np.abs(q), -q_b)
    q_l = np.sign(q) * ((clipped + q_b) ** 2 + q_c)
    s_l = Fraction(a) * Fraction(s_erf) ** 2
    q_1 = math.floor(1 / s_l)
    q_out = q * (q_l + q_1)
    outputs = _requantize(q_out, Fraction(params_in.scale) * s_l / 2, params_out)
    # sign, abs, min, add, mul (square), add, mul (sign), add, mul, requantize (mul + shift)
    return BaselineOutputs("I-BERT i-GELU", outputs, 11, 0, 0)


def ibert_gelu_real(x: np.ndarray) -> np.ndarray:
    """I-BERT's GELU on the reals (float64), for the continuous L-infinity figure."""
    a, b = IBERT_ERF
    u = np.abs(x) / math.sqrt(2.0)
    erf = np.sign(x) * (a * (np.minimum(u, -b) + b) ** 2 + 1)
    return x * 0.5 * (1 + erf)


def ibert_exp(d: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
    """I-BERT's i-exp for d <= 0 at input scale S: (integer outputs, output scale a S^2)."""
    a, b, c = IBERT_EXP
    q_ln2 = math.floor(math.log(2.0) / scale)
    if q_ln2 < 1:  # the fold collapses (S > ln 2): the algorithm divides by zero
        return np.zeros_like(d), a * scale * scale
    z = (-d) // q_ln2
    p = d + z * q_ln2
    poly = (p + math.floor(b / scale)) ** 2 + math.floor(c / (a * scale * scale))
    return poly >> np.minimum(z, 62), a * scale * scale


def table_outputs(name: str, params_in: QuantParams, params_out: QuantParams) -> BaselineOutputs:
    """A full lookup table (one entry per input): exact by construction, costs the table."""
    _, rounded = reference(name, params_in, params_out)
    bytes_per_entry = 2 if params_out.dtype == "int16" else 1
    return BaselineOutputs(f"{len(rounded)}-entry table", rounded, 1, 0,
                           len(rounded) * bytes_per_entry)


def interpolated_table(name: str, params_in: QuantParams, params_out: QuantParams,
                       entries: int = 513) -> BaselineOutputs:
    """``entries`` knots over the input range, rounded to the output grid, linearly interpolated."""
    grid = params_in.grid()
    step = len(grid) // (entries - 1)  # 65 536 / 512 = 128 inputs per segment
    _, rounded = reference(name, params_in, params_out)
    # Knot i sits at input grid[0] + i * step; the last one (one past the grid) reuses the
    # last input.
    knots = rounded[np.minimum(np.arange(entries) * step, len(grid) - 1)]
    offset = grid - grid[0]
    index, fraction = offset // step, offset % step
    upper = knots[np.minimum(index + 1, entries - 1)]
    shift = int(math.log2(step))
    outputs = knots[index] + (((upper - knots[index]) * fraction + step // 2) >> shift)
    low, high = params_out.qrange
    bytes_per_entry = 2 if params_out.dtype == "int16" else 1
    # offset, shift, mask, 2 gathers, sub, mul, add, shift, add
    return BaselineOutputs(f"{entries}-entry interpolated table", np.clip(outputs, low, high), 10,
                           0, entries * bytes_per_entry)


def float_requantize(name: str, params_in: QuantParams, params_out: QuantParams) -> BaselineOutputs:
    """Dequantize, evaluate the function in float32 (scipy / numpy), requantize (half to even)."""
    from scipy.special import ndtr  # scipy: only this float path needs it

    x = ((params_in.grid() - params_in.zero_point) * params_in.scale).astype(np.float32)
    functions = {
        "gelu": lambda v: v * ndtr(v.astype(np.float64)).astype(np.float32),
        "exp": np.exp, "tanh": np.tanh,
        "sigmoid": lambda v: (1 / (1 + np.exp(-v))).astype(np.float32),
    }
    y = functions[name](x).astype(np.float32)
    return BaselineOutputs("dequantize-float32-requantize", quantize(y, params_out), 0, 0, 0)
