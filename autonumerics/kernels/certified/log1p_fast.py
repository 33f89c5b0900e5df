"""log1p(x) = log(1 + x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the sum giving f, the core and the final rounding):

* u = 1 + x rounded; for x > -1, u >= 2^-24 is normal. e = (bits(u) - bits(0.70710677)) >> 23,
  so that u 2^-e is in [sqrt(2)/2, sqrt(2)). The rounding of u only moves e near a boundary of
  that range, where f then lands a few ULPs past its end (the core is searched on the float32
  range of m - 1 and continues smoothly there).
* f = (1 + x) 2^-e - 1 = x 2^-e - (1 - 2^-e), without the rounding of u: x 2^-e is exact, made by
  subtracting e << 23 from x's bits (x 2^-e is a normal number whenever e != 0, and e = 0 leaves
  the bits as they are, subnormal x included); 2^-e from its exponent bits (e <= 126; past it,
  the bits max(0x3F800000 - (e << 23), 0) give 0 and 1 - 2^-e = 1, its correctly rounded value);
  1 - 2^-e is exact for e <= 24. The subtraction rounds once, and only where e >= 1 (x >= 0.41):
  for e = 0, f = x exactly (so log1p keeps its relative accuracy however small x is); for e < 0
  (x < -0.29), f is exact too (a multiple of 2^-e ulp(x), below 1/2 in magnitude). For e >= 1
  the rounding moves the result by at most ~0.7 ULP (f < 1/2 moves by < 2^-26, the result
  |log1p x| >= 0.34 has an ULP >= 2^-25).
* The log_fast kernel's core form t(f) ~ log(1 + f), and log1p(x) = fma(e, LN2, t), rounded once:
  for e = 0 the result is t; otherwise an ULP of t is at most one of the result (the log_fast
  kernel's argument). Error: t's own + 0.5 + ~0.05 (LN2) + the rounding of f for e >= 1.
* Specials by selects: x > -1 keeps the result, else -inf (x = -1) or NaN (x < -1, NaN); +inf ->
  +inf; x == 0 gives x itself (+-0 keep their sign; in jitted JAX on CPU, which reads subnormal x
  as 0, subnormal inputs give themselves, as NumPy and C compute them: log1p(x) = x there).

Subnormal inputs give themselves (log1p(x) = x there): jitted JAX on CPU reads them as 0,
and the x == 0 select returns x unchanged.
Core 'poly' (log(1+x) on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log1p_fast_core.json
    ((((((0.14882445335388184 + (-0.1432069092988968 + 0.0884004458785057 * x) * x) * x + -0.1656574159860611) * x + 0.1996522843837738) * x + -0.2500211000442505) * x + 0.33333879709243774) * x + -0.49999985098838806) * (x * x) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log1p_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log1p_fast has both)
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


__all__ = ["log1p_fast"]

KERNEL_NAME = "log1p_fast"
TARGET = "log1p"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log1p_fast_core.json'}


def _log1p_fast_core(r):
    """log(1+x): ((((((0.14882445335388184 + (-0.1432069092988968 + 0.0884004458785057 * x) * x) * x + -0.1656574159860611) * x + 0.1996522843837738) * x + -0.2500211000442505) * x + 0.33333879709243774) * x + -0.49999985098838806) * (x * x) + x (17 ops, xla, hash a1737112b4bc4214)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.30cae00000000p-3")), jnp.float32(float.fromhex("-0x1.2549aa0000000p-3")), jnp.float32(float.fromhex("0x1.6a16960000000p-4")), jnp.float32(float.fromhex("-0x1.5344320000000p-3")), jnp.float32(float.fromhex("0x1.98e34c0000000p-3")), jnp.float32(float.fromhex("-0x1.0005880000000p-2")), jnp.float32(float.fromhex("0x1.5556c40000000p-2")), jnp.float32(float.fromhex("-0x1.fffff60000000p-2")))
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
    v10 = v9 * x
    v11 = v10 + c[6]
    v12 = v11 * x
    v13 = v12 + c[7]
    v14 = x * x
    v15 = v13 * v14
    v16 = v15 + x
    out = jnp.broadcast_to(v16, x.shape)
    return out


@jax.jit
def log1p_fast(x):
    """log(1 + x) in float32 for every input (see the module docstring); subnormal inputs give themselves."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    e = (_bits(x + jnp.float32(1.0)) - 0x3F3504F3) >> 23  # 1 + x rounded: u 2^-e in [sqrt(2)/2, sqrt(2))
    k = e << 23
    xs = _float(bits - k)  # x 2^-e, exact
    s = _float(jnp.maximum(0x3F800000 - k, 0))  # 2^-e (0 past e = 126)
    f = xs - (jnp.float32(1.0) - s)  # (1 + x) 2^-e - 1, rounded once (exact for e <= 0)
    q = _log1p_fast_core(f)
    y = e.astype(jnp.float32) * jnp.float32(float.fromhex("0x1.62e43p-1")) + q  # one FMA, as XLA fuses it
    y = jnp.where(x < jnp.float32(jnp.inf), y, x)  # +inf -> +inf
    y = jnp.where(x > jnp.float32(-1.0), y, jnp.where(x == jnp.float32(-1.0), jnp.float32(-jnp.inf),
                                                      jnp.float32(jnp.nan)))  # -1, x < -1, NaN
    return jnp.where(x == jnp.float32(0.0), x, y)  # +-0 -> +-0 (and subnormal x, which XLA reads as 0, -> x)


log1p_fast = _float32_kernel(log1p_fast)
