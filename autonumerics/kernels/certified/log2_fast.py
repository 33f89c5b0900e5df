"""log2(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the core and the one rounding at the end):

* e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
  f = m - 1 in [-0.2929, 0.4142] exact (Sterbenz), e exact as a float32.
* The core p(f) ~ P(f) = log2(1 + f) / f (P in [1.21, 1.71]), searched on the float32 range of f.
* log2(x) = fma(f, p, e), rounded once. Near x = 1 (e = 0) this is f p rounded once: the
  result keeps its relative accuracy however small it is. For e != 0, |f p| = |log2 m| <= 1/2 <=
  |log2 x|, so no cancellation amplifies p's error. Error: 0.5 ULP (the rounding) plus p's error
  in relative terms, which reaches at most ~1.7 ULP of the result per ULP of p (where P = 1.21 and
  the result lies just above a power of two). Powers of two give e exactly.
* Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
  +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.
* Subnormal inputs: jitted JAX on CPU reads them as 0 (DAZ), so x > 0 is false and the JAX export
  gives -inf (NaN for negative ones, read from the sign bit), as jnp.log2 does. NumPy and C, which
  see them, first scale them by 2^23 (exact) and take 23 from e.

Subnormal inputs: jitted JAX on CPU reads them as 0 (-inf; NaN for negative ones, read from the
sign bit), as jnp does.
Core 'poly' (log2(1+x)/x on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log2_fast_core.json
    (-0.7213473320007324 + ((((((-0.19061262905597687 + (0.1878267526626587 + -0.11297498643398285 * x) * x) * x + 0.20429600775241852) * x + -0.2396365851163864) * x + 0.28858479857444763) * x + -0.3606967628002167) * x + 0.4808981716632843) * x) * x + 1.4426950216293335
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log2_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log2_fast has both)
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


__all__ = ["log2_fast"]

KERNEL_NAME = "log2_fast"
TARGET = "log2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log2_fast_core.json'}


def _log2_fast_core(r):
    """log2(1+x)/x: (-0.7213473320007324 + ((((((-0.19061262905597687 + (0.1878267526626587 + -0.11297498643398285 * x) * x) * x + 0.20429600775241852) * x + -0.2396365851163864) * x + 0.28858479857444763) * x + -0.3606967628002167) * x + 0.4808981716632843) * x) * x + 1.4426950216293335 (18 ops, xla, hash e805eadac9746fae)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.7154700000000p-1")), jnp.float32(float.fromhex("-0x1.865fea0000000p-3")), jnp.float32(float.fromhex("0x1.80ab500000000p-3")), jnp.float32(float.fromhex("-0x1.cebedc0000000p-4")), jnp.float32(float.fromhex("0x1.a265f20000000p-3")), jnp.float32(float.fromhex("-0x1.eac6960000000p-3")), jnp.float32(float.fromhex("0x1.2782c60000000p-2")), jnp.float32(float.fromhex("-0x1.715a7e0000000p-2")), jnp.float32(float.fromhex("0x1.ec70920000000p-2")), jnp.float32(float.fromhex("0x1.7154760000000p+0")))
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
def log2_fast(x):
    """log2(x) in float32 for every input (see the module docstring); subnormal inputs read as 0."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    e = (bits - 0x3F3504F3) >> 23
    f = _float(bits - (e << 23)) - jnp.float32(1.0)  # m - 1, exact: m in [sqrt(2)/2, sqrt(2))
    ef = e.astype(jnp.float32)
    q = _log2_fast_core(f)
    y = f * q + ef  # one FMA, as XLA fuses it: log2 x rounded once
    y = jnp.where(x > jnp.float32(0.0), y, jnp.float32(-jnp.inf))  # +-0 (subnormals: read as 0)
    y = jnp.where(bits >= 0x7F800000, x, y)  # +inf -> +inf, +NaN -> NaN
    return jnp.where(bits - 1 < -1, jnp.float32(jnp.nan), y)  # sign bit set, not -0: NaN


log2_fast = _float32_kernel(log2_fast)
