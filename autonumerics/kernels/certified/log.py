"""log(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction: the log2 kernel's (``autonumerics.kernels.log2``): subnormal inputs normalised on
the integer side, m in [sqrt(2)/2, sqrt(2)), f = m - 1 exact. Unlike log2, f^2 is rounded once
(log2 carries it exactly as fh^2 + fl (f + fh)): here the tail f^2 q is at most a fifth of the
result and the leading part f enters hi exactly, so the rounding reaches the result damped enough
(max 0.84 ULP against 0.75 with the exact square, for 5 ops fewer). Then:

* The core q(f) ~ Q(f) = (log(1 + f) - f) / f^2, searched on the float32 range of f.
* ln2 = LN2_HI + LN2_LO (Cody-Waite) with LN2_HI = 0x1.62e4p-1 of 15 significant bits, so
  e * LN2_HI is exact for |e| <= 149. hi = e LN2_HI + f rounds once and lo = (e LN2_HI - hi) + f
  is its exact error (Fast2Sum: |e LN2_HI| >= 0.69 > |f| when e != 0; hi = f when e = 0).
* log(x) = hi + ((f * f) q + (e LN2_LO + lo)), the products by q and by LN2_LO fused into the
  additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs). The tail
  is at most a fifth of the result (near |f| = 0.41), so q's error reaches the result damped at
  least four times; the final sum rounds once.
* log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, log(1) = +0, NaN -> NaN.

Subnormal inputs are normalised with integer operations, so every language computes them
correctly (jitted JAX on CPU included, which reads subnormal floats as 0); no result is subnormal.
Core 'poly' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
    (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
The JAX, NumPy and C versions agree bit for bit.
Usage: y = log(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log has both)
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


__all__ = ["log"]

KERNEL_NAME = "log"
TARGET = "log"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log_core.json'}


def _log_core(r):
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
def log(x):
    """log(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    tiny = bits < 0x00800000  # subnormal (or zero, or negative: selected away at the end)
    nbits = jnp.where(tiny, _bits(bits.astype(jnp.float32)), bits)  # k -> float(k), exact
    e = (nbits - 0x3F3504F3) >> 23
    m = _float(nbits - (e << 23))  # in [sqrt(2)/2, sqrt(2))
    ef = (e - jnp.where(tiny, 149, 0)).astype(jnp.float32)
    f = m - jnp.float32(1.0)  # exact
    q = _log_core(f)
    a = ef * jnp.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact (|e| <= 149)
    hi = a + f  # rounds once; exact when e = 0
    lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
    small = ef * jnp.float32(float.fromhex("0x1.7f7d1cp-20")) + lo  # e * LN2_LO + lo, one FMA
    tail = (f * f) * q + small  # f^2 rounded once; one FMA, as XLA fuses it
    y = hi + tail
    y = jnp.where(bits < 0, jnp.float32(jnp.nan), y)  # x < 0 (and -0, -NaN)
    y = jnp.where(bits >= 0x7F800000, x, y)  # +inf -> +inf, +NaN -> NaN
    # +-0 -> -inf. Not (bits << 1) == 0: LLVM rewrites that test into x == 0.0, which is true for
    # subnormal x where XLA flushes them (DAZ); nbits is 0 only for +0, and -0 has its own pattern.
    return jnp.where((nbits == 0) | (bits == -0x80000000), jnp.float32(-jnp.inf), y)


log = _float32_kernel(log)
