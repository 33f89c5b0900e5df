"""expm1(x) = exp(x) - 1 in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction, on the exp-pair pieces shared with sigmoid (``autonumerics.kernels.exp_pair.reduction_source``),
around an "expm1" core m(r) ~ e^r - 1 - r on [-ln2/2, ln2/2] of its own: near |r| = ln2/2 the core
is a sixth of the result, so tanh's degree-6 core (3.1 ULP of m) would give 1.08 ULP here; the
degree-7 core from ``search_configs/expm1_core.toml`` (1.86 ULP of m) gives 0.78 on a sample:

* e^x = 2^n (p + pl): n = round(x / ln 2), r = x - n*ln2_hi by one FMA (exact), e^r = (1 + r) + m(r)
  split by Fast2Sum, the rest of n ln 2 folded in as the factor 1 + c; p + pl carries ~2^-29
  relative error. For n = 0 (|x| <= 0.3466) this is x + m(x) with the pair's low part holding
  what 1 + x rounds away, so tiny inputs come out as x itself.
* 2^n p is exact (added to p's exponent bits: normal for -25 <= n <= 128), 2^n pl in two exact
  steps (2^128 is not a float32). sp - 1 = hi + lo exactly (Knuth's 2Sum), and
  expm1(x) = hi + (lo + 2^n pl) rounds once. The pair's error reaches the result amplified by at
  most e^x / |e^x - 1| <= 3.5 (for n != 0, |x| > 0.3466), far below the final rounding.
* x <= -0x1.154246p+4 (-17.32868, the largest float32 whose expm1 rounds to -1) and -inf -> -1;
  x >= 0x1.62e430p+6 (88.722839, the first float32 whose expm1 rounds to infinity) -> +inf;
  NaN -> NaN; expm1(+-0) = +-0 (an x == 0 select: in jitted JAX on CPU, where subnormal x
  compares equal to 0, it hands back subnormal inputs unchanged, which is their expm1).

JAX's own jnp.expm1 is 5.3 ULP off on a sample of [-17, 88] (a third of the inputs >= 1 ULP, near
x = 0.002); this kernel is within 1 ULP on every float32 (the certificate).

Subnormal inputs give themselves (expm1(x) = x there): jitted JAX on CPU reads them as 0,
and the x == 0 select returns x unchanged. No result is subnormal.
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
    ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = expm1(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.expm1 has both)
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


__all__ = ["expm1"]

KERNEL_NAME = "expm1"
TARGET = "expm1"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'expm1': 'autonumerics/kernels/cores/expm1_core.json'}


def _expm1_expm1(r):
    """expm1(x) - x: ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x) (12 ops, xla, hash 7436f35ca8cc577a)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.11116c0000000p-7")), jnp.float32(float.fromhex("0x1.6d36920000000p-10")), jnp.float32(float.fromhex("0x1.a014820000000p-13")), jnp.float32(float.fromhex("0x1.5554f40000000p-5")), jnp.float32(float.fromhex("0x1.5555540000000p-3")), jnp.float32(float.fromhex("0x1.0000000000000p-1")))
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
    v10 = x * x
    v11 = v9 * v10
    out = jnp.broadcast_to(v11, x.shape)
    return out


def _kept(value, live):
    """value where the kernel's input is a number (live), else NaN: a select XLA and LLVM cannot
    fuse or rewrite through, one op (NaN inputs are selected away at the end of the kernel)."""
    return jnp.where(live, value, jnp.float32(jnp.nan))


def _exp_pair(z, live):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = _kept(jnp.float32(float.fromhex("0x1.8p+23")) + z * jnp.float32(float.fromhex("0x1.715476p+0")), live)  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - jnp.float32(float.fromhex("0x1.8p+23"))
    r = z - n * jnp.float32(float.fromhex("0x1.62e43p-1"))  # one FMA: exact
    c = n * jnp.float32(float.fromhex("0x1.05c61p-29"))  # e^(-n ln2_lo) = 1 + c
    m = _kept(_expm1_expm1(_kept(r, live)), live)  # e^r - 1 - r
    h = _kept(jnp.float32(float.fromhex("0x1p+0")) + r, live)
    lo = r - (h - jnp.float32(float.fromhex("0x1p+0")))  # h + lo = 1 + r exactly (Fast2Sum)
    mid = lo + m
    p = h + mid
    pl = (mid - (p - h)) + c * p  # p + pl = h + mid exactly, then times 1 + c (one FMA)
    return _bits(t) - jnp.int32(0x4B400000), p, pl


def _reciprocal_pair(er, el, live):
    """1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: 1 + er split exactly, one Newton step."""
    dh = _kept(jnp.float32(float.fromhex("0x1p+0")) + er, live)
    dl = ((jnp.float32(float.fromhex("0x1p+0")) - dh) + er) + el
    g0 = jnp.float32(float.fromhex("0x1p+0")) / dh
    e = jnp.float32(float.fromhex("0x1p+0")) - g0 * dh  # exact residual (one FMA)
    e = e - g0 * dl
    return g0, _kept(g0 * e, live)


@jax.jit
def expm1(x):
    """e^x - 1 in float32 for every input (see the module docstring); subnormal inputs give themselves."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    live = x == x  # the fences' predicate (reduction_source)
    n, p, pl = _exp_pair(x, live)  # e^x = 2^n (p + pl); inf and NaN give garbage, selected away below
    sp = _float(_bits(p) + (n << 23))  # 2^n p, exact (normal for -25 <= n <= 128)
    spl = (pl * jnp.float32(float.fromhex("0x1p+1"))) * _pow2(n - 1)  # 2^n pl in two exact steps (2^128 is no float32)
    hi = _kept(sp - jnp.float32(float.fromhex("0x1p+0")), live)
    v = hi - sp
    lo = (sp - (hi - v)) + (-jnp.float32(float.fromhex("0x1p+0")) - v)  # 2Sum: sp - 1 = hi + lo exactly
    y = hi + (lo + spl)  # one rounding
    y = jnp.where(x > jnp.float32(float.fromhex("-0x1.154246p+4")), y, -jnp.float32(float.fromhex("0x1p+0")))  # rounds to -1 (and -inf)
    y = jnp.where(x < jnp.float32(float.fromhex("0x1.62e430p+6")), y, x + jnp.float32(jnp.inf))  # +inf; NaN stays NaN
    y = jnp.where(x == jnp.float32(0.0), x, y)  # +-0 (and, in JAX, subnormal x) -> x
    return y


expm1 = _float32_kernel(expm1)
