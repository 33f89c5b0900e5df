"""The special inputs of a verification and what a function gives there.

±0, ±inf, NaN, the smallest and the largest subnormal, the smallest normal and the largest float
(each of both signs) and the interval's ends: the output at each next to the correctly rounded
float32 value.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import numpy as np

from autonumerics.numerics.metrics import round_to_format, ulp_errors
from autonumerics.truth.targets import Target


def _special_inputs(interval: tuple[float, float]) -> list[float]:
    tiny, smallest = 2.0**-126, 2.0**-149
    largest = float(np.finfo(np.float32).max)
    values = [0.0, -0.0, math.inf, -math.inf, math.nan, smallest, -smallest, tiny - smallest,
              -(tiny - smallest), tiny, -tiny, largest, -largest, *interval]
    return [float(np.float32(v)) for v in values]


def _exact_float32(target: Target, value: float) -> tuple[float, float] | None:
    """The exact target value as a double-double (None where the target has no real value)."""
    if math.isnan(value):
        return None
    with mpmath.workdps(60):
        try:
            exact = target.mp(mpmath.mpf(value))
        except (ValueError, ArithmeticError, TypeError):
            return None
        if not isinstance(exact, mpmath.mpf) or mpmath.isnan(exact):
            return None
        hi = float(exact)
        return hi, (float(exact - hi) if math.isfinite(hi) else 0.0)


def special_values(function: Callable, target: Target, interval: tuple[float, float]) -> list[dict]:
    """Outputs at the special inputs next to the correctly rounded float32 values."""
    inputs = np.array(_special_inputs(interval), np.float32)
    with np.errstate(all="ignore"):
        outputs = np.asarray(function(inputs), np.float32)
        return [_special_row(target, interval, x, y)
                for x, y in zip(inputs.tolist(), outputs.tolist(), strict=True)]


def _special_row(target: Target, interval: tuple[float, float], x: float, y: float) -> dict:
    exact = _exact_float32(target, x)
    row = {"input": repr(x), "input_hex": float(x).hex(), "output": repr(y),
           "in_interval": bool(interval[0] <= x <= interval[1])}
    if exact is None:
        row.update(expected="nan", correctly_rounded=bool(math.isnan(y)))
    else:
        hi, lo = np.array([exact[0]]), np.array([exact[1]])
        rounded = float(round_to_format(hi, lo, "float32")[0])
        same = np.float32(y).tobytes() == np.float32(rounded).tobytes() or rounded == y == 0.0
        row.update(expected=repr(rounded), correctly_rounded=bool(same))
        if math.isfinite(exact[0]):
            row["ulp"] = float(ulp_errors(np.array([y]), hi, lo, "float32")[0])
    return row
