"""log_sigmoid(x) = -log(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x). The body is the softplus kernel's
(``autonumerics.kernels.softplus``) run on -x, and the result negated; both negations are exact,
so log_sigmoid(x) = -softplus(-x) bit for bit and the error at x is softplus's at -x:

* x <= -14.556091: x itself (softplus(-x) rounds to -x from there on); so do -inf and NaN.
* -14.556091 < x <= 10: e^-x as an unrounded pair, 1 + e^-x = u + c exactly but for 2^-47, the
  log1p kernel's reduction of u with c/u folded into the tail: one rounding at the end.
* x > 10: -E (1 - E/2), E = e^-x, to 2^-30 relative, rounded once; results above -2^-126
  (x > 87.3365) are subnormal, rounded once more in NumPy and C, flushed to -0 by the JAX
  export; -0 from x >= 103.97208 on, and log_sigmoid(+inf) = -0.

JAX's own jax.nn.log_sigmoid is 2.66 ULP off (sampled over the float32 line); this kernel stays
within 1 ULP wherever the result is normal.

Subnormal inputs and results are computed correctly.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
    ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
Core 'log' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
    (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log_sigmoid(x)  # any shape, float32
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


__all__ = ["log_sigmoid"]

KERNEL_NAME = "log_sigmoid"
TARGET = "log_sigmoid"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/expm1_core.json', 'log': 'autonumerics/kernels/cores/log_core.json'}


def _log_sigmoid_expm1(r):
    """expm1(x) - x: ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x) (12 ops, xla, hash 7436f35ca8cc577a)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.11116c0000000p-7"))
        c1 = np.float32(float.fromhex("0x1.6d36920000000p-10"))
        c2 = np.float32(float.fromhex("0x1.a014820000000p-13"))
        c3 = np.float32(float.fromhex("0x1.5554f40000000p-5"))
        c4 = np.float32(float.fromhex("0x1.5555540000000p-3"))
        c5 = np.float32(float.fromhex("0x1.0000000000000p-1"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = x * x
        v6 = v4 * v5
    return np.broadcast_to(v6, x.shape).astype(np.float32, copy=True)


def _log_sigmoid_log(r):
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


def _exp_pair(z):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = (_fma32(z, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23"))))  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - np.float32(float.fromhex("0x1.8p+23"))
    r = _fma32(-n, np.float32(float.fromhex("0x1.62e43p-1")), z)  # one FMA: exact
    c = n * np.float32(float.fromhex("0x1.05c61p-29"))  # e^(-n ln2_lo) = 1 + c
    m = _log_sigmoid_expm1(r)  # e^r - 1 - r
    h = (np.float32(float.fromhex("0x1p+0")) + r)
    lo = r - (h - np.float32(float.fromhex("0x1p+0")))  # h + lo = 1 + r exactly (Fast2Sum)
    mid = lo + m
    p = h + mid
    pl = _fma32(c, p, (mid - (p - h)))  # p + pl = h + mid exactly, then times 1 + c (one FMA)
    return _bits(t) - np.int32(0x4B400000), p, pl


def _reciprocal_pair(er, el):
    """1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: 1 + er split exactly, one Newton step."""
    dh = (np.float32(float.fromhex("0x1p+0")) + er)
    dl = ((np.float32(float.fromhex("0x1p+0")) - dh) + er) + el
    g0 = np.float32(float.fromhex("0x1p+0")) / dh
    e = _fma32(-g0, dh, np.float32(float.fromhex("0x1p+0")))  # exact residual (one FMA)
    e = _fma32(-g0, dl, e)
    return g0, (g0 * e)


def log_sigmoid(x):
    """log_sigmoid(x) = -log(1 + e^-x) in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        w = -x  # log_sigmoid(x) = -softplus(-x): exact
        z = np.where(w > np.float32(float.fromhex("-0x1.ep+6")), np.where(w < np.float32(float.fromhex("0x1.d1cb8p+3")), w, np.float32(float.fromhex("0x1.d1cb8p+3"))), np.float32(float.fromhex("-0x1.ep+6")))  # NaN -> -120
        n, p, pl = _exp_pair(z)  # e^z = 2^n (p + pl)
        s = _pow2(np.maximum(n, np.int32(-64)))
        eh = p * s  # exact where the log1p path is taken (n >= -15)
        u = eh + np.float32(float.fromhex("0x1p+0"))
        v = u - np.float32(float.fromhex("0x1p+0"))
        c = ((np.float32(float.fromhex("0x1p+0")) - (u - v)) + (eh - v)) + pl * s  # 2Sum: 1 + eh = u + (the first two terms) exactly
        bits_u = _bits(u)  # u >= 1: normal
        e = (bits_u - np.int32(0x3F3504F3)) >> np.int32(23)
        m = _float(bits_u - (e << np.int32(23)))  # in [sqrt(2)/2, sqrt(2))
        ef = e.astype(np.float32)
        f = m - np.float32(float.fromhex("0x1p+0"))  # exact
        q = _log_sigmoid_log(f)
        a = ef * np.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact
        hi = a + f  # rounds once; exact when e = 0
        lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
        small = _fma32(ef, np.float32(float.fromhex("0x1.7f7d1cp-20")), lo)  # e * LN2_LO + lo
        tail = _fma32(f * f, q, c / u + small)
        near = hi + tail  # log(u) + c/u, one rounding
        half = -((-n) >> 1)
        e_half = eh * np.float32(float.fromhex("0x1p-1"))  # E/2 (2^n clamped where E < 2^-64: no matter)
        far = p + _fma32(-e_half, p, pl)  # (p + pl)(1 - E/2): the inner term one FMA, one rounding
        far = (far * _pow2(half)) * _pow2(n - half)  # times 2^n: exact steps; one rounding if subnormal
        y = np.where(w < np.float32(float.fromhex("-0x1.4p+3")), far, near)
        y = -np.where(w < np.float32(float.fromhex("0x1.d1cb8p+3")), y, w)  # w itself from the saturation on; +inf; NaN
    return np.asarray(y, np.float32)
