"""sigmoid(x) = 1/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the core, two Cody-Waite roundings, one FMA and the
division):

* x is clamped to [-104, 40] (NaN stays NaN: both comparisons are false). sigmoid rounds to 0
  for x <= -103.972084 (below 2^-150) and to 1 from x = 17.3286800 on, so nothing is lost; the
  clamp keeps 2^(n - 64) normal and the reduction finite.
* n = round(-x log2 e) from t = fma(x, -log2 e, 1.5 * 2^23 - 64): n = t - (1.5 * 2^23 - 64)
  exactly, and t's low bits hold n - 64 (bits(t) << 23 = (n - 64) << 23, the offset folded into
  the shifter); any nearby integer works.
* r = -x - n ln2 in two steps (Cody-Waite, the exp kernel's constants): -x - n ln2_hi is exact
  (ln2_hi has 15 significant bits, |n| <= 151), then r = fma(-n, ln2_lo, r1) rounds once, |r| <=
  ln2/2. Two constants keep e^-x within the core's error out to x = -104, where sigmoid ~ e^x
  inherits e^-x's relative error in full.
* p = core(r) ~ e^r (the exp kernel's evolved core on [-ln2/2, ln2/2]); w = 2^(n - 64) built on
  the exponent bits of 1 from t (n - 64 stays in [-122, 87]).
* sigmoid = s / fma(w, p, s) with s = 2^-64: 1/(1 + e^-x) scaled so that e^-x up to e^104 fits.
  w p = 2^-64 e^-x is exact inside the FMA, which rounds s + w p once; then one division. p
  enters through arithmetic, not through its bits, so a NaN of any payload gives NaN.
* Error: for x >= 0, e^-x <= 1 and its error is damped by E/(1 + E) <= 1/2; for x < 0 the
  result's relative error is e^-x's (the core's <= 0.7 ULP and r's rounding) plus the FMA's and
  the division's roundings: 2.48 ULP at most over every float32 of the worst binade,
  [-32, -16], 2.17 on every 1009th bit pattern of the whole line. Results below 2^-126
  (x < -87.3365) come out of the division rounded once (NumPy, C; jitted JAX on CPU flushes
  them to 0), exactly 0 from -103.972084 down (as rounded exactly). The result is exactly 1 from
  x = 16.635532 on (1 ULP off there; the exact sigmoid rounds to 1 from 17.3286800 on).

sigmoid(-x) = 1 - sigmoid(x) is never used: for x < 0 the quotient is small by itself, with no
cancellation. JAX's own jax.nn.sigmoid is 4.7e6 ULP off in its far negative tail.

Subnormal inputs and results are computed correctly.
Core 'poly' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = sigmoid_fast(x)  # any shape, float32
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


__all__ = ["sigmoid_fast"]

KERNEL_NAME = "sigmoid_fast"
TARGET = "sigmoid"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp_core.json'}


def _sigmoid_fast_poly(r):
    """exp: ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0 (12 ops, xla, hash a3b9a3dae7fd9236)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.555a2a0000000p-5"))
        c1 = np.float32(float.fromhex("0x1.126d280000000p-7"))
        c2 = np.float32(float.fromhex("0x1.69e03a0000000p-10"))
        c3 = np.float32(float.fromhex("0x1.5554300000000p-3"))
        c4 = np.float32(float.fromhex("0x1.fffff60000000p-2"))
        c5 = np.float32(float.fromhex("0x1.0000000000000p+0"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = _fma32(v4, x, c5)
    return np.broadcast_to(v5, x.shape).astype(np.float32, copy=True)


def sigmoid_fast(x):
    """sigmoid(x) = 1/(1 + e^-x) in float32 for every input, within 3.5 ULP (see the module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        xc = np.where(x < np.float32(float.fromhex("-0x1.ap+6")), np.float32(float.fromhex("-0x1.ap+6")), x)  # NaN stays NaN
        xc = np.where(xc > np.float32(float.fromhex("0x1.4p+5")), np.float32(float.fromhex("0x1.4p+5")), xc)
        t = _fma32(xc, np.float32(float.fromhex("-0x1.715476p+0")), np.float32(float.fromhex("0x1.7fff8p+23")))  # one rounding, as XLA fuses it
        n = t - np.float32(float.fromhex("0x1.7fff8p+23"))  # exact
        r = n * np.float32(float.fromhex("-0x1.62e4p-1")) - xc  # -x - n ln2_hi, exact
        r = _fma32(-n, np.float32(float.fromhex("0x1.7f7d1cp-20")), r)  # one rounding, as XLA fuses it
        p = _sigmoid_fast_poly(r)  # e^r
        w = _float((_bits(t) << 23) + np.int32(0x3F800000))  # 2^(n - 64), exact
        den = _fma32(w, p, np.float32(float.fromhex("0x1p-64")))  # s + 2^-64 e^-x, one rounding, as XLA fuses it
        y = np.float32(float.fromhex("0x1p-64")) / den  # 1/(1 + e^-x); the division's one use
    return np.asarray(y, np.float32)
