"""2**x in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the core and, for subnormal results, one final rounding):

* x is clamped to [-151, 128] (NaN stays NaN): 2^x rounds to +inf from x = 128 on (2^128 is past
  the largest float32; 2^(128 - 2^-17) is not) and to 0 at x <= -150, so nothing is lost.
* n = round(x) (half to even, by adding 1.5 * 2^23: see SHIFTER), r = x - n in [-1/2, 1/2]:
  exact (|r| <= |x| and r is a multiple of x's unit in the last place). n = floor(x) would not
  do: r = 1 + x rounds for x in (-1, 0).
* p = core(r) ~ 2^r in [0.70, 1.42] (exactly 1 at r = 0, so 2^n is exact for integer x).
* p * 2^n is formed by adding n to p's exponent bits (exact) while the result is normal. NumPy
  and C scale results that may be subnormal (n <= -126) in two steps, by 2^(n+64) (exact, a
  normal number) and by 2^-64, which rounds once (no subnormal intermediate). Jitted JAX on CPU
  flushes subnormal results to zero, so the JAX kernel returns 0 for every result below 2^-126
  (and XLA reads subnormal inputs as 0, where 2^x rounds to 1 anyway).
* x >= 128 gives +inf, NaN gives NaN; exp2(-inf) = 0, exp2(+inf) = inf.

The error is the core's alone: its ULP error on [-1/2, 1/2] carries over unchanged through the
exact scaling (subnormal results add the final rounding's half unit in the last place).

Subnormal results are returned as 0: jitted JAX on CPU flushes them (FTZ), and reads
subnormal inputs as 0 (where the correctly rounded result is 1 anyway).
Core 'poly' (exp2 on [-0.5, 0.5]): autonumerics/kernels/cores/exp2_core.json
    ((((0.009618700481951237 + (0.0013399928575381637 + 0.00015309904119931161 * x) * x) * x + 0.05550336465239525) * x + 0.24022641777992249) * x + 0.6931471824645996) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp2(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.exp2 has both)
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


__all__ = ["exp2"]

KERNEL_NAME = "exp2"
TARGET = "exp2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp2_core.json'}


def _exp2_core(r):
    """exp2: ((((0.009618700481951237 + (0.0013399928575381637 + 0.00015309904119931161 * x) * x) * x + 0.05550336465239525) * x + 0.24022641777992249) * x + 0.6931471824645996) * x + 1.0 (12 ops, xla, hash 6c710c6a7fc72544)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.3b2f820000000p-7")), jnp.float32(float.fromhex("0x1.5f45660000000p-10")), jnp.float32(float.fromhex("0x1.41126c0000000p-13")), jnp.float32(float.fromhex("0x1.c6aefe0000000p-5")), jnp.float32(float.fromhex("0x1.ebfbd40000000p-3")), jnp.float32(float.fromhex("0x1.62e4300000000p-1")), jnp.float32(float.fromhex("0x1.0000000000000p+0")))
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
    out = jnp.broadcast_to(v11, x.shape)
    return out


@jax.jit
def exp2(x):
    """2**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -151.0, jnp.float32(-151.0), x)  # x >= 128 and NaN are selected at the end
    t = clamped + jnp.float32(float.fromhex("0x1.8p+23"))  # n = round(x), half to even, in t's low bits
    # n from t's bits, converted exactly (XLA would fold (x + S) - S to x)
    whole = (_bits(t) - 0x4B400000).astype(jnp.float32)
    p = _exp2_core(clamped - whole)  # 2^r, r = x - n exact
    bits = _bits(p) + (_bits(t) << 23)  # p * 2^n on the exponent bits: exact for results >= 2^-126
    y = jnp.where(bits < 0x00800000, jnp.float32(0.0), _float(bits))  # below 2^-126: 0, as XLA flushes
    return jnp.where(x < 128.0, y, x + jnp.float32(jnp.inf))  # x >= 128: +inf; NaN: NaN


exp2 = _float32_kernel(exp2)
