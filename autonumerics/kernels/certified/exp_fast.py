"""e**x in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction:

* x is clamped to [-88, 88.72283935546875] (JAX; NumPy and C clamp at -104 to compute subnormal
  results), a max and a min that keep NaN: e^x rounds to +inf from 88.72283935546875 on (the
  first float32 whose e^x is past 2^128 - 2^103), and every result below 2^-126 (x below
  -87.3365) is flushed to 0 by jitted JAX on CPU anyway.
* n = floor(float32(x log2 e)) (a multiply and one rounding instruction). The product's rounding
  can put n one off floor(x log2 e) where x log2 e is within ~6e-6 of an integer; then r below
  leaves [0, ln 2] by at most 4e-6, which the core's interval covers, and the result is the same.
  At the two ends that matter this does not happen: the first x with e^x >= 2^-126
  (-87.33654022216797) gets n = -126 and the last x below overflow (88.72283172607422) n = 127.
* r = x - n ln 2 in two FMAs: ln2_hi = 0x1.62e42ep-1 (ln 2 rounded down to 24 bits, a multiple
  of 2^-24) makes x - n ln2_hi exact for |x| >= 1/2 (a multiple of 2^-24 below 1) and for n = 0,
  and rounds it once for x in [-1/2, 0) (n = -1); then r = fma(-n, ln2_lo, r1), ln2_lo =
  0x1.efa39ep-25 (ln 2 - ln2_hi to 2^-49), rounds once more. r is off by at most 2^-24 (x in
  [-1/2, 0)), else 2^-25: at most 1 ULP, else 0.5 ULP, of the result.
* p = fma(r, q(r), 1) ~ e^r in [1, 2], rounded once, q(r) ~ (e^r - 1)/r in [1, 1.45] the core:
  p = 1 exactly at r = 0 and p >= 1 for r >= 0 (so x = -126 ln 2 + r, a normal result, stays
  normal), whatever q's constants. u ULP of q (an ULP of 2^-23) move p by at most r u ULP.
  p's error on [0, ln 2] is 1.09 ULP at most (near r = ln 2).
* y = p * 2^n with 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), exactly as in
  the exp2_fast kernel: exact while the result is normal, flushed to 0 by jitted JAX below 2^-126
  (and 0 * p = 0 for n = -127, x <= -88), +inf * p for n = 128 (x = 88.72283935546875 after the
  clamp: r = 2.4e-7, p >= 1). NumPy and C scale n <= -127 in two steps (one rounding).
* exp(-inf) = 0, exp(+inf) = inf, exp(NaN) = NaN: no select.

Error: p's plus r's rounding: 1.56 ULP at most on every float32 of [-0.25, -0.0001] (near
x = -0.0006), 1.53 on [-20, -2], 1.48 on [64, 88.72]. Cost: 2 clamps, a multiply, floor, add,
2 FMAs for r, 6 FMAs (5 in q), a shift and a multiply.

Subnormal results are returned as 0: jitted JAX on CPU flushes them (FTZ), and reads
subnormal inputs as 0 (where the correctly rounded result is 1 anyway).
Core 'poly' (expm1(x)/x on [-1.52587890625e-05, 0.6931610107421875]): autonumerics/kernels/cores/exp_fast_core.json
    (((0.041810788214206696 + (0.007937006652355194 + 0.0018748915754258633 * x) * x) * x + 0.16664348542690277) * x + 0.5000013113021851) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = exp_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.exp_fast has both)
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


__all__ = ["exp_fast"]

KERNEL_NAME = "exp_fast"
TARGET = "exp"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/exp_fast_core.json'}


def _exp_fast_core(r):
    """expm1(x)/x: (((0.041810788214206696 + (0.007937006652355194 + 0.0018748915754258633 * x) * x) * x + 0.16664348542690277) * x + 0.5000013113021851) * x + 1.0 (10 ops, xla, hash fbe088754f1e9a89)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.5683940000000p-5")), jnp.float32(float.fromhex("0x1.0414700000000p-7")), jnp.float32(float.fromhex("0x1.eb7dd80000000p-10")), jnp.float32(float.fromhex("0x1.55492e0000000p-3")), jnp.float32(float.fromhex("0x1.00002c0000000p-1")), jnp.float32(float.fromhex("0x1.0000000000000p+0")))
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
def exp_fast(x):
    """e**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -88.0, jnp.float32(-88.0), x)  # a max and a min; NaN stays NaN
    clamped = jnp.where(clamped > jnp.float32(float.fromhex("0x1.62e430p+6")), jnp.float32(float.fromhex("0x1.62e430p+6")), clamped)
    whole = jnp.floor(clamped * jnp.float32(float.fromhex("0x1.715476p+0")))  # n
    t = whole + jnp.float32(float.fromhex("0x1.8000fep+23"))  # n + 127 in t's low bits
    r = clamped - whole * jnp.float32(float.fromhex("0x1.62e42ep-1"))  # XLA fuses: fma(-n, ln2_hi, x)
    r = r - whole * jnp.float32(float.fromhex("0x1.efa39ep-25"))  # XLA fuses: fma(-n, ln2_lo, r)
    p = r * _exp_fast_core(r) + jnp.float32(1.0)  # e^r: one FMA, as XLA fuses it
    return p * _float(_bits(t) << 23)  # times 2^n: 0 for n = -127, +inf for n = 128


exp_fast = _float32_kernel(exp_fast)
