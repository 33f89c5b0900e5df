"""e**x in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction:

* x is clamped to [-104, 89] (NaN stays NaN): e^x rounds to 0 for x <= -103.972077 (below
  2^-150) and to +inf from x = 88.72283935546875 on (the first float32 whose e^x is past
  2^128 - 2^103), so nothing is lost.
* n = round(x * log2(e)), half to even, from t = fma(x, log2(e), 1.5 * 2^23) (n = t - 1.5 * 2^23
  exactly, and t's low bits hold n: see exp2.SHIFTER); any nearby integer works, r only has to
  stay near [-ln2/2, ln2/2].
* r = x - n ln2 in two steps (Cody-Waite): ln2_hi = 0x1.62e4p-1 has 15 significant bits, so
  n * ln2_hi is exact for |n| <= 151 and x - n * ln2_hi is exact (a multiple of x's unit in the
  last place, smaller than x); then r = fma(-n, ln2_lo, r1) with ln2_lo = float32(ln2 - ln2_hi),
  rounded once (jitted JAX fuses ``r1 - n * ln2_lo`` into exactly this FMA; NumPy and C write it).
  r carries one rounding (<= 2^-26 at |r| ~ 0.35) and ln2_lo's own error (< 2^-44 per unit of n).
* p = core(r) ~ e^r in [0.70, 1.42] (exactly 1 at r = 0).
* p * 2^n as in the exp2 kernel: exactly on the exponent bits while the result is normal, in two
  steps (2^(n+64), then 2^-64: one rounding) for subnormal results, which jitted JAX on CPU
  flushes to zero.
* x >= 88.72283935546875 gives +inf, NaN gives NaN; exp(-inf) = 0, exp(+inf) = inf.

Subnormal results are computed correctly (one rounding).
Core 'poly' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp(x)  # any shape, float32
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


__all__ = ["exp"]

KERNEL_NAME = "exp"
TARGET = "exp"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp_core.json'}


def _exp_core(r):
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


def exp(x):
    """e**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-104.0), np.float32(-104.0), x)
        # n = round(x log2 e) in t's low bits: one rounding, as XLA fuses it
        t = _fma32(clamped, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))
        whole = t - np.float32(float.fromhex("0x1.8p+23"))
        r = clamped - whole * np.float32(float.fromhex("0x1.62e4p-1"))  # exact
        r = _fma32(-whole, np.float32(float.fromhex("0x1.7f7d1cp-20")), r)  # one rounding, as XLA fuses it
        p = _exp_core(r)  # e^r
        n = _bits(t) - np.int32(0x4B400000)
        y = _float(_bits(p) + (n << np.int32(23)))  # p * 2^n on the exponent bits: exact, results >= 2^-125
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        y = np.where(n < -125, tiny, y)
        y = np.where(x < np.float32(float.fromhex("0x1.62e430p+6")), y, x + np.float32(np.inf))  # inf; NaN
    return np.asarray(y, dtype=np.float32)
