"""log1p(x) = log(1 + x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the sum giving f, the core and the final rounding):

* u = 1 + x rounded; for x > -1, u >= 2^-24 is normal. e = (bits(u) - bits(0.70710677)) >> 23,
  so that u 2^-e is in [sqrt(2)/2, sqrt(2)). The rounding of u only moves e near a boundary of
  that range, where f then lands a few ULPs past its end (the core is searched on the float32
  range of m - 1 and continues smoothly there).
* f = (1 + x) 2^-e - 1 = x 2^-e - (1 - 2^-e), without the rounding of u: x 2^-e is exact, made by
  subtracting e << 23 from x's bits (x 2^-e is a normal number whenever e != 0, and e = 0 leaves
  the bits as they are, subnormal x included); 2^-e from its exponent bits (e <= 126; past it,
  the bits max(0x3F800000 - (e << 23), 0) give 0 and 1 - 2^-e = 1, its correctly rounded value);
  1 - 2^-e is exact for e <= 24. The subtraction rounds once, and only where e >= 1 (x >= 0.41):
  for e = 0, f = x exactly (so log1p keeps its relative accuracy however small x is); for e < 0
  (x < -0.29), f is exact too (a multiple of 2^-e ulp(x), below 1/2 in magnitude). For e >= 1
  the rounding moves the result by at most ~0.7 ULP (f < 1/2 moves by < 2^-26, the result
  |log1p x| >= 0.34 has an ULP >= 2^-25).
* The log_fast kernel's core form t(f) ~ log(1 + f), and log1p(x) = fma(e, LN2, t), rounded once:
  for e = 0 the result is t; otherwise an ULP of t is at most one of the result (the log_fast
  kernel's argument). Error: t's own + 0.5 + ~0.05 (LN2) + the rounding of f for e >= 1.
* Specials by selects: x > -1 keeps the result, else -inf (x = -1) or NaN (x < -1, NaN); +inf ->
  +inf; x == 0 gives x itself (+-0 keep their sign; in jitted JAX on CPU, which reads subnormal x
  as 0, subnormal inputs give themselves, as NumPy and C compute them: log1p(x) = x there).

Subnormal inputs and results are computed correctly.
Core 'poly' (log(1+x) on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log1p_fast_core.json
    ((((((0.14882445335388184 + (-0.1432069092988968 + 0.0884004458785057 * x) * x) * x + -0.1656574159860611) * x + 0.1996522843837738) * x + -0.2500211000442505) * x + 0.33333879709243774) * x + -0.49999985098838806) * (x * x) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log1p_fast(x)  # any shape, float32
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


__all__ = ["log1p_fast"]

KERNEL_NAME = "log1p_fast"
TARGET = "log1p"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log1p_fast_core.json'}


def _log1p_fast_core(r):
    """log(1+x): ((((((0.14882445335388184 + (-0.1432069092988968 + 0.0884004458785057 * x) * x) * x + -0.1656574159860611) * x + 0.1996522843837738) * x + -0.2500211000442505) * x + 0.33333879709243774) * x + -0.49999985098838806) * (x * x) + x (17 ops, xla, hash a1737112b4bc4214)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.30cae00000000p-3"))
        c1 = np.float32(float.fromhex("-0x1.2549aa0000000p-3"))
        c2 = np.float32(float.fromhex("0x1.6a16960000000p-4"))
        c3 = np.float32(float.fromhex("-0x1.5344320000000p-3"))
        c4 = np.float32(float.fromhex("0x1.98e34c0000000p-3"))
        c5 = np.float32(float.fromhex("-0x1.0005880000000p-2"))
        c6 = np.float32(float.fromhex("0x1.5556c40000000p-2"))
        c7 = np.float32(float.fromhex("-0x1.fffff60000000p-2"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = _fma32(v4, x, c6)
        v6 = _fma32(v5, x, c7)
        v7 = x * x
        v8 = _fma32(v6, v7, x)
    return np.broadcast_to(v8, x.shape).astype(np.float32, copy=True)


def log1p_fast(x):
    """log(1 + x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        e = (_bits(x + np.float32(1.0)) - np.int32(0x3F3504F3)) >> np.int32(23)
        k = e << np.int32(23)
        xs = _float(bits - k)  # x 2^-e, exact
        s = _float(np.maximum(np.int32(0x3F800000) - k, np.int32(0)))  # 2^-e (0 past e = 126)
        f = xs - (np.float32(1.0) - s)  # (1 + x) 2^-e - 1, rounded once
        q = _log1p_fast_core(f)
        y = _fma32(e.astype(np.float32), np.float32(float.fromhex("0x1.62e43p-1")), q)
        y = np.where(x < np.float32(np.inf), y, x)  # +inf -> +inf
        y = np.where(x > np.float32(-1.0), y, np.where(x == np.float32(-1.0), np.float32(-np.inf),
                                                       np.float32(np.nan)))  # -1, x < -1, NaN
        y = np.where(x == np.float32(0.0), x, y)  # +-0 -> +-0
    return np.asarray(y, dtype=np.float32)
