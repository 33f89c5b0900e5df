"""2**x in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the core and, for subnormal results, one final rounding):

* x is clamped to [-151, 128] (NaN stays NaN): 2^x rounds to +inf from x = 128 on (2^128 is past
  the largest float32; 2^(128 - 2^-17) is not) and to 0 at x <= -150, so nothing is lost.
* n = round(x) (half to even, by adding 1.5 * 2^23: see SHIFTER), r = x - n in [-1/2, 1/2]:
  exact (|r| <= |x| and r is a multiple of x's unit in the last place). n = floor(x) would not
  do: r = 1 + x rounds for x in (-1, 0).
* p = core(r) ~ 2^r in [0.70, 1.42] (exactly 1 at r = 0, so 2^n is exact for integer x).
* p * 2^n is formed by adding n to p's exponent bits (exact) while the result is normal. NumPy
  and C scale results that may be subnormal (n <= -126) in two steps, by 2^(n+64) (exact, a
  normal number) and by 2^-64, which rounds once (no subnormal intermediate). Jitted JAX on CPU
  flushes subnormal results to zero, so the JAX kernel returns 0 for every result below 2^-126
  (and XLA reads subnormal inputs as 0, where 2^x rounds to 1 anyway).
* x >= 128 gives +inf, NaN gives NaN; exp2(-inf) = 0, exp2(+inf) = inf.

The error is the core's alone: its ULP error on [-1/2, 1/2] carries over unchanged through the
exact scaling (subnormal results add the final rounding's half unit in the last place).

Subnormal results are computed correctly (one rounding).
Core 'poly' (exp2 on [-0.5, 0.5]): autonumerics/kernels/cores/exp2_core.json
    ((((0.009618700481951237 + (0.0013399928575381637 + 0.00015309904119931161 * x) * x) * x + 0.05550336465239525) * x + 0.24022641777992249) * x + 0.6931471824645996) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp2(x)  # any shape, float32
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


__all__ = ["exp2"]

KERNEL_NAME = "exp2"
TARGET = "exp2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp2_core.json'}


def _exp2_core(r):
    """exp2: ((((0.009618700481951237 + (0.0013399928575381637 + 0.00015309904119931161 * x) * x) * x + 0.05550336465239525) * x + 0.24022641777992249) * x + 0.6931471824645996) * x + 1.0 (12 ops, xla, hash 6c710c6a7fc72544)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.3b2f820000000p-7"))
        c1 = np.float32(float.fromhex("0x1.5f45660000000p-10"))
        c2 = np.float32(float.fromhex("0x1.41126c0000000p-13"))
        c3 = np.float32(float.fromhex("0x1.c6aefe0000000p-5"))
        c4 = np.float32(float.fromhex("0x1.ebfbd40000000p-3"))
        c5 = np.float32(float.fromhex("0x1.62e4300000000p-1"))
        c6 = np.float32(float.fromhex("0x1.0000000000000p+0"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = _fma32(v4, x, c6)
    return np.broadcast_to(v5, x.shape).astype(np.float32, copy=True)


def exp2(x):
    """2**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-151.0), np.float32(-151.0), x)
        t = clamped + np.float32(float.fromhex("0x1.8p+23"))  # n = round(x), half to even, in t's low bits
        p = _exp2_core(clamped - (t - np.float32(float.fromhex("0x1.8p+23"))))  # 2^r, r = x - n exact
        n = _bits(t) - np.int32(0x4B400000)
        y = _float(_bits(p) + (n << np.int32(23)))  # p * 2^n on the exponent bits: exact, results >= 2^-125
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        y = np.where(n < -125, tiny, y)
        y = np.where(x < np.float32(128.0), y, x + np.float32(np.inf))  # x >= 128: +inf; NaN: NaN
    return np.asarray(y, dtype=np.float32)
