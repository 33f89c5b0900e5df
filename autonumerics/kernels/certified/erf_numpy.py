"""erf(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (every step exact except the cores' own float32 arithmetic):

* a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
  result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
* a < 1: the "small" core, erf on [0, 1] in the form a + a*Q(a^2) (storing 2/sqrt(pi) - 1
  instead of 2/sqrt(pi), which float32 cannot hold, is what gets it under 1 ULP). Its last op
  is one fused multiply-add fma(a, Q, a), whose product never rounds on its own, so tiny and
  subnormal inputs come out right (a*Q cannot underflow before the addition).
* 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
  core, erf(c + t) with t = a - c and c = 0x1.205e7ep+1 (2.2528837). t is exact: a and c are
  multiples of 2^-23 and |t| < 2. The core ends in c0 + t*H(t), one fused multiply-add whose
  constant c0 is float32(erf(c)), and erf(c) lies within 1e-6 ULP of it (c was chosen so):
  the result is rounded once, and erf >= 0.84 keeps its ULP fixed at 2^-24 on this range.
* a >= T (and a = inf) gives exactly 1: erf(a) is within half an ULP of 1 from T on.
* NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.

Both cores are computed for every element and the result picked by selects (no branches in
JAX / NumPy; C branches). The error is the cores' alone: each core's exhaustive float32 error
on its interval is the kernel's error there.

Subnormal inputs and results are computed correctly (one rounding).
Core 'small' (erf on [0.0, 1.0]): autonumerics/kernels/cores/erf_small.json
    t0 = x * x; x + x * (0.12837916612625122 + t0 * (-0.37612611055374146 + t0 * (0.11283455789089203 + t0 * (-0.026849253103137016 + t0 * (0.005180303007364273 + t0 * (-0.0007941267685964704 + t0 * 7.625635043950751e-05))))))
Core 'tail' (erf(x + 0x1.205e7ep+1) on [-1.2528836727142334, 1.6663222312927246]): autonumerics/kernels/cores/erf_tail.json
    ((-0.01588352955877781 + ((-0.018927233293652534 + ((-0.0029280518647283316 + ((((((-1.3345316801860463e-05 + (-3.0608425731770694e-06 + 1.0928224583039992e-06 * x) * x) * x + 6.449223292293027e-05) * x + -2.7585714633460157e-05) * x + -0.00036512722726911306) * x + 0.0010086550610139966) * x + -0.0006537429289892316) * x) * x + 0.01061062142252922) * x) * x + 0.02150462381541729) * x) * x + 0.007050215732306242) * x + 0.9985577464103699
The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).
Usage: y = erf(x)  # any shape, float32
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


__all__ = ["erf"]

KERNEL_NAME = "erf"
TARGET = "erf"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'autonumerics/kernels/cores/erf_small.json', 'tail': 'autonumerics/kernels/cores/erf_tail.json'}


def _erf_small(r):
    """erf: t0 = x * x; ((((t0 * ((7.625635043950751e-05 * t0 + -0.0007941267685964704) * t0 + 0.005180303007364273) + -0.026849253103137016) * t0 + 0.11283455789089203) * t0 + -0.37612611055374146) * t0 + 0.12837916612625122) * x + x (15 ops, xla, hash 8eb4985ad61ae9df)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.3fd7a20000000p-14"))
        c1 = np.float32(float.fromhex("-0x1.a059e40000000p-11"))
        c2 = np.float32(float.fromhex("0x1.537f100000000p-8"))
        c3 = np.float32(float.fromhex("-0x1.b7e5ee0000000p-6"))
        c4 = np.float32(float.fromhex("0x1.ce2b9c0000000p-4"))
        c5 = np.float32(float.fromhex("-0x1.8127340000000p-2"))
        c6 = np.float32(float.fromhex("0x1.06eba80000000p-3"))
        v0 = x * x
        v1 = _fma32(c0, v0, c1)
        v2 = _fma32(v1, v0, c2)
        v3 = _fma32(v0, v2, c3)
        v4 = _fma32(v3, v0, c4)
        v5 = _fma32(v4, v0, c5)
        v6 = _fma32(v5, v0, c6)
        v7 = _fma32(v6, x, x)
    return np.broadcast_to(v7, x.shape).astype(np.float32, copy=True)


def _erf_tail(r):
    """erf(x + 0x1.205e7ep+1): ((-0.01588352955877781 + ((-0.018927233293652534 + ((-0.0029280518647283316 + ((((((-1.3345316801860463e-05 + (-3.0608425731770694e-06 + 1.0928224583039992e-06 * x) * x) * x + 6.449223292293027e-05) * x + -2.7585714633460157e-05) * x + -0.00036512722726911306) * x + 0.0010086550610139966) * x + -0.0006537429289892316) * x) * x + 0.01061062142252922) * x) * x + 0.02150462381541729) * x) * x + 0.007050215732306242) * x + 0.9985577464103699 (28 ops, xla, hash 5349408eec93662b)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.043c5a0000000p-6"))
        c1 = np.float32(float.fromhex("-0x1.361a920000000p-6"))
        c2 = np.float32(float.fromhex("-0x1.7fc91e0000000p-9"))
        c3 = np.float32(float.fromhex("-0x1.bfcb660000000p-17"))
        c4 = np.float32(float.fromhex("-0x1.9ad1c00000000p-19"))
        c5 = np.float32(float.fromhex("0x1.255a300000000p-20"))
        c6 = np.float32(float.fromhex("0x1.0e80020000000p-14"))
        c7 = np.float32(float.fromhex("-0x1.cecfbe0000000p-16"))
        c8 = np.float32(float.fromhex("-0x1.7edd180000000p-12"))
        c9 = np.float32(float.fromhex("0x1.0869b20000000p-10"))
        c10 = np.float32(float.fromhex("-0x1.56bfe40000000p-11"))
        c11 = np.float32(float.fromhex("0x1.5bb0580000000p-7"))
        c12 = np.float32(float.fromhex("0x1.6054ee0000000p-6"))
        c13 = np.float32(float.fromhex("0x1.ce0afe0000000p-8"))
        c14 = np.float32(float.fromhex("0x1.ff42f60000000p-1"))
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
        v12 = _fma32(v11, x, c13)
        v13 = _fma32(v12, x, c14)
    return np.broadcast_to(v13, x.shape).astype(np.float32, copy=True)


def erf(x):
    """erf(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    bits = _bits(x)
    a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
    with np.errstate(all="ignore"):
        small = _erf_small(a)  # erf(a) for a < 1
        tail = _erf_tail(a - np.float32(float.fromhex("0x1.205e7ep+1")))  # erf(c + t), t exact
        y = np.where(a >= np.float32(float.fromhex("0x1.f5a88ap+1")), np.float32(1.0), tail)
        y = np.where(a < np.float32(1.0), small, y)  # NaN fails both tests: tail(NaN) = NaN
    y = np.asarray(y, dtype=np.float32).reshape(x.shape)
    return _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)
