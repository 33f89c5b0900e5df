"""Target functions: name -> mpmath definition, domain, default intervals, float64 reference.

A target's ``expression`` is the single source of its meaning: :meth:`Target.mp` compiles and
evaluates that same text with the safe parser of :mod:`autonumerics.truth.expressions`, so what the
``targets`` command prints is what the labels are computed from. Users may also name any
real mpmath expression in ``x`` (``"besselj(0, x)"``) as a custom target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
from scipy import special

from autonumerics.errors import AutonumericsError
from autonumerics.truth.expressions import (
    EVALUATION_ERRORS,
    Expression,
    describe_error,
    evaluate_converged,
    parse_constant_list,
    parse_expression,
)
from autonumerics.limits import clipped, shown
from autonumerics.truth.target_domain import check_finite_on

Interval = tuple[float, float]


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


@dataclass(frozen=True)
class Target:
    """A function to approximate.

    Attributes:
        name: the registry key (``"exp2"``), or the expression itself for a custom target.
        expression: its exact definition, an mpmath expression in ``x`` (``"2**x"``).
        domain: where it is real and finite; intervals must lie inside it.
        default_intervals: search intervals, the first one the main one (see ``TARGETS``).
        f64_rel_error_bound: a bound (measured, with a 2x margin) on the relative error of
            :meth:`reference_f64` wherever the exact value is a normal float64; exhaustive
            float32 verification trusts the reference when it is farther than this from a
            rounding boundary and asks mpmath otherwise.
        symmetry: ``"odd"`` (f(-x) = -f(x)), ``"even"`` (f(-x) = f(x)) or None.
    """

    name: str
    expression: str
    domain: Domain
    default_intervals: tuple[Interval, ...]
    f64_rel_error_bound: float
    symmetry: str | None = None
    _reference: Callable[[np.ndarray], np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    _compiled: Expression = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", parse_expression(self.expression))

    def mp(self, x: Any) -> Any:
        """The exact value at ``x`` (an mpf), at the current mpmath precision.

        Raises:
            ValueError / ArithmeticError: where the target has no real value (outside its domain).
        """
        return self._compiled(mpmath.mpf(x))

    def reference_f64(self, x: np.ndarray) -> np.ndarray:
        """Fast float64 values within ``f64_rel_error_bound`` of the exact ones; nan off the domain."""
        x = np.asarray(x, dtype=np.float64)
        if self._reference is not None:
            with np.errstate(all="ignore"):
                return np.asarray(self._reference(x), dtype=np.float64)
        # Custom target: mpmath per point, converged to 60 bits, then rounded (slow, correct).
        values = [_mp_to_float(self._compiled, value) for value in x.ravel()]
        return np.array(values, dtype=np.float64).reshape(x.shape)

    def check_interval(self, a: float, b: float) -> Interval:
        """Return ``(a, b)`` as floats if it is a non-empty finite interval inside the domain.

        A custom target's domain is unknown: it is probed on the interval instead (finite and
        real at a grid of points, no pole between them; see ``target_domain``).

        Raises:
            AutonumericsError: naming the interval (and the domain, or the first bad point) otherwise.
        """
        a, b = finite_interval(a, b)
        if not self.domain.contains(a, b):
            raise AutonumericsError(
                f"interval [{a!r}, {b!r}] leaves the domain {self.domain} of {clipped(self.name, 60)}"
            )
        if self._reference is None:
            check_finite_on(self.expression, self.mp, a, b)
        return a, b

    def __getstate__(self) -> dict[str, Any]:
        # The compiled closures do not pickle; workers recompile from the expression text.
        state = dict(self.__dict__)
        del state["_compiled"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self.__post_init__()


def _mp_to_float(expression: Expression, x: float) -> float:
    try:
        value = evaluate_converged(expression, float(x), bits=60)
    except EVALUATION_ERRORS:
        return math.nan
    return float(value) if mpmath.isfinite(value) else math.nan


def finite_interval(a: float, b: float) -> Interval:
    """``(a, b)`` as floats; an ``AutonumericsError`` unless both are finite and ``a < b``."""
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        raise AutonumericsError(f"interval bounds must be numbers, got [{shown(a, 60)}, {shown(b, 60)}]") from None
    except OverflowError:  # an integer beyond the float64 range
        raise AutonumericsError(f"interval [{shown(a, 60)}, {shown(b, 60)}] has a non-finite bound") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise AutonumericsError(f"interval [{a!r}, {b!r}] has a non-finite bound")
    if not a < b:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] is empty or reversed (need A < B)")
    return a, b


# --- float64 references -------------------------------------------------------------------

_SQRT_HALF_HI = 0.7071067811865476  # 1/√2 = HI + LO as a double-double
_SQRT_HALF_LO = -4.833646656726457e-17
_TWO_OVER_SQRT_PI = 1.1283791670955126
_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's split of a double into two 26-bit halves


def _two_product(a: np.ndarray, b: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Dekker: p + e == a*b exactly, p = fl(a*b) (for |a|, |b| < 1e150; numpy has no fma)."""
    p = a * b
    a_big, b_big = _SPLITTER * a, _SPLITTER * b
    a_hi, b_hi = a_big - (a_big - a), b_big - (b_big - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _erfc_dd(
    z_hi: np.ndarray, z_lo: np.ndarray | float, factor: np.ndarray | float = 1.0
) -> np.ndarray:
    """factor · erfc(z_hi + z_lo) for a double-double argument, to about 10 ulp everywhere.

    scipy's erfc loses up to ~500 ulp in the tail (z ≈ 25) because exp(-z²) amplifies the
    rounding of z² by z². Here, for z >= 0.5, erfc = exp(-z²)·erfcx(z) with z² formed exactly
    (Dekker), so exp sees its argument to 1e-32 and erfcx (scipy, ~8 ulp) is well conditioned.
    ``factor`` multiplies erfcx before exp(-z²) so a product that is a normal number never
    passes through a subnormal erfc. Near 0 a first-order slope corrects for z_lo; for
    z <= -0.5, erfc(z) = 2 - erfc(-z) >= 1.5.
    """
    z = np.clip(z_hi, -40.0, 40.0)  # erfc is 2 or 0 beyond, and the split must not overflow
    magnitude = np.abs(z)
    square_hi, square_lo = _two_product(magnitude, magnitude)
    square_lo = square_lo + 2.0 * z * z_lo
    scaled = special.erfcx(magnitude)
    scaled_slope = 2.0 * magnitude * scaled - _TWO_OVER_SQRT_PI  # d erfcx / dz
    shift = np.where(z >= 0, z_lo, -z_lo)  # the low part in the direction of |z|
    tail = (factor * (scaled + scaled_slope * shift)) * (1.0 - square_lo) * np.exp(-square_hi)
    near_zero = factor * (special.erfc(z) - _TWO_OVER_SQRT_PI * np.exp(-z * z) * z_lo)
    return np.where(magnitude < 0.5, near_zero, np.where(z > 0, tail, 2.0 * factor - tail))


def _erfc_f64(x: np.ndarray) -> np.ndarray:
    return _erfc_dd(x, 0.0)


def _gelu_f64(x: np.ndarray) -> np.ndarray:
    """x/2 · erfc(-x/√2) with the argument -x/√2 formed as a double-double.

    erfc's relative condition number is about 2z² at z = -x/√2, so rounding the product
    -x/√2 to a double would alone cost 1e-13 at x = -30.
    """
    clipped = np.clip(x, -64.0, 64.0)  # gelu is -0 or x beyond; keeps the split in range
    product, product_error = _two_product(clipped, _SQRT_HALF_HI)
    return _erfc_dd(-product, -(product_error + clipped * _SQRT_HALF_LO), x / 2)


def _silu_f64(x: np.ndarray) -> np.ndarray:
    """x · sigmoid(x); far left, x·e^x as (x·e^(x/2))·e^(x/2) so e^x's underflow below
    x ≈ -708 does not cost bits while x·e^x is still normal (down to x ≈ -714.6)."""
    half = np.exp(np.minimum(x, -700.0) / 2)
    return np.where(x < -700.0, (x * half) * half, x * special.expit(x))


def _rsqrt_f64(x: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(x)  # two roundings: at most about 1.5 ulp


# --- the registry ---------------------------------------------------------------------------

_POSITIVE = Domain(0.0, math.inf, lo_open=True)
_LN2_HALF = math.log(2) / 2
_PI_4 = math.pi / 4

# Default intervals are the reduced ranges a full-range kernel needs (first entry), plus a
# second range where a symmetric or saturating function still has float32-visible shape.
# Bounds on the float64 references: numpy dispatches float64 exp2/log2/expm1/log1p/tanh...
# to SIMD code (SVML) documented to 4 ulp (< 9e-16 relative); measured here (AVX-512) on 3 x
# 1e5 points over the default intervals and the whole normal range, the worst were 1.13 ulp
# (exp2, exp), 1.6 (tanh), 3.2 (erf), 2.4 (sigmoid), 3.4 (silu), 8.3 (erfc), 8.7 (gelu) and
# 1.5 (rsqrt: two correctly rounded ops, provably <= 1.5 ulp). Bounds are >= 2x that.
_LIBM = 9e-16
_ERFC = 2e-15

_BUILTINS = (
    # 2^x = 2^n · 2^f with f in [0, 1): the interval of the AutoNumerics-Zero paper.
    Target("exp2", "2**x", REAL_LINE, ((0.0, 1.0),), _LIBM, None, np.exp2),
    # e^x = 2^n · e^r with x = n·ln2 + r, |r| <= ln2/2 (round-to-nearest reduction).
    Target("exp", "exp(x)", REAL_LINE, ((-_LN2_HALF, _LN2_HALF),), _LIBM, None, np.exp),
    Target("expm1", "expm1(x)", REAL_LINE, ((-_LN2_HALF, _LN2_HALF),), _LIBM, None, np.expm1),
    # log of a float = exponent·log(2) + log(significand in [1, 2)); the centred range
    # [√½, √2) keeps the result small and symmetric about 0.
    Target("log2", "log(x, 2)", _POSITIVE, ((1.0, 2.0), (math.sqrt(0.5), math.sqrt(2.0))),
           _LIBM, None, np.log2),
    Target("log", "log(x)", _POSITIVE, ((1.0, 2.0), (math.sqrt(0.5), math.sqrt(2.0))),
           _LIBM, None, np.log),
    Target("log1p", "log1p(x)", Domain(-1.0, math.inf, lo_open=True), ((0.0, 1.0),),
           _LIBM, None, np.log1p),
    # Odd: [0, ∞) suffices. erf(x) rounds to 1 in float32 from x ≈ 3.92, so [1, 4] is the rest.
    Target("erf", "erf(x)", REAL_LINE, ((0.0, 1.0), (1.0, 4.0)), _LIBM, "odd", special.erf),
    # erfc(x) underflows float32 near x ≈ 10.05; [0, 1] then the tail start [1, 4].
    Target("erfc", "erfc(x)", REAL_LINE, ((0.0, 1.0), (1.0, 4.0)), _ERFC, None, _erfc_f64),
    # Odd; tanh rounds to 1 in float32 from x ≈ 9.01.
    Target("tanh", "tanh(x)", REAL_LINE, ((0.0, 1.0), (1.0, 9.0)), _LIBM, "odd", np.tanh),
    # Activations: [-4, 4] holds almost all pre-activations and all the curvature.
    Target("sigmoid", "1/(1 + exp(-x))", REAL_LINE, ((-4.0, 4.0),), _LIBM, None, special.expit),
    Target("gelu", "x/2*erfc(-x/sqrt(2))", REAL_LINE, ((-4.0, 4.0),), _ERFC, None, _gelu_f64),
    Target("silu", "x/(1 + exp(-x))", REAL_LINE, ((-4.0, 4.0),), _LIBM, None, _silu_f64),
    # sin/cos after reduction modulo π/2: |r| <= π/4, and symmetry folds it to [0, π/4].
    Target("sin", "sin(x)", REAL_LINE, ((0.0, _PI_4),), _LIBM, "odd", np.sin),
    Target("cos", "cos(x)", REAL_LINE, ((0.0, _PI_4),), _LIBM, "even", np.cos),
    # 1/√x = 2^-n / √m with x = 4^n · m, m in [1, 4).
    Target("rsqrt", "1/sqrt(x)", _POSITIVE, ((1.0, 4.0),), 2.5e-16, None, _rsqrt_f64),
)

TARGETS: dict[str, Target] = {target.name: target for target in _BUILTINS}

# A custom target's reference is mpmath converged to 60 bits, then rounded: 2^-53 + 2^-60 < 2^-52.
CUSTOM_F64_BOUND = 2.0**-52


def get_target(spec: str) -> Target:
    """A built-in target by name, or a custom one from a real mpmath expression in ``x``.

    Args:
        spec: ``"exp2"``, or an expression such as ``"besselj(0, x)"`` or ``"exp(-x**2)"``.

    Raises:
        AutonumericsError: for an unknown name or a function outside the whitelist.
    """
    text = spec.strip() if isinstance(spec, str) else spec
    if not isinstance(text, str) or not text:
        raise AutonumericsError(f"empty target {shown(spec, 60)}")
    if text.lower() in TARGETS:
        return TARGETS[text.lower()]
    if text.isidentifier() and text != "x":
        raise AutonumericsError(
            f"unknown target {shown(text, 60)}; built-in targets: {', '.join(TARGETS)}, "
            "or an mpmath expression in x such as 'exp(-x**2)'"
        )
    expression = parse_expression(text)
    if not expression.uses_x:
        raise AutonumericsError(f"custom target {shown(text)} does not depend on x")
    # No natural interval: [0, 1] like the paper's 2^x, to be overridden by --interval.
    return Target(text, text, REAL_LINE, ((0.0, 1.0),), CUSTOM_F64_BOUND)


def parse_interval(text: str) -> Interval:
    """Parse ``"A,B"``: numbers, hex floats or constant expressions (``"-ln2/2, ln2/2"``).

    Each bound is evaluated at 113 bits and rounded to the nearest float64.

    Raises:
        AutonumericsError: if ``text`` is not two constant expressions A < B, both finite.
    """
    bounds = parse_constant_list(text)
    if len(bounds) != 2:
        raise AutonumericsError(f"interval {shown(text)} must be two bounds 'A,B', got {len(bounds)}")
    values = []
    for bound in bounds:
        try:
            with mpmath.workprec(113):
                values.append(float(bound()))
        except EVALUATION_ERRORS as error:
            raise AutonumericsError(f"cannot evaluate bound {shown(bound.text)}: {describe_error(error)}") from None
    return finite_interval(*values)
