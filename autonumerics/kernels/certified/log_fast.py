"""log(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction: the log2_fast kernel's (``autonumerics.kernels.fast.log2``): m in
[sqrt(2)/2, sqrt(2)) from the bits, f = m - 1 exact, subnormal inputs scaled by 2^23 in NumPy and
C (jitted JAX on CPU reads them as 0). Then:

* The core t(f) ~ log(1 + f) itself, searched on the float32 range of f: its leading term f is
  exact and its last op an addition, so its error is what its own ULP measures.
* log(x) = fma(e, LN2, t) with LN2 = float32(ln 2) (off by 2.7e-9 relatively), rounded once.
  Near x = 1 (e = 0) this is t itself: the result keeps its relative accuracy however small. For
  e != 0, |t| = |log m| <= ln2/2 <= |log x|, so an ULP of t is at most an ULP of the result: the
  error is at most 0.5 ULP (the rounding) + t's error + ~0.05 ULP (LN2). log(1) = +0.
* Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
  +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.

Subnormal inputs: jitted JAX on CPU reads them as 0 (-inf; NaN for negative ones, read from the
sign bit), as jnp does.
Core 'poly' (log(1+x) on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_fast_core.json
    x * x * (((((-0.17221705615520477 + (0.16131028532981873 + -0.1007852703332901 * x) * x) * x + 0.19911770522594452) * x + -0.24973757565021515) * x + 0.33334648609161377) * x + -0.5000026226043701) + x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = log_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log_fast has both)
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


__all__ = ["log_fast"]

KERNEL_NAME = "log_fast"
TARGET = "log"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log_fast_core.json'}


def _log_fast_core(r):
    """log(1+x): x * x * (((((-0.17221705615520477 + (0.16131028532981873 + -0.1007852703332901 * x) * x) * x + 0.19911770522594452) * x + -0.24973757565021515) * x + 0.33334648609161377) * x + -0.5000026226043701) + x (15 ops, xla, hash 34e102255c3826f2)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.60b3560000000p-3")), jnp.float32(float.fromhex("0x1.4a5d0c0000000p-3")), jnp.float32(float.fromhex("-0x1.9cd1040000000p-4")), jnp.float32(float.fromhex("0x1.97cb060000000p-3")), jnp.float32(float.fromhex("-0x1.ff766a0000000p-3")), jnp.float32(float.fromhex("0x1.5558c80000000p-2")), jnp.float32(float.fromhex("-0x1.0000580000000p-1")))
    v0 = x * x
    v1 = c[2] * x
    v2 = c[1] + v1
    v3 = v2 * x
    v4 = c[0] + v3
    v5 = v4 * x
    v6 = v5 + c[3]
    v7 = v6 * x
    v8 = v7 + c[4]
    v9 = v8 * x
    v10 = v9 + c[5]
    v11 = v10 * x
    v12 = v11 + c[6]
    v13 = v0 * v12
    v14 = v13 + x
    out = jnp.broadcast_to(v14, x.shape)
    return out


@jax.jit
def log_fast(x):
    """log(x) in float32 for every input (see the module docstring); subnormal inputs read as 0."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    e = (bits - 0x3F3504F3) >> 23
    f = _float(bits - (e << 23)) - jnp.float32(1.0)  # m - 1, exact: m in [sqrt(2)/2, sqrt(2))
    ef = e.astype(jnp.float32)
    q = _log_fast_core(f)
    y = ef * jnp.float32(float.fromhex("0x1.62e43p-1")) + q  # one FMA, as XLA fuses it
    y = jnp.where(x > jnp.float32(0.0), y, jnp.float32(-jnp.inf))  # +-0 (subnormals: read as 0)
    y = jnp.where(bits >= 0x7F800000, x, y)  # +inf -> +inf, +NaN -> NaN
    return jnp.where(bits - 1 < -1, jnp.float32(jnp.nan), y)  # sign bit set, not -0: NaN


log_fast = _float32_kernel(log_fast)
