"""expm1(x) = exp(x) - 1 in float32 for every input: a full-range kernel exported by autonumerics (jax).

The accurate kernel carries e^x as an unrounded pair and subtracts 1 by an exact 2Sum (48 ops);
at 3.5 ULP one FMA does, because the error of m reaches the result amplified by at most
2^n |m| / |e^x - 1| <= 1.41 (n = 1, r = -ln2/2; 0.71 for n = -1, less elsewhere):

* x is clamped to [-17.5, 88.72283935546875], a max and a min that keep NaN: expm1 rounds to -1
  for x <= -17.32868 (and -inf), and to +inf from 88.72283935546875 on.
* n = round(x log2 e), half to even, from t = fma(x, log2 e, 1.5 * 2^23 + 127), whose low bits
  hold n + 127 (exp2.SHIFTER), read through an optimization barrier (XLA would fold
  (v + S) - S to v); t is capped at n = 127 (a min), so that 2^n = float(bits(t) << 23) is a
  normal float32 for every n in [-25, 127].
* r = x - n ln 2 in two FMAs, as in the exp_fast kernel: ln2_hi = ln 2 rounded down to 24 bits
  (x - n ln2_hi is exact: for n != 0, x and n ln2_hi are multiples of 2^-25 and |r| < 1/2, or,
  under the cap, multiples of 2^-24 and r < 1), then r = fma(-n, ln2_lo, r1) rounds once (for
  n = 0, r = x exactly). Both constants are below
  ln 2, so for x = -0 (n = +0) both products are -0 and r stays -0. |r| <= 0.34658 except under
  the cap (x >= 127.5 ln 2 = 88.376), where r reaches ln 2 + 2.4e-7.
* m = core(r) ~ e^r - 1 on [-0.3466, 0.6932], relatively accurate down to r = 0 and ending in a
  product by r, so that m(-0) = -0 and m(x) = x for tiny x.
* y = fma(m, 2^n, -(1 - 2^n)), rounded once. n = 0: y = m (1 - 1 = +0, and -0 - +0 = -0 keeps
  expm1(-0) = -0). 1 - 2^n is exact for -24 <= n <= 24; for n >= 25 it rounds to -2^n, an error
  of 1 in a result >= 2^24 (<= 0.5 ULP), and for n = -25 to 1, an error of 2^-25 in a result
  near -1 (<= 0.71 ULP, there where the result is -1 or -1 + 2^-24). n = 127 and r near ln 2 give
  2^127 (1 + m), which rounds to +inf exactly when e^x does: x = 88.72283935546875 (r = ln 2 +
  2.4e-7, m > 1) gives +inf, the float32 below it 2^128 (1 - 7.6e-6).
* NaN -> NaN, -inf -> -1, +inf -> +inf, +-0 -> +-0: no select. Subnormal x (NumPy, C): r = x,
  m = x P(x) = x, y = x. Jitted JAX on CPU reads subnormal x as 0 and returns 0 (DAZ).

Error: the core's (<= ~1 ULP of m) times the amplification, plus r's rounding for n != 0 (at
most 0.35 ULP of m at |r| = 0.35) and the final rounding. Cost: 3 clamps, 2 FMAs and a
subtraction for n and r, the core, a shift, a subtraction and one FMA.

Subnormal inputs give 0: jitted JAX on CPU reads them as 0 (DAZ). No result is subnormal.
Core 'expm1' (expm1 on [-0.3466, 0.6932]): autonumerics/kernels/cores/expm1_fast_core.json
    (((((0.008327087387442589 + (0.0013853427954018116 + 0.00023079797392711043 * x) * x) * x + 0.041667696088552475) * x + 0.16666698455810547) * x + 0.4999999701976776) * x + 1.0) * x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = expm1_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.expm1_fast has both)
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


__all__ = ["expm1_fast"]

KERNEL_NAME = "expm1_fast"
TARGET = "expm1"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/expm1_fast_core.json'}


def _expm1_fast_core(r):
    """expm1: (((((0.008327087387442589 + (0.0013853427954018116 + 0.00023079797392711043 * x) * x) * x + 0.041667696088552475) * x + 0.16666698455810547) * x + 0.4999999701976776) * x + 1.0) * x (13 ops, xla, hash 6a1e38b10d435ede)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.10dcac0000000p-7")), jnp.float32(float.fromhex("0x1.6b28c80000000p-10")), jnp.float32(float.fromhex("0x1.e404b80000000p-13")), jnp.float32(float.fromhex("0x1.55577e0000000p-5")), jnp.float32(float.fromhex("0x1.5555800000000p-3")), jnp.float32(float.fromhex("0x1.fffffe0000000p-2")), jnp.float32(float.fromhex("0x1.0000000000000p+0")))
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
    out = jnp.broadcast_to(v12, x.shape)
    return out


@jax.jit
def expm1_fast(x):
    """e^x - 1 in float32 for every input (see the module docstring); subnormal inputs read as 0."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -17.5, jnp.float32(-17.5), x)  # a max and a min; NaN stays NaN
    clamped = jnp.where(clamped > jnp.float32(float.fromhex("0x1.62e430p+6")), jnp.float32(float.fromhex("0x1.62e430p+6")), clamped)
    # n + 127 in t's low bits, n = round(x log2 e): one FMA (the barrier keeps XLA from folding t - S)
    t = jax.lax.optimization_barrier(clamped * jnp.float32(float.fromhex("0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.8000fep+23")))
    t = jnp.where(t > jnp.float32(float.fromhex("0x1.8001fcp+23")), jnp.float32(float.fromhex("0x1.8001fcp+23")), t)  # n <= 127
    whole = t - jnp.float32(float.fromhex("0x1.8000fep+23"))  # n, exactly
    r = clamped - whole * jnp.float32(float.fromhex("0x1.62e42ep-1"))  # XLA fuses: fma(-n, ln2_hi, x), exact
    r = r - whole * jnp.float32(float.fromhex("0x1.efa39ep-25"))  # XLA fuses: fma(-n, ln2_lo, r)
    m = _expm1_fast_core(r)  # e^r - 1
    scale = _float(_bits(t) << 23)  # 2^n
    return m * scale - (jnp.float32(1.0) - scale)  # XLA fuses: one FMA, one rounding


expm1_fast = _float32_kernel(expm1_fast)
