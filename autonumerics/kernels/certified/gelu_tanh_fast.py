"""gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float32 for every input: a full-range kernel exported by autonumerics (jax).

gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (jax.nn.gelu's default
formula, which loses everything to 1 + tanh(u) cancelling for x < 0) is x sigmoid(z) =
x / (1 + e^-z) with z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1: no
cancellation. For x < 0 the result is ~ x e^z with |z| up to 110, so z's absolute error becomes
the result's relative error: z is carried to ~2^-45 relative.

* x is clamped three ways (a select each): xn = max(x, -10.9375) for the numerator (gelu_tanh
  rounds to -0 from x = -10.7709 down), xb = clamp(x, -10.9375, 8.5) for z (z in [-110.8, 57.4]:
  e^-z stays in the scaled range below; gelu_tanh(x) rounds to x from 4.994 up, e^-57 < 2^-80),
  and xa = min(x, 8.5), equal to xb where it matters: products of xa and of xb are different
  expressions, so XLA does not merge a product with its FMA twin (the error of a product by
  one FMA needs the product a second time). Below -10.9375 only xa differs, and its garbage
  drives e^-z to +inf, where the quotient is -0 as it should be.
* v = c1 + c2 x^2 = v_hi + v_lo: s = x^2 = s1 + s_lo (one FMA), v_hi = fma(c2h, s1, c1h),
  d = v_hi - c1h exact (c1h has 21 bits, v_hi in [1.6, 10.2]), the rounding error of v_hi
  fma(c2h, s2, -d) (s2 = xa xb = s1), v_lo = that + c2h s_lo + (c2l s1 + c1l): the float32 pairs
  c1h + c1l, c2h + c2l carry the constants to 2^-48. z = x v_hi + x v_lo.
* e^-z = 2^n p: n = round(-z log2 e) from the shifter FMA on xb (v_hi (-log2e)) (any nearby n
  works: r stays within 2^-20 of [-ln2/2, ln2/2]); r = -x v_hi - n ln2_hi by one FMA (n ln2_hi
  exact: 15 bits), then - n ln2_lo and - x v_lo by one FMA each: r to ~3 * 2^-26 absolute. The
  exp kernel's core p(r) ~ e^r.
* The closing forms are silu_fast's (``autonumerics/kernels/fast/silu.py``): x >= 0:
  x / fma(p, 2^n, 1); x < 0: (x 2^(64-n)) / fma(p, 2^64, 2^(64-n)) with an exact numerator;
  one division with one user; subnormal results rounded once by it (NumPy, C); NaN -> NaN;
  gelu_tanh(-0) = -0; +inf -> +inf; -inf -> -0.

Error budget: silu_fast's (the core, 1 + e^-z and the quotient: 2.4 ULP at most on every
float32 of [-91.8, 32] there) plus r's roundings (<= 0.2 ULP); 2.46 ULP at most on every
float32 of [-10.1, 6] (x = -5.0002).

Subnormal results (x < -10.2) are returned as 0: jitted JAX on CPU flushes them (FTZ);
subnormal inputs are read as 0.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu_tanh_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.gelu_tanh_fast has both)
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


__all__ = ["gelu_tanh_fast"]

KERNEL_NAME = "gelu_tanh_fast"
TARGET = "gelu_tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json'}


def _gelu_tanh_fast_exp(r):
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
def gelu_tanh_fast(x):
    """gelu_tanh(x) (jax.nn.gelu's tanh formula) in float32 for every input, <= 3.5 ULP (module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    xn = jnp.where(x < -jnp.float32(float.fromhex("0x1.5ep+3")), -jnp.float32(float.fromhex("0x1.5ep+3")), x)  # numerator; NaN stays NaN
    xa = jnp.where(x < jnp.float32(float.fromhex("0x1.1p+3")), x, jnp.float32(float.fromhex("0x1.1p+3")))  # NaN -> 8.5
    xb = jnp.where(xa < -jnp.float32(float.fromhex("0x1.5ep+3")), -jnp.float32(float.fromhex("0x1.5ep+3")), xa)  # x clamped to [-10.9375, 8.5]
    s1 = xb * xb  # x^2 rounded
    s2 = xa * xb  # the same value, another product (XLA must not merge the FMAs' products)
    s_lo = xa * xa - s1  # XLA fuses: x^2 - s1 exactly
    # XLA fuses; the barrier keeps it from folding (v_hi - c1h) below back into s1 c2h
    v_hi = jax.lax.optimization_barrier(s1 * jnp.float32(float.fromhex("0x1.2444f2p-4")) + jnp.float32(float.fromhex("0x1.98845p+0")))
    d = v_hi - jnp.float32(float.fromhex("0x1.98845p+0"))  # exact
    e = s2 * jnp.float32(float.fromhex("0x1.2444f2p-4")) - d  # XLA fuses: c2h s + c1h - v_hi, v_hi's rounding error
    v_lo = (s_lo * jnp.float32(float.fromhex("0x1.2444f2p-4")) + (s1 * jnp.float32(float.fromhex("0x1.49b16ap-29")) + jnp.float32(float.fromhex("0x1.9ea1b2p-23")))) + e  # XLA fuses both
    t = jax.lax.optimization_barrier(xb * (v_hi * jnp.float32(float.fromhex("-0x1.715476p+0"))) + jnp.float32(float.fromhex("0x1.8p+23")))  # XLA fuses  # n = round(-z log2 e) in t's low bits
    nf = t - jnp.float32(float.fromhex("0x1.8p+23"))
    r = -(xa * v_hi) - (t * jnp.float32(float.fromhex("0x1.62e4p-1")) - jnp.float32(float.fromhex("0x1.0a2bp+23")))  # XLA fuses both: one rounding
    r = r - nf * jnp.float32(float.fromhex("0x1.7f7d1cp-20"))  # XLA fuses: one rounding
    r = r - xa * v_lo  # XLA fuses: one rounding
    p = _gelu_tanh_fast_exp(r)  # e^r, e^-z = 2^n p
    neg = x < 0
    k = _bits(t)  # 0x4B400000 + n: its low 9 bits are n's
    # 2^(64-n) where x < 0, else 2^n
    s = _float(jnp.where(neg, jnp.int32(191) - k, k + jnp.int32(127)) << 23)
    b = jnp.where(neg, s, jnp.float32(float.fromhex("0x1p+0")))
    den = p * jnp.where(neg, jnp.float32(float.fromhex("0x1p+64")), s) + b  # XLA fuses: one rounding  # 1 + e^-z, times 2^(64-n) where x < 0
    y = (xn * b) / den  # exact numerator; the division's one use
    return y


gelu_tanh_fast = _float32_kernel(gelu_tanh_fast)
