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
from autonumerics.limits import clipped, shown
from autonumerics.truth.expressions import Expression, parse_constant_list, parse_expression
from autonumerics.truth.mp_functions import EVALUATION_ERRORS, describe_error, evaluate_converged
from autonumerics.truth.references import (
    ERFC_BOUND,
    GELU_TANH_BOUND,
    LIBM_BOUND,
    erfc_f64,
    gelu_f64,
    gelu_tanh_f64,
    log_sigmoid_f64,
    rsqrt_f64,
    silu_f64,
    softplus_f64,
)
from autonumerics.truth.symmetry import detect_symmetry
from autonumerics.truth.target_domain import (
    REAL_LINE,
    Domain,
    Interval,
    check_finite_on,
    finite_interval,
)

__all__ = ["CUSTOM_F64_BOUND", "REAL_LINE", "TARGETS", "Domain", "Interval", "Target",
           "finite_interval", "get_target", "parse_interval"]


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
        """Float64 values within ``f64_rel_error_bound`` of the exact ones; nan off the domain."""
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
            AutonumericsError: naming the interval (and the domain, or the first bad point)
                otherwise.
        """
        a, b = finite_interval(a, b)
        if not self.domain.contains(a, b):
            raise AutonumericsError(
                f"interval [{a!r}, {b!r}] leaves the domain {self.domain} of "
                f"{clipped(self.name, 60)}"
            )
        if self._reference is None:
            check_finite_on(self._compiled, a, b)
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


# --- the registry ---------------------------------------------------------------------------

_POSITIVE = Domain(0.0, math.inf, lo_open=True)
_LN2_HALF = math.log(2) / 2
_PI_4 = math.pi / 4

# Default intervals are the reduced ranges a full-range kernel needs (first entry), plus a
# second range where a symmetric or saturating function still has float32-visible shape. The
# bounds on the float64 references are measured (see ``references``).
_BUILTINS = (
    # 2^x = 2^n · 2^f with f in [0, 1): the interval of the AutoNumerics-Zero paper.
    Target("exp2", "2**x", REAL_LINE, ((0.0, 1.0),), LIBM_BOUND, None, np.exp2),
    # e^x = 2^n · e^r with x = n·ln2 + r, |r| <= ln2/2 (round-to-nearest reduction).
    Target("exp", "exp(x)", REAL_LINE, ((-_LN2_HALF, _LN2_HALF),), LIBM_BOUND, None, np.exp),
    Target("expm1", "expm1(x)", REAL_LINE, ((-_LN2_HALF, _LN2_HALF),), LIBM_BOUND, None,
           np.expm1),
    # log of a float = exponent·log(2) + log(significand in [1, 2)); the centred range
    # [√½, √2) keeps the result small and symmetric about 0.
    Target("log2", "log(x, 2)", _POSITIVE, ((1.0, 2.0), (math.sqrt(0.5), math.sqrt(2.0))),
           LIBM_BOUND, None, np.log2),
    Target("log", "log(x)", _POSITIVE, ((1.0, 2.0), (math.sqrt(0.5), math.sqrt(2.0))),
           LIBM_BOUND, None, np.log),
    Target("log1p", "log1p(x)", Domain(-1.0, math.inf, lo_open=True), ((0.0, 1.0),),
           LIBM_BOUND, None, np.log1p),
    # Odd: [0, ∞) suffices. erf(x) rounds to 1 in float32 from x ≈ 3.92, so [1, 4] is the rest.
    Target("erf", "erf(x)", REAL_LINE, ((0.0, 1.0), (1.0, 4.0)), LIBM_BOUND, "odd",
           special.erf),
    # erfc(x) underflows float32 near x ≈ 10.05; [0, 1] then the tail start [1, 4].
    Target("erfc", "erfc(x)", REAL_LINE, ((0.0, 1.0), (1.0, 4.0)), ERFC_BOUND, None, erfc_f64),
    # Odd; tanh rounds to 1 in float32 from x ≈ 9.01.
    Target("tanh", "tanh(x)", REAL_LINE, ((0.0, 1.0), (1.0, 9.0)), LIBM_BOUND, "odd", np.tanh),
    # Activations: [-4, 4] holds almost all pre-activations and all the curvature.
    Target("sigmoid", "1/(1 + exp(-x))", REAL_LINE, ((-4.0, 4.0),), LIBM_BOUND, None,
           special.expit),
    Target("gelu", "x/2*erfc(-x/sqrt(2))", REAL_LINE, ((-4.0, 4.0),), ERFC_BOUND, None,
           gelu_f64),
    Target("silu", "x/(1 + exp(-x))", REAL_LINE, ((-4.0, 4.0),), LIBM_BOUND, None, silu_f64),
    # jax.nn.gelu's default (approximate=True) formula x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))
    # as a function in its own right, written x sigmoid(2u): the same function, with no 1 + tanh
    # to cancel (at 120 bits, 1 + tanh(u) loses all its digits from x = -9.8 on).
    Target("gelu_tanh", "x/(1 + exp(-sqrt(8/pi)*(x + 0.044715*x**3)))", REAL_LINE,
           ((-4.0, 4.0),), GELU_TANH_BOUND, None, gelu_tanh_f64),
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|) and log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|):
    # these forms stay finite for mpmath at x = +-3.4e38, where e^|x| is out of its range.
    Target("softplus", "x/2 + abs(x)/2 + log1p(exp(-abs(x)))", REAL_LINE, ((-4.0, 4.0),),
           LIBM_BOUND, None, softplus_f64),
    Target("log_sigmoid", "x/2 - abs(x)/2 - log1p(exp(-abs(x)))", REAL_LINE, ((-4.0, 4.0),),
           LIBM_BOUND, None, log_sigmoid_f64),
    # sin/cos after reduction modulo π/2: |r| <= π/4, and symmetry folds it to [0, π/4].
    Target("sin", "sin(x)", REAL_LINE, ((0.0, _PI_4),), LIBM_BOUND, "odd", np.sin),
    Target("cos", "cos(x)", REAL_LINE, ((0.0, _PI_4),), LIBM_BOUND, "even", np.cos),
    # 1/√x = 2^-n / √m with x = 4^n · m, m in [1, 4).
    Target("rsqrt", "1/sqrt(x)", _POSITIVE, ((1.0, 4.0),), 2.5e-16, None, rsqrt_f64),
)

TARGETS: dict[str, Target] = {target.name: target for target in _BUILTINS}

# A custom target's reference is mpmath converged to 60 bits, then rounded: 2^-53 + 2^-60 < 2^-52.
CUSTOM_F64_BOUND = 2.0**-52


def get_target(spec: str) -> Target:
    """A built-in target by name, or a custom one from a real mpmath expression in ``x``.

    A custom target's ``symmetry`` is detected (``truth.symmetry.detect_symmetry``: f(-x)
    against f(x) at a few points, to 100 bits); a built-in's is the registry's.

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
    return Target(text, text, REAL_LINE, ((0.0, 1.0),), CUSTOM_F64_BOUND, detect_symmetry(text))


def parse_interval(text: str) -> Interval:
    """Parse ``"A,B"``: numbers, hex floats or constant expressions (``"-ln2/2, ln2/2"``).

    Each bound is evaluated at 113 bits and rounded to the nearest float64.

    Raises:
        AutonumericsError: if ``text`` is not two constant expressions A < B, both finite.
    """
    bounds = parse_constant_list(text)
    if len(bounds) != 2:
        raise AutonumericsError(
            f"interval {shown(text)} must be two bounds 'A,B', got {len(bounds)}")
    values = []
    for bound in bounds:
        try:
            with mpmath.workprec(113):
                values.append(float(bound()))
        except EVALUATION_ERRORS as error:
            raise AutonumericsError(
                f"cannot evaluate bound {shown(bound.text)}: {describe_error(error)}") from None
    return finite_interval(*values)
