"""Where a target is defined: intervals, the domain of a built-in, the probe of a custom target.

A built-in target knows its domain (:class:`Domain`); an mpmath expression typed by a user does
not, and labels computed outside its domain would be NaN. So a custom target is evaluated on a
grid of the interval (65 Chebyshev points, both ends included), and every sign change between
neighbours is bisected: where the magnitude grows while closing in on the change, it is a pole
(``gamma(x)`` at 0, ``tan(x)`` at pi/2, ``1/(x - 0.3)``), where it shrinks, a zero. The probe
catches what makes a whole search or measurement meaningless; the labels themselves are checked
point by point (``ground_truth.finite_labels``). An isolated point without a value that no
sample hits (``(log(1+x) - x)/x**2`` at 0, a removable singularity) is not looked for: it does
no harm.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.limits import clipped, shown
from autonumerics.truth.expressions import Expression
from autonumerics.truth.mp_functions import (
    EVALUATION_ERRORS,
    MpValue,
    describe_error,
    evaluate_converged,
)

Interval = tuple[float, float]

_GRID = 65  # Chebyshev points
_BISECTIONS = 48
# Closing in on a pole multiplies |f| by about 2^48 (times the grid spacing over the distance);
# on a zero it divides it. A jump (atan(1/x)) changes it by a bounded factor.
_POLE_GROWTH = 1e6
_PROBE_BITS = 60
_PROBES_REMEMBERED = 4096  # (expression, interval) found fine


@dataclass(frozen=True)
class Domain:
    """Where a target is real and finite: ``lo .. hi``, each end open or closed."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = True
    hi_open: bool = True

    def contains(self, a: float, b: float) -> bool:
        """Whether the closed interval [a, b] lies inside the domain."""
        above = a > self.lo or (a == self.lo and not self.lo_open)
        below = b < self.hi or (b == self.hi and not self.hi_open)
        return above and below

    def __str__(self) -> str:
        left, right = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
        return f"{left}{self.lo:g}, {self.hi:g}{right}"


REAL_LINE = Domain()


def finite_interval(a: float, b: float) -> Interval:
    """``(a, b)`` as floats; an ``AutonumericsError`` unless both are finite and ``a < b``."""
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        raise AutonumericsError(
            f"interval bounds must be numbers, got [{shown(a, 60)}, {shown(b, 60)}]") from None
    except OverflowError:  # an integer beyond the float64 range
        raise AutonumericsError(
            f"interval [{shown(a, 60)}, {shown(b, 60)}] has a non-finite bound") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise AutonumericsError(f"interval [{a!r}, {b!r}] has a non-finite bound")
    if not a < b:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] is empty or reversed (need a < b)")
    return a, b


def probe_points(a: float, b: float) -> list[float]:
    """The probe's points of [a, b], ascending and distinct (a, b finite, a < b)."""
    mid, half = a / 2 + b / 2, b / 2 - a / 2  # halves first: [-1e308, 1e308] must not overflow
    chebyshev = np.clip(mid - half * np.cos(np.pi * np.arange(_GRID) / (_GRID - 1)), a, b)
    return sorted({a, b, *(float(x) for x in chebyshev)})


@lru_cache(maxsize=_PROBES_REMEMBERED)  # a probe that raises is not remembered
def check_finite_on(expression: Expression, a: float, b: float) -> None:
    """Raise unless ``expression`` is finite and real (within float64) on the probe of [a, b].

    Args:
        expression: the target's, evaluated at the current mpmath precision.
        a, b: the interval, finite floats with a < b.

    Raises:
        AutonumericsError: naming the first bad point and why, or the pole found.
    """
    where = f"target {clipped(expression.text, 60)} on [{a!r}, {b!r}]"
    points = probe_points(a, b)
    values = [_finite_value(where, expression, x) for x in points]
    for left, right, value, following in zip(points, points[1:], values, values[1:], strict=False):
        if value * following < 0:
            pole = _pole_between(expression, left, right, value, following)
            if pole is not None:
                raise AutonumericsError(
                    f"{where} has a pole near x = {pole:.6g}: choose an interval without it")


def _finite_value(where: str, expression: Callable[[MpValue], MpValue], x: float) -> float:
    """The value at x as a float; an error naming x unless it is real, finite and within float64."""
    try:
        value = evaluate_converged(expression, x, _PROBE_BITS)
    except EVALUATION_ERRORS as error:
        raise AutonumericsError(
            f"{where} cannot be evaluated at x = {x!r} ({describe_error(error)})") from None
    number = float(value) if mpmath.isfinite(value) else math.nan
    if not math.isfinite(number):
        raise AutonumericsError(
            f"{where} is {mpmath.nstr(value, 6)} at x = {x!r}: not a finite float64")
    return number


def _pole_between(expression: Callable[[MpValue], MpValue], left: float, right: float,
                  value: float, following: float) -> float | None:
    """Bisect the sign change in [left, right]: the point it closes in on if |f| blows up there."""
    start = max(abs(value), abs(following))
    for _ in range(_BISECTIONS):
        middle = left / 2 + right / 2
        if not left < middle < right:
            break
        try:
            current = float(evaluate_converged(expression, middle, _PROBE_BITS))
        except (*EVALUATION_ERRORS, OverflowError):
            return middle  # undefined right at the crossing: a pole landed on
        if current == 0 or math.isnan(current):
            return None if current == 0 else middle
        if (current < 0) == (value < 0):
            left, value = middle, current
        else:
            right, following = middle, current
    near = min(abs(value), abs(following))
    return left / 2 + right / 2 if near > _POLE_GROWTH * start else None
