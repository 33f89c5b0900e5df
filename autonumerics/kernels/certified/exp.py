"""e**x in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction:

* x is clamped to [-104, 89] (NaN stays NaN): e^x rounds to 0 for x <= -103.972077 (below
  2^-150) and to +inf from x = 88.72283935546875 on (the first float32 whose e^x is past
  2^128 - 2^103), so nothing is lost.
* n = round(x * log2(e)), half to even, from t = fma(x, log2(e), 1.5 * 2^23) (n = t - 1.5 * 2^23
  exactly, and t's low bits hold n: see exp2.SHIFTER); any nearby integer works, r only has to
  stay near [-ln2/2, ln2/2].
* r = x - n ln2 in two steps (Cody-Waite): ln2_hi = 0x1.62e4p-1 has 15 significant bits, so
  n * ln2_hi is exact for |n| <= 151 and x - n * ln2_hi is exact (a multiple of x's unit in the
  last place, smaller than x); then r = fma(-n, ln2_lo, r1) with ln2_lo = float32(ln2 - ln2_hi),
  rounded once (jitted JAX fuses ``r1 - n * ln2_lo`` into exactly this FMA; NumPy and C write it).
  r carries one rounding (<= 2^-26 at |r| ~ 0.35) and ln2_lo's own error (< 2^-44 per unit of n).
* p = core(r) ~ e^r in [0.70, 1.42] (exactly 1 at r = 0).
* p * 2^n as in the exp2 kernel: exactly on the exponent bits while the result is normal, in two
  steps (2^(n+64), then 2^-64: one rounding) for subnormal results, which jitted JAX on CPU
  flushes to zero.
* x >= 88.72283935546875 gives +inf, NaN gives NaN; exp(-inf) = 0, exp(+inf) = inf.

Subnormal results are returned as 0: jitted JAX on CPU flushes them (FTZ), and reads
subnormal inputs as 0 (where the correctly rounded result is 1 anyway).
Core 'poly' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.exp has both)
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


__all__ = ["exp"]

KERNEL_NAME = "exp"
TARGET = "exp"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp_core.json'}


def _exp_core(r):
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
def exp(x):
    """e**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -104.0, jnp.float32(-104.0), x)  # overflow and NaN are selected at the end
    # n = round(x log2 e) in t's low bits (XLA fuses the multiply-add: one rounding, as fma)
    t = clamped * jnp.float32(float.fromhex("0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.8p+23"))
    whole = (_bits(t) - 0x4B400000).astype(jnp.float32)  # n, exactly (XLA would fold (v + S) - S to v)
    r = clamped - whole * jnp.float32(float.fromhex("0x1.62e4p-1"))  # exact
    r = r - whole * jnp.float32(float.fromhex("0x1.7f7d1cp-20"))  # XLA fuses: fma(-n, ln2_lo, r), one rounding
    p = _exp_core(r)  # e^r
    bits = _bits(p) + (_bits(t) << 23)  # p * 2^n on the exponent bits: exact for results >= 2^-126
    y = jnp.where(bits < 0x00800000, jnp.float32(0.0), _float(bits))  # below 2^-126: 0, as XLA flushes
    return jnp.where(x < jnp.float32(float.fromhex("0x1.62e430p+6")), y, x + jnp.float32(jnp.inf))  # inf; NaN


exp = _float32_kernel(exp)
