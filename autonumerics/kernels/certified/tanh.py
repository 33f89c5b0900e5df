"""tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a < 0.7: the "small" core, tanh on [0, 0.7] as a + a^3 Q(a^2), ending in one fused multiply-add
  (tiny inputs give a, subnormals included). Its rounding errors enter through the correction
  a^3 Q, at most 23 % of the result at a = 0.7.
* a >= 0.7 (tanh >= 0.60), a clamped to 9.5 first: E = e^-2a in (0, 0.25] from the exp kernel's
  core, then tanh = (1 - E) / (1 + E) with a single division whose error is damped:
  - n = round(2a log2 e) (one rounding of the product, then an exact round to even: any nearby
    integer works), r = n ln2 - 2a by one FMA (2a exact, ln 2 as one float32: the constant's own
    error, n * 2^-25 at most, is negligible beside E's weight below), so E = 2^-n e^r, e^r by the
    "exp" core on [-ln2/2, ln2/2] and 2^-n subtracted from its exponent bits (exact);
  - y0 = 1 - 2E + 2E^2 approximates tanh to 2E^3 (two FMAs); the residual
    res = (1 - E) - y0 (1 + E) = ((1 - y0) - E) - E y0 has 1 - y0 and (1 - y0) - E exact
    (Sterbenz) and rounds once in the final FMA; tanh = y0 + res / (1 + E): the division and
    1 + E only round a correction of at most 0.03, and the result rounds once. E's own error
    (the core's ~0.75 ULP) reaches tanh through 2E / (1 + E)^2 <= 0.32.
  The division has exactly one user: XLA's CPU fusion will not copy a division into several
  consumers, and a quotient read twice splits the kernel into several loops over memory.
* a >= T = 9.0109138 (the first float32 whose tanh rounds to 1) gives exactly 1 by itself: E is
  below 2^-26 there, so y0 is 1 and the correction rounds away; inf gives 1 through the clamp.
* NaN: the comparison a >= 0.7 is false, so the small core's NaN comes out.

Both paths are computed for every element and a select picks (no branches in JAX and NumPy).
Cost: the two cores and 22 more ops, one of them a division (the first design, a double-float
reduction with a Newton step, took 60 ops and ran in three loops). Measured over every float32:
see the certificate.

Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);
every other input, tiny ones included, gets the certified result.
Core 'small' (tanh on [0.0, 0.7]): autonumerics/kernels/cores/tanh_core_small.json
    t0 = x * x; t0 * x * (t0 / ((-0.0013474748702719808 * t0 + 3.035686731338501) * t0 + 7.500000953674316) + -0.3333333432674408) + x
Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
    ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = tanh(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.tanh has both)
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


__all__ = ["tanh"]

KERNEL_NAME = "tanh"
TARGET = "tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'autonumerics/kernels/cores/tanh_core_small.json', 'exp': 'autonumerics/kernels/cores/exp_core.json'}


def _tanh_small(r):
    """tanh: t0 = x * x; t0 * x * (t0 / ((-0.0013474748702719808 * t0 + 3.035686731338501) * t0 + 7.500000953674316) + -0.3333333432674408) + x (10 ops, xla, hash 6d2eb0008098ea1c)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.613b820000000p-10")), jnp.float32(float.fromhex("0x1.8491620000000p+1")), jnp.float32(float.fromhex("0x1.e000040000000p+2")), jnp.float32(float.fromhex("-0x1.5555560000000p-2")))
    v0 = x * x
    v1 = v0 * x
    v2 = c[0] * v0
    v3 = v2 + c[1]
    v4 = v3 * v0
    v5 = v4 + c[2]
    v6 = v0 / v5
    v7 = v6 + c[3]
    v8 = v1 * v7
    v9 = v8 + x
    out = jnp.broadcast_to(v9, x.shape)
    return out


def _tanh_exp(r):
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
def tanh(x):
    """tanh(x) in float32 for every input (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    small = _tanh_small(a)
    ac = jnp.where(a < jnp.float32(float.fromhex("0x1.3p+3")), a, jnp.float32(float.fromhex("0x1.3p+3")))  # inf and NaN -> 9.5 too (NaN takes the small path)
    n = jnp.round(ac * jnp.float32(float.fromhex("0x1.715476p+1")))  # round half to even, exact
    r = n * jnp.float32(float.fromhex("0x1.62e430p-1")) - (ac + ac)  # XLA fuses: fma(n, ln2, -2a), one rounding
    e = _float(_bits(_tanh_exp(r)) - (n.astype(jnp.int32) << 23))  # E = e^-2a = 2^-n e^r, exact scaling
    y0 = e * (e * jnp.float32(float.fromhex("0x1p+1")) - jnp.float32(float.fromhex("0x1p+1"))) + jnp.float32(float.fromhex("0x1p+0"))  # XLA fuses both: 1 - 2E + 2E^2
    res = (((jnp.float32(float.fromhex("0x1p+0")) - y0) - e) - e * y0)  # XLA fuses the last product: one rounding
    big = y0 + res / (e + jnp.float32(float.fromhex("0x1p+0")))  # the division's one use
    y = jnp.where(a >= jnp.float32(float.fromhex("0x1.666666p-1")), big, small)
    y = _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x
    return y


tanh = _float32_kernel(tanh)
