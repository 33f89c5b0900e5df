"""silu(x) = x sigmoid(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

silu(x) = x sigmoid(x) = x / (1 + e^-x) for every x: one division whose numerator is exact, so
the result carries the core's error, one rounding of 1 + e^-x and the quotient's rounding.

* e^-x = 2^n p: x is clamped to [-112, 87] for the reduction (silu rounds to -0 from -112 down
  and to x from 87 up: e^-87 < 2^-125), n = round(-x log2 e) from the shifter FMA
  t = -x log2e + 1.5 * 2^23 (n in t's low bits), Cody-Waite r = -x - n ln2_hi (exact: ln2_hi
  has 15 bits) then r - n ln2_lo by one FMA (one rounding, <= 2^-26 at |r| ~ 0.35), and the
  exp kernel's core p(r) ~ e^r on [-ln2/2, ln2/2] (its degree-6 polynomial; the degree-5 front
  member gives 4.9 ULP here: its relative error reaches 3.6 * 2^-24).
* x >= 0 (n in [-126, 0]): silu = x / fma(p, 2^n, 1): 1 + E rounded once; x >= 17.33 gives x
  itself, +inf gives +inf, NaN stays NaN, silu(-0) = -0 / 2 = -0.
* x < 0 (n in [0, 162]): e^-x overflows from x = -88.7 on, so numerator and denominator are
  scaled by s = 2^(64 - n) (normal for every n here): silu = (x s) / fma(p, 2^64, s). x s is
  exact (a power of 2, no overflow or underflow, subnormal x included), the denominator is the
  same rounded 1 + e^-x times s, and the quotient rounds once, also where it is subnormal
  (x < -87.3; NumPy and C), and to -0 for x <= -108.7.
* 2^n or 2^(64 - n) from t's bits by one select, numerator and denominator by one FMA with
  selected operands: the division has one user (one XLA loop).

Error budget (relative, units of 2^-24): the core's error (<= 1.4 for the degree-6 core; p's
ULP is 2^-23 above 1) reaches silu times e^-x / (1 + e^-x) < 1, r's rounding <= 0.25, 1 + e^-x
rounds once (<= 1), the quotient once (0.5 ULP): <= 3.2 * 2^-24 + 0.5 ULP in the worst case,
2.9 ULP at most if the result's significand is near 2; 2.40 ULP at most on every float32 of
[-91.8, 32] (x = -16.6997), where every result that is not x, -0 or subnormal lies.
jax.nn.silu computes x * sigmoid(x) and is 1.67e7 ULP off near x = -90 (sigmoid's tail).

Subnormal inputs and results are computed correctly.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = silu_fast(x)  # any shape, float32
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


__all__ = ["silu_fast"]

KERNEL_NAME = "silu_fast"
TARGET = "silu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json'}


def _silu_fast_exp(r):
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


def silu_fast(x):
    """silu(x) = x sigmoid(x) in float32 for every input, <= 3.5 ULP (module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        xn = np.where(x < -np.float32(float.fromhex("0x1.cp+6")), -np.float32(float.fromhex("0x1.cp+6")), x)  # NaN stays NaN
        xr = np.where(xn < np.float32(float.fromhex("0x1.5cp+6")), xn, np.float32(float.fromhex("0x1.5cp+6")))  # x clamped to [-112, 87] (NaN -> 87)
        t = _fma32(-xr, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))  # one rounding, as XLA fuses it
        nf = t - np.float32(float.fromhex("0x1.8p+23"))  # n = round(v log2 e), exact
        r = -xr - nf * np.float32(float.fromhex("0x1.62e4p-1"))  # exact (fused or not)
        r = _fma32(-nf, np.float32(float.fromhex("0x1.7f7d1cp-20")), r)  # one rounding, as XLA fuses it
        p = _silu_fast_exp(r)  # e^r
        neg = x < 0
        k = _bits(t)  # 0x4B400000 + n: its low 9 bits are n's
        # 2^(64-n) where x < 0, else 2^n
        s = _float(np.where(neg, np.int32(191) - k, k + np.int32(127)) << 23)
        b = np.where(neg, s, np.float32(float.fromhex("0x1p+0")))
        den = _fma32(p, np.where(neg, np.float32(float.fromhex("0x1p+64")), s), b)  # one rounding, as XLA fuses it  # 1 + e^-x, times 2^(64-n) where x < 0
        y = (xn * b) / den  # exact numerator; the division's one use
    return np.asarray(y, np.float32)
