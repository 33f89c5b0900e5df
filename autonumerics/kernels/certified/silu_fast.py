"""silu(x) = x sigmoid(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

silu(x) = x sigmoid(x) = x / (1 + e^-x) for every x: one division whose numerator is exact, so
the result carries the core's error, one rounding of 1 + e^-x and the quotient's rounding.

* e^-x = 2^n p: x is clamped to [-112, 87] for the reduction (silu rounds to -0 from -112 down
  and to x from 87 up: e^-87 < 2^-125), n = round(-x log2 e) from the shifter FMA
  t = -x log2e + 1.5 * 2^23 (n in t's low bits), Cody-Waite r = -x - n ln2_hi (exact: ln2_hi
  has 15 bits) then r - n ln2_lo by one FMA (one rounding, <= 2^-26 at |r| ~ 0.35), and the
  exp kernel's core p(r) ~ e^r on [-ln2/2, ln2/2] (its degree-6 polynomial; the degree-5 front
  member gives 4.9 ULP here: its relative error reaches 3.6 * 2^-24).
* x >= 0 (n in [-126, 0]): silu = x / fma(p, 2^n, 1): 1 + E rounded once; x >= 17.33 gives x
  itself, +inf gives +inf, NaN stays NaN, silu(-0) = -0 / 2 = -0.
* x < 0 (n in [0, 162]): e^-x overflows from x = -88.7 on, so numerator and denominator are
  scaled by s = 2^(64 - n) (normal for every n here): silu = (x s) / fma(p, 2^64, s). x s is
  exact (a power of 2, no overflow or underflow, subnormal x included), the denominator is the
  same rounded 1 + e^-x times s, and the quotient rounds once, also where it is subnormal
  (x < -87.3; NumPy and C), and to -0 for x <= -108.7.
* 2^n or 2^(64 - n) from t's bits by one select, numerator and denominator by one FMA with
  selected operands: the division has one user (one XLA loop).

Error budget (relative, units of 2^-24): the core's error (<= 1.4 for the degree-6 core; p's
ULP is 2^-23 above 1) reaches silu times e^-x / (1 + e^-x) < 1, r's rounding <= 0.25, 1 + e^-x
rounds once (<= 1), the quotient once (0.5 ULP): <= 3.2 * 2^-24 + 0.5 ULP in the worst case,
2.9 ULP at most if the result's significand is near 2; 2.40 ULP at most on every float32 of
[-91.8, 32] (x = -16.6997), where every result that is not x, -0 or subnormal lies.
jax.nn.silu computes x * sigmoid(x) and is 1.67e7 ULP off near x = -90 (sigmoid's tail).

Subnormal results (x < -87.3) are returned as 0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = silu_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.silu_fast has both)
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


__all__ = ["silu_fast"]

KERNEL_NAME = "silu_fast"
TARGET = "silu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json'}


def _silu_fast_exp(r):
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
def silu_fast(x):
    """silu(x) = x sigmoid(x) in float32 for every input, <= 3.5 ULP (module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    xn = jnp.where(x < -jnp.float32(float.fromhex("0x1.cp+6")), -jnp.float32(float.fromhex("0x1.cp+6")), x)  # NaN stays NaN
    xr = jnp.where(xn < jnp.float32(float.fromhex("0x1.5cp+6")), xn, jnp.float32(float.fromhex("0x1.5cp+6")))  # x clamped to [-112, 87] (NaN -> 87)
    t = jax.lax.optimization_barrier(-xr * jnp.float32(float.fromhex("0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.8p+23")))  # XLA fuses
    nf = t - jnp.float32(float.fromhex("0x1.8p+23"))  # n = round(v log2 e), exact
    r = -xr - nf * jnp.float32(float.fromhex("0x1.62e4p-1"))  # exact (fused or not)
    r = r - nf * jnp.float32(float.fromhex("0x1.7f7d1cp-20"))  # XLA fuses: fma(-n, ln2_lo, r), one rounding
    p = _silu_fast_exp(r)  # e^r
    neg = x < 0
    k = _bits(t)  # 0x4B400000 + n: its low 9 bits are n's
    # 2^(64-n) where x < 0, else 2^n
    s = _float(jnp.where(neg, jnp.int32(191) - k, k + jnp.int32(127)) << 23)
    b = jnp.where(neg, s, jnp.float32(float.fromhex("0x1p+0")))
    den = p * jnp.where(neg, jnp.float32(float.fromhex("0x1p+64")), s) + b  # XLA fuses: one rounding  # 1 + e^-x, times 2^(64-n) where x < 0
    y = (xn * b) / den  # exact numerator; the division's one use
    return y


silu_fast = _float32_kernel(silu_fast)
