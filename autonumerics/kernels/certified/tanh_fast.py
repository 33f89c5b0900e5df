"""tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a is clamped to 9.5 (inf too; NaN stays NaN: the comparison is false), so E stays above 2^-28.
* n = round(-2a log2 e) from t = fma(a, -2 log2 e, 1.5 * 2^23) (n = t - 1.5 * 2^23 exactly, and
  t's low bits hold n; any nearby integer works), r = fma(n, -ln2/2, -a) = -a - n ln2/2 rounded
  once, |r| <= ln2/4 (one constant: |n| <= 28, so ln2's float32 error moves r by < 2^-29 |n|,
  and that error reaches tanh through 2E / (1 - E^2), tiny wherever n is large). r = -a exactly
  while n = 0 (a < 0.173).
* P = core(r) ~ e^(2r) - 1, the evolved "poly" core on [-ln2/4, ln2/4]: E = 2^n (1 + P), with
  w = 2^n built on the exponent bits of 1 from t (exact).
* tanh = N / D with N = (1 - w) - w P and D = (1 + w) + w P: 1 - w, 1 + w and w P are exact (w is a
  power of 2, and w P is 0 or above 2^-53 for n < 0: r is a multiple of 2^-26 there), so each of N,
  D rounds once (w P has two readers, so XLA fuses it into neither; an FMA would give the same
  bits). While n = 0 (a < 0.173) N is -P itself: N is accurate relative to tanh ~ a (no cancellation
  of 1 - E), and tiny or subnormal a give N = 2a, D = 2, tanh = a exactly. For n <= -1, w P is at
  most 70 % of N and less as a grows: P's errors are damped. Error budget: the core's (<= ~1.5 ULP
  of P, relative), N's and D's roundings (<= 1 ULP each, D's at most 0.6 ULP of tanh while D ~ 2)
  and the division's 0.5 ULP: 2.41 ULP at most over every float32 of the worst binade, [2^-4, 2^-3]
  (n = 0, where P's error is not damped), 2.33 on every 127th bit pattern of the whole line.
* N <= D as computed (the exact N is below the exact D and rounding is monotonic), so |tanh| <= 1.
  The result is exactly 1 from a = 8.491054 on (N and D round to the same float32; tanh is 1.41
  ULP below 1 there, and rounds to 1 itself from 9.0109138 on). inf gives 1 through the clamp,
  NaN gives NaN (P is NaN and enters N and D through arithmetic).

One division with one use (XLA's CPU fusion will not copy a division into several consumers: a
quotient read twice splits the kernel into several loops over memory). Cost: the core and 13
more ops; jnp.tanh (XLA's 13/6 odd rational, clamped at 7.9988) is 4.2 ULP off.

Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);
every other input, tiny ones included, gets the certified result.
Core 'poly' (expm1(2*x) on [-0.17328679513998632, 0.17328679513998632]): autonumerics/kernels/cores/tanh_fast_core.json
    ((((0.6666726469993591 + (0.26779410243034363 + 0.08888886123895645 * x) * x) * x + 1.3333219289779663) * x + 2.0) * x + 2.0) * x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = tanh_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.tanh_fast has both)
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


__all__ = ["tanh_fast"]

KERNEL_NAME = "tanh_fast"
TARGET = "tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/tanh_fast_core.json'}


def _tanh_fast_poly(r):
    """expm1(2*x): ((((0.6666726469993591 + (0.26779410243034363 + 0.08888886123895645 * x) * x) * x + 1.3333219289779663) * x + 2.0) * x + 2.0) * x (11 ops, xla, hash 3b19f417ced4f3fd)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.55561e0000000p-1")), jnp.float32(float.fromhex("0x1.12389e0000000p-2")), jnp.float32(float.fromhex("0x1.6c16ba0000000p-4")), jnp.float32(float.fromhex("0x1.5554960000000p+0")), jnp.float32(float.fromhex("0x1.0000000000000p+1")), jnp.float32(float.fromhex("0x1.0000000000000p+1")))
    v0 = c[2] * x
    v1 = c[1] + v0
    v2 = v1 * x
    v3 = c[0] + v2
    v4 = v3 * x
    v5 = v4 + c[3]
    v6 = v5 * x
    v7 = v6 + c[4]
    v8 = v7 * x
    v9 = v8 + c[4]
    v10 = v9 * x
    out = jnp.broadcast_to(v10, x.shape)
    return out


@jax.jit
def tanh_fast(x):
    """tanh(x) in float32 for every input, within 3.5 ULP (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    ac = jnp.where(a > jnp.float32(float.fromhex("0x1.3p+3")), jnp.float32(float.fromhex("0x1.3p+3")), a)  # inf -> 9.5; NaN stays NaN
    t = ac * jnp.float32(float.fromhex("-0x1.715476p+1")) + jnp.float32(float.fromhex("0x1.8p+23"))  # XLA fuses: one rounding
    n = jax.lax.optimization_barrier(t) - jnp.float32(float.fromhex("0x1.8p+23"))  # exact (XLA would fold (v + S) - S to v)
    r = n * jnp.float32(float.fromhex("-0x1.62e430p-2")) - ac  # XLA fuses: fma(n, -ln2/2, -a), one rounding
    p = _tanh_fast_poly(r)  # e^(2r) - 1
    w = _float((_bits(t) << 23) + jnp.int32(0x3F800000))  # 2^n, exact
    wp = w * p  # exact: w is a power of 2 (and w P stays normal)
    y = ((jnp.float32(float.fromhex("0x1p+0")) - w) - wp) / ((jnp.float32(float.fromhex("0x1p+0")) + w) + wp)  # (1 - E) / (1 + E): the division's one use
    y = _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x
    return y


tanh_fast = _float32_kernel(tanh_fast)
