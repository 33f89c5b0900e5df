"""Weighted approximation problems in mpmath: the function, variable and weight of a baseline.

A target f on [a, b] and a *form* give a problem "make w(t) * (r(t) - g(t)) small on [ta, tb]":

- ``plain``: t = x, g = f; the program is r(x).
- ``odd``:   t = x^2, g = h = f(sqrt t)/sqrt t; the program is x*r(x^2) (odd targets).
- ``odd1``:  t = x^2, g = h - 1; the program is x + x*r(x^2), which keeps the leading
  coefficient f'(0) = 1 + r(0) exact in low precision (erf: 2/sqrt(pi) is not a float32).
- ``even``:  t = x^2, g = f(sqrt t); the program is r(x^2) (even targets).
- ``root``:  t = x, g = f(x)/(x - x0) for an exact float zero x0 of f; the program is
  (x - x0)*r(x) (x*r(x) when x0 = 0), which keeps relative error finite at the zero
  (log2 on [1, 2], log1p, expm1, GELU and SiLU at 0).

The weight makes w*(r - g) equal the error of the program in x: 1/|f| scaled to the form for
relative error, 1 (or |x| = sqrt t for the odd forms) for absolute error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
from mpmath import mpf

from autonumerics.errors import AutonumericsError
from autonumerics.limits import shown

MpFunction = Callable[[mpf], mpf]
FORMS = ("plain", "odd", "odd1", "even", "root")
# Working precision (decimal digits) of every baseline computation: minimax errors of 1e-16
# are levelled to 1e-10 of themselves with 25 digits to spare.
WORKING_DPS = 50


@dataclass(frozen=True)
class Problem:
    """Minimise max |w(t) * (r(t) - g(t))| over t in [a, b].

    Attributes:
        g: the function approximated, in the form's variable t.
        w: the nonnegative weight turning r - g into the program's error.
        a: left end of the t interval.
        b: right end of the t interval.
        form: how the program is built from r (one of FORMS).
        relative: whether w measures relative error (else absolute).
        root: the zero x0 factored out by the ``root`` form.
    """

    g: MpFunction
    w: MpFunction
    a: mpf
    b: mpf
    form: str = "plain"
    relative: bool = True
    root: float = 0.0

    @property
    def squared(self) -> bool:
        """Whether the variable is t = x^2 (the symmetric forms)."""
        return self.form in ("odd", "odd1", "even")

    def to_x(self, t: mpf) -> mpf:
        """The (nonnegative, for the symmetric forms) input x of the variable t."""
        return mpmath.sqrt(t) if self.squared else t

    def to_t(self, x: float | mpf) -> mpf:
        """The variable t of the input x."""
        return mpf(x) ** 2 if self.squared else mpf(x)

    def factor(self, t: mpf) -> mpf:
        """The factor the program multiplies r by: x (odd forms), x - x0 (root) or 1."""
        return form_factor(self.form, self.root, t)


def form_factor(form: str, root: float, t: mpf) -> mpf:
    """x = sqrt(t) for the odd forms, t - root for the root form, 1 otherwise."""
    if form in ("odd", "odd1"):
        return mpmath.sqrt(t)
    return t - root if form == "root" else mpf(1)


class ZeroInInterval(AutonumericsError):
    """The target is zero in the interval, where relative error is asked for.

    Attributes:
        x: roughly where (a grid point next to the zero).
    """

    def __init__(self, message: str, x: float) -> None:
        super().__init__(message)
        self.x = x


@dataclass(frozen=True)
class Approximant:
    """r(t) = numerator(t) / denominator(t), monomial coefficients in t, lowest degree first.

    ``denominator`` is None for a polynomial.
    """

    numerator: tuple[mpf, ...]
    denominator: tuple[mpf, ...] | None = None

    def __call__(self, t: mpf) -> mpf:
        value = horner(self.numerator, t)
        if self.denominator is not None:
            value = value / horner(self.denominator, t)
        return value


def horner(coefficients: Sequence[mpf], t: mpf) -> mpf:
    """sum c_k t^k, lowest degree first, at the working precision."""
    value = mpf(0)
    for c in reversed(coefficients):
        value = value * t + c
    return value


def chebyshev_grid(a: mpf, b: mpf, n: int) -> list[mpf]:
    """The n + 1 Chebyshev extrema cos(pi j / n) mapped to [a, b], ascending, ends exact."""
    mid, half = (a + b) / 2, (b - a) / 2
    grid = [mid - half * mpmath.cos(mpmath.pi * j / n) for j in range(n + 1)]
    grid[0], grid[-1] = mpf(a), mpf(b)
    return grid


@functools.lru_cache(maxsize=64)
def grid_values(problem: Problem,
                n: int) -> tuple[tuple[mpf, ...], tuple[mpf, ...], tuple[mpf, ...]]:
    """(t, g(t), w(t)) on the (n + 1)-point Chebyshev grid, cached: g is the expensive part."""
    with mpmath.workdps(WORKING_DPS):
        ts = chebyshev_grid(problem.a, problem.b, n)
        return tuple(ts), tuple(problem.g(t) for t in ts), tuple(problem.w(t) for t in ts)


def t_interval(form: str, a: float, b: float) -> tuple[mpf, mpf]:
    """The range of the form's variable t when x runs over [a, b]."""
    lo, hi = mpf(a), mpf(b)
    if form in ("plain", "root"):
        return lo, hi
    if lo >= 0:
        return lo * lo, hi * hi
    if hi <= 0:
        return hi * hi, lo * lo
    return mpf(0), max(lo * lo, hi * hi)


def make_problem(f: MpFunction, form: str, interval: tuple[float, float], relative: bool,
                 root: float = 0.0) -> Problem:
    """The problem of approximating f on ``interval`` in ``form``, checked for poles and zeros.

    Args:
        f: the target, exact at the current mpmath precision.
        form: one of FORMS.
        interval: (a, b) with a < b.
        relative: measure relative error (else absolute).
        root: the exact zero of f factored out by the ``root`` form.

    Raises:
        AutonumericsError: unknown form, empty interval, a pole (non-finite or exploding values)
            in the interval; ZeroInInterval for a zero of the target under relative error.
    """
    if form not in FORMS:
        raise AutonumericsError(f"unknown form {shown(form, 40)}; choose one of {', '.join(FORMS)}")
    a, b = interval
    if not a < b:
        raise AutonumericsError(f"empty interval [{a}, {b}]: need a < b")
    g, scale = _form_functions(_memoized(f), form, mpf(root))
    def weight(t: mpf) -> mpf:
        return 1 / abs(scale(t)) if relative else abs(form_factor(form, root, t))

    problem = Problem(g, weight, *t_interval(form, a, b), form, relative, float(root))
    _check_values(problem, scale, interval)
    return problem


def _memoized(f: MpFunction) -> MpFunction:
    """f with its values remembered: the Remez grids are nested and every degree and the
    certificates revisit the same points, and f (an mpmath expression) is the slow part.
    Keyed by the working precision too, so a value is never reused at another precision."""
    @functools.lru_cache(maxsize=1 << 16)
    def at(t: mpf, precision: int) -> mpf:
        return f(t)

    return lambda t: at(t, mpmath.mp.prec)


def _form_functions(f: MpFunction, form: str, root: mpf) -> tuple[MpFunction, MpFunction]:
    """g of a form, and the function whose magnitude relative error divides by.

    The program's error in the factored forms is x*(r - g) (or (x - x0)*(r - g)): relative to
    f = x*h it is (r - g)/h. The quotient h is continued at its removable point by f'.
    """
    if form == "plain":
        return f, f
    if form == "even":
        def even(t: mpf) -> mpf:
            return f(mpmath.sqrt(t))

        return even, even
    if form == "root":
        def quotient(t: mpf) -> mpf:
            return mpmath.diff(f, root) if t == root else f(t) / (t - root)

        return quotient, quotient

    def h(t: mpf) -> mpf:
        if t == 0:
            return mpmath.diff(f, mpf(0))
        x = mpmath.sqrt(t)
        return f(x) / x

    return (h, h) if form == "odd" else ((lambda t: h(t) - 1), h)


def exact_zero(f: MpFunction, interval: tuple[float, float]) -> float | None:
    """A float64 x0 in the interval where f is exactly zero (1 for log2, 0 for GELU), or None.

    Locates a sign change (or a zero) of f on a grid, bisects it in mpmath, rounds to the
    nearest float64 and accepts it only if f vanishes there to the working precision.
    """
    with mpmath.workdps(WORKING_DPS):
        ts = chebyshev_grid(mpf(interval[0]), mpf(interval[1]), 256)
        values = [f(t) for t in ts]
        for left, right, value, following in zip(ts, ts[1:], values, values[1:], strict=False):
            if value == 0:
                return float(left)
            if value * following < 0:
                for _ in range(WORKING_DPS * 4):
                    middle = (left + right) / 2
                    left, right = (middle, right) if f(middle) * value > 0 else (left, middle)
                return _snap_to_zero(f, left, max(abs(v) for v in values))
        if values[-1] == 0:
            return float(ts[-1])
    return None


def _snap_to_zero(f: MpFunction, near: mpf, scale: mpf) -> float | None:
    """The float nearest ``near``, or a rounder one close by (bisection towards 0 stops at
    1e-63, not at 0), at which f vanishes to the working precision; None if there is none."""
    exact = float(near)
    # roundest first: 0.0 and 1.0 before 0.9999999999999999
    for candidate in dict.fromkeys([round(exact, digits) + 0.0 for digits in range(17)] + [exact]):
        if abs(candidate - exact) <= 1e-12 * max(1.0, abs(exact)) and \
                abs(f(mpf(candidate))) <= scale * mpf(10) ** (10 - WORKING_DPS):
            return candidate
    return None


def _check_values(problem: Problem, scale: MpFunction, interval: tuple[float, float]) -> None:
    """Sample g on a grid. A failure or a non-finite value means a pole or a point outside the
    domain; a sign change is bisected down to 1e-12 of the interval and called a pole when
    the values there blow up. A zero or sign change of the scale makes relative error undefined."""
    where = f"[{interval[0]}, {interval[1]}]"
    try:
        with mpmath.workdps(WORKING_DPS):
            ts = chebyshev_grid(problem.a, problem.b, 256)
            scales = [scale(t) for t in ts]
            gs = [problem.g(t) for t in ts]
            if not all(isinstance(v, mpf) and mpmath.isfinite(v) for v in gs + scales):
                raise ValueError("a non-finite or complex value")
            for i in range(len(ts) - 1):
                if gs[i] * gs[i + 1] < 0 and _blows_up(problem.g, ts[i], ts[i + 1], gs[i]):
                    x = float(problem.to_x(ts[i]))
                    raise AutonumericsError(f"the target has a pole in {where} (near x = {x:.6g})")
    except AutonumericsError:
        raise
    except (ZeroDivisionError, ValueError, OverflowError) as error:
        raise AutonumericsError(
            f"the target cannot be evaluated everywhere on {where} "
            f"({str(error) or type(error).__name__}): "
            "a pole or a point outside its domain"
        ) from None
    if not problem.relative:
        return
    for i, t in enumerate(ts):
        if scales[i] == 0 or (i + 1 < len(ts) and scales[i] * scales[i + 1] < 0):
            x = float(problem.to_x(t))
            raise ZeroInInterval(
                f"relative error is undefined: the target is zero near x = {x:.6g} in {where} "
                "(not at a float, so it cannot be factored out); use absolute error "
                "(relative=False, --absolute)", x)


def _blows_up(g: MpFunction, left: mpf, right: mpf, g_left: mpf) -> bool:
    """Bisect a sign change of g; True if |g| grows without bound there (a pole, not a zero)."""
    width = right - left
    for _ in range(45):
        mid = (left + right) / 2
        g_mid = g(mid)
        if g_mid * g_left > 0:
            left, g_left = mid, g_mid
        else:
            right = mid
    near = min(abs(g_left), abs(g(right)))
    # A zero crossing leaves |g| ~ |g'| * 3e-14 * width there; a simple pole ~ 1/(3e-14 * width).
    return near * width > 1e6

