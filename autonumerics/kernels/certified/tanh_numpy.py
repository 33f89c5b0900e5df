"""tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a < 0.7: the "small" core, tanh on [0, 0.7] as a + a^3 Q(a^2), ending in one fused multiply-add
  (tiny inputs give a, subnormals included). Its rounding errors enter through the correction
  a^3 Q, at most 23 % of the result at a = 0.7.
* a >= 0.7 (tanh >= 0.60), a clamped to 9.5 first: E = e^-2a in (0, 0.25] from the exp kernel's
  core, then tanh = (1 - E) / (1 + E) with a single division whose error is damped:
  - n = round(2a log2 e) (one rounding of the product, then an exact round to even: any nearby
    integer works), r = n ln2 - 2a by one FMA (2a exact, ln 2 as one float32: the constant's own
    error, n * 2^-25 at most, is negligible beside E's weight below), so E = 2^-n e^r, e^r by the
    "exp" core on [-ln2/2, ln2/2] and 2^-n subtracted from its exponent bits (exact);
  - y0 = 1 - 2E + 2E^2 approximates tanh to 2E^3 (two FMAs); the residual
    res = (1 - E) - y0 (1 + E) = ((1 - y0) - E) - E y0 has 1 - y0 and (1 - y0) - E exact
    (Sterbenz) and rounds once in the final FMA; tanh = y0 + res / (1 + E): the division and
    1 + E only round a correction of at most 0.03, and the result rounds once. E's own error
    (the core's ~0.75 ULP) reaches tanh through 2E / (1 + E)^2 <= 0.32.
  The division has exactly one user: XLA's CPU fusion will not copy a division into several
  consumers, and a quotient read twice splits the kernel into several loops over memory.
* a >= T = 9.0109138 (the first float32 whose tanh rounds to 1) gives exactly 1 by itself: E is
  below 2^-26 there, so y0 is 1 and the correction rounds away; inf gives 1 through the clamp.
* NaN: the comparison a >= 0.7 is false, so the small core's NaN comes out.

Both paths are computed for every element and a select picks (no branches in JAX and NumPy).
Cost: the two cores and 22 more ops, one of them a division (the first design, a double-float
reduction with a Newton step, took 60 ops and ran in three loops). Measured over every float32:
see the certificate.

Subnormal inputs and results are computed correctly.
Core 'small' (tanh on [0.0, 0.7]): autonumerics/kernels/cores/tanh_core_small.json
    t0 = x * x; t0 * x * (t0 / ((-0.0013474748702719808 * t0 + 3.035686731338501) * t0 + 7.500000953674316) + -0.3333333432674408) + x
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
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
CORES = {'small': 'autonumerics/kernels/cores/tanh_core_small.json', 'exp': 'autonumerics/kernels/cores/exp_core.json'}


def _tanh_small(r):
    """tanh: t0 = x * x; t0 * x * (t0 / ((-0.0013474748702719808 * t0 + 3.035686731338501) * t0 + 7.500000953674316) + -0.3333333432674408) + x (10 ops, xla, hash 6d2eb0008098ea1c)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.613b820000000p-10"))
        c1 = np.float32(float.fromhex("0x1.8491620000000p+1"))
        c2 = np.float32(float.fromhex("0x1.e000040000000p+2"))
        c3 = np.float32(float.fromhex("-0x1.5555560000000p-2"))
        v0 = x * x
        v1 = v0 * x
        v2 = _fma32(c0, v0, c1)
        v3 = _fma32(v2, v0, c2)
        v4 = v0 / v3
        v5 = v4 + c3
        v6 = _fma32(v1, v5, x)
    return np.broadcast_to(v6, x.shape).astype(np.float32, copy=True)


def _tanh_exp(r):
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


def tanh(x):
    """tanh(x) in float32 for every input (see the module docstring), subnormals included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        small = _tanh_small(a)
        ac = np.where(a < np.float32(float.fromhex("0x1.3p+3")), a, np.float32(float.fromhex("0x1.3p+3")))  # inf and NaN -> 9.5 too (NaN takes the small path)
        n = np.rint(ac * np.float32(float.fromhex("0x1.715476p+1")))  # round half to even, exact
        r = _fma32(n, np.float32(float.fromhex("0x1.62e430p-1")), -(ac + ac))  # one rounding, as XLA fuses it
        e = _float(_bits(_tanh_exp(r)) - (n.astype(np.int32) << 23))  # E = e^-2a = 2^-n e^r, exact scaling
        y0 = _fma32(e, _fma32(e, np.float32(float.fromhex("0x1p+1")), -np.float32(float.fromhex("0x1p+1"))), np.float32(float.fromhex("0x1p+0")))  # 1 - 2E + 2E^2, as XLA fuses it
        res = _fma32(-e, y0, (np.float32(float.fromhex("0x1p+0")) - y0) - e)  # one rounding, as XLA fuses it
        big = y0 + res / (e + np.float32(float.fromhex("0x1p+0")))  # the division's one use
        y = np.where(a >= np.float32(float.fromhex("0x1.666666p-1")), big, small)
        y = _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x
    return np.asarray(y, np.float32)
