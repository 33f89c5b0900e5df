"""silu(x) = x sigmoid(x) = x/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction as in the sigmoid kernel (``autonumerics/kernels/sigmoid.py``), on the exp-pair
pieces (``autonumerics.kernels.exp_pair.reduction_source``) and its "expm1" core:

* a = |x| clamped to 120; E = e^-a = 2^n (p + pl) as an unrounded pair (exact Cody-Waite by one
  FMA, the core m(r) ~ e^r - 1 - r, Fast2Sum), accurate to ~2^-29 relative.
* g = 1/(1 + E) = g0 + g1 (1 + E split exactly, 2^n clamped at 2^-64; one Newton step), to
  ~2^-48.
* x >= 0: silu = x (g0 + g1) = fma(x, g0, x g1): x g1 is ~2^-24 of the result, so its rounding
  is negligible and the result rounds once.
* -4 < x < 0: silu = x (1 - g) = fma(x, 1 - g0, -x g1): 1 - g0 is exact (g0 in [1/2, 1],
  Sterbenz) and at least sigmoid(-4) = 0.018, so x g1 is at most 2^-18 of the result: one
  rounding. x g1 is shared with the x >= 0 form (a product with two readers: XLA never fuses it).
* x <= -4: silu = x E g = x 2^n (p + pl)(1 - w), w = E g0 (|w| < 0.02): x (p + (pl - w p)) as
  fma(x, p, x (pl - w p)), the inner term one FMA, rounded once, then scaled by 2^n in two exact
  steps of at most 2^-87 each: results below 2^-126 (x < -91.9) are subnormal and rounded once
  more in NumPy and C (within 1 unit of 2^-149), and -0 from x <= -108.7 on. x is -a there
  (clamped: x <= -120 gives -0).
* x >= 16.676973 (0x1.0ad4e2p+4, the first float32 whose silu rounds to x itself; above it
  every float32 does) returns x by a select, which also gives +inf and NaN; silu(-0) = -0
  (the x >= 0 form: -0 g0 + (-0 g1) = -0).

JAX's own jax.nn.silu (x * sigmoid(x)) is 1.67e7 ULP off near x = -90, where sigmoid's tail
is; this kernel stays within 1 ULP wherever the result is normal. Every path is computed for
every element and selects pick the result.

Subnormal inputs and results are computed correctly.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = silu(x)  # any shape, float32
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


__all__ = ["silu"]

KERNEL_NAME = "silu"
TARGET = "silu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/tanh_core_expm1.json'}


def _silu_expm1(r):
    """expm1(x) - x: (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x) (10 ops, xla, hash 273a21660127a787)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.5556820000000p-5"))
        c1 = np.float32(float.fromhex("0x1.12006e0000000p-7"))
        c2 = np.float32(float.fromhex("0x1.6b24780000000p-10"))
        c3 = np.float32(float.fromhex("0x1.5554ea0000000p-3"))
        c4 = np.float32(float.fromhex("0x1.0000000000000p-1"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = x * x
        v5 = v3 * v4
    return np.broadcast_to(v5, x.shape).astype(np.float32, copy=True)


def _exp_pair(z):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = (_fma32(z, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23"))))  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - np.float32(float.fromhex("0x1.8p+23"))
    r = _fma32(-n, np.float32(float.fromhex("0x1.62e43p-1")), z)  # one FMA: exact
    c = n * np.float32(float.fromhex("0x1.05c61p-29"))  # e^(-n ln2_lo) = 1 + c
    m = _silu_expm1(r)  # e^r - 1 - r
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


def silu(x):
    """silu(x) = x sigmoid(x) in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        ac = np.where(a < np.float32(float.fromhex("0x1.ep+6")), a, np.float32(float.fromhex("0x1.ep+6")))  # inf and NaN -> 120 too (selected away at the end)
        n, p, pl = _exp_pair(-ac)  # e^-a = 2^n (p + pl)
        er = _pow2(np.maximum(n, np.int32(-64))) * p
        g0, g1 = _reciprocal_pair(er, _pow2(np.maximum(n, np.int32(-64))) * pl)
        q = x * g1
        positive = _fma32(x, g0, q)
        near = _fma32(x, np.float32(float.fromhex("0x1p+0")) - g0, -q)  # 1 - g0 exact
        w = er * g0  # E / (1 + E), for the tail
        inner = _fma32(-w, p, pl)
        xt = -ac  # x where x <= -4 (clamped at -120)
        tail = _fma32(xt, p, xt * inner)
        half = -((-n) >> 1)
        tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
        y = np.where(x < 0, np.where(a < np.float32(float.fromhex("0x1p+2")), near, tail), positive)  # NaN: positive, NaN
        y = np.where(x < np.float32(float.fromhex("0x1.0ad4e2p+4")), y, x)  # x itself from the saturation on; +inf; NaN
    return np.asarray(y, np.float32)
