"""erf(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the cores' own float32 arithmetic), as in the accurate
kernel (autonumerics/kernels/erf.py):

* a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
  result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
* a < 1: the "small" core, erf on [0, 1] as a + a*Q(a^2) with Q of degree 5 in a^2 (the accurate
  kernel's is degree 6). Its last op is the fused multiply-add fma(a, Q, a), whose product never
  rounds on its own: tiny and subnormal inputs give 2/sqrt(pi) a rounded once (NumPy, C).
* 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
  core, erf(c + t) with t = a - c exact (a and c = 0x1.205e7ep+1 share the 2^-23 grid and
  |t| < 2), a polynomial of degree 12 in t (12 products, each fused with an addition; the
  accurate kernel's is degree 14) ending in the fused multiply-add c0 + t*H(t), c0 =
  float32(erf(c)) within 1e-6 ULP of erf(c). erf >= 0.84 keeps the ULP at 2^-24 on this
  range, so the core's absolute error is the kernel's.
* a >= T (and a = inf) gives exactly 1: a is capped at T before the subtraction (a min that
  keeps NaN: one instruction where the accurate kernel's select costs a compare and a blend),
  and this tail core returns exactly 1.0 at t = T - c; erf(a) is within half an ULP of 1
  from T on.
* NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.

Error budget: the kernel adds no rounding of its own, so each core's float32 error on its
interval is the kernel's there. Lower degrees than the accurate kernel's trade approximation
error for ops: degree 4 in a^2 (19.5 ULP) and degree 11 in t (7.8 ULP) do not fit 3.5 ULP, so
these are the cheapest polynomials of this form. Over every float32 of [2^-126, 4]: 1.56 ULP at
most (a = 0.97077495, the small core), 1.24 on [1, 3.92] (a = 1.0005, the tail core). Saturating
earlier than T (1 is 3.2 ULP off from about a = 3.68 on) would shorten the tail's interval, but
degree 11 still measures 3.4 ULP on [1, 3.68], so T stays exact. Subnormal inputs (NumPy, C):
one rounding of a*Q(0) + a, within 0.88 units of 2^-149 (Q(0) is 2/sqrt(pi) - 1 to 4e-8).

Both cores are computed for every element and the result picked by a select (no branches in
JAX / NumPy; C branches). Cores unfenced, constants as float32 literals, as in the accurate
kernel (their inputs are a bit operation and a subtraction; their results feed only selects).

Subnormal inputs and results are computed correctly (one rounding).
Core 'small' (erf on [0.0, 1.0]): autonumerics/kernels/cores/erf_fast_small.json
    t0 = x * x; (((t0 * ((-0.000565029913559556 * t0 + 0.004922819789499044) * t0 + -0.02671649307012558) + 0.1128038614988327) * t0 + -0.3761235177516937) * t0 + 0.12837912142276764) * x + x
Core 'tail' (erf(x + 0x1.205e7ep+1) on [-1.2528836727142334, 1.6663222312927246]): autonumerics/kernels/cores/erf_fast_tail.json
    0.9985577464103699 + ((-0.015883224084973335 + ((-0.018929388374090195 + ((((((-3.208268026355654e-05 + (4.809884194401093e-05 + -9.124659300141502e-06 * x) * x) * x + -0.0003308732993900776) * x + 0.001007627695798874) * x + -0.0006886835908517241) * x + -0.002923801075667143) * x + 0.010628272779285908) * x) * x + 0.021500732749700546) * x) * x + 0.007050465326756239) * x
The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).
Usage: y = erf_fast(x)  # any shape, float32
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


__all__ = ["erf_fast"]

KERNEL_NAME = "erf_fast"
TARGET = "erf"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'autonumerics/kernels/cores/erf_fast_small.json', 'tail': 'autonumerics/kernels/cores/erf_fast_tail.json'}


def _erf_fast_small(r):
    """erf: t0 = x * x; (((t0 * ((-0.000565029913559556 * t0 + 0.004922819789499044) * t0 + -0.02671649307012558) + 0.1128038614988327) * t0 + -0.3761235177516937) * t0 + 0.12837912142276764) * x + x (13 ops, xla, hash be0019866d0218d1)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.283d080000000p-11"))
        c1 = np.float32(float.fromhex("0x1.429f360000000p-8"))
        c2 = np.float32(float.fromhex("-0x1.b5b9180000000p-6"))
        c3 = np.float32(float.fromhex("0x1.ce0b6c0000000p-4"))
        c4 = np.float32(float.fromhex("-0x1.8126860000000p-2"))
        c5 = np.float32(float.fromhex("0x1.06eba20000000p-3"))
        v0 = x * x
        v1 = _fma32(c0, v0, c1)
        v2 = _fma32(v1, v0, c2)
        v3 = _fma32(v0, v2, c3)
        v4 = _fma32(v3, v0, c4)
        v5 = _fma32(v4, v0, c5)
        v6 = _fma32(v5, x, x)
    return np.broadcast_to(v6, x.shape).astype(np.float32, copy=True)


def _erf_fast_tail(r):
    """erf(x + 0x1.205e7ep+1): 0.9985577464103699 + ((-0.015883224084973335 + ((-0.018929388374090195 + ((((((-3.208268026355654e-05 + (4.809884194401093e-05 + -9.124659300141502e-06 * x) * x) * x + -0.0003308732993900776) * x + 0.001007627695798874) * x + -0.0006886835908517241) * x + -0.002923801075667143) * x + 0.010628272779285908) * x) * x + 0.021500732749700546) * x) * x + 0.007050465326756239) * x (24 ops, xla, hash fd04680e55b4293c)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.ff42f60000000p-1"))
        c1 = np.float32(float.fromhex("-0x1.043b120000000p-6"))
        c2 = np.float32(float.fromhex("-0x1.36239c0000000p-6"))
        c3 = np.float32(float.fromhex("-0x1.0d21080000000p-15"))
        c4 = np.float32(float.fromhex("0x1.937b7a0000000p-15"))
        c5 = np.float32(float.fromhex("-0x1.322c3a0000000p-17"))
        c6 = np.float32(float.fromhex("-0x1.5af2200000000p-12"))
        c7 = np.float32(float.fromhex("0x1.0824c00000000p-10"))
        c8 = np.float32(float.fromhex("-0x1.69118c0000000p-11"))
        c9 = np.float32(float.fromhex("-0x1.7f3a7c0000000p-9"))
        c10 = np.float32(float.fromhex("0x1.5c446a0000000p-7"))
        c11 = np.float32(float.fromhex("0x1.60449c0000000p-6"))
        c12 = np.float32(float.fromhex("0x1.ce0f2e0000000p-8"))
        v0 = _fma32(c5, x, c4)
        v1 = _fma32(v0, x, c3)
        v2 = _fma32(v1, x, c6)
        v3 = _fma32(v2, x, c7)
        v4 = _fma32(v3, x, c8)
        v5 = _fma32(v4, x, c9)
        v6 = _fma32(v5, x, c10)
        v7 = _fma32(v6, x, c2)
        v8 = _fma32(v7, x, c11)
        v9 = _fma32(v8, x, c1)
        v10 = _fma32(v9, x, c12)
        v11 = _fma32(v10, x, c0)
    return np.broadcast_to(v11, x.shape).astype(np.float32, copy=True)


def erf_fast(x):
    """erf(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    bits = _bits(x)
    a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
    with np.errstate(all="ignore"):
        small = _erf_fast_small(a)  # erf(a) for a < 1
        capped = np.where(a > np.float32(float.fromhex("0x1.f5a88ap+1")), np.float32(float.fromhex("0x1.f5a88ap+1")), a)
        tail = _erf_fast_tail(capped - np.float32(float.fromhex("0x1.205e7ep+1")))  # exactly 1 at T
        y = np.where(a < np.float32(1.0), small, tail)  # NaN fails the test: tail(NaN) = NaN
    y = np.asarray(y, dtype=np.float32).reshape(x.shape)
    return _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)
