"""The mpmath side of target expressions: the functions and constants they may use, calls bounded
in argument size, the errors that mean "no real value here", evaluation to converged precision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath

from autonumerics.limits import MAX_ARGUMENT_BITS, clipped

MpValue = Any  # an mpmath mpf (or mpc in the middle of a computation)

# name -> (mpmath function, least and most positional arguments)
EXPRESSION_FUNCTIONS: dict[str, tuple[Callable[..., MpValue], int, int]] = {
    "exp": (mpmath.exp, 1, 1),
    "exp2": (lambda x: mpmath.power(2, x), 1, 1),
    "expm1": (mpmath.expm1, 1, 1),
    "log": (mpmath.log, 1, 2),
    "ln": (mpmath.ln, 1, 1),
    "log2": (lambda x: mpmath.log(x, 2), 1, 1),
    "log10": (mpmath.log10, 1, 1),
    "log1p": (mpmath.log1p, 1, 1),
    "sqrt": (mpmath.sqrt, 1, 1),
    "cbrt": (mpmath.cbrt, 1, 1),
    "power": (mpmath.power, 2, 2),
    "hypot": (mpmath.hypot, 2, 2),
    "abs": (mpmath.fabs, 1, 1),
    "sin": (mpmath.sin, 1, 1),
    "cos": (mpmath.cos, 1, 1),
    "tan": (mpmath.tan, 1, 1),
    "sinpi": (mpmath.sinpi, 1, 1),
    "cospi": (mpmath.cospi, 1, 1),
    "sinc": (mpmath.sinc, 1, 1),
    "asin": (mpmath.asin, 1, 1),
    "acos": (mpmath.acos, 1, 1),
    "atan": (mpmath.atan, 1, 1),
    "atan2": (mpmath.atan2, 2, 2),
    "sinh": (mpmath.sinh, 1, 1),
    "cosh": (mpmath.cosh, 1, 1),
    "tanh": (mpmath.tanh, 1, 1),
    "asinh": (mpmath.asinh, 1, 1),
    "acosh": (mpmath.acosh, 1, 1),
    "atanh": (mpmath.atanh, 1, 1),
    "erf": (mpmath.erf, 1, 1),
    "erfc": (mpmath.erfc, 1, 1),
    "erfinv": (mpmath.erfinv, 1, 1),
    "ncdf": (mpmath.ncdf, 1, 1),
    "gamma": (mpmath.gamma, 1, 1),
    "rgamma": (mpmath.rgamma, 1, 1),
    "loggamma": (mpmath.loggamma, 1, 1),
    "digamma": (mpmath.digamma, 1, 1),
    "zeta": (mpmath.zeta, 1, 1),
    "besselj": (mpmath.besselj, 2, 2),
    "bessely": (mpmath.bessely, 2, 2),
    "besseli": (mpmath.besseli, 2, 2),
    "besselk": (mpmath.besselk, 2, 2),
    "airyai": (mpmath.airyai, 1, 1),
    "airybi": (mpmath.airybi, 1, 1),
    "lambertw": (mpmath.lambertw, 1, 2),
    "ei": (mpmath.ei, 1, 1),
    "e1": (mpmath.e1, 1, 1),
    "si": (mpmath.si, 1, 1),
    "ci": (mpmath.ci, 1, 1),
}

# Named constants, evaluated at the working precision each time they are used.
EXPRESSION_CONSTANTS: dict[str, Callable[[], MpValue]] = {
    "pi": lambda: +mpmath.pi,
    "e": lambda: +mpmath.e,
    "ln2": lambda: +mpmath.ln2,
}

# Errors that mean "this expression has no real value here", as opposed to a bug
# (ArgumentTooLarge, below, is an ArithmeticError).
EVALUATION_ERRORS = (ArithmeticError, ValueError, TypeError, mpmath.libmp.NoConvergence)


def describe_error(error: BaseException) -> str:
    """Why an evaluation failed, in words (mpmath raises ``ZeroDivisionError`` with no message)."""
    if isinstance(error, ZeroDivisionError) and not str(error):
        return "division by zero"
    return clipped(str(error) or type(error).__name__, 120)


class ArgumentTooLarge(ArithmeticError):
    """An argument so large that evaluating the function would take unbounded time."""


def bounded_call(name: str, function: Callable[..., MpValue], arguments: list[MpValue]) -> MpValue:
    """``function(*arguments)``, refusing an argument of magnitude ``2**MAX_ARGUMENT_BITS`` or more.

    mpmath reduces ``sin``, ``exp``, ``a**b``... modulo pi or log 2 with as many bits of the
    constant as the argument has before its binary point: ``sin(10**100000*x)`` costs 330 000
    bits per call, ``sin(10**10**9*x)`` would never end.
    """
    for argument in arguments:
        if mpmath.isfinite(argument) and mpmath.mag(argument) > MAX_ARGUMENT_BITS:
            raise ArgumentTooLarge(
                f"{name}() of an argument near 2^{int(mpmath.mag(argument))}: "
                f"arguments must stay below 2^{MAX_ARGUMENT_BITS}")
    return function(*arguments)


def evaluate_converged(
    expression: Callable[[MpValue], MpValue], x: float, bits: int, max_rounds: int = 4
) -> MpValue:
    """``expression(x)`` to about ``bits`` correct bits, raising precision until it settles.

    Each mpmath function is accurate to the working precision, but a composite expression can
    lose bits to cancellation (``exp(x) - 1`` near 0) or ill-conditioning (``erfc`` of a
    rounded argument far in the tail). So evaluate at ``bits + 20`` and again with ``bits``
    more, and accept when the two agree to ``bits``; else keep adding precision, up to
    ``max_rounds`` times. A value that never settles (an exact zero such as ``sin(pi*x)`` at
    1, where every precision gives a smaller residue) is returned from the highest precision.

    Raises:
        the mpmath errors in :data:`EVALUATION_ERRORS` when there is no real value at ``x``.
    """
    context = mpmath.mp
    saved = context.prec
    try:
        context.prec = 53
        point = context.mpf(x)  # exact: a float64 has 53 bits
        prec = context.prec = bits + 20
        previous = expression(point)
        for _ in range(max_rounds):
            prec = context.prec = prec + bits + 20
            current = expression(point)
            if current == previous or not context.isfinite(current):
                return current
            # |current - previous| <= 2^-bits |current|, to within a factor 2 (mag is cheap)
            if context.mag(current - previous) <= context.mag(current) - bits:
                return current
            previous = current
        return current
    finally:
        context.prec = saved
