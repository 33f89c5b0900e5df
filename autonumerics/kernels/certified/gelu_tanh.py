"""gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float32 for every input: a full-range kernel exported by autonumerics (jax).

gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), is jax.nn.gelu's default
(approximate=True) formula, computed accurately as a function in its own right. jax.nn.gelu
itself is 2.7e6 ULP off near x = -4.72, where 1 + tanh(u) cancels. Here it is x sigmoid(z),
z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1, which does not cancel; for
x < 0, sigmoid(z) ~ e^z with |z| up to 110, so z's absolute error is the result's relative error
and z is carried as z_hi + z_lo to ~2^-45 relative:

* x >= 4.9941373 (0x1.3f9ff2p+2, the first float32 whose gelu_tanh rounds to x itself; every
  float32 above does too) returns x by a select, which also gives +inf and NaN. Below, x is
  clamped at -10.9375 (gelu_tanh rounds to -0 from -10.7709 down; z = -110.8 there) and,
  as a second copy for the exact products, at 8.5 (see the fast kernel: products of two copies
  are different expressions, so XLA does not merge a product with its FMA twin).
* v = c1 + c2 x^2 = v_hi + v_lo (``fast.gelu_tanh.v_pair_lines``: x^2 split by one FMA, v_hi's
  rounding error by one FMA, c1 and c2 as float32 pairs), z_hi = x v_hi, z_lo = x v_lo +
  (x v_hi - z_hi) by two FMAs.
* a = |z_hi| clamped to 120; E = e^-a = 2^n (p + pl) (``exp_pair.reduction_source``, the sigmoid
  kernel's core), then e^-|z| = E (1 -+ z_lo): pl += (-+ z_lo) p by one FMA (|z_lo| <= 2^-18,
  so the second-order term is below 2^-37).
* g = 1/(1 + e^-|z|) = g0 + g1 and the three closing forms of the silu kernel
  (``autonumerics/kernels/silu.py``): x >= 0: fma(x, g0, x g1); |z| < 8, x < 0:
  fma(x, 1 - g0, -x g1) (1 - g = E/(1 + E) to 2^-48 absolute, >= 3.3e-4 relative to it: x g1 is
  at most 2^-11 of the result); |z| >= 8, x < 0: fma(x, p, x (pl - w p)), w = E g0, scaled by
  2^n in two exact
  steps (subnormal results, x < -10.1, rounded once more in NumPy and C; JAX flushes them).
  The limit is 8, not the silu kernel's 4: w = E g0 leaves out E's low part (up to 2^-21 of E
  here, where pl also carries z_lo), which at |z| = 4.4 (w = 0.012) cost 0.9 ULP; from |z| = 8
  on w < 3.4e-4 and it is negligible.
  gelu_tanh(-0) = -0; -inf -> -0.

Subnormal results (x < -10.1) are returned as 0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0 (their gelu_tanh, x/2, is subnormal too).
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu_tanh(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.gelu_tanh has both)
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


__all__ = ["gelu_tanh"]

KERNEL_NAME = "gelu_tanh"
TARGET = "gelu_tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/tanh_core_expm1.json'}


def _gelu_tanh_expm1(r):
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
    m = _rounded(_gelu_tanh_expm1(r))  # e^r - 1 - r
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
def gelu_tanh(x):
    """gelu_tanh(x) (jax.nn.gelu's tanh formula) in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    xb = jnp.where(x < -jnp.float32(float.fromhex("0x1.5ep+3")), -jnp.float32(float.fromhex("0x1.5ep+3")), x)  # gelu_tanh rounds to -0 below; NaN stays
    xa = jnp.where(xb < jnp.float32(float.fromhex("0x1.1p+3")), xb, jnp.float32(float.fromhex("0x1.1p+3")))  # equal to xb below the saturation
    s1 = xb * xb  # x^2 rounded
    s2 = xa * xb  # the same value, another product (XLA must not merge the FMAs' products)
    s_lo = xa * xa - s1  # XLA fuses: x^2 - s1 exactly
    # XLA fuses; the barrier keeps it from folding (v_hi - c1h) below back into s1 c2h
    v_hi = jax.lax.optimization_barrier(s1 * jnp.float32(float.fromhex("0x1.2444f2p-4")) + jnp.float32(float.fromhex("0x1.98845p+0")))
    d = v_hi - jnp.float32(float.fromhex("0x1.98845p+0"))  # exact
    e = s2 * jnp.float32(float.fromhex("0x1.2444f2p-4")) - d  # XLA fuses: c2h s + c1h - v_hi, v_hi's rounding error
    v_lo = (s_lo * jnp.float32(float.fromhex("0x1.2444f2p-4")) + (s1 * jnp.float32(float.fromhex("0x1.49b16ap-29")) + jnp.float32(float.fromhex("0x1.9ea1b2p-23")))) + e  # XLA fuses both
    z_hi = xb * v_hi
    z_lo = (xa * v_hi - z_hi) + xa * v_lo  # XLA fuses both: x v - z_hi to ~2^-48
    az = _float(_bits(z_hi) & jnp.int32(0x7FFFFFFF))  # |z_hi|, exact
    ac = jnp.where(az < jnp.float32(float.fromhex("0x1.ep+6")), az, jnp.float32(float.fromhex("0x1.ep+6")))  # inf and NaN -> 120 too (selected away at the end)
    n, p, pl = _exp_pair(-ac)  # e^-|z_hi| = 2^n (p + pl)
    neg = x < 0
    zl = jnp.where(neg, z_lo, -z_lo)  # -|z| = -|z_hi| + zl
    pl = pl + zl * p  # XLA fuses: times (1 -+ z_lo), one rounding
    er = _pow2(jnp.maximum(n, jnp.int32(-64))) * p
    (g0, g0_near, g0_tail), g1 = _reciprocal_pair(er, _pow2(jnp.maximum(n, jnp.int32(-64))) * pl)
    q = x * g1
    positive = x * g0 + q  # XLA fuses: fma(x, g0, q), one rounding
    near = x * (jnp.float32(float.fromhex("0x1p+0")) - g0_near) - q  # XLA fuses: fma(x, 1 - g0, -q)  # 1 - g0 exact
    w = er * g0_tail  # E / (1 + E), for the tail
    inner = pl - w * p  # XLA fuses: fma(-w, p, pl)
    tail = xb * p + xb * inner  # XLA fuses the first (lower-rank) product: one rounding
    half = -((-n) >> 1)
    tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
    y = jnp.where(neg, jnp.where(ac < jnp.float32(float.fromhex("0x1p+3")), near, tail), positive)  # NaN: positive, NaN
    y = jnp.where(x < jnp.float32(float.fromhex("0x1.3f9ff2p+2")), y, x)  # x itself from the saturation on; +inf; NaN
    return y


gelu_tanh = _float32_kernel(gelu_tanh)
