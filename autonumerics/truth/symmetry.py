"""Odd and even targets: detect the symmetry of an mpmath expression, or check a declared one.

A target with f(-x) = -f(x) is approximated far more cheaply as x*p(x^2) than as p(x) (half
the coefficients for the same degree), and one with f(-x) = f(x) as p(x^2); the baselines need
to know, or they understate what classical forms reach (``baselines.compute``).

Detection is a numerical test, not a proof: f(x) and f(-x) are evaluated to converged
``PROBE_BITS`` bits (``mp_functions.evaluate_converged``) at a few fixed, irrational-looking
points of (0, 3], and the target is called odd (even) when every pair satisfies
|f(-x) + f(x)| (|f(-x) - f(x)|) <= 2^-DETECTION_BITS * max(|f(x)|, |f(-x)|), with at least one
pair nonzero (f = 0 is neither). Where f(x) has a finite real value and f(-x) has none, or the
reverse (sqrt, log: the domain itself is not symmetric), the answer is None; a point where
neither has one (asin, atanh, erfinv past 1) says nothing and is skipped, but at least
``MIN_PAIRS`` pairs must be compared. An asymmetry below 2^-100 relative (x + 1e-40*x**2) is
not seen; one above it (x + 1e-30*x**2, 2^-97 at x = 2.5) is.

A declared symmetry ("odd" or "even") is trusted where f(-x) cannot be evaluated, and refused
where f(x) and f(-x) both can and differ by more than 2^-DECLARED_BITS relative: 2^-60 is the
resolution of the baselines (``baselines.compute.RESOLUTION``), so an asymmetry below it is
invisible in every error they report.
"""

from __future__ import annotations

import dataclasses
import functools

import mpmath

from autonumerics.errors import AutonumericsError
from autonumerics.limits import clipped, shown
from autonumerics.truth.expressions import Expression, parse_expression
from autonumerics.truth.mp_functions import EVALUATION_ERRORS, evaluate_converged

__all__ = ["DECLARATIONS", "check_declared_symmetry", "detect_symmetry", "target_with_symmetry"]

# What a config or a command may declare: "auto" (the registry's symmetry for a built-in,
# detection for an expression), a symmetry, or "none" (no symmetric forms).
DECLARATIONS = ("auto", "odd", "even", "none")
# float64 values near 1/pi, the Dottie number, 2^(1/3), phi, sqrt(5), e: spread over (0, 3],
# far from dyadic rationals and from the zeros of the usual functions.
PROBE_POINTS = (0.3183098861837907, 0.7390851332151607, 1.2599210498948732,
                1.618033988749895, 2.23606797749979, 2.718281828459045)
PROBE_BITS = 120
DETECTION_BITS = 100
DECLARED_BITS = 60
MIN_PAIRS = 2
_SIGNS = {"odd": -1, "even": 1}


def detect_symmetry(subject) -> str | None:
    """"odd", "even" or None for a Target, an Expression or expression text in ``x``.

    A built-in target's expression is tested like any other (``Target.symmetry`` holds the
    registry's answer). About 0.1-1 ms for elementary functions; cached by expression text.

    Raises:
        AutonumericsError: for text that is not a valid expression.
    """
    return _detect(_text(subject))


@functools.lru_cache(maxsize=256)
def _detect(text: str) -> str | None:
    expression = parse_expression(text)
    candidates = set(_SIGNS)
    compared, informative = 0, False
    for x in PROBE_POINTS:
        value, mirrored = _value(expression, x), _value(expression, -x)
        if value is None and mirrored is None:
            continue  # outside a symmetric domain: no evidence either way
        if value is None or mirrored is None:
            return None
        candidates = {name for name in candidates
                      if _agree(value, mirrored, _SIGNS[name], DETECTION_BITS)}
        if not candidates:
            return None
        compared += 1
        informative = informative or value != 0 or mirrored != 0
    # f = 0 at every probe: odd and even alike, so neither
    if compared < MIN_PAIRS or not informative or len(candidates) != 1:
        return None
    return candidates.pop()


def check_declared_symmetry(subject, declared: str) -> None:
    """Refuse a declared symmetry that f contradicts at a probe point.

    Points where f(x) or f(-x) cannot be evaluated (or is not finite) are skipped: there the
    declaration is trusted. "auto" and "none" are always accepted.

    Raises:
        AutonumericsError: ``declared`` not one of ``DECLARATIONS``, or f(-x) clearly not
            -f(x) (odd) / f(x) (even) at a probe point, naming the point and both values.
    """
    _check_choice(declared)
    if declared not in _SIGNS:
        return
    text = _text(subject)
    expression = parse_expression(text)
    for x in PROBE_POINTS:
        pair = (_value(expression, x), _value(expression, -x))
        if None in pair or _agree(*pair, _SIGNS[declared], DECLARED_BITS):
            continue
        value, mirrored = (mpmath.nstr(v, 17) for v in pair)
        expected = "-f(x)" if declared == "odd" else "f(x)"
        raise AutonumericsError(
            f"symmetry: {clipped(text, 60)} is declared {declared}, but at x = {x!r} "
            f"f(x) = {value} and f(-x) = {mirrored}, not {expected}")


def target_with_symmetry(target, declared: str = "auto"):
    """``target`` (a ``truth.targets.Target``) with ``symmetry`` set from a declaration.

    "auto" keeps the target's own (the registry's for a built-in, the detected one for an
    expression, see ``get_target``); "none" clears it; "odd" / "even" set it after
    :func:`check_declared_symmetry`.

    Raises:
        AutonumericsError: as :func:`check_declared_symmetry`.
    """
    check_declared_symmetry(target, declared)
    if declared == "auto":
        return target
    symmetry = None if declared == "none" else declared
    return target if symmetry == target.symmetry else dataclasses.replace(target, symmetry=symmetry)


def _check_choice(declared: object) -> None:
    if declared not in DECLARATIONS:
        raise AutonumericsError(f"symmetry: {shown(declared, 40)} is not one of "
                                f"{', '.join(DECLARATIONS)}")


def _text(subject) -> str:
    if isinstance(subject, str):
        return subject
    if isinstance(subject, Expression):
        return subject.text
    text = getattr(subject, "expression", None)
    if not isinstance(text, str):
        raise AutonumericsError(f"symmetry: expected a target or an expression in x, got "
                                f"{shown(subject, 60)}")
    return text


def _value(expression: Expression, x: float) -> mpmath.mpf | None:
    """f(x) to converged PROBE_BITS bits, or None where it has no finite real value."""
    try:
        value = evaluate_converged(expression, x, PROBE_BITS)
    except EVALUATION_ERRORS:
        return None
    return value if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) else None


def _agree(value: mpmath.mpf, mirrored: mpmath.mpf, sign: int, bits: int) -> bool:
    """|f(-x) - sign*f(x)| <= 2^-bits max(|f(x)|, |f(-x)|) (exactly, at the values' precision)."""
    with mpmath.workprec(4 * PROBE_BITS):
        scale = max(abs(value), abs(mirrored))
        return abs(mirrored - sign * value) <= mpmath.ldexp(scale, -bits)
