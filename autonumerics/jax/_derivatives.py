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

import jax
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
# 1/sqrt(2 pi) = INV_SQRT_2PI_HI + INV_SQRT_2PI_LO to ~2^-50
INV_SQRT_2PI_HI = float.fromhex("0x1.988454p-2")
INV_SQRT_2PI_LO = float.fromhex("-0x1.857936p-27")
GELU_CLAMP = 14.0  # gelu'(-14) = -14 phi(14) ~ 1e-42: below, 0; keeps 4097 x and x^2 finite
GELU_FAR = -10.0  # below, gelu' = phi(x) (x + Mills ratio): see gelu_derivative
GELU_TANH_SCALE = float.fromhex("0x1.988454p+0")  # 2 sqrt(2/pi), rounded to float32
GELU_TANH_CUBIC = float.fromhex("0x1.6e4e26p-5")  # 0.044715, rounded to float32
GELU_TANH_FAR, GELU_TANH_LOW = -10.0, -11.0  # gelu_tanh_far_derivative's range (0 below -10.3)
# 2 sqrt(2/pi) and 0.044715 * 2 sqrt(2/pi) as float32 pairs (to ~2^-50)
GELU_TANH_C1_HI, GELU_TANH_C1_LO = float.fromhex("0x1.988454p+0"), float.fromhex("-0x1.857936p-25")
GELU_TANH_C2_HI, GELU_TANH_C2_LO = float.fromhex("0x1.2444f2p-4"), float.fromhex("0x1.49b16ap-29")
GELU_TANH_CLAMP = 20.0  # beyond, sigmoid(-z) is 0 (x > 0) or the result is 0 (x < 0)
TINY_ARGUMENT = 2.0**-60  # below, Phi(x) and sigmoid(z) round to 1/2 (their slopes are < 1)
# Near a root of silu', gelu' and gelu_tanh' the two terms of the formula cancel: within
# ROOT_WINDOW of the root r = r_hi + r_lo the rules use f'(x) = d P(d), d = (x - r_hi) - r_lo (the
# difference exact near r), P of degree 11 fitted for relative error (python
# scripts/fit_derivative_roots.py prints these: d P(d) within 1.7, 1.9 and 2.2 ULP there, the
# root itself included).
ROOT_WINDOW = 0.5


def _hex(*values: str) -> tuple[float, ...]:
    return tuple(float.fromhex(value) for value in values)


NEAR_ROOT: dict[str, tuple[float, ...]] = {  # name: (r_hi, r_lo, P's coefficients, constant first)
    "silu": _hex(
        "-0x1.474974p+0", "0x1.bdf6fap-27", "0x1.be1410p-3", "0x1.2c5634p-3",
        "0x1.353eb6p-6", "-0x1.f2d0e4p-7", "-0x1.b0f832p-8", "0x1.098f52p-13",
        "0x1.a2aaacp-11", "0x1.856daep-13", "-0x1.588beep-15", "-0x1.f1e25ep-16",
        "-0x1.390b34p-19", "0x1.2d7a1cp-19"),
    "gelu": _hex(
        "-0x1.80ead2p-1", "0x1.a03fd4p-27", "0x1.b9d990p-2", "0x1.8d9a94p-2",
        "-0x1.2a2efap-6", "-0x1.d2fa4cp-4", "-0x1.e4086ap-7", "0x1.3e345cp-6",
        "0x1.29784ep-8", "-0x1.2584fap-9", "-0x1.85b1b6p-11", "0x1.855498p-13",
        "0x1.51f188p-14", "-0x1.501a30p-17"),
    "gelu_tanh": _hex(
        "-0x1.8142a0p-1", "0x1.85a06cp-27", "0x1.b8bacep-2", "0x1.8cd1a2p-2",
        "-0x1.029616p-6", "-0x1.d2b772p-4", "-0x1.104a6cp-6", "0x1.427960p-6",
        "0x1.58c38ep-8", "-0x1.3d7ba6p-9", "-0x1.e4ab9ap-11", "0x1.11f410p-12",
        "0x1.dac02ep-14", "-0x1.dff650p-16"),
}
SILU_FAR = -80.0  # below, sigmoid(x) is near the subnormal range while silu' is still normal
SILU_CLAMP = 200.0  # beyond, silu' is 1 (x > 0) or 0 (x < 0) in float32


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


def _exact_product(a, b):
    """a b = hi + lo exactly (Dekker over Veltkamp splits of both factors)."""
    ca, cb = a * VELTKAMP, b * VELTKAMP
    a_high, b_high = ca - (ca - a), cb - (cb - b)
    a_low, b_low = a - a_high, b - b_high
    hi = a * b
    lo = (((a_high * b_high - hi) + a_high * b_low) + a_low * b_high) + a_low * b_low
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


def _near_root(name: str, x, formula):
    """``formula`` (f' at x), or d P(d) within ROOT_WINDOW of f''s root (``NEAR_ROOT``)."""
    r_hi, r_lo, *coefficients = NEAR_ROOT[name]
    # the barrier keeps XLA from folding (x - r_hi) - r_lo into x - (r_hi + r_lo), which rounds
    d = jax.lax.optimization_barrier(x - r_hi) - r_lo
    p = jnp.full_like(x, coefficients[-1])
    for c in coefficients[-2::-1]:
        p = p * d + c
    return jnp.where(jnp.abs(x - r_hi) <= ROOT_WINDOW, d * p, formula)


def softplus_derivative(x, y, kernels: Kernels):
    """softplus' = sigmoid(x), from the sigmoid kernel (<= 1 ULP)."""
    return kernels["sigmoid"](x)


def log_sigmoid_derivative(x, y, kernels: Kernels):
    """log_sigmoid' = sigmoid(-x), from the sigmoid kernel (<= 1 ULP)."""
    return kernels["sigmoid"](-x)


def silu_derivative(x, y, kernels: Kernels):
    """silu' = s + x s (1 - s) = s (1 + x t), s = sigmoid(x) and t = sigmoid(-x) both from the
    sigmoid kernel (1 - s would cancel for x < 0), 1 + x t by one FMA; within 1/2 of its root
    x = -1.2785, where the two terms cancel, d P(d) instead (``NEAR_ROOT``). Below x = -80,
    s = e^(x/2) e^(x/2), so no factor is subnormal while silu' is still normal."""
    t = kernels["sigmoid"](-x)
    far = x < SILU_FAR
    half = kernels["exp"](jnp.where(far, x * 0.5, 0.0))
    s = jnp.where(far, half, kernels["sigmoid"](x))
    xc = jnp.clip(x, -SILU_CLAMP, SILU_CLAMP)  # x t is 0 or x beyond: no inf * 0
    return _near_root("silu", x, (s * (xc * t + 1.0)) * jnp.where(far, half, 1.0))


def gelu_derivative(x, y, kernels: Kernels):
    """gelu' = Phi(x) + x phi(x), phi(x) = e^(-x^2/2)/sqrt(2 pi) from the exp kernel with x^2 = hi +
    lo split exactly (rounding x^2 would cost up to x^2 2^-24 relative): e^(-hi/2) (1 - lo/2), the
    constant as two floats. For x >= -10, Phi(x) = y / x from the kernel's own result (one
    division of a <= 1 ULP value; 1/2 for |x| < 2^-60, where y ~ x/2 may be flushed); the sum
    cancels near its root x = -0.7518, where d P(d) is used instead (``NEAR_ROOT``).
    Below -10, where y / x nears the subnormal range while gelu' is still normal (to x = -13.4),
    gelu' = phi(x) (x + M) with the Mills ratio M = Phi/phi = (1 - u + 3u^2 - 15u^3 + 105u^4)/|x|,
    u = 1/x^2 (the series' next term is 1e-8 of M there), and e^(-hi/2) = (e^(-hi/4))^2, so that
    no factor is subnormal."""
    xc = jnp.clip(x, -GELU_CLAMP, GELU_CLAMP)
    a = jnp.abs(xc)
    hi, lo = _exact_square(a)
    far = x < GELU_FAR
    e = kernels["exp"](hi * jnp.where(far, -0.25, -0.5))
    weight = INV_SQRT_2PI_HI + (INV_SQRT_2PI_LO - INV_SQRT_2PI_HI * (lo * 0.5))
    u = 1.0 / (a * a)
    mills = (1.0 - u * (1.0 - 3.0 * u * (1.0 - 5.0 * u * (1.0 - 7.0 * u)))) / a
    tiny = jnp.abs(x) < TINY_ARGUMENT  # Phi rounds to 1/2, and y ~ x/2 may be flushed
    cdf = jnp.where(x > GELU_CLAMP, 1.0, jnp.where(tiny, 0.5, y / jnp.where(tiny, 1.0, x)))
    near = _near_root("gelu", x, cdf + xc * (e * weight))
    return jnp.where(far, (((xc + mills) * e) * weight) * e, near)


def gelu_tanh_derivative(x, y, kernels: Kernels):
    """gelu_tanh = x s(z), s = sigmoid, z = 2 sqrt(2/pi) (x + 0.044715 x^3), so its derivative is
    s(z) F with F = 1 + x s(-z) z': s(z) F = (y F) / x from the kernel's own result (F/2 for
    |x| < 2^-60;
    y F stays normal where s(z) alone would be subnormal), s(-z) from the sigmoid kernel (z
    rounded: that matters only where s(-z) is tiny and so is its term), z' = 2 sqrt(2/pi)
    (1 + 3 0.044715 x^2). F cancels near its root x = -0.7525 (d P(d) there, ``NEAR_ROOT``). x
    is clamped to +-20 inside F, where x s(-z) z' is 0 (x > 0) or F multiplies a zero result
    (x < 0)."""
    xc = jnp.clip(x, -GELU_TANH_CLAMP, GELU_TANH_CLAMP)
    square = xc * xc
    z = GELU_TANH_SCALE * (xc + GELU_TANH_CUBIC * (square * xc))
    slope = GELU_TANH_SCALE * (1.0 + (3.0 * GELU_TANH_CUBIC) * square)
    factor = xc * (kernels["sigmoid"](-z) * slope) + 1.0
    tiny = jnp.abs(x) < TINY_ARGUMENT  # s(z) rounds to 1/2, and y ~ x/2 may be flushed
    inner = jnp.where(tiny, 0.5 * factor, (y * factor) / jnp.where(tiny, 1.0, x))
    inner = jnp.where(x < GELU_TANH_FAR, _gelu_tanh_far_derivative(x, kernels),
                      _near_root("gelu_tanh", x, inner))
    return jnp.where(x > GELU_TANH_CLAMP, 1.0, jnp.where(x < -GELU_TANH_CLAMP, -0.0, inner))


def _gelu_tanh_far_derivative(x, kernels: Kernels):
    """gelu_tanh' for x < -10, where y is near or below the subnormal range (flushed by XLA) while
    the derivative is still normal (to x = -10.2): s(z) = e^z there (to e^-60 relative), with z
    = x (c1 + c2 x^2) carried as z_hi + z_lo (x^2 and the products exact by Dekker, c1 and c2 as
    float32 pairs, the sum by 2Sum), e^z = e^(z_hi/2) (1 + z_lo) e^(z_hi/2) so that no factor is
    subnormal, times F = 1 + x z' (s(-z) = 1): <= ~3 ULP."""
    xf = jnp.clip(x, GELU_TANH_LOW, GELU_TANH_FAR)
    h, h_lo = _exact_square(xf)
    p, p_err = _exact_product(GELU_TANH_C2_HI, h)
    v = GELU_TANH_C1_HI + p  # 2Sum: v + v_err = c1_hi + p exactly
    b = v - GELU_TANH_C1_HI
    v_err = (GELU_TANH_C1_HI - (v - b)) + (p - b)
    v_lo = (v_err + p_err) + ((GELU_TANH_C2_HI * h_lo + GELU_TANH_C2_LO * h) + GELU_TANH_C1_LO)
    z_hi, z_err = _exact_product(xf, v)
    z_lo = z_err + xf * v_lo
    half = kernels["exp"](z_hi * 0.5)
    factor = xf * (GELU_TANH_SCALE * (1.0 + (3.0 * GELU_TANH_CUBIC) * h)) + 1.0
    return ((half * factor) * (1.0 + z_lo)) * half


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
    "gelu": gelu_derivative,
    "gelu_tanh": gelu_tanh_derivative,
    "silu": silu_derivative,
    "softplus": softplus_derivative,
    "log_sigmoid": log_sigmoid_derivative,
}
