"""gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (jax.nn.gelu's default
formula, which loses everything to 1 + tanh(u) cancelling for x < 0) is x sigmoid(z) =
x / (1 + e^-z) with z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1: no
cancellation. For x < 0 the result is ~ x e^z with |z| up to 110, so z's absolute error becomes
the result's relative error: z is carried to ~2^-45 relative.

* x is clamped three ways (a select each): xn = max(x, -10.9375) for the numerator (gelu_tanh
  rounds to -0 from x = -10.7709 down), xb = clamp(x, -10.9375, 8.5) for z (z in [-110.8, 57.4]:
  e^-z stays in the scaled range below; gelu_tanh(x) rounds to x from 4.994 up, e^-57 < 2^-80),
  and xa = min(x, 8.5), equal to xb where it matters: products of xa and of xb are different
  expressions, so XLA does not merge a product with its FMA twin (the error of a product by
  one FMA needs the product a second time). Below -10.9375 only xa differs, and its garbage
  drives e^-z to +inf, where the quotient is -0 as it should be.
* v = c1 + c2 x^2 = v_hi + v_lo: s = x^2 = s1 + s_lo (one FMA), v_hi = fma(c2h, s1, c1h),
  d = v_hi - c1h exact (c1h has 21 bits, v_hi in [1.6, 10.2]), the rounding error of v_hi
  fma(c2h, s2, -d) (s2 = xa xb = s1), v_lo = that + c2h s_lo + (c2l s1 + c1l): the float32 pairs
  c1h + c1l, c2h + c2l carry the constants to 2^-48. z = x v_hi + x v_lo.
* e^-z = 2^n p: n = round(-z log2 e) from the shifter FMA on xb (v_hi (-log2e)) (any nearby n
  works: r stays within 2^-20 of [-ln2/2, ln2/2]); r = -x v_hi - n ln2_hi by one FMA (n ln2_hi
  exact: 15 bits), then - n ln2_lo and - x v_lo by one FMA each: r to ~3 * 2^-26 absolute. The
  exp kernel's core p(r) ~ e^r.
* The closing forms are silu_fast's (``autonumerics/kernels/fast/silu.py``): x >= 0:
  x / fma(p, 2^n, 1); x < 0: (x 2^(64-n)) / fma(p, 2^64, 2^(64-n)) with an exact numerator;
  one division with one user; subnormal results rounded once by it (NumPy, C); NaN -> NaN;
  gelu_tanh(-0) = -0; +inf -> +inf; -inf -> -0.

Error budget: silu_fast's (the core, 1 + e^-z and the quotient: 2.4 ULP at most on every
float32 of [-91.8, 32] there) plus r's roundings (<= 0.2 ULP); 2.46 ULP at most on every
float32 of [-10.1, 6] (x = -5.0002).

Subnormal inputs and results are computed correctly.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu_tanh_fast(x)  # any shape, float32
"""

import numpy as np

def _fma32(a, b, c):
    """a*b + c rounded once to float32 (round to odd in float64, then to nearest)."""
    product = np.multiply(a, b, dtype=np.float64)  # exact: at most 48 significant bits
    addend = np.asarray(c, dtype=np.float64)
    total = product + addend
    # TwoSum: total + rest == product + addend exactly.
    addend_part = total - product
    product_part = total - addend_part
    rest = (product - product_part) + (addend - addend_part)
    rest = np.where(np.isfinite(total), rest, 0.0)
    # Round to odd: an inexact total with an even last bit moves one step towards the exact sum.
    bits = np.asarray(total, dtype=np.float64).view(np.int64)
    step = np.where(np.signbit(total) == np.signbit(rest), 1, -1).astype(np.int64)
    odd = np.where((rest != 0) & ((bits & 1) == 0), bits + step, bits).view(np.float64)
    return odd.astype(np.float32)


def _bits(x):
    """The float32 values' bit patterns as int32."""
    return np.asarray(x, dtype=np.float32).view(np.int32)


def _float(bits):
    """int32 bit patterns as float32 values."""
    return np.asarray(bits, dtype=np.int32).view(np.float32)


def _pow2(n):
    """2.0**n as float32 for int32 n in [-126, 127], built from its exponent bits (exact)."""
    return _float((np.asarray(n, dtype=np.int32) + np.int32(127)) << np.int32(23))


__all__ = ["gelu_tanh_fast"]

KERNEL_NAME = "gelu_tanh_fast"
TARGET = "gelu_tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json'}


def _gelu_tanh_fast_exp(r):
    """exp: ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0 (12 ops, xla, hash a3b9a3dae7fd9236)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.555a2a0000000p-5"))
        c1 = np.float32(float.fromhex("0x1.126d280000000p-7"))
        c2 = np.float32(float.fromhex("0x1.69e03a0000000p-10"))
        c3 = np.float32(float.fromhex("0x1.5554300000000p-3"))
        c4 = np.float32(float.fromhex("0x1.fffff60000000p-2"))
        c5 = np.float32(float.fromhex("0x1.0000000000000p+0"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = _fma32(v4, x, c5)
    return np.broadcast_to(v5, x.shape).astype(np.float32, copy=True)


def gelu_tanh_fast(x):
    """gelu_tanh(x) (jax.nn.gelu's tanh formula) in float32 for every input, <= 3.5 ULP (module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        xn = np.where(x < -np.float32(float.fromhex("0x1.5ep+3")), -np.float32(float.fromhex("0x1.5ep+3")), x)  # numerator; NaN stays NaN
        xa = np.where(x < np.float32(float.fromhex("0x1.1p+3")), x, np.float32(float.fromhex("0x1.1p+3")))  # NaN -> 8.5
        xb = np.where(xa < -np.float32(float.fromhex("0x1.5ep+3")), -np.float32(float.fromhex("0x1.5ep+3")), xa)  # x clamped to [-10.9375, 8.5]
        s1 = xb * xb  # x^2 rounded
        s2 = xa * xb  # the same value, another product (XLA must not merge the FMAs' products)
        s_lo = _fma32(xa, xa, -s1)  # x^2 - s1 exactly
        v_hi = _fma32(s1, np.float32(float.fromhex("0x1.2444f2p-4")), np.float32(float.fromhex("0x1.98845p+0")))
        d = v_hi - np.float32(float.fromhex("0x1.98845p+0"))  # exact
        e = _fma32(s2, np.float32(float.fromhex("0x1.2444f2p-4")), -d)  # c2h s + c1h - v_hi, v_hi's rounding error
        v_lo = _fma32(s_lo, np.float32(float.fromhex("0x1.2444f2p-4")), _fma32(s1, np.float32(float.fromhex("0x1.49b16ap-29")), np.float32(float.fromhex("0x1.9ea1b2p-23")))) + e
        t = _fma32(xb, v_hi * np.float32(float.fromhex("-0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))  # n = round(-z log2 e) in t's low bits
        nf = t - np.float32(float.fromhex("0x1.8p+23"))
        r = _fma32(-xa, v_hi, -(nf * np.float32(float.fromhex("0x1.62e4p-1"))))  # one rounding, as XLA fuses it
        r = _fma32(-nf, np.float32(float.fromhex("0x1.7f7d1cp-20")), r)
        r = _fma32(-xa, v_lo, r)
        p = _gelu_tanh_fast_exp(r)  # e^r, e^-z = 2^n p
        neg = x < 0
        k = _bits(t)  # 0x4B400000 + n: its low 9 bits are n's
        # 2^(64-n) where x < 0, else 2^n
        s = _float(np.where(neg, np.int32(191) - k, k + np.int32(127)) << 23)
        b = np.where(neg, s, np.float32(float.fromhex("0x1p+0")))
        den = _fma32(p, np.where(neg, np.float32(float.fromhex("0x1p+64")), s), b)  # one rounding, as XLA fuses it  # 1 + e^-z, times 2^(64-n) where x < 0
        y = (xn * b) / den  # exact numerator; the division's one use
    return np.asarray(y, np.float32)
