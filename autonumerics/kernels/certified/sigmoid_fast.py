"""sigmoid(x) = 1/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the core, two Cody-Waite roundings, one FMA and the
division):

* x is clamped to [-104, 40] (NaN stays NaN: both comparisons are false). sigmoid rounds to 0
  for x <= -103.972084 (below 2^-150) and to 1 from x = 17.3286800 on, so nothing is lost; the
  clamp keeps 2^(n - 64) normal and the reduction finite.
* n = round(-x log2 e) from t = fma(x, -log2 e, 1.5 * 2^23 - 64): n = t - (1.5 * 2^23 - 64)
  exactly, and t's low bits hold n - 64 (bits(t) << 23 = (n - 64) << 23, the offset folded into
  the shifter); any nearby integer works.
* r = -x - n ln2 in two steps (Cody-Waite, the exp kernel's constants): -x - n ln2_hi is exact
  (ln2_hi has 15 significant bits, |n| <= 151), then r = fma(-n, ln2_lo, r1) rounds once, |r| <=
  ln2/2. Two constants keep e^-x within the core's error out to x = -104, where sigmoid ~ e^x
  inherits e^-x's relative error in full.
* p = core(r) ~ e^r (the exp kernel's evolved core on [-ln2/2, ln2/2]); w = 2^(n - 64) built on
  the exponent bits of 1 from t (n - 64 stays in [-122, 87]).
* sigmoid = s / fma(w, p, s) with s = 2^-64: 1/(1 + e^-x) scaled so that e^-x up to e^104 fits.
  w p = 2^-64 e^-x is exact inside the FMA, which rounds s + w p once; then one division. p
  enters through arithmetic, not through its bits, so a NaN of any payload gives NaN.
* Error: for x >= 0, e^-x <= 1 and its error is damped by E/(1 + E) <= 1/2; for x < 0 the
  result's relative error is e^-x's (the core's <= 0.7 ULP and r's rounding) plus the FMA's and
  the division's roundings: 2.48 ULP at most over every float32 of the worst binade,
  [-32, -16], 2.17 on every 1009th bit pattern of the whole line. Results below 2^-126
  (x < -87.3365) come out of the division rounded once (NumPy, C; jitted JAX on CPU flushes
  them to 0), exactly 0 from -103.972084 down (as rounded exactly). The result is exactly 1 from
  x = 16.635532 on (1 ULP off there; the exact sigmoid rounds to 1 from 17.3286800 on).

sigmoid(-x) = 1 - sigmoid(x) is never used: for x < 0 the quotient is small by itself, with no
cancellation. JAX's own jax.nn.sigmoid is 4.7e6 ULP off in its far negative tail.

Subnormal results (x < -87.3365) are returned as 0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0, where the correctly rounded result is 1/2 anyway.
Core 'poly' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = sigmoid_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.sigmoid_fast has both)
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


__all__ = ["sigmoid_fast"]

KERNEL_NAME = "sigmoid_fast"
TARGET = "sigmoid"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp_core.json'}


def _sigmoid_fast_poly(r):
    """exp: ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0 (12 ops, xla, hash a3b9a3dae7fd9236)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.555a2a0000000p-5")), jnp.float32(float.fromhex("0x1.126d280000000p-7")), jnp.float32(float.fromhex("0x1.69e03a0000000p-10")), jnp.float32(float.fromhex("0x1.5554300000000p-3")), jnp.float32(float.fromhex("0x1.fffff60000000p-2")), jnp.float32(float.fromhex("0x1.0000000000000p+0")), jnp.float32(float.fromhex("0x1.0000000000000p+0")))
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
    v11 = v10 + c[5]
    out = jnp.broadcast_to(v11, x.shape)
    return out


@jax.jit
def sigmoid_fast(x):
    """sigmoid(x) = 1/(1 + e^-x) in float32 for every input, within 3.5 ULP (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    xc = jnp.where(x < jnp.float32(float.fromhex("-0x1.ap+6")), jnp.float32(float.fromhex("-0x1.ap+6")), x)  # NaN stays NaN
    xc = jnp.where(xc > jnp.float32(float.fromhex("0x1.4p+5")), jnp.float32(float.fromhex("0x1.4p+5")), xc)
    t = xc * jnp.float32(float.fromhex("-0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.7fff8p+23"))  # XLA fuses: one rounding
    n = jax.lax.optimization_barrier(t) - jnp.float32(float.fromhex("0x1.7fff8p+23"))  # exact (XLA would fold (v + S) - S to v)
    r = n * jnp.float32(float.fromhex("-0x1.62e4p-1")) - xc  # -x - n ln2_hi, exact
    r = r - n * jnp.float32(float.fromhex("0x1.7f7d1cp-20"))  # XLA fuses: fma(-n, ln2_lo, r), one rounding
    p = _sigmoid_fast_poly(r)  # e^r
    w = _float((_bits(t) << 23) + jnp.int32(0x3F800000))  # 2^(n - 64), exact
    den = w * p + jnp.float32(float.fromhex("0x1p-64"))  # XLA fuses: fma(w, p, s), one rounding
    y = jnp.float32(float.fromhex("0x1p-64")) / den  # 1/(1 + e^-x); the division's one use
    return y


sigmoid_fast = _float32_kernel(sigmoid_fast)
