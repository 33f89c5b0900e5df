"""Exact values of a target at float inputs, as double-doubles from mpmath (exhaustive checking).

``ExactTarget`` is what exhaustive verification needs of a target; the float64 reference is its
fast path, and the double-double ``(hi, lo)`` here settles every input that reference leaves open.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import mpmath
import numpy as np

__all__ = ["ExactTarget", "exact_double_doubles"]

MP_DIGITS = 40  # the exact values: 40 digits (133 bits), then a double-double of ~106 bits
MAX_MP_BITS = 2048  # more precision only where the rest of the double-double is that small


class ExactTarget(Protocol):
    """What the driver needs from a target (``autonumerics.truth.targets.Target`` is one)."""

    f64_rel_error_bound: float

    def reference_f64(self, x: np.ndarray) -> np.ndarray:
        """Float64 values within ``f64_rel_error_bound`` (relative) of the exact ones."""

    def mp(self, x: Any) -> Any:
        """The exact value at the mpf ``x`` at the current mpmath precision."""


def _exact_pair(target: ExactTarget, value: float) -> tuple[float, float]:
    """``(hi, lo)`` of the target at one input, from mpmath at MP_DIGITS digits or more.

    The rest ``exact - hi`` needs 53 good bits of its own: at p bits of working precision it
    must exceed 2**(60 - p) * |exact|. When it is smaller (2**x at x = -2**-149 is 1 - 1e-45)
    the precision doubles until it is resolved, up to MAX_MP_BITS (values that are exactly
    float64, such as 2**0, stop there with lo = 0).
    """
    bits = mpmath.libmp.dps_to_prec(MP_DIGITS)
    while True:
        with mpmath.workprec(bits):
            try:
                exact = target.mp(mpmath.mpf(value))  # mpf of a float is exact
            except (ValueError, ArithmeticError):
                return math.nan, math.nan
            hi = float(exact)
            if not math.isfinite(hi):
                return hi, 0.0
            rest = exact - hi  # exact: hi holds the leading bits of `exact`
            resolved = rest != 0 and abs(rest) > abs(exact) * mpmath.ldexp(1, 60 - bits)
            if bits >= MAX_MP_BITS or resolved:
                return hi, float(rest)
        bits *= 2


def exact_double_doubles(target: ExactTarget, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hi, lo)`` arrays of the target at the float32 inputs x (see ``_exact_pair``)."""
    pairs = [_exact_pair(target, value) for value in x.tolist()]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
