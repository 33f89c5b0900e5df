"""2**x in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except r for x in (-1, 0), the core and the final product for
subnormal results):

* x is clamped to [-127, 128] (JAX; NumPy and C clamp at -151 to compute subnormal results), a
  max and a min that keep NaN: 2^x rounds to +inf from x = 128 on and every result below 2^-126
  is flushed to 0 by jitted JAX on CPU anyway, so nothing is lost.
* n = floor(x) (one rounding instruction), r = x - n in [0, 1]: exact for |x| >= 1 and x >= 0
  (a multiple of x's unit in the last place, not above |x|); for x in (-1, 0), r = 1 + x rounds
  once (<= 2^-25, at most 0.35 ULP of the result).
* p = fma(r, q(r), 1) ~ 2^r in [1, 2], rounded once, q(r) ~ (2^r - 1)/r in [0.69, 1] the core:
  p = 1 exactly at r = 0 (integer x give exact powers of two) and p >= 1 for every r >= 0
  (x = -126 + r is a normal result, which must not fall below 2^-126), whatever q's constants.
  q's error reaches p damped: u ULP of q (an ULP of 2^-24) move p (an ULP of 2^-23) by at most
  r u / 2 ULP, most near r = 1.
* 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), whose low bits hold n + 127
  (exp2.SHIFTER): for n in [-126, 127] a normal power of two, so p * 2^n is exact while the result
  is normal, and rounds to a subnormal that jitted JAX flushes to 0 (FTZ); n = -127 (x < -126
  after the clamp) gives the bits 0, so 0 * p = 0; n = 128 (x = 128 after the clamp) gives the
  bits of +inf, so inf * p(0) = inf. A NaN input stays NaN through every step (NaN * anything).
  No select is needed: the round-to-nearest reduction of the accurate kernel puts p in
  [0.70, 1.42] and so needs 2^n for n in [-126, 128], one exponent more than a float32 has.
* NumPy and C compute results below 2^-126 (n <= -127) in two steps, p * 2^(n+64) exactly, then
  times 2^-64 with one rounding, as the accurate kernel does.
* exp2(-inf) = 0, exp2(+inf) = inf, exp2(NaN) = NaN.

Error: p's error on [0, 1] (q's, damped, plus p's rounding: 0.96 ULP at most, near r = 1)
carries over unchanged through the exact scaling, plus r's rounding for x in (-1, 0): 1.31 ULP at
most on every float32 of [-0.25, -0.0001] (near x = -0.001), 0.96 on [1, 2]. Cost: 2 clamps,
floor, add, subtract, 6 FMAs (5 in q), a shift and a multiply per element.

Subnormal results are returned as 0: jitted JAX on CPU flushes them (FTZ), and reads
subnormal inputs as 0 (where the correctly rounded result is 1 anyway).
Core 'poly' ((2**x - 1)/x on [-9.5367431640625e-07, 1.0]): autonumerics/kernels/cores/exp2_fast_core.json
    (((0.009652688167989254 + (0.001268653548322618 + 0.00020840471552219242 * x) * x) * x + 0.05549585074186325) * x + 0.24022720754146576) * x + 0.6931471824645996
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp2_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.exp2_fast has both)
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


__all__ = ["exp2_fast"]

KERNEL_NAME = "exp2_fast"
TARGET = "exp2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp2_fast_core.json'}


def _exp2_fast_core(r):
    """(2**x - 1)/x: (((0.009652688167989254 + (0.001268653548322618 + 0.00020840471552219242 * x) * x) * x + 0.05549585074186325) * x + 0.24022720754146576) * x + 0.6931471824645996 (10 ops, xla, hash f30e1adc94afbb44)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.3c4c9e0000000p-7")), jnp.float32(float.fromhex("0x1.4c91e60000000p-10")), jnp.float32(float.fromhex("0x1.b50e6e0000000p-13")), jnp.float32(float.fromhex("0x1.c69f3c0000000p-5")), jnp.float32(float.fromhex("0x1.ebfc3e0000000p-3")), jnp.float32(float.fromhex("0x1.62e4300000000p-1")))
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
    out = jnp.broadcast_to(v9, x.shape)
    return out


@jax.jit
def exp2_fast(x):
    """2**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -127.0, jnp.float32(-127.0), x)  # a max and a min; NaN stays NaN
    clamped = jnp.where(clamped > 128.0, jnp.float32(128.0), clamped)
    whole = jnp.floor(clamped)  # n
    t = whole + jnp.float32(float.fromhex("0x1.8000fep+23"))  # n + 127 in t's low bits
    r = clamped - whole  # in [0, 1]
    p = r * _exp2_fast_core(r) + jnp.float32(1.0)  # 2^r: one FMA, as XLA fuses it
    return p * _float(_bits(t) << 23)  # times 2^n: 0 for n = -127, +inf for n = 128


exp2_fast = _float32_kernel(exp2_fast)
