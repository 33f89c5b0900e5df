"""softplus(x) = log(1 + exp(x)) in float32 for every input: a full-range kernel exported by autonumerics (jax).

softplus(x) = log(1 + e^x) = max(x, 0) + log1p(E) with E = e^-a, a = |x|, E in (0, 1]: no
cancellation anywhere (log1p's relative condition E / ((1 + E) log1p E) is at most 1 on (0, 1]).
The log_sigmoid_fast kernel (``autonumerics.kernels.fast.log_sigmoid``) runs the same body and
negates: log_sigmoid(x) = -softplus(-x) bit for bit, so its error is the same at mirrored inputs.

* a is clamped to 104 (inf and NaN too; NaN is put back at the end): e^-104 < 2^-150 rounds to 0.
* E = 2^n e^r as in the exp kernel: n = round(-a log2 e) from t = fma(-a, log2 e, 1.5 * 2^23),
  r = -a - n ln2 by Cody-Waite (n ln2_hi exact, then one FMA with ln2_lo: r rounded once, at
  most 2^-26), e^r by the "exp" core, the exp kernel's degree-6 polynomial on [-ln2/2, ln2/2]
  (0.69 ULP; with r's rounding about 1 ULP of E), and 2^n added to its exponent bits (exact for
  normal E). The exp search's cheaper degree-5 member (1.8 ULP) left the kernel at 3.18 ULP,
  above jax.nn.softplus's 2.81 and jax.nn.log_sigmoid's 2.66: one FMA more buys ~1 ULP.
  Below 2^-126 the JAX export flushes E to 0 (as XLA does); NumPy and C scale in two steps, one
  rounding, so subnormal results (x < -87.34) are E correctly rounded but for the core's error.
* L = log1p(E) by the "log1p" core on [0, 1], E + E^2 P(E) ending in one FMA: no range split
  (on [0, 1] a polynomial converges as fast as on the log kernel's [sqrt(1/2) - 1, sqrt(2) - 1]:
  the singularity at -1 lies as far, in units of the interval). Its error adds to E's: about
  1 ULP at most (at E near 1, where E^2 P is 44 % of the result), and nothing where E^2 P is below
  half an ULP of E (x < -17: L = E, E's error only).
* x <= 0: softplus = L. x > 0: softplus = a + L, rounded once: L <= ln 2 <= the result, so L's
  error counts at most fully (near x = 0+) and shrinks with L / (a + L) beyond; from
  x = 14.5561 on, L is below half an ULP of a and the sum gives a, as it should.
* softplus(+inf) = +inf (a + L), softplus(-inf) = +0 (E = 0), NaN -> NaN (the x > 0 side's
  a + L, which is NaN: the comparison x <= 0 is false for NaN).

Both sides are computed for every element and one select picks; no division.

Subnormal results (|x| > 87.34 on the side where the result is e^-|x|) are 0: jitted JAX on CPU
flushes them (FTZ); subnormal inputs are read as 0, where the result is ln 2 (-ln 2) anyway.
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
Core 'log1p' (log1p on [0.0, 1.0]): autonumerics/kernels/cores/softplus_fast_log1p.json
    ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = softplus_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.softplus_fast has both)
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


__all__ = ["softplus_fast"]

KERNEL_NAME = "softplus_fast"
TARGET = "softplus"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'exp': 'autonumerics/kernels/cores/exp_core.json', 'log1p': 'autonumerics/kernels/cores/softplus_fast_log1p.json'}


def _softplus_fast_exp(r):
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


def _softplus_fast_log1p(r):
    """log1p: ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x (17 ops, xla, hash ab13844d561362d2)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.48969c0000000p-4")), jnp.float32(float.fromhex("-0x1.f6d8740000000p-6")), jnp.float32(float.fromhex("0x1.69cd880000000p-8")), jnp.float32(float.fromhex("-0x1.1b6fac0000000p-3")), jnp.float32(float.fromhex("0x1.8915c60000000p-3")), jnp.float32(float.fromhex("-0x1.fd47960000000p-3")), jnp.float32(float.fromhex("0x1.5539000000000p-2")), jnp.float32(float.fromhex("-0x1.ffff360000000p-2")))
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
    v11 = v10 + c[6]
    v12 = v11 * x
    v13 = v12 + c[7]
    v14 = x * x
    v15 = v13 * v14
    v16 = v15 + x
    out = jnp.broadcast_to(v16, x.shape)
    return out


@jax.jit
def softplus_fast(x):
    """softplus(x) = log(1 + e^x) in float32, fast tier (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    z = jnp.where(a < jnp.float32(float.fromhex("0x1.ap+6")), -a, -jnp.float32(float.fromhex("0x1.ap+6")))  # -|x| clamped at -104 (inf and NaN too)
    t = z * jnp.float32(float.fromhex("0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.8p+23"))  # XLA fuses: n = round(-a log2 e) in t's low bits
    whole = (_bits(t) - 0x4B400000).astype(jnp.float32)  # n, exactly
    r = z - whole * jnp.float32(float.fromhex("0x1.62e4p-1"))  # exact
    r = r - whole * jnp.float32(float.fromhex("0x1.7f7d1cp-20"))  # XLA fuses: fma(-n, ln2_lo, r), one rounding
    p = _softplus_fast_exp(r)  # e^r
    eb = _bits(p) + (_bits(t) << 23)  # e^r 2^n on the exponent bits: exact
    e = jnp.where(eb < 0x00800000, jnp.float32(0.0), _float(eb))  # below 2^-126: 0, as XLA flushes
    l = _softplus_fast_log1p(e)  # log1p(E)
    y = jnp.where(x <= 0, l, a + l)  # NaN takes a + l: NaN
    return y


softplus_fast = _float32_kernel(softplus_fast)
