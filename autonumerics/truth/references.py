"""Fast float64 references of the built-in targets where numpy and scipy alone are not enough.

Exhaustive float32 verification trusts a reference wherever it is farther than its bound from a
rounding boundary (``Target.f64_rel_error_bound``), so each bound here is measured, with margin.
"""

from __future__ import annotations

import numpy as np
from scipy import special

# Bounds on the float64 references: numpy dispatches float64 exp2/log2/expm1/log1p/tanh...
# to SIMD code (SVML) documented to 4 ulp (< 9e-16 relative); measured here (AVX-512) on 3 x
# 1e5 points over the default intervals and the whole normal range, the worst were 1.13 ulp
# (exp2, exp), 1.6 (tanh), 3.2 (erf), 2.4 (sigmoid), 3.4 (silu), 8.3 (erfc), 8.7 (gelu) and
# 1.5 (rsqrt: two correctly rounded ops, provably <= 1.5 ulp). Bounds are >= 2x that.
LIBM_BOUND = 9e-16
ERFC_BOUND = 2e-15
# gelu_tanh: sigmoid(z) ~ e^z turns z's few roundings into |z|·1e-16 relative; measured 1.9e-14
# (x = -9.5, z = -76) on 8 000 points against mpmath, and |z| <= 110 for normal results.
GELU_TANH_BOUND = 5e-14

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


def erfc_f64(x: np.ndarray) -> np.ndarray:
    return _erfc_dd(x, 0.0)


def gelu_f64(x: np.ndarray) -> np.ndarray:
    """x/2 · erfc(-x/√2) with the argument -x/√2 formed as a double-double.

    erfc's relative condition number is about 2z² at z = -x/√2, so rounding the product
    -x/√2 to a double would alone cost 1e-13 at x = -30.
    """
    clipped = np.clip(x, -64.0, 64.0)  # gelu is -0 or x beyond; keeps the split in range
    product, product_error = _two_product(clipped, _SQRT_HALF_HI)
    return _at_infinity(x, _erfc_dd(-product, -(product_error + clipped * _SQRT_HALF_LO), x / 2))


def _at_infinity(x: np.ndarray, value: np.ndarray) -> np.ndarray:
    """An activation x·g(x) (g from 0 to 1) at +-inf: its limits +inf and -0, not inf·0 = NaN."""
    return np.where(np.isinf(x), np.where(x > 0, x, -0.0), value)


def silu_f64(x: np.ndarray) -> np.ndarray:
    """x · sigmoid(x); far left, x·e^x as (x·e^(x/2))·e^(x/2) so e^x's underflow below
    x ≈ -708 does not cost bits while x·e^x is still normal (down to x ≈ -714.6)."""
    half = np.exp(np.minimum(x, -700.0) / 2)
    return _at_infinity(x, np.where(x < -700.0, (x * half) * half, x * special.expit(x)))


def softplus_f64(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, no cancellation."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid_f64(x: np.ndarray) -> np.ndarray:
    """log(sigmoid(x)) = -softplus(-x)."""
    return -softplus_f64(-x)


_GELU_TANH_SCALE = 1.5957691216057308  # 2·√(2/π), rounded once
_GELU_TANH_CUBIC = 0.044715


def gelu_tanh_f64(x: np.ndarray) -> np.ndarray:
    """x/2 · (1 + tanh(z/2)) = x · sigmoid(z), z = 2√(2/π)(x + 0.044715 x³): no cancellation in
    1 + tanh for x < 0. z has a few float64 roundings, so the relative error is about |z|·1e-16
    where sigmoid(z) ~ e^z (|z| <= 110 while the result is a normal float32; the stress test goes
    to |z| ~ 700, where float64 results reach the subnormal range)."""
    clipped = np.clip(x, -1e30, 1e30)  # gelu_tanh is x or -0 far beyond; keeps x³ finite
    z = _GELU_TANH_SCALE * (clipped * (1.0 + _GELU_TANH_CUBIC * (clipped * clipped)))
    half = np.exp(np.minimum(z, -700.0) / 2)  # far left, x e^z as (x e^(z/2)) e^(z/2), as silu
    return _at_infinity(x, np.where(z < -700.0, (x * half) * half, x * special.expit(z)))


def rsqrt_f64(x: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(x)  # two roundings: at most about 1.5 ulp
