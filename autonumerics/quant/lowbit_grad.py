"""Derivatives of the bf16/fp16 activations: the ``jax.custom_jvp`` of ``lowbit_activation_jax``.

The kernels round on integers (``lowbit_bits.encode``), so JAX differentiating through them
would see bit operations and return 0. Their JVP uses the activation's own derivative instead,
computed in float32 and rounded once to the input's format:

* sigmoid' = sigma(x) sigma(-x) = e / (1 + e)^2 with e = e^-|x| (no cancellation);
* tanh' = 1 - tanh^2 = 4 e / (1 + e)^2 with e = e^-2|x| (no cancellation);
* exp' = exp: the kernel's own, correctly rounded result;
* GELU' = Phi(x) + x phi(x) and SiLU' = sigma(x) (1 + x (1 - sigma(x))). Both satisfy
  f'(x) + f'(-x) = 1 (f(x) - f(-x) = x), so f'(x) for x > 0 is 1 - f'(-x), and for x = -a <= 0
  f' = phi(a) (R(a) - a) (R the Mills ratio of ``lowbit_core``) and e (1 + e - a) / (1 + e)^2 with
  e = e^-a. Near the zero of each (GELU' at x0 = -0.7518, SiLU' at -1.2785) those differences
  cancel, so there f' is its Taylor polynomial in (x - x0), x0 held as a float32 pair.

Every factor of the form e^-a is kept as ``m * 2**k`` (``lowbit_core.exp_scaled``) and scaled
once at the end, so a derivative that is a normal number is computed as accurately in bf16's far
tails (e.g. SiLU'(-90) ~ -89 e^-90) as near 0. Derivatives below 2**-126 in magnitude (bf16
subnormals) come out as 0, since XLA on CPU flushes float32 subnormals; fp16 has no such range.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from autonumerics.quant.lowbit_bits import Backend
from autonumerics.quant.lowbit_core import INV_SQRT_2PI, MILLS, MILLS_T_SCALE, exp_scaled, horner

_F32 = np.float32
ROOT_HALF_WIDTH = _F32(2.0**-4)  # the Taylor branch: |x - x0| < 1/16
_ROOT_DEGREE = 5  # truncation below 2**-22 relative at |x - x0| = 1/16


def times_pow2(b: Backend, m: Any, k: Any) -> Any:
    """``m * 2**k`` for normal float32 m and int32 k in [-252, 252].

    Two exact scalings, one rounding.
    """
    half = k >> 1
    return b.rounded(m * _pow2(b, half)) * _pow2(b, k - half)


def _pow2(b: Backend, n: Any) -> Any:
    return b.as_float((b.xp.clip(n, -126, 127) + 127) << 23)


def _sigmoid(b: Backend, x: Any) -> Any:
    m, k = exp_scaled(b, -b.xp.minimum(b.xp.abs(x), _F32(200)))
    e = times_pow2(b, m, k)
    return times_pow2(b, m / ((_F32(1) + e) * (_F32(1) + e)), k)


def _tanh(b: Backend, x: Any) -> Any:
    a = b.xp.minimum(b.xp.abs(x), _F32(100))
    m, k = exp_scaled(b, -(a + a))
    e = times_pow2(b, m, k)
    return times_pow2(b, _F32(4) * m / ((_F32(1) + e) * (_F32(1) + e)), k)


def _gelu_negative(b: Backend, a: Any) -> Any:
    """GELU'(-a) = phi(a) (R(a) - a) for a in [0, 14] (beyond, it is below 2**-135 and flushes)."""
    m, k = exp_scaled(b, -(b.rounded(a * a) * _F32(0.5)))  # a*a is exact: a has <= 11 bits
    mills = horner(b, b.rounded(MILLS_T_SCALE / (MILLS_T_SCALE + a)), MILLS)
    return times_pow2(b, b.rounded(m * INV_SQRT_2PI) * (mills - a), k)


def _silu_negative(b: Backend, a: Any) -> Any:
    """SiLU'(-a) = e (1 + e - a) / (1 + e)^2 with e = e^-a, for a in [0, 200]."""
    m, k = exp_scaled(b, -a)
    e = times_pow2(b, m, k)
    return times_pow2(b, m * ((_F32(1) + e) - a) / ((_F32(1) + e) * (_F32(1) + e)), k)


@functools.cache
def root_expansion(name: str) -> tuple[np.float32, np.float32, tuple[np.float32, ...]]:
    """(x0 high part, x0 low part, Taylor coefficients of f' at x0 highest first, no constant)."""
    derivatives = {
        "gelu": (lambda x: mpmath.ncdf(x) + x * mpmath.npdf(x), -0.75),
        "silu": (lambda x: (1 + (1 + x) * mpmath.exp(-x)) / (1 + mpmath.exp(-x)) ** 2, -1.28),
    }
    derivative, start = derivatives[name]
    with mpmath.workdps(40):
        root = mpmath.findroot(derivative, start)
        coefficients = mpmath.taylor(derivative, root, _ROOT_DEGREE)[1:]
        high = _F32(float(root))
        low = _F32(float(root - mpmath.mpf(float(high))))
    return high, low, tuple(_F32(float(c)) for c in reversed(coefficients))


def _near_root(b: Backend, name: str, x: Any) -> tuple[Any, Any]:
    """(|x - x0| < 1/16, f' there by its Taylor polynomial): x - x0_high is exact (Sterbenz)."""
    high, low, coefficients = root_expansion(name)
    delta = (x - high) - low
    return b.xp.abs(delta) < ROOT_HALF_WIDTH, b.rounded(horner(b, delta, coefficients) * delta)


def _odd_complement(b: Backend, name: str, x: Any, negative_side: Callable[[Backend, Any], Any],
                    cap: np.float32) -> Any:
    """f'(x) from f'(-|x|): itself for x <= 0, 1 minus it for x > 0; Taylor near the zero."""
    value = negative_side(b, b.xp.minimum(b.xp.abs(x), cap))
    value = b.xp.where(x > 0, _F32(1) - value, value)
    near, taylor = _near_root(b, name, x)
    return b.xp.where(near, taylor, value)


DERIVATIVES: dict[str, Callable[[Backend, Any, Any], Any]] = {
    "gelu": lambda b, x, y: _odd_complement(b, "gelu", x, _gelu_negative, _F32(14)),
    "silu": lambda b, x, y: _odd_complement(b, "silu", x, _silu_negative, _F32(200)),
    "sigmoid": lambda b, x, y: _sigmoid(b, x),
    "tanh": lambda b, x, y: _tanh(b, x),
    "exp": lambda b, x, y: y,
}


def derivative(b: Backend, name: str, x: Any, y: Any) -> Any:
    """f'(x) in float32 for float32 inputs ``x`` and the kernel's outputs ``y`` (as float32).

    NaN gives NaN; +-inf the limits of f' (1 or 0; exp' = exp).
    """
    with np.errstate(all="ignore"):  # numpy: lanes that a select discards may overflow
        value = DERIVATIVES[name](b, x, y)
    return b.xp.where(x != x, x, value)  # noqa: PLR0124 (NaN test)
