"""gelu(x) = x Phi(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

gelu(x) = x Phi(x), Phi the standard normal distribution function. With a = |x| and
Phi(-a) = e^(-a^2/2) R(a) (R = erfcx(a/sqrt 2)/2: 1/2 at 0, ~1/(a sqrt(2 pi)) far out), the
kernel computes w = a Phi(-a) without cancellation and returns -w for x < 0 and x - w for
x >= 0 (Phi(x) = 1 - Phi(-x); w <= x/2 there, so the subtraction loses nothing).

* a is clamped to 15 (gelu(-15) < 2^-160 rounds to -0; inf and NaN become 15 here and come back
  through x - w). q = a / (1 + 3a/8) in [0, 2.2642] by one division, and a R(a) = (q/2) e^g
  with g(q) = ln(2 R(a) (1 + 3a/8)) smooth and small (0 at q = 0, -1.05 at a = 15). The
  "ratio" core, a degree-9 polynomial from a cost-aware search, gives G = g/q in [-0.463,
  -0.422] (read at max(q, 2^-40): G is 0/0 at q = 0, and q G is below 2^-41 there anyway).
  The kernel never rounds g itself: 2g = 2 q G enters s by one FMA, and 2 ql G by another.
* q is made exact as a pair: 1 + 3a/8 = den + dl (dl by one FMA: 1 - den is exact for den >= 1),
  the division's residual a - q den by one FMA, and ql = (a - q (den + dl)) (1 - 3q/8) gives
  q + ql = a / (1 + 3a/8) to ~2^-46 relative (1 - 3q/8 = 1/(1 + 3a/8)).
* e^(-a^2/2 + g) = 2^n e^(s/2): a^2 = h + l exactly (l by one FMA), n = round((g - h/2) log2 e)
  by the shifter FMA, s = (2g - h - 2n ln2_hi) - (2n ln2_lo + l): the first bracket's part
  -h - 2n ln2_hi is exact (ln2_hi has 15 bits, |n| <= 163), adding 2g rounds once at |s| <= ln 2
  and so does the last subtraction (2^-25 each, 2^-26 relative in e^(s/2)). The "exp" core
  gives e^(s/2) - 1 on [-ln 2, ln 2]; the 1 is never added on its own:
  w' = q + (q (e^(s/2) - 1) + ql e^(s/2)) = (q + ql) e^(s/2), the inner sum one FMA.
* w = w' 2^(n-1): NumPy and C scale in two steps, 2^(n+63) exactly then 2^-64 with one rounding
  (results below 2^-126, x < -13.2, are rounded once); JAX adds n - 1 to the exponent bits
  (exact while normal) and returns 0 below 2^-126, as XLA flushes subnormals anyway.
* x < 0: -w (NaN and -0 take the other branch: NaN - w = NaN, -0 - 0 = -0); x >= 0: x - w,
  which is x itself from x = 5.3475156 (0x1.563db2p+2) on, where gelu(x) rounds to x (+inf too).

Error budget (relative, units of 2^-24): G's error times q (~1) is an absolute error of g and
so a relative one of the result, the two roundings of s <= 0.5, the exp core's absolute error
<= 0.6, the inner FMA <= 0.41 (its term is at most 0.41 of w'), the final sum 1 (0.5 ULP);
for x >= 0 the errors of w enter x - w times w / (x - w) <= 1, plus the subtraction's rounding.
Measured: 2.54 ULP (x = -12.63) on 12M inputs of the negative side, where it peaks; dropping the
2 ql G term (one FMA) gives 3.16. jax.nn.gelu(approximate=False) is 1.66e7 ULP off near x = -13
and 24.7 ULP for |x| <= 6 (1 + erf cancels for x < 0).

Subnormal results are flushed by jitted JAX on CPU (FTZ): x < -13.2 gives -0, and
0 < x < 2^-125 gives x (x - w with w flushed); subnormal inputs are read as 0.
Core 'ratio' (log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)/(1 - 0.375*x))/x on [9.094947017729282e-13, 2.265]): autonumerics/kernels/cores/gelu_fast_ratio.json
    (-0.04720521718263626 + ((((((-0.00029167899629101157 + (8.496810914948583e-05 + -8.517412425135262e-06 * x) * x) * x + 0.0004046484245918691) * x + -0.000545921444427222) * x + 0.0008698308374732733) * x + 0.0033247387036681175) * x + 0.005324491765350103) * x) * x + -0.4228845536708832
Core 'exp' (expm1(x/2) on [-0.694, 0.694]): autonumerics/kernels/cores/gelu_fast_exp.json
    ((((0.002604170935228467 + (0.0002615203848108649 + 2.170305378967896e-05 * x) * x) * x + 0.020833143964409828) * x + 0.1250000149011612) * x + 0.5) * x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.gelu_fast has both)
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


__all__ = ["gelu_fast"]

KERNEL_NAME = "gelu_fast"
TARGET = "gelu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'ratio': 'autonumerics/kernels/cores/gelu_fast_ratio.json', 'exp': 'autonumerics/kernels/cores/gelu_fast_exp.json'}


def _gelu_fast_ratio(r):
    """log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)/(1 - 0.375*x))/x: (-0.04720521718263626 + ((((((-0.00029167899629101157 + (8.496810914948583e-05 + -8.517412425135262e-06 * x) * x) * x + 0.0004046484245918691) * x + -0.000545921444427222) * x + 0.0008698308374732733) * x + 0.0033247387036681175) * x + 0.005324491765350103) * x) * x + -0.4228845536708832 (18 ops, xla, hash 37e5ac8beefc6948)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.82b4840000000p-5")), jnp.float32(float.fromhex("-0x1.31d8fc0000000p-12")), jnp.float32(float.fromhex("0x1.6461d00000000p-14")), jnp.float32(float.fromhex("-0x1.1dcc040000000p-17")), jnp.float32(float.fromhex("0x1.a84dfc0000000p-12")), jnp.float32(float.fromhex("-0x1.1e38560000000p-11")), jnp.float32(float.fromhex("0x1.c80ab80000000p-11")), jnp.float32(float.fromhex("0x1.b3c7b80000000p-9")), jnp.float32(float.fromhex("0x1.5cf2260000000p-8")), jnp.float32(float.fromhex("-0x1.b108a60000000p-2")))
    v0 = c[3] * x
    v1 = c[2] + v0
    v2 = v1 * x
    v3 = c[1] + v2
    v4 = v3 * x
    v5 = v4 + c[4]
    v6 = v5 * x
    v7 = v6 + c[5]
    v8 = v7 * x
    v9 = v8 + c[6]
    v10 = v9 * x
    v11 = v10 + c[7]
    v12 = v11 * x
    v13 = v12 + c[8]
    v14 = v13 * x
    v15 = c[0] + v14
    v16 = v15 * x
    v17 = v16 + c[9]
    out = jnp.broadcast_to(v17, x.shape)
    return out


def _gelu_fast_exp(r):
    """expm1(x/2): ((((0.002604170935228467 + (0.0002615203848108649 + 2.170305378967896e-05 * x) * x) * x + 0.020833143964409828) * x + 0.1250000149011612) * x + 0.5) * x (11 ops, xla, hash 0d017e3ab765b9b0)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.55557a0000000p-9")), jnp.float32(float.fromhex("0x1.1239580000000p-12")), jnp.float32(float.fromhex("0x1.6c1de80000000p-16")), jnp.float32(float.fromhex("0x1.55548a0000000p-6")), jnp.float32(float.fromhex("0x1.0000020000000p-3")), jnp.float32(float.fromhex("0x1.0000000000000p-1")))
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
    out = jnp.broadcast_to(v10, x.shape)
    return out


@jax.jit
def gelu_fast(x):
    """gelu(x) = x Phi(x) in float32 for every input, <= 3.5 ULP (module docstring); subnormal results are flushed (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    a = jnp.where(a < jnp.float32(float.fromhex("0x1.ep+3")), a, jnp.float32(float.fromhex("0x1.ep+3")))  # inf and NaN -> 15 too (NaN returns via x - w)
    ra = _rounded(a)  # a, through a select: see below
    h = a * a
    l = ra * a - h  # XLA fuses: fma(a, a, -h), exact
    den = a * jnp.float32(float.fromhex("0x1.8p-2")) + jnp.float32(float.fromhex("0x1p+0"))  # XLA fuses: one rounding
    dl = ra * jnp.float32(float.fromhex("0x1.8p-2")) + (jnp.float32(float.fromhex("0x1p+0")) - den)  # XLA fuses: exact
    q = _float(_bits(a / den) & jnp.int32(0x7FFFFFFF))  # q >= 0: the AND is the division's one use
    res = a - q * den  # XLA fuses: exact
    e = res - q * dl  # XLA fuses: one rounding
    ql = e * (jnp.float32(float.fromhex("0x1p+0")) - q * jnp.float32(float.fromhex("0x1.8p-2")))  # XLA fuses 1 - qK; q + ql = a / (1 + Ka)
    gq = _gelu_fast_ratio(jnp.where(q > jnp.float32(float.fromhex("0x1p-40")), q, jnp.float32(float.fromhex("0x1p-40"))))  # G = g/q (0/0 at q = 0: q >= 2^-40)
    g2 = gq + gq  # 2G, exact
    u = q * gq - h * jnp.float32(float.fromhex("0x1p-1"))  # g - a^2/2 for n (XLA fuses the first product)
    t = jax.lax.optimization_barrier(u * jnp.float32(float.fromhex("0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.8p+23")))  # fused
    nf = t - jnp.float32(float.fromhex("0x1.8p+23"))  # n, exact
    s1 = -(nf * jnp.float32(float.fromhex("0x1.62e4p+0"))) - h  # exact
    s1 = ql * g2 + s1  # + 2 ql G (XLA fuses: one rounding)
    c = nf * jnp.float32(float.fromhex("0x1.7f7d1cp-19")) + l  # XLA fuses: one rounding
    s = (q * g2 + s1) - c  # XLA fuses: two roundings
    em1 = _gelu_fast_exp(s)  # e^(s/2) - 1
    j = q * em1 + ql * (em1 + jnp.float32(float.fromhex("0x1p+0")))  # XLA fuses the first product: one rounding
    w = q + j  # (q + ql) e^(s/2)
    w = _bits(w) + ((_bits(t) - 1) << 23)  # bits(t) << 23 = n << 23
    w = jnp.where(w < 0x00800000, jnp.float32(0.0), _float(w))
    y = jnp.where(x < 0, -w, x - w)
    return y


gelu_fast = _float32_kernel(gelu_fast)
