"""sigmoid(x) = 1/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (a = |x|, E = e^-a in (0, 1]), sharing the exp-pair pieces
(``autonumerics.kernels.exp_pair.reduction_source``) and its "expm1" core:

* E = 2^n (p + pl) as an unrounded pair: n = round(-a / ln 2), r = -a - n*ln2_hi by one FMA
  (exact), e^r = (1 + r) + m(r) with the evolved core m ~ e^r - 1 - r, split by Fast2Sum, and
  the rest of n ln 2 folded in as the factor 1 + c. a is clamped to 120 first (sigmoid(-120) is
  far below half the smallest subnormal), so inf and NaN stay finite on the way (NaN is selected
  back at the end).
* g = 1/(1 + E) = g0 + g1: 1 + E split exactly (2^n clamped at 2^-64, where 1 + E is 1 to far
  beyond float32), one Newton step with two FMAs.
* x >= 0: sigmoid = g0 + g1 (one rounding); it reaches 1 exactly from x = 17.3286800 on by itself.
* -4 < x < 0: sigmoid = 1 - g = (1 - g0) - g1: 1 - g0 is exact (g0 in [1/2, 1], Sterbenz), so
  the result rounds once. sigmoid(-x) = 1 - sigmoid(x) is NOT used on float32 values: near 0 of
  the result that would lose all accuracy.
* x <= -4: sigmoid = E g = 2^n (p + pl)(1 - w) with w = E g0 (|w| < 0.02, so its rounding is
  negligible): 2^n (p + (pl - w p)), the inner term one FMA, p + it rounded once, then scaled by
  2^n in two exact steps of at most 2^-87 each (no subnormal intermediate): results below
  2^-126 (x < -87.3365) are subnormal and rounded once in NumPy and C, and 0 for
  x <= -103.972076 (below half the smallest subnormal).

JAX's own jax.nn.sigmoid is 4.7e6 ULP off in the far negative tail (measured over every
4 099th float32 bit pattern, jax 0.10.2 on CPU: docs/references.md); this
kernel stays within 1 ULP there (normal results) and, in NumPy and C, within 1 unit of 2^-149
for subnormal results. Every path is computed for every element and selects pick the result.

Subnormal results (x < -87.3365) are returned as 0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0, where the correctly rounded result is 1/2 anyway.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = sigmoid(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.sigmoid has both)
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


__all__ = ["sigmoid"]

KERNEL_NAME = "sigmoid"
TARGET = "sigmoid"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/tanh_core_expm1.json'}


def _sigmoid_expm1(r):
    """expm1(x) - x: (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x) (10 ops, xla, hash 273a21660127a787)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.5556820000000p-5")), jnp.float32(float.fromhex("0x1.12006e0000000p-7")), jnp.float32(float.fromhex("0x1.6b24780000000p-10")), jnp.float32(float.fromhex("0x1.5554ea0000000p-3")), jnp.float32(float.fromhex("0x1.0000000000000p-1")))
    v0 = c[2] * x
    v1 = c[1] + v0
    v2 = v1 * x
    v3 = c[0] + v2
    v4 = v3 * x
    v5 = v4 + c[3]
    v6 = v5 * x
    v7 = v6 + c[4]
    v8 = x * x
    v9 = v7 * v8
    out = jnp.broadcast_to(v9, x.shape)
    return out


def _exp_pair(z):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1.8p+23")) + z * jnp.float32(float.fromhex("0x1.715476p+0")))  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - jnp.float32(float.fromhex("0x1.8p+23"))
    r = z - n * jnp.float32(float.fromhex("0x1.62e43p-1"))  # one FMA: exact
    c = n * jnp.float32(float.fromhex("0x1.05c61p-29"))  # e^(-n ln2_lo) = 1 + c
    m = _rounded(_sigmoid_expm1(r))  # e^r - 1 - r
    h = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1p+0")) + r)
    lo = r - (h - jnp.float32(float.fromhex("0x1p+0")))  # h + lo = 1 + r exactly (Fast2Sum)
    mid = lo + m
    p = h + mid
    pl = (mid - (p - h)) + c * p  # p + pl = h + mid exactly, then times 1 + c (one FMA)
    return _bits(t) - jnp.int32(0x4B400000), p, pl


def _reciprocal_pair(er, el):
    """1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: 1 + er split exactly, one Newton step."""
    dh = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1p+0")) + er)
    dl = ((jnp.float32(float.fromhex("0x1p+0")) - dh) + er) + el
    g0 = [jnp.float32(float.fromhex("0x1p+0")) / jnp.where(dh == dh, dh, jnp.float32(k)) for k in range(2, 8)]  # equal quotients, one use each
    e = jnp.float32(float.fromhex("0x1p+0")) - g0[0] * dh  # exact residual (one FMA)
    e = e - g0[1] * dl
    return tuple(g0[3:]), g0[2] * e


@jax.jit
def sigmoid(x):
    """sigmoid(x) = 1/(1 + e^-x) in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    ac = jnp.where(a < jnp.float32(float.fromhex("0x1.ep+6")), a, jnp.float32(float.fromhex("0x1.ep+6")))  # NaN -> 120 too (selected away at the end)
    n, p, pl = _exp_pair(-ac)  # e^-a = 2^n (p + pl)
    er = _pow2(jnp.maximum(n, jnp.int32(-64))) * p
    (g0, g0_near, g0_tail), g1 = _reciprocal_pair(er, _pow2(jnp.maximum(n, jnp.int32(-64))) * pl)
    positive = g0 + g1
    near = (jnp.float32(float.fromhex("0x1p+0")) - g0_near) - g1  # 1 - g0 exact
    w = er * g0_tail  # E / (1 + E), for the tail
    tail = p + (pl - w * p)  # (p + pl)(1 - w): one FMA inside, one rounding
    half = -((-n) >> 1)
    tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
    y = jnp.where(x >= 0, positive, jnp.where(a < jnp.float32(float.fromhex("0x1p+2")), near, tail))
    y = jnp.where(x == x, y, x)
    return y


sigmoid = _float32_kernel(sigmoid)
