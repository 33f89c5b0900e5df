"""expm1(x) = exp(x) - 1 in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction, on the exp-pair pieces shared with sigmoid (``autonumerics.kernels.exp_pair.reduction_source``),
around an "expm1" core m(r) ~ e^r - 1 - r on [-ln2/2, ln2/2] of its own: near |r| = ln2/2 the core
is a sixth of the result, so tanh's degree-6 core (3.1 ULP of m) would give 1.08 ULP here; the
degree-7 core from ``search_configs/expm1_core.toml`` (1.86 ULP of m) gives 0.78 on a sample:

* e^x = 2^n (p + pl): n = round(x / ln 2), r = x - n*ln2_hi by one FMA (exact), e^r = (1 + r) + m(r)
  split by Fast2Sum, the rest of n ln 2 folded in as the factor 1 + c; p + pl carries ~2^-29
  relative error. For n = 0 (|x| <= 0.3466) this is x + m(x) with the pair's low part holding
  what 1 + x rounds away, so tiny inputs come out as x itself.
* 2^n p is exact (added to p's exponent bits: normal for -25 <= n <= 128), 2^n pl in two exact
  steps (2^128 is not a float32). sp - 1 = hi + lo exactly (Knuth's 2Sum), and
  expm1(x) = hi + (lo + 2^n pl) rounds once. The pair's error reaches the result amplified by at
  most e^x / |e^x - 1| <= 3.5 (for n != 0, |x| > 0.3466), far below the final rounding.
* x <= -0x1.154246p+4 (-17.32868, the largest float32 whose expm1 rounds to -1) and -inf -> -1;
  x >= 0x1.62e430p+6 (88.722839, the first float32 whose expm1 rounds to infinity) -> +inf;
  NaN -> NaN; expm1(+-0) = +-0 (an x == 0 select: in jitted JAX on CPU, where subnormal x
  compares equal to 0, it hands back subnormal inputs unchanged, which is their expm1).

JAX's own jnp.expm1 is 5.3 ULP off on a sample of [-17, 88] (a third of the inputs >= 1 ULP, near
x = 0.002); this kernel is within 1 ULP on every float32 (the certificate).

Subnormal inputs and results are computed correctly.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
    ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = expm1(x)  # any shape, float32
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


__all__ = ["expm1"]

KERNEL_NAME = "expm1"
TARGET = "expm1"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/expm1_core.json'}


def _expm1_expm1(r):
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


def _exp_pair(z):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = (_fma32(z, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23"))))  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - np.float32(float.fromhex("0x1.8p+23"))
    r = _fma32(-n, np.float32(float.fromhex("0x1.62e43p-1")), z)  # one FMA: exact
    c = n * np.float32(float.fromhex("0x1.05c61p-29"))  # e^(-n ln2_lo) = 1 + c
    m = _expm1_expm1(r)  # e^r - 1 - r
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


def expm1(x):
    """e^x - 1 in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        n, p, pl = _exp_pair(x)  # e^x = 2^n (p + pl); inf and NaN give garbage, selected away below
        sp = _float(_bits(p) + (n << 23))  # 2^n p, exact (normal for -25 <= n <= 128)
        spl = (pl * np.float32(float.fromhex("0x1p+1"))) * _pow2(n - 1)  # 2^n pl in two exact steps (2^128 is no float32)
        hi = sp - np.float32(float.fromhex("0x1p+0"))
        v = hi - sp
        lo = (sp - (hi - v)) + (-np.float32(float.fromhex("0x1p+0")) - v)  # 2Sum: sp - 1 = hi + lo exactly
        y = hi + (lo + spl)  # one rounding
        y = np.where(x > np.float32(float.fromhex("-0x1.154246p+4")), y, -np.float32(float.fromhex("0x1p+0")))  # rounds to -1 (and -inf)
        y = np.where(x < np.float32(float.fromhex("0x1.62e430p+6")), y, x + np.float32(np.inf))  # +inf; NaN stays NaN
        y = np.where(x == np.float32(0.0), x, y)  # +-0 (and, in JAX, subnormal x) -> x
    return np.asarray(y, np.float32)
