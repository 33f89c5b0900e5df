"""Derivatives of the float32 kernels, from the kernel's own result where that stays accurate.

A rule maps ``(x, y, kernels)`` to dy/dx in float32: ``x`` the float32 input, ``y`` the kernel's
result at ``x`` and ``kernels`` the differentiable float32 kernels by name, so a rule may call
``exp`` and a second derivative follows by differentiating the rule itself. The aim is <= 4 ULP
wherever the derivative is a normal float32; ``scripts/gradient_table.py`` measures every rule
against mpmath's derivative. Each rule's docstring says how it gets there.

Outside a function's domain the rules extend the formula as ``jnp`` does (log'(x) = 1/x for
x < 0, although log(x) is NaN), so a branch masked away by ``jnp.where`` contributes a zero
cotangent, not a NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp

Kernels = dict[str, Callable]

# ln 2 rounded to float32: 0.05 ULP off, product rounds once more
LN2 = float.fromhex("0x1.62e430p-1")
INV_LN2 = float.fromhex("0x1.715476p+0")  # 1/ln 2 rounded to float32: 0.22 ULP off
# 2/sqrt(pi) = TWO_OVER_SQRT_PI_HI + TWO_OVER_SQRT_PI_LO to ~2^-49: a float32 alone is 0.87 ULP off.
TWO_OVER_SQRT_PI_HI = float.fromhex("0x1.20dd76p+0")
TWO_OVER_SQRT_PI_LO = float.fromhex("-0x1.f7ac92p-25")
VELTKAMP = 4097.0  # 2^12 + 1: splits a float32 into two halves of at most 12 significant bits
TANH_FAR = 43.0  # above, e^-2|x| is subnormal (flushed by XLA) while sech^2 x is still normal
ERF_FAR = 80.0  # above (x^2), e^-x^2 nears the subnormal range while erf'(x) is still normal
ERF_CLAMP = 10.0  # erf'(10) = 4e-44 underflows to 0; clamping keeps 4097 x and x^2 finite


def exp_derivative(x, y, kernels: Kernels):
    """exp' = exp: the result itself (<= 1 ULP)."""
    return y


def exp2_derivative(x, y, kernels: Kernels):
    """exp2' = y ln 2: one product (<= 1.6 ULP). For x > 0 it is written 2^(x-1) (2 ln 2) (x - 1
    is exact there): 2^x overflows from x = 128 on while its derivative is finite up to 128.53."""
    return jnp.where(x > 0, kernels["exp2"](x - 1.0) * (2.0 * LN2), y * LN2)


def expm1_derivative(x, y, kernels: Kernels):
    """expm1' = e^x from the exp kernel (<= 1 ULP). Not y + 1: for x < 0 it cancels, and y's
    rounding error becomes all of e^x's leading bits (x = -10: e^x = 4.5e-5, error ~1e3 ULP)."""
    return kernels["exp"](x)


def log_derivative(x, y, kernels: Kernels):
    """log' = 1/x: one division (<= 0.5 ULP); +inf at 0."""
    return 1.0 / x


def log2_derivative(x, y, kernels: Kernels):
    """log2' = (1/ln 2)/x: one division of a rounded constant (<= 0.8 ULP)."""
    return INV_LN2 / x


def log1p_derivative(x, y, kernels: Kernels):
    """log1p' = 1/(1 + x): 1 + x rounds once, relatively (so no digit of x that matters is lost),
    then one division (<= 1.1 ULP); +inf at -1."""
    return 1.0 / (1.0 + x)


def sigmoid_derivative(x, y, kernels: Kernels):
    """sigmoid' = y (1 - y), with 1 - y = sigmoid(-x) from the kernel: the subtraction would
    cancel for x > 0 (y rounds to 1 from x = 17 on, while sigmoid' is normal up to x = 87)."""
    return y * kernels["sigmoid"](-x)


def tanh_derivative(x, y, kernels: Kernels):
    """tanh' = 1 - y^2 = 4E / (1 + E)^2 with E = e^-2|x| from the exp kernel (2|x| is exact):
    no cancellation, since y rounds to +-1 from |x| = 9.01 on while tanh' stays normal up to
    |x| = 44.4. E's error enters the numerator and, damped, the denominator; (1 + E)^2 is
    written 1 + E (2 + E), a product XLA fuses into one rounding (<= 2 ULP). Beyond |x| = 43,
    where E is subnormal, tanh' = 4 e^-2|x| = (2 e^-|x|)^2 (<= 2.5 ULP)."""
    a = jnp.abs(x)
    far = a > TANH_FAR
    e = kernels["exp"](jnp.where(far, -a, -(a + a)))
    near = (4.0 * e) / (e * (e + 2.0) + 1.0)
    return jnp.where(far, (e + e) * (e + e), near)


def _exact_square(a):
    """a^2 = hi + lo exactly (Dekker's product over Veltkamp's split; every partial product is
    exact in float32, so whether XLA fuses them into FMAs changes nothing)."""
    c = a * VELTKAMP
    high = c - (c - a)
    low = a - high
    hi = a * a
    lo = ((high * high - hi) + 2.0 * (high * low)) + low * low
    return hi, lo


def erf_derivative(x, y, kernels: Kernels):
    """erf' = 2/sqrt(pi) e^-x^2 with x^2 = hi + lo split exactly: e^-x^2 = e^-hi (1 - lo), since
    |lo| <= 2^-24 hi and lo^2 is far below the float32 rounding (rounding x^2 alone would cost
    up to x^2 2^-24 relative: 100 ULP at x = 10). 2/sqrt(pi) as two floats (one would be 0.87 ULP
    off). <= 2.5 ULP; for x^2 > 80, e^-hi = (e^-hi/2)^2 so that no factor is subnormal while the
    derivative is still normal (to |x| = 9.35)."""
    a = jnp.minimum(jnp.abs(x), ERF_CLAMP)
    hi, lo = _exact_square(a)
    far = hi > ERF_FAR
    e = kernels["exp"](jnp.where(far, hi * -0.5, -hi))
    weight = TWO_OVER_SQRT_PI_HI + (TWO_OVER_SQRT_PI_LO - TWO_OVER_SQRT_PI_HI * lo)
    return (e * weight) * jnp.where(far, e, 1.0)


DERIVATIVES: dict[str, Callable] = {
    "exp2": exp2_derivative,
    "exp": exp_derivative,
    "expm1": expm1_derivative,
    "log2": log2_derivative,
    "log": log_derivative,
    "log1p": log1p_derivative,
    "erf": erf_derivative,
    "tanh": tanh_derivative,
    "sigmoid": sigmoid_derivative,
}
