"""expm1(x) = exp(x) - 1 in float32 for every input: a full-range kernel exported by autonumerics (numpy).

The accurate kernel carries e^x as an unrounded pair and subtracts 1 by an exact 2Sum (48 ops);
at 3.5 ULP one FMA does, because the error of m reaches the result amplified by at most
2^n |m| / |e^x - 1| <= 1.41 (n = 1, r = -ln2/2; 0.71 for n = -1, less elsewhere):

* x is clamped to [-17.5, 88.72283935546875], a max and a min that keep NaN: expm1 rounds to -1
  for x <= -17.32868 (and -inf), and to +inf from 88.72283935546875 on.
* n = round(x log2 e), half to even, from t = fma(x, log2 e, 1.5 * 2^23 + 127), whose low bits
  hold n + 127 (exp2.SHIFTER), read through an optimization barrier (XLA would fold
  (v + S) - S to v); t is capped at n = 127 (a min), so that 2^n = float(bits(t) << 23) is a
  normal float32 for every n in [-25, 127].
* r = x - n ln 2 in two FMAs, as in the exp_fast kernel: ln2_hi = ln 2 rounded down to 24 bits
  (x - n ln2_hi is exact: for n != 0, x and n ln2_hi are multiples of 2^-25 and |r| < 1/2, or,
  under the cap, multiples of 2^-24 and r < 1), then r = fma(-n, ln2_lo, r1) rounds once (for
  n = 0, r = x exactly). Both constants are below
  ln 2, so for x = -0 (n = +0) both products are -0 and r stays -0. |r| <= 0.34658 except under
  the cap (x >= 127.5 ln 2 = 88.376), where r reaches ln 2 + 2.4e-7.
* m = core(r) ~ e^r - 1 on [-0.3466, 0.6932], relatively accurate down to r = 0 and ending in a
  product by r, so that m(-0) = -0 and m(x) = x for tiny x.
* y = fma(m, 2^n, -(1 - 2^n)), rounded once. n = 0: y = m (1 - 1 = +0, and -0 - +0 = -0 keeps
  expm1(-0) = -0). 1 - 2^n is exact for -24 <= n <= 24; for n >= 25 it rounds to -2^n, an error
  of 1 in a result >= 2^24 (<= 0.5 ULP), and for n = -25 to 1, an error of 2^-25 in a result
  near -1 (<= 0.71 ULP, there where the result is -1 or -1 + 2^-24). n = 127 and r near ln 2 give
  2^127 (1 + m), which rounds to +inf exactly when e^x does: x = 88.72283935546875 (r = ln 2 +
  2.4e-7, m > 1) gives +inf, the float32 below it 2^128 (1 - 7.6e-6).
* NaN -> NaN, -inf -> -1, +inf -> +inf, +-0 -> +-0: no select. Subnormal x (NumPy, C): r = x,
  m = x P(x) = x, y = x. Jitted JAX on CPU reads subnormal x as 0 and returns 0 (DAZ).

Error: the core's (<= ~1 ULP of m) times the amplification, plus r's rounding for n != 0 (at
most 0.35 ULP of m at |r| = 0.35) and the final rounding. Cost: 3 clamps, 2 FMAs and a
subtraction for n and r, the core, a shift, a subtraction and one FMA.

Subnormal inputs and results are computed correctly.
Core 'expm1' (expm1 on [-0.3466, 0.6932]): autonumerics/kernels/cores/expm1_fast_core.json
    (((((0.008327087387442589 + (0.0013853427954018116 + 0.00023079797392711043 * x) * x) * x + 0.041667696088552475) * x + 0.16666698455810547) * x + 0.4999999701976776) * x + 1.0) * x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = expm1_fast(x)  # any shape, float32
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


__all__ = ["expm1_fast"]

KERNEL_NAME = "expm1_fast"
TARGET = "expm1"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/expm1_fast_core.json'}


def _expm1_fast_core(r):
    """expm1: (((((0.008327087387442589 + (0.0013853427954018116 + 0.00023079797392711043 * x) * x) * x + 0.041667696088552475) * x + 0.16666698455810547) * x + 0.4999999701976776) * x + 1.0) * x (13 ops, xla, hash 6a1e38b10d435ede)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.10dcac0000000p-7"))
        c1 = np.float32(float.fromhex("0x1.6b28c80000000p-10"))
        c2 = np.float32(float.fromhex("0x1.e404b80000000p-13"))
        c3 = np.float32(float.fromhex("0x1.55577e0000000p-5"))
        c4 = np.float32(float.fromhex("0x1.5555800000000p-3"))
        c5 = np.float32(float.fromhex("0x1.fffffe0000000p-2"))
        c6 = np.float32(float.fromhex("0x1.0000000000000p+0"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = _fma32(v4, x, c6)
        v6 = v5 * x
    return np.broadcast_to(v6, x.shape).astype(np.float32, copy=True)


def expm1_fast(x):
    """e^x - 1 in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-17.5), np.float32(-17.5), x)
        clamped = np.where(clamped > np.float32(float.fromhex("0x1.62e430p+6")), np.float32(float.fromhex("0x1.62e430p+6")), clamped)
        t = _fma32(clamped, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8000fep+23")))
        t = np.where(t > np.float32(float.fromhex("0x1.8001fcp+23")), np.float32(float.fromhex("0x1.8001fcp+23")), t)  # n <= 127
        whole = t - np.float32(float.fromhex("0x1.8000fep+23"))  # n, exactly
        r = _fma32(-whole, np.float32(float.fromhex("0x1.62e42ep-1")), clamped)  # exact
        r = _fma32(-whole, np.float32(float.fromhex("0x1.efa39ep-25")), r)
        m = _expm1_fast_core(r)  # e^r - 1
        scale = _pow2(whole.astype(np.int32))  # 2^n (NaN gives garbage: m is NaN, so is y)
        y = _fma32(m, scale, -(np.float32(1.0) - scale))  # one rounding
    return np.asarray(y, dtype=np.float32)
