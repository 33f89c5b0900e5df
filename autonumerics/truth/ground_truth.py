"""Ground truth: point sets on an interval, and exact labels for them as cached double-doubles.

A label is the exact value f(x) rounded to a double-double ``hi + lo`` (``hi`` the float64
nearest to f(x), ``lo`` the float64 nearest to f(x) - hi), i.e. about 106 bits, from mpmath at
``digits`` significant digits or more. Labels are cached on disk (``label_cache``: keyed by
the target's expression, the exact bytes of the points and ``digits``; bounded in size).
Computing labels stops with an error past a time limit (``LABEL_SECONDS``, 600 s, by default),
or as soon as its pace shows it would take more than twice that.
"""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.limits import LABEL_SECONDS, MAX_DIGITS, MAX_POINTS, MIN_DIGITS, clipped, shown
from autonumerics.numerics.float_keys import float32_grid, keys_to_float32
from autonumerics.truth.label_cache import cache_dir, cache_key, read_cached, write_cached
from autonumerics.truth.mp_functions import EVALUATION_ERRORS, describe_error, evaluate_converged
from autonumerics.truth.targets import Interval, Target, finite_interval

POINT_KINDS = ("uniform", "chebyshev", "float32", "random")
_GUARD_BITS = 10  # on top of digits; evaluate_converged adds 20 more and checks convergence


def make_points(
    interval: Interval, n: int, kind: str = "uniform", rng: np.random.Generator | None = None
) -> np.ndarray:
    """Up to ``n`` sample points in ``[a, b]``: float64, sorted, unique, with both endpoints.

    Args:
        interval: ``(a, b)`` with finite ``a < b``.
        n: how many points (at least 2); fewer come back when the interval holds fewer
            distinct values (or, for ``"random"``, on a rare duplicate).
        kind: ``"uniform"`` (equally spaced), ``"chebyshev"`` (extrema of T_{n-1}, dense at the
            ends), ``"float32"`` (float32 values with equally spaced bit patterns, i.e. uniform
            in ulps; the endpoints are ``a`` and ``b`` rounded inward to float32) or
            ``"random"`` (uniform random, needs ``rng``).
        rng: the generator for ``"random"``.

    Raises:
        AutonumericsError: bad interval, ``n < 2``, an unknown kind, or no ``rng`` for random.
    """
    a, b = finite_interval(*interval)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise AutonumericsError(f"need at least 2 points (the endpoints), got n={shown(n, 40)}")
    if n > MAX_POINTS:
        raise AutonumericsError(f"{n} points: the limit is {MAX_POINTS}")
    if kind == "float32":
        return _float32_points(a, b, int(n))
    if kind == "uniform":
        unit = np.arange(n) / (n - 1)
    elif kind == "chebyshev":
        # (1 - cos θ)/2 = sin²(θ/2): accurate near a, and 1 - that = cos²(θ/2) near b.
        half_angle = np.pi * np.arange(n) / (2 * (n - 1))
        unit, complement = np.sin(half_angle) ** 2, np.cos(half_angle) ** 2
        return _unique_with_ends(a, b, _map_unit(a, b, unit, complement))
    elif kind == "random":
        if rng is None:
            raise AutonumericsError("kind='random' needs a numpy Generator (rng)")
        unit = np.sort(rng.random(n - 2))
        unit = np.concatenate(([0.0], unit, [1.0]))
    else:
        choices = ", ".join(POINT_KINDS)
        raise AutonumericsError(f"unknown point kind {shown(kind, 40)}; choose one of {choices}")
    return _unique_with_ends(a, b, _map_unit(a, b, unit, 1.0 - unit))


def _map_unit(a: float, b: float, unit: np.ndarray, complement: np.ndarray) -> np.ndarray:
    """a + (b - a)·u, computed from a in the lower half and from b in the upper half."""
    width, scale = b - a, 1.0
    if not math.isfinite(width):  # e.g. [-1e308, 1e308]: work with half the width
        width, scale = b / 2 - a / 2, 2.0
    with np.errstate(over="ignore"):  # the branch np.where discards may overflow
        return np.where(unit <= 0.5, a + scale * (width * unit), b - scale * (width * complement))


def _unique_with_ends(a: float, b: float, values: np.ndarray) -> np.ndarray:
    values = np.clip(values, a, b)
    values[0], values[-1] = a, b
    return np.unique(values.astype(np.float64))


def _float32_points(a: float, b: float, n: int) -> np.ndarray:
    """Float32 values in [a, b] (rounded inward) whose ordered keys are equally spaced."""
    first, count = float32_grid(a, b)
    last = first + count - 1
    # floor(t + 1/2) is monotone with unit steps, so distinct targets stay distinct.
    keys = np.floor(np.linspace(first, last, n) + 0.5).astype(np.int64)
    return np.unique(keys_to_float32(np.clip(keys, first, last)).astype(np.float64))


def labels(
    target: Target, points: np.ndarray, digits: int = 30, cache: bool = True,
    time_limit: float | None = LABEL_SECONDS,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact values of ``target`` at ``points`` as double-doubles ``(hi, lo)``.

    ``hi`` is the float64 nearest to f(x) and ``lo`` the float64 nearest to f(x) - hi, from
    mpmath at ``digits`` significant digits plus guard bits, raising the precision until two
    evaluations agree. ``hi`` is nan (and ``lo`` 0) where mpmath raises, the value is not real,
    or it is infinite or nan; a finite value beyond the float64 range gives ``hi = ±inf``.
    Values below the normal range are rounded by mpmath's float conversion.

    Args:
        target: what to evaluate (its ``expression`` defines it).
        points: 1-D float64 inputs, at most ``MAX_POINTS``.
        digits: significant decimal digits required of ``hi + lo`` before rounding
            (``MIN_DIGITS`` to ``MAX_DIGITS``).
        cache: read and write the on-disk cache (``$AUTONUMERICS_CACHE``, default
            ``~/.cache/autonumerics/ground_truth``).
        time_limit: seconds the computation may take (None: no limit); checked between points.

    Raises:
        AutonumericsError: bad points or digits; the time limit reached or clearly in the way
            (the message names the target and the point reached).
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    if points.ndim != 1:
        raise AutonumericsError(f"points must be 1-D, got shape {points.shape}")
    if points.size > MAX_POINTS:
        raise AutonumericsError(f"{points.size} points: the limit is {MAX_POINTS}")
    if (isinstance(digits, bool) or not isinstance(digits, (int, np.integer))
            or not MIN_DIGITS <= digits <= MAX_DIGITS):
        raise AutonumericsError(f"digits must be an integer from {MIN_DIGITS} to {MAX_DIGITS}, got "
                                f"{shown(digits, 40)}")
    path = cache_dir() / f"{cache_key(target, points, int(digits))}.npz" if cache else None
    if path is not None:
        cached = read_cached(path, target, points)
        if cached is not None:
            return cached
    bits = math.ceil(digits * math.log2(10)) + _GUARD_BITS
    hi, lo = _exact_double_doubles(target, points, bits, _Clock(target, points.size, time_limit))
    if path is not None:
        write_cached(path, target, points, int(digits), hi, lo)
    return hi, lo


def finite_labels(
    target: Target, points: np.ndarray, digits: int = 30, time_limit: float | None = LABEL_SECONDS,
) -> tuple[np.ndarray, np.ndarray]:
    """``labels``, refusing any point where the target has no finite real float64 value.

    Raises:
        AutonumericsError: naming the first such point and why (outside the domain, a pole,
            beyond the float64 range), and how many points there are like it.
    """
    hi, lo = labels(target, points, digits, time_limit=time_limit)
    bad = np.flatnonzero(~np.isfinite(hi))
    if bad.size:
        x = float(np.asarray(points, dtype=np.float64)[bad[0]])
        raise AutonumericsError(
            f"target {clipped(target.name, 60)} has no finite real value at x = {x!r} "
            f"({_why_not_finite(target, x)}; "
            f"{bad.size} of the {hi.size} points have none): choose an interval inside its domain"
        )
    return hi, lo


def _why_not_finite(target: Target, x: float) -> str:
    try:
        value = evaluate_converged(target.mp, x, 60)
    except EVALUATION_ERRORS as error:
        return describe_error(error)
    if not mpmath.isfinite(value):
        return f"the value is {value}"
    return f"{mpmath.nstr(value, 6)} is beyond the float64 range"


class _Clock:
    """The time limit of one labelling: a deadline, and a projection from the pace so far."""

    grace = 5.0  # seconds before the pace is trusted to predict the total

    def __init__(self, target: Target, total: int, limit: float | None) -> None:
        usable = (isinstance(limit, (int, float)) and not isinstance(limit, bool)
                  and math.isfinite(limit) and limit > 0)
        if limit is not None and not usable:
            raise AutonumericsError("time limit for labels must be a number of seconds > 0, not "
                                    f"{shown(limit, 40)}")
        self.target, self.total, self.limit = target, total, limit
        self.started = time.monotonic()

    def check(self, done: int, x: float) -> None:
        """Raise if the limit is passed, or if the pace says it will be passed by 2x."""
        if self.limit is None:
            return
        elapsed = time.monotonic() - self.started
        projected = elapsed * self.total / max(done, 1)
        if elapsed > self.limit or (elapsed > min(self.grace,
                                                  self.limit) and projected > 2 * self.limit):
            raise AutonumericsError(
                f"labels of {clipped(self.target.name, 60)} on {self.total} points: {done} done in "
                f"{elapsed:.3g} s (reached x = {x!r}), about {projected:.3g} s in all, past the "
                f"{self.limit:g} s limit (evaluation.label_seconds; fewer points or digits go "
                "faster)"
            )


def _exact_double_doubles(
    target: Target, points: np.ndarray, bits: int, clock: _Clock
) -> tuple[np.ndarray, np.ndarray]:
    """The one place exact values are computed (mpmath with gmpy2 underneath).

    This is the seam for a faster backend: python-flint's arb would evaluate the same
    expression with rigorous error bounds; it is not a dependency, so only mpmath is here.
    """
    hi = np.full(points.shape, np.nan)
    lo = np.zeros(points.shape)
    for index, x in enumerate(points.tolist()):
        clock.check(index, x)
        try:
            value = evaluate_converged(target.mp, x, bits)
        except EVALUATION_ERRORS:
            continue
        if not mpmath.isfinite(value):
            continue
        hi[index] = float(value)  # mpmath rounds to nearest
        if math.isfinite(hi[index]):
            # value - hi is exact (no rounding) and has far fewer bits than value.
            lo[index] = float(mpmath.fsub(value, hi[index], exact=True))
    return hi, lo


