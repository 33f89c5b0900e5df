"""2**x in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except r for x in (-1, 0), the core and the final product for
subnormal results):

* x is clamped to [-127, 128] (JAX; NumPy and C clamp at -151 to compute subnormal results), a
  max and a min that keep NaN: 2^x rounds to +inf from x = 128 on and every result below 2^-126
  is flushed to 0 by jitted JAX on CPU anyway, so nothing is lost.
* n = floor(x) (one rounding instruction), r = x - n in [0, 1]: exact for |x| >= 1 and x >= 0
  (a multiple of x's unit in the last place, not above |x|); for x in (-1, 0), r = 1 + x rounds
  once (<= 2^-25, at most 0.35 ULP of the result).
* p = fma(r, q(r), 1) ~ 2^r in [1, 2], rounded once, q(r) ~ (2^r - 1)/r in [0.69, 1] the core:
  p = 1 exactly at r = 0 (integer x give exact powers of two) and p >= 1 for every r >= 0
  (x = -126 + r is a normal result, which must not fall below 2^-126), whatever q's constants.
  q's error reaches p damped: u ULP of q (an ULP of 2^-24) move p (an ULP of 2^-23) by at most
  r u / 2 ULP, most near r = 1.
* 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), whose low bits hold n + 127
  (exp2.SHIFTER): for n in [-126, 127] a normal power of two, so p * 2^n is exact while the result
  is normal, and rounds to a subnormal that jitted JAX flushes to 0 (FTZ); n = -127 (x < -126
  after the clamp) gives the bits 0, so 0 * p = 0; n = 128 (x = 128 after the clamp) gives the
  bits of +inf, so inf * p(0) = inf. A NaN input stays NaN through every step (NaN * anything).
  No select is needed: the round-to-nearest reduction of the accurate kernel puts p in
  [0.70, 1.42] and so needs 2^n for n in [-126, 128], one exponent more than a float32 has.
* NumPy and C compute results below 2^-126 (n <= -127) in two steps, p * 2^(n+64) exactly, then
  times 2^-64 with one rounding, as the accurate kernel does.
* exp2(-inf) = 0, exp2(+inf) = inf, exp2(NaN) = NaN.

Error: p's error on [0, 1] (q's, damped, plus p's rounding: 0.96 ULP at most, near r = 1)
carries over unchanged through the exact scaling, plus r's rounding for x in (-1, 0): 1.31 ULP at
most on every float32 of [-0.25, -0.0001] (near x = -0.001), 0.96 on [1, 2]. Cost: 2 clamps,
floor, add, subtract, 6 FMAs (5 in q), a shift and a multiply per element.

Subnormal results are computed correctly (one rounding).
Core 'poly' ((2**x - 1)/x on [-9.5367431640625e-07, 1.0]): autonumerics/kernels/cores/exp2_fast_core.json
    (((0.009652688167989254 + (0.001268653548322618 + 0.00020840471552219242 * x) * x) * x + 0.05549585074186325) * x + 0.24022720754146576) * x + 0.6931471824645996
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp2_fast(x)  # any shape, float32
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


__all__ = ["exp2_fast"]

KERNEL_NAME = "exp2_fast"
TARGET = "exp2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp2_fast_core.json'}


def _exp2_fast_core(r):
    """(2**x - 1)/x: (((0.009652688167989254 + (0.001268653548322618 + 0.00020840471552219242 * x) * x) * x + 0.05549585074186325) * x + 0.24022720754146576) * x + 0.6931471824645996 (10 ops, xla, hash f30e1adc94afbb44)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.3c4c9e0000000p-7"))
        c1 = np.float32(float.fromhex("0x1.4c91e60000000p-10"))
        c2 = np.float32(float.fromhex("0x1.b50e6e0000000p-13"))
        c3 = np.float32(float.fromhex("0x1.c69f3c0000000p-5"))
        c4 = np.float32(float.fromhex("0x1.ebfc3e0000000p-3"))
        c5 = np.float32(float.fromhex("0x1.62e4300000000p-1"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
    return np.broadcast_to(v4, x.shape).astype(np.float32, copy=True)


def exp2_fast(x):
    """2**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-151.0), np.float32(-151.0), x)
        clamped = np.where(clamped > np.float32(128.0), np.float32(128.0), clamped)
        whole = np.floor(clamped)  # n
        r = clamped - whole  # in [0, 1]
        p = _fma32(r, _exp2_fast_core(r), np.float32(1.0))  # 2^r, rounded once
        n = whole.astype(np.int32)  # NaN gives garbage: p is NaN, so is y
        y = p * _pow2(n)  # exact for results >= 2^-126; +inf for n = 128
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        y = np.where(n < -126, tiny, y)
    return np.asarray(y, dtype=np.float32)
