"""log_sigmoid(x) = -log(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (jax).

log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x). The body is the softplus kernel's
(``autonumerics.kernels.softplus``) run on -x, and the result negated; both negations are exact,
so log_sigmoid(x) = -softplus(-x) bit for bit and the error at x is softplus's at -x:

* x <= -14.556091: x itself (softplus(-x) rounds to -x from there on); so do -inf and NaN.
* -14.556091 < x <= 10: e^-x as an unrounded pair, 1 + e^-x = u + c exactly but for 2^-47, the
  log1p kernel's reduction of u with c/u folded into the tail: one rounding at the end.
* x > 10: -E (1 - E/2), E = e^-x, to 2^-30 relative, rounded once; results above -2^-126
  (x > 87.3365) are subnormal, rounded once more in NumPy and C, flushed to -0 by the JAX
  export; -0 from x >= 103.97208 on, and log_sigmoid(+inf) = -0.

JAX's own jax.nn.log_sigmoid is 2.66 ULP off (sampled over the float32 line); this kernel stays
within 1 ULP wherever the result is normal.

Subnormal results (x > 87.3365) are returned as -0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0, where the correctly rounded result is -ln 2 anyway.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
    ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
Core 'log' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
    (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log_sigmoid(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log_sigmoid has both)
"""

import functools

import jax
import jax.numpy as jnp


def _rounded(value):
    """value itself, read through a select: XLA and LLVM then cannot fuse or rewrite it."""
    return jnp.where(value == value, value, value + value)


def _opaque(constant, x):
    """The constant, per element (NaN where x is NaN, where the result is NaN anyway)."""
    return jnp.where(x == x, constant, x)


def _bits(x):
    """The float32 values' bit patterns as int32."""
    return jax.lax.bitcast_convert_type(x, jnp.int32)


def _float(bits):
    """int32 bit patterns as float32 values."""
    return jax.lax.bitcast_convert_type(bits, jnp.float32)


def _pow2(n):
    """2.0**n as float32 for int32 n in [-126, 127], built from its exponent bits (exact)."""
    return _float((n + 127) << 23)


def _float32_kernel(kernel):
    """The exported function: ``kernel`` (jitted) for float32 input, refusing what it cannot do.

    The bit manipulation of the range reduction has no derivative, so jax.grad through it would
    give 0 silently; differentiating raises a TypeError instead. So does an input of another
    floating or complex dtype (a float32 kernel would change it silently): cast it to float32.
    Python numbers and integer arrays are converted to float32, as jnp does.
    autonumerics.jax has the same kernels with derivatives and a policy for 16-bit inputs.
    """
    name = kernel.__name__

    @jax.custom_jvp
    def primal(x):
        return kernel(x)

    @primal.defjvp
    def no_derivative(primals, tangents):
        raise TypeError(f"{name}: this standalone float32 kernel has no derivative (its bit manipulation "
                        f"would differentiate to 0); use autonumerics.jax.{name}, which has one")

    @functools.wraps(kernel)
    def exported(x):
        dtype = jnp.result_type(x)
        if dtype != jnp.float32 and jnp.issubdtype(dtype, jnp.inexact):
            raise TypeError(f"{name}: a float32 kernel, called with {dtype} input; cast it to float32 (or use "
                            f"autonumerics.jax.{name}, which computes 16-bit inputs in float32 and rounds once)")
        return primal(x)

    return jax.jit(exported)


__all__ = ["log_sigmoid"]

KERNEL_NAME = "log_sigmoid"
TARGET = "log_sigmoid"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/expm1_core.json', 'log': 'autonumerics/kernels/cores/log_core.json'}


def _log_sigmoid_expm1(r):
    """expm1(x) - x: ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x) (12 ops, xla, hash 7436f35ca8cc577a)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.11116c0000000p-7")), jnp.float32(float.fromhex("0x1.6d36920000000p-10")), jnp.float32(float.fromhex("0x1.a014820000000p-13")), jnp.float32(float.fromhex("0x1.5554f40000000p-5")), jnp.float32(float.fromhex("0x1.5555540000000p-3")), jnp.float32(float.fromhex("0x1.0000000000000p-1")))
    v0 = c[2] * x
    v1 = c[1] + v0
    v2 = v1 * x
    v3 = c[0] + v2
    v4 = v3 * x
    v5 = v4 + c[3]
    v6 = v5 * x
    v7 = v6 + c[4]
    v8 = v7 * x
    v9 = v8 + c[5]
    v10 = x * x
    v11 = v9 * v10
    out = jnp.broadcast_to(v11, x.shape)
    return out


def _log_sigmoid_log(r):
    """(log(1+x) - x)/x**2: (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5 (18 ops, xla, hash 5a389567ede01ba8)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.55554e0000000p-2")), jnp.float32(float.fromhex("0x1.e4b6340000000p-4")), jnp.float32(float.fromhex("-0x1.d641280000000p-4")), jnp.float32(float.fromhex("0x1.0feb480000000p-4")), jnp.float32(float.fromhex("-0x1.fd6dc60000000p-4")), jnp.float32(float.fromhex("0x1.2375200000000p-3")), jnp.float32(float.fromhex("-0x1.5553b20000000p-3")), jnp.float32(float.fromhex("0x1.99a1380000000p-3")), jnp.float32(float.fromhex("-0x1.00001a0000000p-2")), jnp.float32(float.fromhex("-0x1.0000000000000p-1")))
    v0 = c[3] * x
    v1 = c[2] + v0
    v2 = v1 * x
    v3 = c[1] + v2
    v4 = v3 * x
    v5 = v4 + c[4]
    v6 = v5 * x
    v7 = v6 + c[5]
    v8 = v7 * x
    v9 = v8 + c[6]
    v10 = v9 * x
    v11 = v10 + c[7]
    v12 = v11 * x
    v13 = v12 + c[8]
    v14 = v13 * x
    v15 = c[0] + v14
    v16 = v15 * x
    v17 = v16 + c[9]
    out = jnp.broadcast_to(v17, x.shape)
    return out


def _exp_pair(z):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1.8p+23")) + z * jnp.float32(float.fromhex("0x1.715476p+0")))  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - jnp.float32(float.fromhex("0x1.8p+23"))
    r = z - n * jnp.float32(float.fromhex("0x1.62e43p-1"))  # one FMA: exact
    c = n * jnp.float32(float.fromhex("0x1.05c61p-29"))  # e^(-n ln2_lo) = 1 + c
    m = _rounded(_log_sigmoid_expm1(r))  # e^r - 1 - r
    h = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1p+0")) + r)
    lo = r - (h - jnp.float32(float.fromhex("0x1p+0")))  # h + lo = 1 + r exactly (Fast2Sum)
    mid = lo + m
    p = h + mid
    pl = (mid - (p - h)) + c * p  # p + pl = h + mid exactly, then times 1 + c (one FMA)
    return _bits(t) - jnp.int32(0x4B400000), p, pl


def _reciprocal_pair(er, el):
    """1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: 1 + er split exactly, one Newton step."""
    dh = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1p+0")) + er)
    dl = ((jnp.float32(float.fromhex("0x1p+0")) - dh) + er) + el
    g0 = jnp.float32(float.fromhex("0x1p+0")) / dh
    e = jnp.float32(float.fromhex("0x1p+0")) - g0 * dh  # exact residual (one FMA)
    e = e - g0 * dl
    return g0, g0 * e


@jax.jit
def log_sigmoid(x):
    """log_sigmoid(x) = -log(1 + e^-x) in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    w = -x  # log_sigmoid(x) = -softplus(-x): exact
    z = jnp.where(w > jnp.float32(float.fromhex("-0x1.ep+6")), jnp.where(w < jnp.float32(float.fromhex("0x1.d1cb8p+3")), w, jnp.float32(float.fromhex("0x1.d1cb8p+3"))), jnp.float32(float.fromhex("-0x1.ep+6")))  # NaN -> -120
    n, p, pl = _exp_pair(z)  # e^z = 2^n (p + pl)
    s = _pow2(jnp.maximum(n, jnp.int32(-64)))
    eh = p * s  # exact where the log1p path is taken (n >= -15)
    u = jax.lax.optimization_barrier(eh + jnp.float32(float.fromhex("0x1p+0")))  # XLA would fold (eh + 1) - 1 to eh
    v = u - jnp.float32(float.fromhex("0x1p+0"))
    c = ((jnp.float32(float.fromhex("0x1p+0")) - (u - v)) + (eh - v)) + pl * s  # 2Sum: 1 + eh = u + (the first two terms) exactly
    bits_u = _bits(u)  # u >= 1: normal
    e = (bits_u - jnp.int32(0x3F3504F3)) >> 23
    m = _float(bits_u - (e << 23))  # in [sqrt(2)/2, sqrt(2))
    ef = e.astype(jnp.float32)
    f = m - jnp.float32(float.fromhex("0x1p+0"))  # exact
    q = _log_sigmoid_log(f)
    a = ef * jnp.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact
    hi = a + f  # rounds once; exact when e = 0
    lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
    small = ef * jnp.float32(float.fromhex("0x1.7f7d1cp-20")) + lo  # e * LN2_LO + lo, one FMA (XLA fuses)
    tail = (f * f) * q + (c / u + small)  # one FMA (XLA fuses); the division's one use
    near = hi + tail  # log(u) + c/u, one rounding
    half = -((-n) >> 1)
    e_half = eh * jnp.float32(float.fromhex("0x1p-1"))  # E/2 (2^n clamped where E < 2^-64: no matter)
    far = p + (pl - e_half * p)  # (p + pl)(1 - E/2): the inner term one FMA, one rounding
    far = (far * _pow2(half)) * _pow2(n - half)  # times 2^n: exact steps; one rounding if subnormal
    y = jnp.where(w < jnp.float32(float.fromhex("-0x1.4p+3")), far, near)
    y = -jnp.where(w < jnp.float32(float.fromhex("0x1.d1cb8p+3")), y, w)  # w itself from the saturation on; +inf; NaN
    return y


log_sigmoid = _float32_kernel(log_sigmoid)
