"""tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a < 0.5625: the "small" core, tanh on [0, 0.5625] as a + a^3*Q(a^2), ending in one fused
  multiply-add whose product never rounds on its own (tiny inputs give a, subnormals included).
* 0.5625 <= a < T = 0x1.205968p+3 (9.0109138, the first float32 whose tanh rounds to 1):
  tanh(a) = (1 - E) / (1 + E) = 2g - 1 with E = e^(-2a) and g = 1 / (1 + E), in float32 only but
  with every error term far below the final rounding:
  - z = -2a (exact), n = round(z / ln 2) (one FMA with a shifter), r = z - n*ln2_hi by one FMA:
    exact (r needs at most 24 bits); the rest of n*ln 2 becomes the factor 1 + c, c = -n*ln2_lo, |c| < 2^-23;
  - the "expm1" core m(r) ~ e^r - 1 - r (|m| <= 0.07), so e^r = (1 + r) + m: 1 + r is split
    exactly (Fast2Sum), m added to its low part, and e^z = 2^n (p + pl) kept as an unrounded pair
    (p + pl carries ~2^-29 relative error: the core's own ULP error is damped by |m| <= 0.07);
  - 1 + E as an exact pair (Fast2Sum), g = g0 + g1 by a reciprocal and one Newton step with two
    FMAs (the residual 1 - g0*dh is exact);
  - tanh = (2*g0 - 1) + 2*g1: 2*g0 - 1 is exact (Sterbenz), so the result rounds once.
* a >= T (and a = inf) gives exactly 1; NaN gives NaN.

Both paths are computed for every element and selects pick the result (no branches in JAX and
NumPy). Measured over every float32 (the certificate): max 0.73 ULP, from the small core.

Subnormal inputs and results are computed correctly.
Core 'small' (tanh on [0.0, 0.5625]): results/kernels/cores/tanh_core_small.json
    t0 = x * x; t0 * x * ((t0 * ((-0.006206011865288019 * t0 + 0.02102750539779663) * t0 + -0.05384277179837227) + 0.13332511484622955) * t0 + -0.33333316445350647) + x
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): results/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = tanh(x)  # any shape, float32
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


__all__ = ["tanh"]

KERNEL_NAME = "tanh"
TARGET = "tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'results/kernels/cores/tanh_core_small.json', 'expm1': 'results/kernels/cores/tanh_core_expm1.json'}


def _tanh_small(r):
    """tanh: t0 = x * x; t0 * x * ((t0 * ((-0.006206011865288019 * t0 + 0.02102750539779663) * t0 + -0.05384277179837227) + 0.13332511484622955) * t0 + -0.33333316445350647) + x (12 ops, xla, hash 10691bc8e8f198c8)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.96b79a0000000p-8"))
        c1 = np.float32(float.fromhex("0x1.5883c00000000p-6"))
        c2 = np.float32(float.fromhex("-0x1.b9147a0000000p-5"))
        c3 = np.float32(float.fromhex("0x1.110cc20000000p-3"))
        c4 = np.float32(float.fromhex("-0x1.55554a0000000p-2"))
        v0 = x * x
        v1 = v0 * x
        v2 = _fma32(c0, v0, c1)
        v3 = _fma32(v2, v0, c2)
        v4 = _fma32(v0, v3, c3)
        v5 = _fma32(v4, v0, c4)
        v6 = _fma32(v1, v5, x)
    return np.broadcast_to(v6, x.shape).astype(np.float32, copy=True)


def _tanh_expm1(r):
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
    m = _tanh_expm1(r)  # e^r - 1 - r
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


def tanh(x):
    """tanh(x) in float32 for every input (see the module docstring), subnormals included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        small = _tanh_small(a)
        ac = np.where(a < np.float32(float.fromhex("0x1.3p+3")), a, np.float32(float.fromhex("0x1.3p+3")))  # NaN -> 9.5 too (selected away at the end)
        z = ac * np.float32(float.fromhex("-0x1p+1"))  # -2a, exact
        n, p, pl = _exp_pair(z)
        s = _pow2(n)
        g0, g1 = _reciprocal_pair(s * p, s * pl)
        big = (g0 * np.float32(float.fromhex("0x1p+1")) - np.float32(float.fromhex("0x1p+0"))) + g1 * np.float32(float.fromhex("0x1p+1"))  # 2 g0 - 1 exact: one rounding
        y = np.where(a < np.float32(float.fromhex("0x1.2p-1")), small, big)
        y = np.where(a >= np.float32(float.fromhex("0x1.205968p+3")), np.float32(float.fromhex("0x1p+0")), y)
        y = _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x
        y = np.where(x == x, y, x)
    return np.asarray(y, np.float32)
