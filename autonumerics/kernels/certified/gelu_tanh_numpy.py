"""gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), is jax.nn.gelu's default
(approximate=True) formula, computed accurately as a function in its own right. jax.nn.gelu
itself is 2.7e6 ULP off near x = -4.72, where 1 + tanh(u) cancels. Here it is x sigmoid(z),
z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1, which does not cancel; for
x < 0, sigmoid(z) ~ e^z with |z| up to 110, so z's absolute error is the result's relative error
and z is carried as z_hi + z_lo to ~2^-45 relative:

* x >= 4.9941373 (0x1.3f9ff2p+2, the first float32 whose gelu_tanh rounds to x itself; every
  float32 above does too) returns x by a select, which also gives +inf and NaN. Below, x is
  clamped at -10.9375 (gelu_tanh rounds to -0 from -10.7709 down; z = -110.8 there) and,
  as a second copy for the exact products, at 8.5 (see the fast kernel: products of two copies
  are different expressions, so XLA does not merge a product with its FMA twin).
* v = c1 + c2 x^2 = v_hi + v_lo (``fast.gelu_tanh.v_pair_lines``: x^2 split by one FMA, v_hi's
  rounding error by one FMA, c1 and c2 as float32 pairs), z_hi = x v_hi, z_lo = x v_lo +
  (x v_hi - z_hi) by two FMAs.
* a = |z_hi| clamped to 120; E = e^-a = 2^n (p + pl) (``exp_pair.reduction_source``, the sigmoid
  kernel's core), then e^-|z| = E (1 -+ z_lo): pl += (-+ z_lo) p by one FMA (|z_lo| <= 2^-18,
  so the second-order term is below 2^-37).
* g = 1/(1 + e^-|z|) = g0 + g1 and the three closing forms of the silu kernel
  (``autonumerics/kernels/silu.py``): x >= 0: fma(x, g0, x g1); |z| < 8, x < 0:
  fma(x, 1 - g0, -x g1) (1 - g = E/(1 + E) to 2^-48 absolute, >= 3.3e-4 relative to it: x g1 is
  at most 2^-11 of the result); |z| >= 8, x < 0: fma(x, p, x (pl - w p)), w = E g0, scaled by
  2^n in two exact
  steps (subnormal results, x < -10.1, rounded once more in NumPy and C; JAX flushes them).
  The limit is 8, not the silu kernel's 4: w = E g0 leaves out E's low part (up to 2^-21 of E
  here, where pl also carries z_lo), which at |z| = 4.4 (w = 0.012) cost 0.9 ULP; from |z| = 8
  on w < 3.4e-4 and it is negligible.
  gelu_tanh(-0) = -0; -inf -> -0.

Subnormal inputs and results are computed correctly.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu_tanh(x)  # any shape, float32
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


__all__ = ["gelu_tanh"]

KERNEL_NAME = "gelu_tanh"
TARGET = "gelu_tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/tanh_core_expm1.json'}


def _gelu_tanh_expm1(r):
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
    m = _gelu_tanh_expm1(r)  # e^r - 1 - r
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


def gelu_tanh(x):
    """gelu_tanh(x) (jax.nn.gelu's tanh formula) in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        xb = np.where(x < -np.float32(float.fromhex("0x1.5ep+3")), -np.float32(float.fromhex("0x1.5ep+3")), x)  # gelu_tanh rounds to -0 below; NaN stays
        xa = np.where(xb < np.float32(float.fromhex("0x1.1p+3")), xb, np.float32(float.fromhex("0x1.1p+3")))  # equal to xb below the saturation
        s1 = xb * xb  # x^2 rounded
        s2 = xa * xb  # the same value, another product (XLA must not merge the FMAs' products)
        s_lo = _fma32(xa, xa, -s1)  # x^2 - s1 exactly
        v_hi = _fma32(s1, np.float32(float.fromhex("0x1.2444f2p-4")), np.float32(float.fromhex("0x1.98845p+0")))
        d = v_hi - np.float32(float.fromhex("0x1.98845p+0"))  # exact
        e = _fma32(s2, np.float32(float.fromhex("0x1.2444f2p-4")), -d)  # c2h s + c1h - v_hi, v_hi's rounding error
        v_lo = _fma32(s_lo, np.float32(float.fromhex("0x1.2444f2p-4")), _fma32(s1, np.float32(float.fromhex("0x1.49b16ap-29")), np.float32(float.fromhex("0x1.9ea1b2p-23")))) + e
        z_hi = xb * v_hi
        z_lo = _fma32(xa, v_lo, _fma32(xa, v_hi, -z_hi))
        az = _float(_bits(z_hi) & np.int32(0x7FFFFFFF))  # |z_hi|, exact
        ac = np.where(az < np.float32(float.fromhex("0x1.ep+6")), az, np.float32(float.fromhex("0x1.ep+6")))  # inf and NaN -> 120 too (selected away at the end)
        n, p, pl = _exp_pair(-ac)  # e^-|z_hi| = 2^n (p + pl)
        neg = x < 0
        zl = np.where(neg, z_lo, -z_lo)  # -|z| = -|z_hi| + zl
        pl = _fma32(zl, p, pl)
        er = _pow2(np.maximum(n, np.int32(-64))) * p
        g0, g1 = _reciprocal_pair(er, _pow2(np.maximum(n, np.int32(-64))) * pl)
        q = x * g1
        positive = _fma32(x, g0, q)
        near = _fma32(x, np.float32(float.fromhex("0x1p+0")) - g0, -q)  # 1 - g0 exact
        w = er * g0  # E / (1 + E), for the tail
        inner = _fma32(-w, p, pl)
        tail = _fma32(xb, p, xb * inner)
        half = -((-n) >> 1)
        tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
        y = np.where(neg, np.where(ac < np.float32(float.fromhex("0x1p+3")), near, tail), positive)  # NaN: positive, NaN
        y = np.where(x < np.float32(float.fromhex("0x1.3f9ff2p+2")), y, x)  # x itself from the saturation on; +inf; NaN
    return np.asarray(y, np.float32)
