"""log2(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the core, three small roundings and the final sum):

* Subnormal inputs are normalised on the integer side: their bit pattern k (< 2^23) converts
  exactly to the float32 k, a normal number, and x = k * 2^-149. Integer and bit operations are
  exact everywhere, so even jitted JAX on CPU (which reads subnormal floats as 0) gets them right.
* e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
  e in [-149, 128]; f = m - 1 in [-0.2929, 0.4142] is exact (Sterbenz).
* f = fh + fl with fh the top 12 significant bits of f (a mask on its bit pattern), so
  fh * fh is exact and f^2 = fh^2 + fl * (f + fh), the second part 2^-11 times smaller.
* The core q(f) ~ Q(f) = (log2(1 + f) - f / ln2) / f^2, searched on the float32 range of f.
* 1/ln2 = L_HI + L_LO with L_HI of 12 significant bits: fh * L_HI and fl * L_HI are exact.
  hi = e + fh * L_HI rounds once and lo = (e - hi) + fh * L_HI is its exact error (Fast2Sum:
  |e| >= 1 > |fh * L_HI| when e != 0, and hi is exact when e = 0).
* log2(x) = hi + (fh^2 q + (fl (f + fh) q + (fl L_HI + (f L_LO + lo)))), the products by q and
  by L_LO fused into the additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs).
  The tail is at most a fifth of the result near |f| = 0.41 and much less elsewhere, so q's
  error reaches the result damped at least four times; the final sum rounds once.
* log2(+-0) = -inf, log2(x < 0) = NaN, log2(+inf) = +inf, NaN -> NaN (selects on the bits).

Subnormal inputs are normalised with integer operations, so every language computes them
correctly (jitted JAX on CPU included, which reads subnormal floats as 0); no result is subnormal.
Core 'poly' ((log2(1+x) - x/ln2)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log2_core.json
    (0.4808982014656067 + ((((((0.16969703137874603 + (-0.1695670485496521 + 0.10271172225475311 * x) * x) * x + -0.178676038980484) * x + 0.2053551822900772) * x + -0.24049179255962372) * x + 0.28855976462364197) * x + -0.3606734573841095) * x) * x + -0.7213475108146667
The JAX, NumPy and C versions agree bit for bit.
Usage: y = log2(x)  # any shape, float32
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


__all__ = ["log2"]

KERNEL_NAME = "log2"
TARGET = "log2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log2_core.json'}


def _log2_core(r):
    """(log2(1+x) - x/ln2)/x**2: (0.4808982014656067 + ((((((0.16969703137874603 + (-0.1695670485496521 + 0.10271172225475311 * x) * x) * x + -0.178676038980484) * x + 0.2053551822900772) * x + -0.24049179255962372) * x + 0.28855976462364197) * x + -0.3606734573841095) * x) * x + -0.7213475108146667 (18 ops, xla, hash 033dd0e0d434b619)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.ec70940000000p-2"))
        c1 = np.float32(float.fromhex("0x1.5b8a1e0000000p-3"))
        c2 = np.float32(float.fromhex("-0x1.5b45f80000000p-3"))
        c3 = np.float32(float.fromhex("0x1.a4b50c0000000p-4"))
        c4 = np.float32(float.fromhex("-0x1.6dedb40000000p-3"))
        c5 = np.float32(float.fromhex("0x1.a491420000000p-3"))
        c6 = np.float32(float.fromhex("-0x1.ec86f60000000p-3"))
        c7 = np.float32(float.fromhex("0x1.277c360000000p-2"))
        c8 = np.float32(float.fromhex("-0x1.7154620000000p-2"))
        c9 = np.float32(float.fromhex("-0x1.7154760000000p-1"))
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


def log2(x):
    """log2(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        tiny = bits < np.int32(0x00800000)  # subnormal (or zero, or negative: selected away at the end)
        nbits = np.where(tiny, _bits(bits.astype(np.float32)), bits)  # k -> float(k), exact
        e = (nbits - np.int32(0x3F3504F3)) >> np.int32(23)
        m = _float(nbits - (e << np.int32(23)))  # in [sqrt(2)/2, sqrt(2))
        ef = (e - np.where(tiny, np.int32(149), np.int32(0))).astype(np.float32)
        f = m - np.float32(1.0)  # exact
        fh = _float(_bits(f) & np.int32(-4096))  # top 12 significant bits of f
        fl = f - fh  # exact
        q = _log2_core(f)
        p = fh * np.float32(float.fromhex("0x1.716p+0"))  # fh * L_HI: exact (12 x 12 bits)
        hi = ef + p  # rounds once; exact when e = 0
        lo = (ef - hi) + p  # Fast2Sum: hi + lo = e + p exactly
        small = fl * np.float32(float.fromhex("0x1.716p+0")) + _fma32(f, np.float32(float.fromhex("-0x1.7135a8p-13")), lo)
        tail = _fma32(fh * fh, q, _fma32(fl * (f + fh), q, small))
        y = hi + tail
        y = np.where(bits < 0, np.float32(np.nan), y)  # x < 0 (and -0, -NaN)
        y = np.where(bits >= np.int32(0x7F800000), x, y)  # +inf -> +inf, +NaN -> NaN
        y = np.where((nbits == 0) | (bits == np.int32(-0x80000000)), np.float32(-np.inf), y)  # +-0 -> -inf
    return np.asarray(y, dtype=np.float32)
