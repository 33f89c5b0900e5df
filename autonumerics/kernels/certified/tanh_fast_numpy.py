"""tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a is clamped to 9.5 (inf too; NaN stays NaN: the comparison is false), so E stays above 2^-28.
* n = round(-2a log2 e) from t = fma(a, -2 log2 e, 1.5 * 2^23) (n = t - 1.5 * 2^23 exactly, and
  t's low bits hold n; any nearby integer works), r = fma(n, -ln2/2, -a) = -a - n ln2/2 rounded
  once, |r| <= ln2/4 (one constant: |n| <= 28, so ln2's float32 error moves r by < 2^-29 |n|,
  and that error reaches tanh through 2E / (1 - E^2), tiny wherever n is large). r = -a exactly
  while n = 0 (a < 0.173).
* P = core(r) ~ e^(2r) - 1, the evolved "poly" core on [-ln2/4, ln2/4]: E = 2^n (1 + P), with
  w = 2^n built on the exponent bits of 1 from t (exact).
* tanh = N / D with N = (1 - w) - w P and D = (1 + w) + w P: 1 - w, 1 + w and w P are exact (w is a
  power of 2, and w P is 0 or above 2^-53 for n < 0: r is a multiple of 2^-26 there), so each of N,
  D rounds once (w P has two readers, so XLA fuses it into neither; an FMA would give the same
  bits). While n = 0 (a < 0.173) N is -P itself: N is accurate relative to tanh ~ a (no cancellation
  of 1 - E), and tiny or subnormal a give N = 2a, D = 2, tanh = a exactly. For n <= -1, w P is at
  most 70 % of N and less as a grows: P's errors are damped. Error budget: the core's (<= ~1.5 ULP
  of P, relative), N's and D's roundings (<= 1 ULP each, D's at most 0.6 ULP of tanh while D ~ 2)
  and the division's 0.5 ULP: 2.41 ULP at most over every float32 of the worst binade, [2^-4, 2^-3]
  (n = 0, where P's error is not damped), 2.33 on every 127th bit pattern of the whole line.
* N <= D as computed (the exact N is below the exact D and rounding is monotonic), so |tanh| <= 1.
  The result is exactly 1 from a = 8.491054 on (N and D round to the same float32; tanh is 1.41
  ULP below 1 there, and rounds to 1 itself from 9.0109138 on). inf gives 1 through the clamp,
  NaN gives NaN (P is NaN and enters N and D through arithmetic).

One division with one use (XLA's CPU fusion will not copy a division into several consumers: a
quotient read twice splits the kernel into several loops over memory). Cost: the core and 13
more ops; jnp.tanh (XLA's 13/6 odd rational, clamped at 7.9988) is 4.2 ULP off.

Subnormal inputs and results are computed correctly.
Core 'poly' (expm1(2*x) on [-0.17328679513998632, 0.17328679513998632]): autonumerics/kernels/cores/tanh_fast_core.json
    ((((0.6666726469993591 + (0.26779410243034363 + 0.08888886123895645 * x) * x) * x + 1.3333219289779663) * x + 2.0) * x + 2.0) * x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = tanh_fast(x)  # any shape, float32
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


__all__ = ["tanh_fast"]

KERNEL_NAME = "tanh_fast"
TARGET = "tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/tanh_fast_core.json'}


def _tanh_fast_poly(r):
    """expm1(2*x): ((((0.6666726469993591 + (0.26779410243034363 + 0.08888886123895645 * x) * x) * x + 1.3333219289779663) * x + 2.0) * x + 2.0) * x (11 ops, xla, hash 3b19f417ced4f3fd)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.55561e0000000p-1"))
        c1 = np.float32(float.fromhex("0x1.12389e0000000p-2"))
        c2 = np.float32(float.fromhex("0x1.6c16ba0000000p-4"))
        c3 = np.float32(float.fromhex("0x1.5554960000000p+0"))
        c4 = np.float32(float.fromhex("0x1.0000000000000p+1"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c4)
        v5 = v4 * x
    return np.broadcast_to(v5, x.shape).astype(np.float32, copy=True)


def tanh_fast(x):
    """tanh(x) in float32 for every input, within 3.5 ULP (see the module docstring), subnormals included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        ac = np.where(a > np.float32(float.fromhex("0x1.3p+3")), np.float32(float.fromhex("0x1.3p+3")), a)  # inf -> 9.5; NaN stays NaN
        t = _fma32(ac, np.float32(float.fromhex("-0x1.715476p+1")), np.float32(float.fromhex("0x1.8p+23")))  # one rounding, as XLA fuses it
        n = t - np.float32(float.fromhex("0x1.8p+23"))  # exact
        r = _fma32(n, np.float32(float.fromhex("-0x1.62e430p-2")), -ac)  # one rounding, as XLA fuses it
        p = _tanh_fast_poly(r)  # e^(2r) - 1
        w = _float((_bits(t) << 23) + np.int32(0x3F800000))  # 2^n, exact
        wp = w * p  # exact: w is a power of 2 (and w P stays normal)
        y = ((np.float32(float.fromhex("0x1p+0")) - w) - wp) / ((np.float32(float.fromhex("0x1p+0")) + w) + wp)  # (1 - E) / (1 + E): the division's one use
        y = _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x
    return np.asarray(y, np.float32)
