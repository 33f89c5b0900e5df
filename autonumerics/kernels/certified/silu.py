"""silu(x) = x sigmoid(x) = x/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction as in the sigmoid kernel (``autonumerics/kernels/sigmoid.py``), on the exp-pair
pieces (``autonumerics.kernels.exp_pair.reduction_source``) and its "expm1" core:

* a = |x| clamped to 120; E = e^-a = 2^n (p + pl) as an unrounded pair (exact Cody-Waite by one
  FMA, the core m(r) ~ e^r - 1 - r, Fast2Sum), accurate to ~2^-29 relative.
* g = 1/(1 + E) = g0 + g1 (1 + E split exactly, 2^n clamped at 2^-64; one Newton step), to
  ~2^-48.
* x >= 0: silu = x (g0 + g1) = fma(x, g0, x g1): x g1 is ~2^-24 of the result, so its rounding
  is negligible and the result rounds once.
* -4 < x < 0: silu = x (1 - g) = fma(x, 1 - g0, -x g1): 1 - g0 is exact (g0 in [1/2, 1],
  Sterbenz) and at least sigmoid(-4) = 0.018, so x g1 is at most 2^-18 of the result: one
  rounding. x g1 is shared with the x >= 0 form (a product with two readers: XLA never fuses it).
* x <= -4: silu = x E g = x 2^n (p + pl)(1 - w), w = E g0 (|w| < 0.02): x (p + (pl - w p)) as
  fma(x, p, x (pl - w p)), the inner term one FMA, rounded once, then scaled by 2^n in two exact
  steps of at most 2^-87 each: results below 2^-126 (x < -91.9) are subnormal and rounded once
  more in NumPy and C (within 1 unit of 2^-149), and -0 from x <= -108.7 on. x is -a there
  (clamped: x <= -120 gives -0).
* x >= 16.676973 (0x1.0ad4e2p+4, the first float32 whose silu rounds to x itself; above it
  every float32 does) returns x by a select, which also gives +inf and NaN; silu(-0) = -0
  (the x >= 0 form: -0 g0 + (-0 g1) = -0).

JAX's own jax.nn.silu (x * sigmoid(x)) is 1.67e7 ULP off near x = -90, where sigmoid's tail
is; this kernel stays within 1 ULP wherever the result is normal. Every path is computed for
every element and selects pick the result.

Subnormal results (x < -91.9) are returned as 0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0 (their silu, x/2, is subnormal too).
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = silu(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.silu has both)
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


__all__ = ["silu"]

KERNEL_NAME = "silu"
TARGET = "silu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/tanh_core_expm1.json'}


def _silu_expm1(r):
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
    m = _rounded(_silu_expm1(r))  # e^r - 1 - r
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
def silu(x):
    """silu(x) = x sigmoid(x) in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    ac = jnp.where(a < jnp.float32(float.fromhex("0x1.ep+6")), a, jnp.float32(float.fromhex("0x1.ep+6")))  # inf and NaN -> 120 too (selected away at the end)
    n, p, pl = _exp_pair(-ac)  # e^-a = 2^n (p + pl)
    er = _pow2(jnp.maximum(n, jnp.int32(-64))) * p
    (g0, g0_near, g0_tail), g1 = _reciprocal_pair(er, _pow2(jnp.maximum(n, jnp.int32(-64))) * pl)
    q = x * g1
    positive = x * g0 + q  # XLA fuses: fma(x, g0, q), one rounding
    near = x * (jnp.float32(float.fromhex("0x1p+0")) - g0_near) - q  # XLA fuses: fma(x, 1 - g0, -q)  # 1 - g0 exact
    w = er * g0_tail  # E / (1 + E), for the tail
    inner = pl - w * p  # XLA fuses: fma(-w, p, pl)
    xt = -ac  # x where x <= -4 (clamped at -120)
    tail = xt * p + xt * inner  # XLA fuses the first (lower-rank) product: one rounding
    half = -((-n) >> 1)
    tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
    y = jnp.where(x < 0, jnp.where(a < jnp.float32(float.fromhex("0x1p+2")), near, tail), positive)  # NaN: positive, NaN
    y = jnp.where(x < jnp.float32(float.fromhex("0x1.0ad4e2p+4")), y, x)  # x itself from the saturation on; +inf; NaN
    return y


silu = _float32_kernel(silu)
