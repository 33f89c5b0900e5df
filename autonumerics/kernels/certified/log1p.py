"""log1p(x) = log(1 + x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the core, the division and three roundings in the tail):

* u = 1 + x rounded once and its exact error c (Knuth's 2Sum, no ordering needed): 1 + x = u + c.
  For x > -1 the sum u is at least 2^-24, a normal float, so no subnormal path is needed.
* u = 2^e * m with m in [sqrt(2)/2, sqrt(2)) from its bit pattern (the log kernel's split), f =
  m - 1 exact, and the log kernel's core q(f) ~ (log(1 + f) - f) / f^2 on the same range of f.
* log1p(x) = log(u) + log(1 + c/u), and |c/u| <= 2^-24, so log(1 + c/u) = c/u to 2^-49: the
  correction is one division, rounded once and added inside the tail. It matters where log1p(x)
  is small: for |x| < 2^-25, u = 1 and the result is c/1 = x exactly.
* log1p(x) = hi + ((f * f) q + (c/u + (e LN2_LO + lo))) with hi = e LN2_HI + f and lo its exact
  error (Fast2Sum), as in the log kernel (LN2_HI of 15 bits, so e LN2_HI is exact); the final sum
  rounds once.
* log1p(-1) = -inf, log1p(x < -1) = NaN, log1p(+inf) = +inf, NaN -> NaN, log1p(+-0) = +-0.
  x == 0 selects x itself, which in jitted JAX on CPU (where subnormal x compares equal to 0)
  returns subnormal inputs unchanged: log1p(x) = x there, so JAX, NumPy and C agree on them too.

JAX's own jnp.log1p is 2.4 ULP off on a sample of [-0.99, 100] (x near 0.43); this kernel is
within 1 ULP on every float32 (the certificate).

Subnormal inputs give themselves (log1p(x) = x there): jitted JAX on CPU reads them as 0,
and the x == 0 select returns x unchanged.
Core 'poly' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
    (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log1p(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log1p has both)
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


__all__ = ["log1p"]

KERNEL_NAME = "log1p"
TARGET = "log1p"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log_core.json'}


def _log1p_core(r):
    """(log(1+x) - x)/x**2: (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5 (18 ops, xla, hash 5a389567ede01ba8)."""
    x = jnp.asarray(r, jnp.float32)
    c = jax.lax.optimization_barrier(jnp.array((float.fromhex("0x1.55554e0000000p-2"), float.fromhex("0x1.e4b6340000000p-4"), float.fromhex("-0x1.d641280000000p-4"), float.fromhex("0x1.0feb480000000p-4"), float.fromhex("-0x1.fd6dc60000000p-4"), float.fromhex("0x1.2375200000000p-3"), float.fromhex("-0x1.5553b20000000p-3"), float.fromhex("0x1.99a1380000000p-3"), float.fromhex("-0x1.00001a0000000p-2"), float.fromhex("-0x1.0000000000000p-1")), jnp.float32))
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


@jax.jit
def log1p(x):
    """log(1 + x) in float32 for every input (see the module docstring); subnormal inputs give themselves."""
    x = jnp.asarray(x, jnp.float32)
    u = _rounded(x + jnp.float32(1.0))  # read through a select: XLA would fold (x + 1) - 1 to x
    v = u - jnp.float32(1.0)
    c = (jnp.float32(1.0) - (u - v)) + (x - v)  # 2Sum: 1 + x = u + c exactly
    bits = _bits(u)  # u >= 2^-24 for x > -1: normal
    e = (bits - 0x3F3504F3) >> 23
    m = _float(bits - (e << 23))  # in [sqrt(2)/2, sqrt(2))
    ef = e.astype(jnp.float32)
    f = m - jnp.float32(1.0)  # exact
    q = _log1p_core(f)
    a = ef * jnp.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact
    hi = a + f  # rounds once; exact when e = 0
    lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
    small = ef * jnp.float32(float.fromhex("0x1.7f7d1cp-20")) + lo  # e * LN2_LO + lo, one FMA
    tail = (f * f) * q + (c / u + small)  # log(1 + c/u) = c/u to 2^-49; one FMA, as XLA fuses it
    y = hi + tail
    y = jnp.where(x < jnp.float32(jnp.inf), y, x)  # +inf -> +inf
    y = jnp.where(x > jnp.float32(-1.0), y, jnp.where(x == jnp.float32(-1.0), jnp.float32(-jnp.inf),
                                                      jnp.float32(jnp.nan)))  # -1, x < -1, NaN
    return jnp.where(x == jnp.float32(0.0), x, y)  # +-0 -> +-0 (and subnormal x, which XLA reads as 0, -> x)


log1p = _float32_kernel(log1p)
