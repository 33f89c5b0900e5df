"""log_sigmoid(x) = -log(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x) = min(x, 0) - log1p(E), E = e^-|x|. The body
is the softplus_fast kernel's (``autonumerics.kernels.fast.softplus``: E = 2^n e^r from a
exp kernel's core, L = log1p(E) from a core on [0, 1]), with its final select mirrored and
negated: -L for x >= 0, -(|x| + L) for x < 0. Negation is exact, so log_sigmoid_fast(x) =
-softplus_fast(-x) bit for bit, and the error at x is softplus_fast's at -x:

* x >= 0: -L = -log1p(E), E's error (~1 ULP, from the exp core and r's rounding) plus the log1p
  core's (~1 ULP); relative throughout, down to the subnormal results (x > 87.34), which the
  JAX export flushes to -0 and NumPy and C round.
* x < 0: -(|x| + L) rounded once; L <= ln 2 is a correction, counting fully only near 0-; the
  result is exactly x from x = -14.5561 down.
* log_sigmoid(+inf) = -0, log_sigmoid(-inf) = -inf, NaN -> NaN.

Subnormal inputs and results are computed correctly.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
Core 'log1p' (log1p on [0.0, 1.0]): autonumerics/kernels/cores/softplus_fast_log1p.json
    ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log_sigmoid_fast(x)  # any shape, float32
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


__all__ = ["log_sigmoid_fast"]

KERNEL_NAME = "log_sigmoid_fast"
TARGET = "log_sigmoid"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json', 'log1p': 'autonumerics/kernels/cores/softplus_fast_log1p.json'}


def _log_sigmoid_fast_exp(r):
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


def _log_sigmoid_fast_log1p(r):
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


def log_sigmoid_fast(x):
    """log_sigmoid(x) = -log(1 + e^-x) in float32, fast tier (see the module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        z = np.where(a < np.float32(float.fromhex("0x1.ap+6")), -a, -np.float32(float.fromhex("0x1.ap+6")))  # -|x| clamped at -104 (inf and NaN too)
        t = _fma32(z, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))  # n = round(-a log2 e) in t's low bits
        whole = t - np.float32(float.fromhex("0x1.8p+23"))  # n, exactly
        r = z - whole * np.float32(float.fromhex("0x1.62e4p-1"))  # exact
        r = _fma32(-whole, np.float32(float.fromhex("0x1.7f7d1cp-20")), r)  # one rounding, as XLA fuses it
        p = _log_sigmoid_fast_exp(r)  # e^r
        n = _bits(t) - np.int32(0x4B400000)
        e = _float(_bits(p) + (n << np.int32(23)))  # e^r 2^n on the exponent bits: exact, E >= 2^-125
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        e = np.where(n < -125, tiny, e)
        l = _log_sigmoid_fast_log1p(e)  # log1p(E)
        y = np.where(x >= 0, -l, -(a + l))  # -softplus(-x); NaN: -(a + l)
    return np.asarray(y, np.float32)
