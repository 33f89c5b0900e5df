"""softplus(x) = log(1 + exp(x)) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

softplus(x) = log(1 + e^x) = max(x, 0) + log1p(E) with E = e^-a, a = |x|, E in (0, 1]: no
cancellation anywhere (log1p's relative condition E / ((1 + E) log1p E) is at most 1 on (0, 1]).
The log_sigmoid_fast kernel (``autonumerics.kernels.fast.log_sigmoid``) runs the same body and
negates: log_sigmoid(x) = -softplus(-x) bit for bit, so its error is the same at mirrored inputs.

* a is clamped to 104 (inf and NaN too; NaN is put back at the end): e^-104 < 2^-150 rounds to 0.
* E = 2^n e^r as in the exp kernel: n = round(-a log2 e) from t = fma(-a, log2 e, 1.5 * 2^23),
  r = -a - n ln2 by Cody-Waite (n ln2_hi exact, then one FMA with ln2_lo: r rounded once, at
  most 2^-26), e^r by the "exp" core, the exp kernel's degree-6 polynomial on [-ln2/2, ln2/2]
  (0.69 ULP; with r's rounding about 1 ULP of E), and 2^n added to its exponent bits (exact for
  normal E). The exp search's cheaper degree-5 member (1.8 ULP) left the kernel at 3.18 ULP,
  above jax.nn.softplus's 2.81 and jax.nn.log_sigmoid's 2.66: one FMA more buys ~1 ULP.
  Below 2^-126 the JAX export flushes E to 0 (as XLA does); NumPy and C scale in two steps, one
  rounding, so subnormal results (x < -87.34) are E correctly rounded but for the core's error.
* L = log1p(E) by the "log1p" core on [0, 1], E + E^2 P(E) ending in one FMA: no range split
  (on [0, 1] a polynomial converges as fast as on the log kernel's [sqrt(1/2) - 1, sqrt(2) - 1]:
  the singularity at -1 lies as far, in units of the interval). Its error adds to E's: about
  1 ULP at most (at E near 1, where E^2 P is 44 % of the result), and nothing where E^2 P is below
  half an ULP of E (x < -17: L = E, E's error only).
* x <= 0: softplus = L. x > 0: softplus = a + L, rounded once: L <= ln 2 <= the result, so L's
  error counts at most fully (near x = 0+) and shrinks with L / (a + L) beyond; from
  x = 14.5561 on, L is below half an ULP of a and the sum gives a, as it should.
* softplus(+inf) = +inf (a + L), softplus(-inf) = +0 (E = 0), NaN -> NaN (the x > 0 side's
  a + L, which is NaN: the comparison x <= 0 is false for NaN).

Both sides are computed for every element and one select picks; no division.

Subnormal inputs and results are computed correctly.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
Core 'log1p' (log1p on [0.0, 1.0]): autonumerics/kernels/cores/softplus_fast_log1p.json
    ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = softplus_fast(x)  # any shape, float32
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


__all__ = ["softplus_fast"]

KERNEL_NAME = "softplus_fast"
TARGET = "softplus"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json', 'log1p': 'autonumerics/kernels/cores/softplus_fast_log1p.json'}


def _softplus_fast_exp(r):
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


def _softplus_fast_log1p(r):
    """log1p: ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x (17 ops, xla, hash ab13844d561362d2)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.48969c0000000p-4"))
        c1 = np.float32(float.fromhex("-0x1.f6d8740000000p-6"))
        c2 = np.float32(float.fromhex("0x1.69cd880000000p-8"))
        c3 = np.float32(float.fromhex("-0x1.1b6fac0000000p-3"))
        c4 = np.float32(float.fromhex("0x1.8915c60000000p-3"))
        c5 = np.float32(float.fromhex("-0x1.fd47960000000p-3"))
        c6 = np.float32(float.fromhex("0x1.5539000000000p-2"))
        c7 = np.float32(float.fromhex("-0x1.ffff360000000p-2"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = _fma32(v4, x, c6)
        v6 = _fma32(v5, x, c7)
        v7 = x * x
        v8 = _fma32(v6, v7, x)
    return np.broadcast_to(v8, x.shape).astype(np.float32, copy=True)


def softplus_fast(x):
    """softplus(x) = log(1 + e^x) in float32, fast tier (see the module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        z = np.where(a < np.float32(float.fromhex("0x1.ap+6")), -a, -np.float32(float.fromhex("0x1.ap+6")))  # -|x| clamped at -104 (inf and NaN too)
        t = _fma32(z, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))  # n = round(-a log2 e) in t's low bits
        whole = t - np.float32(float.fromhex("0x1.8p+23"))  # n, exactly
        r = z - whole * np.float32(float.fromhex("0x1.62e4p-1"))  # exact
        r = _fma32(-whole, np.float32(float.fromhex("0x1.7f7d1cp-20")), r)  # one rounding, as XLA fuses it
        p = _softplus_fast_exp(r)  # e^r
        n = _bits(t) - np.int32(0x4B400000)
        e = _float(_bits(p) + (n << np.int32(23)))  # e^r 2^n on the exponent bits: exact, E >= 2^-125
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        e = np.where(n < -125, tiny, e)
        l = _softplus_fast_log1p(e)  # log1p(E)
        y = np.where(x <= 0, l, a + l)  # NaN takes a + l: NaN
    return np.asarray(y, np.float32)
