"""log(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction: the log2_fast kernel's (``autonumerics.kernels.fast.log2``): m in
[sqrt(2)/2, sqrt(2)) from the bits, f = m - 1 exact, subnormal inputs scaled by 2^23 in NumPy and
C (jitted JAX on CPU reads them as 0). Then:

* The core t(f) ~ log(1 + f) itself, searched on the float32 range of f: its leading term f is
  exact and its last op an addition, so its error is what its own ULP measures.
* log(x) = fma(e, LN2, t) with LN2 = float32(ln 2) (off by 2.7e-9 relatively), rounded once.
  Near x = 1 (e = 0) this is t itself: the result keeps its relative accuracy however small. For
  e != 0, |t| = |log m| <= ln2/2 <= |log x|, so an ULP of t is at most an ULP of the result: the
  error is at most 0.5 ULP (the rounding) + t's error + ~0.05 ULP (LN2). log(1) = +0.
* Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
  +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.

Subnormal inputs are scaled by 2^23 (exactly) and computed correctly; no result is subnormal.
Core 'poly' (log(1+x) on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_fast_core.json
    x * x * (((((-0.17221705615520477 + (0.16131028532981873 + -0.1007852703332901 * x) * x) * x + 0.19911770522594452) * x + -0.24973757565021515) * x + 0.33334648609161377) * x + -0.5000026226043701) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log_fast(x)  # any shape, float32
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


__all__ = ["log_fast"]

KERNEL_NAME = "log_fast"
TARGET = "log"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log_fast_core.json'}


def _log_fast_core(r):
    """log(1+x): x * x * (((((-0.17221705615520477 + (0.16131028532981873 + -0.1007852703332901 * x) * x) * x + 0.19911770522594452) * x + -0.24973757565021515) * x + 0.33334648609161377) * x + -0.5000026226043701) + x (15 ops, xla, hash 34e102255c3826f2)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.60b3560000000p-3"))
        c1 = np.float32(float.fromhex("0x1.4a5d0c0000000p-3"))
        c2 = np.float32(float.fromhex("-0x1.9cd1040000000p-4"))
        c3 = np.float32(float.fromhex("0x1.97cb060000000p-3"))
        c4 = np.float32(float.fromhex("-0x1.ff766a0000000p-3"))
        c5 = np.float32(float.fromhex("0x1.5558c80000000p-2"))
        c6 = np.float32(float.fromhex("-0x1.0000580000000p-1"))
        v0 = x * x
        v1 = _fma32(c2, x, c1)
        v2 = _fma32(v1, x, c0)
        v3 = _fma32(v2, x, c3)
        v4 = _fma32(v3, x, c4)
        v5 = _fma32(v4, x, c5)
        v6 = _fma32(v5, x, c6)
        v7 = _fma32(v0, v6, x)
    return np.broadcast_to(v7, x.shape).astype(np.float32, copy=True)


def log_fast(x):
    """log(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        tiny = (bits > 0) & (bits < np.int32(0x00800000))  # positive subnormal
        nbits = np.where(tiny, _bits(x * np.float32(2.0**23)), bits)  # scaled by 2^23: exact
        e = (nbits - np.int32(0x3F3504F3)) >> np.int32(23)
        f = _float(nbits - (e << np.int32(23))) - np.float32(1.0)  # m - 1, exact
        ef = (e - np.where(tiny, np.int32(23), np.int32(0))).astype(np.float32)
        q = _log_fast_core(f)
        y = _fma32(ef, np.float32(float.fromhex("0x1.62e43p-1")), q)  # rounded once
        y = np.where(x > np.float32(0.0), y, np.float32(-np.inf))  # +-0
        y = np.where(bits >= np.int32(0x7F800000), x, y)  # +inf -> +inf, +NaN -> NaN
        y = np.where((bits < 0) & (bits != np.int32(-0x80000000)), np.float32(np.nan), y)  # x < 0
    return np.asarray(y, dtype=np.float32)
