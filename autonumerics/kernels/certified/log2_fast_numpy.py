"""log2(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the core and the one rounding at the end):

* e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
  f = m - 1 in [-0.2929, 0.4142] exact (Sterbenz), e exact as a float32.
* The core p(f) ~ P(f) = log2(1 + f) / f (P in [1.21, 1.71]), searched on the float32 range of f.
* log2(x) = fma(f, p, e), rounded once. Near x = 1 (e = 0) this is f p rounded once: the
  result keeps its relative accuracy however small it is. For e != 0, |f p| = |log2 m| <= 1/2 <=
  |log2 x|, so no cancellation amplifies p's error. Error: 0.5 ULP (the rounding) plus p's error
  in relative terms, which reaches at most ~1.7 ULP of the result per ULP of p (where P = 1.21 and
  the result lies just above a power of two). Powers of two give e exactly.
* Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
  +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.
* Subnormal inputs: jitted JAX on CPU reads them as 0 (DAZ), so x > 0 is false and the JAX export
  gives -inf (NaN for negative ones, read from the sign bit), as jnp.log2 does. NumPy and C, which
  see them, first scale them by 2^23 (exact) and take 23 from e.

Subnormal inputs are scaled by 2^23 (exactly) and computed correctly; no result is subnormal.
Core 'poly' (log2(1+x)/x on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log2_fast_core.json
    (-0.7213473320007324 + ((((((-0.19061262905597687 + (0.1878267526626587 + -0.11297498643398285 * x) * x) * x + 0.20429600775241852) * x + -0.2396365851163864) * x + 0.28858479857444763) * x + -0.3606967628002167) * x + 0.4808981716632843) * x) * x + 1.4426950216293335
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log2_fast(x)  # any shape, float32
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


__all__ = ["log2_fast"]

KERNEL_NAME = "log2_fast"
TARGET = "log2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log2_fast_core.json'}


def _log2_fast_core(r):
    """log2(1+x)/x: (-0.7213473320007324 + ((((((-0.19061262905597687 + (0.1878267526626587 + -0.11297498643398285 * x) * x) * x + 0.20429600775241852) * x + -0.2396365851163864) * x + 0.28858479857444763) * x + -0.3606967628002167) * x + 0.4808981716632843) * x) * x + 1.4426950216293335 (18 ops, xla, hash e805eadac9746fae)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.7154700000000p-1"))
        c1 = np.float32(float.fromhex("-0x1.865fea0000000p-3"))
        c2 = np.float32(float.fromhex("0x1.80ab500000000p-3"))
        c3 = np.float32(float.fromhex("-0x1.cebedc0000000p-4"))
        c4 = np.float32(float.fromhex("0x1.a265f20000000p-3"))
        c5 = np.float32(float.fromhex("-0x1.eac6960000000p-3"))
        c6 = np.float32(float.fromhex("0x1.2782c60000000p-2"))
        c7 = np.float32(float.fromhex("-0x1.715a7e0000000p-2"))
        c8 = np.float32(float.fromhex("0x1.ec70920000000p-2"))
        c9 = np.float32(float.fromhex("0x1.7154760000000p+0"))
        v0 = _fma32(c3, x, c2)
        v1 = _fma32(v0, x, c1)
        v2 = _fma32(v1, x, c4)
        v3 = _fma32(v2, x, c5)
        v4 = _fma32(v3, x, c6)
        v5 = _fma32(v4, x, c7)
        v6 = _fma32(v5, x, c8)
        v7 = _fma32(v6, x, c0)
        v8 = _fma32(v7, x, c9)
    return np.broadcast_to(v8, x.shape).astype(np.float32, copy=True)


def log2_fast(x):
    """log2(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        tiny = (bits > 0) & (bits < np.int32(0x00800000))  # positive subnormal
        nbits = np.where(tiny, _bits(x * np.float32(2.0**23)), bits)  # scaled by 2^23: exact
        e = (nbits - np.int32(0x3F3504F3)) >> np.int32(23)
        f = _float(nbits - (e << np.int32(23))) - np.float32(1.0)  # m - 1, exact
        ef = (e - np.where(tiny, np.int32(23), np.int32(0))).astype(np.float32)
        q = _log2_fast_core(f)
        y = _fma32(f, q, ef)  # log2 x rounded once
        y = np.where(x > np.float32(0.0), y, np.float32(-np.inf))  # +-0
        y = np.where(bits >= np.int32(0x7F800000), x, y)  # +inf -> +inf, +NaN -> NaN
        y = np.where((bits < 0) & (bits != np.int32(-0x80000000)), np.float32(np.nan), y)  # x < 0
    return np.asarray(y, dtype=np.float32)
