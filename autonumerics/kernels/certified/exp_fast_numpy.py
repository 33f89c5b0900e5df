"""e**x in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction:

* x is clamped to [-88, 88.72283935546875] (JAX; NumPy and C clamp at -104 to compute subnormal
  results), a max and a min that keep NaN: e^x rounds to +inf from 88.72283935546875 on (the
  first float32 whose e^x is past 2^128 - 2^103), and every result below 2^-126 (x below
  -87.3365) is flushed to 0 by jitted JAX on CPU anyway.
* n = floor(float32(x log2 e)) (a multiply and one rounding instruction). The product's rounding
  can put n one off floor(x log2 e) where x log2 e is within ~6e-6 of an integer; then r below
  leaves [0, ln 2] by at most 4e-6, which the core's interval covers, and the result is the same.
  At the two ends that matter this does not happen: the first x with e^x >= 2^-126
  (-87.33654022216797) gets n = -126 and the last x below overflow (88.72283172607422) n = 127.
* r = x - n ln 2 in two FMAs: ln2_hi = 0x1.62e42ep-1 (ln 2 rounded down to 24 bits, a multiple
  of 2^-24) makes x - n ln2_hi exact for |x| >= 1/2 (a multiple of 2^-24 below 1) and for n = 0,
  and rounds it once for x in [-1/2, 0) (n = -1); then r = fma(-n, ln2_lo, r1), ln2_lo =
  0x1.efa39ep-25 (ln 2 - ln2_hi to 2^-49), rounds once more. r is off by at most 2^-24 (x in
  [-1/2, 0)), else 2^-25: at most 1 ULP, else 0.5 ULP, of the result.
* p = fma(r, q(r), 1) ~ e^r in [1, 2], rounded once, q(r) ~ (e^r - 1)/r in [1, 1.45] the core:
  p = 1 exactly at r = 0 and p >= 1 for r >= 0 (so x = -126 ln 2 + r, a normal result, stays
  normal), whatever q's constants. u ULP of q (an ULP of 2^-23) move p by at most r u ULP.
  p's error on [0, ln 2] is 1.09 ULP at most (near r = ln 2).
* y = p * 2^n with 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), exactly as in
  the exp2_fast kernel: exact while the result is normal, flushed to 0 by jitted JAX below 2^-126
  (and 0 * p = 0 for n = -127, x <= -88), +inf * p for n = 128 (x = 88.72283935546875 after the
  clamp: r = 2.4e-7, p >= 1). NumPy and C scale n <= -127 in two steps (one rounding).
* exp(-inf) = 0, exp(+inf) = inf, exp(NaN) = NaN: no select.

Error: p's plus r's rounding: 1.56 ULP at most on every float32 of [-0.25, -0.0001] (near
x = -0.0006), 1.53 on [-20, -2], 1.48 on [64, 88.72]. Cost: 2 clamps, a multiply, floor, add,
2 FMAs for r, 6 FMAs (5 in q), a shift and a multiply.

Subnormal results are computed correctly (one rounding).
Core 'poly' (expm1(x)/x on [-1.52587890625e-05, 0.6931610107421875]): autonumerics/kernels/cores/exp_fast_core.json
    (((0.041810788214206696 + (0.007937006652355194 + 0.0018748915754258633 * x) * x) * x + 0.16664348542690277) * x + 0.5000013113021851) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp_fast(x)  # any shape, float32
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


__all__ = ["exp_fast"]

KERNEL_NAME = "exp_fast"
TARGET = "exp"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp_fast_core.json'}


def _exp_fast_core(r):
    """expm1(x)/x: (((0.041810788214206696 + (0.007937006652355194 + 0.0018748915754258633 * x) * x) * x + 0.16664348542690277) * x + 0.5000013113021851) * x + 1.0 (10 ops, xla, hash fbe088754f1e9a89)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.5683940000000p-5"))
        c1 = np.float32(float.fromhex("0x1.0414700000000p-7"))
        c2 = np.float32(float.fromhex("0x1.eb7dd80000000p-10"))
        c3 = np.float32(float.fromhex("0x1.55492e0000000p-3"))
        c4 = np.float32(float.fromhex("0x1.00002c0000000p-1"))
        c5 = np.float32(float.fromhex("0x1.0000000000000p+0"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
    return np.broadcast_to(v4, x.shape).astype(np.float32, copy=True)


def exp_fast(x):
    """e**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-104.0), np.float32(-104.0), x)
        clamped = np.where(clamped > np.float32(float.fromhex("0x1.62e430p+6")), np.float32(float.fromhex("0x1.62e430p+6")), clamped)
        whole = np.floor(clamped * np.float32(float.fromhex("0x1.715476p+0")))  # n
        r = _fma32(-whole, np.float32(float.fromhex("0x1.62e42ep-1")), clamped)
        r = _fma32(-whole, np.float32(float.fromhex("0x1.efa39ep-25")), r)
        p = _fma32(r, _exp_fast_core(r), np.float32(1.0))  # e^r, rounded once
        n = whole.astype(np.int32)  # NaN gives garbage: p is NaN, so is y
        y = p * _pow2(n)  # exact for results >= 2^-126; +inf for n = 128
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        y = np.where(n < -126, tiny, y)
    return np.asarray(y, dtype=np.float32)
