"""log1p(x) = log(1 + x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the core, the division and three roundings in the tail):

* u = 1 + x rounded once and its exact error c (Knuth's 2Sum, no ordering needed): 1 + x = u + c.
  For x > -1 the sum u is at least 2^-24, a normal float, so no subnormal path is needed.
* u = 2^e * m with m in [sqrt(2)/2, sqrt(2)) from its bit pattern (the log kernel's split), f =
  m - 1 exact, and the log kernel's core q(f) ~ (log(1 + f) - f) / f^2 on the same range of f.
* log1p(x) = log(u) + log(1 + c/u), and |c/u| <= 2^-24, so log(1 + c/u) = c/u to 2^-49: the
  correction is one division, rounded once and added inside the tail. It matters where log1p(x)
  is small: for |x| < 2^-25, u = 1 and the result is c/1 = x exactly.
* log1p(x) = hi + ((f * f) q + (c/u + (e LN2_LO + lo))) with hi = e LN2_HI + f and lo its exact
  error (Fast2Sum), as in the log kernel (LN2_HI of 15 bits, so e LN2_HI is exact); the final sum
  rounds once.
* log1p(-1) = -inf, log1p(x < -1) = NaN, log1p(+inf) = +inf, NaN -> NaN, log1p(+-0) = +-0.
  x == 0 selects x itself, which in jitted JAX on CPU (where subnormal x compares equal to 0)
  returns subnormal inputs unchanged: log1p(x) = x there, so JAX, NumPy and C agree on them too.

JAX's own jnp.log1p is 2.4 ULP off on a sample of [-0.99, 100] (x near 0.43); this kernel is
within 1 ULP on every float32 (the certificate).

Subnormal inputs and results are computed correctly.
Core 'poly' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
    (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log1p(x)  # any shape, float32
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


__all__ = ["log1p"]

KERNEL_NAME = "log1p"
TARGET = "log1p"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log_core.json'}


def _log1p_core(r):
    """(log(1+x) - x)/x**2: (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5 (18 ops, xla, hash 5a389567ede01ba8)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.55554e0000000p-2"))
        c1 = np.float32(float.fromhex("0x1.e4b6340000000p-4"))
        c2 = np.float32(float.fromhex("-0x1.d641280000000p-4"))
        c3 = np.float32(float.fromhex("0x1.0feb480000000p-4"))
        c4 = np.float32(float.fromhex("-0x1.fd6dc60000000p-4"))
        c5 = np.float32(float.fromhex("0x1.2375200000000p-3"))
        c6 = np.float32(float.fromhex("-0x1.5553b20000000p-3"))
        c7 = np.float32(float.fromhex("0x1.99a1380000000p-3"))
        c8 = np.float32(float.fromhex("-0x1.00001a0000000p-2"))
        c9 = np.float32(float.fromhex("-0x1.0000000000000p-1"))
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


def log1p(x):
    """log(1 + x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        u = x + np.float32(1.0)
        v = u - np.float32(1.0)
        c = (np.float32(1.0) - (u - v)) + (x - v)  # 2Sum: 1 + x = u + c exactly
        bits = _bits(u)
        e = (bits - np.int32(0x3F3504F3)) >> np.int32(23)
        m = _float(bits - (e << np.int32(23)))  # in [sqrt(2)/2, sqrt(2))
        ef = e.astype(np.float32)
        f = m - np.float32(1.0)  # exact
        q = _log1p_core(f)
        a = ef * np.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact
        hi = a + f  # rounds once; exact when e = 0
        lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
        small = _fma32(ef, np.float32(float.fromhex("0x1.7f7d1cp-20")), lo)  # e * LN2_LO + lo
        tail = _fma32(f * f, q, c / u + small)
        y = hi + tail
        y = np.where(x < np.float32(np.inf), y, x)  # +inf -> +inf
        y = np.where(x > np.float32(-1.0), y, np.where(x == np.float32(-1.0), np.float32(-np.inf),
                                                       np.float32(np.nan)))  # -1, x < -1, NaN
        y = np.where(x == np.float32(0.0), x, y)  # +-0 -> +-0
    return np.asarray(y, dtype=np.float32)
