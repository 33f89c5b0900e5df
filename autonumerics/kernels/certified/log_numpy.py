"""log(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction: the log2 kernel's (``autonumerics.kernels.log2``): subnormal inputs normalised on
the integer side, m in [sqrt(2)/2, sqrt(2)), f = m - 1 exact. Unlike log2, f^2 is rounded once
(log2 carries it exactly as fh^2 + fl (f + fh)): here the tail f^2 q is at most a fifth of the
result and the leading part f enters hi exactly, so the rounding reaches the result damped enough
(max 0.84 ULP against 0.75 with the exact square, for 5 ops fewer). Then:

* The core q(f) ~ Q(f) = (log(1 + f) - f) / f^2, searched on the float32 range of f.
* ln2 = LN2_HI + LN2_LO (Cody-Waite) with LN2_HI = 0x1.62e4p-1 of 15 significant bits, so
  e * LN2_HI is exact for |e| <= 149. hi = e LN2_HI + f rounds once and lo = (e LN2_HI - hi) + f
  is its exact error (Fast2Sum: |e LN2_HI| >= 0.69 > |f| when e != 0; hi = f when e = 0).
* log(x) = hi + ((f * f) q + (e LN2_LO + lo)), the products by q and by LN2_LO fused into the
  additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs). The tail
  is at most a fifth of the result (near |f| = 0.41), so q's error reaches the result damped at
  least four times; the final sum rounds once.
* log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, log(1) = +0, NaN -> NaN.

Subnormal inputs are normalised with integer operations, so every language computes them
correctly (jitted JAX on CPU included, which reads subnormal floats as 0); no result is subnormal.
Core 'poly' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
    (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
The JAX, NumPy and C versions agree bit for bit.
Usage: y = log(x)  # any shape, float32
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


__all__ = ["log"]

KERNEL_NAME = "log"
TARGET = "log"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log_core.json'}


def _log_core(r):
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


def log(x):
    """log(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        tiny = bits < np.int32(0x00800000)  # subnormal (or zero, or negative: selected away at the end)
        nbits = np.where(tiny, _bits(bits.astype(np.float32)), bits)  # k -> float(k), exact
        e = (nbits - np.int32(0x3F3504F3)) >> np.int32(23)
        m = _float(nbits - (e << np.int32(23)))  # in [sqrt(2)/2, sqrt(2))
        ef = (e - np.where(tiny, np.int32(149), np.int32(0))).astype(np.float32)
        f = m - np.float32(1.0)  # exact
        q = _log_core(f)
        a = ef * np.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact (|e| <= 149)
        hi = a + f  # rounds once; exact when e = 0
        lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
        small = _fma32(ef, np.float32(float.fromhex("0x1.7f7d1cp-20")), lo)  # e * LN2_LO + lo
        tail = _fma32(f * f, q, small)  # f^2 rounded once
        y = hi + tail
        y = np.where(bits < 0, np.float32(np.nan), y)  # x < 0 (and -0, -NaN)
        y = np.where(bits >= np.int32(0x7F800000), x, y)  # +inf -> +inf, +NaN -> NaN
        y = np.where((nbits == 0) | (bits == np.int32(-0x80000000)), np.float32(-np.inf), y)  # +-0 -> -inf
    return np.asarray(y, dtype=np.float32)
