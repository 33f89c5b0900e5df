"""erf(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the cores' own float32 arithmetic), as in the accurate
kernel (autonumerics/kernels/erf.py):

* a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
  result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
* a < 1: the "small" core, erf on [0, 1] as a + a*Q(a^2) with Q of degree 5 in a^2 (the accurate
  kernel's is degree 6). Its last op is the fused multiply-add fma(a, Q, a), whose product never
  rounds on its own: tiny and subnormal inputs give 2/sqrt(pi) a rounded once (NumPy, C).
* 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
  core, erf(c + t) with t = a - c exact (a and c = 0x1.205e7ep+1 share the 2^-23 grid and
  |t| < 2), a polynomial of degree 12 in t (12 products, each fused with an addition; the
  accurate kernel's is degree 14) ending in the fused multiply-add c0 + t*H(t), c0 =
  float32(erf(c)) within 1e-6 ULP of erf(c). erf >= 0.84 keeps the ULP at 2^-24 on this
  range, so the core's absolute error is the kernel's.
* a >= T (and a = inf) gives exactly 1: a is capped at T before the subtraction (a min that
  keeps NaN: one instruction where the accurate kernel's select costs a compare and a blend),
  and this tail core returns exactly 1.0 at t = T - c; erf(a) is within half an ULP of 1
  from T on.
* NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.

Error budget: the kernel adds no rounding of its own, so each core's float32 error on its
interval is the kernel's there. Lower degrees than the accurate kernel's trade approximation
error for ops: degree 4 in a^2 (19.5 ULP) and degree 11 in t (7.8 ULP) do not fit 3.5 ULP, so
these are the cheapest polynomials of this form. Over every float32 of [2^-126, 4]: 1.56 ULP at
most (a = 0.97077495, the small core), 1.24 on [1, 3.92] (a = 1.0005, the tail core). Saturating
earlier than T (1 is 3.2 ULP off from about a = 3.68 on) would shorten the tail's interval, but
degree 11 still measures 3.4 ULP on [1, 3.68], so T stays exact. Subnormal inputs (NumPy, C):
one rounding of a*Q(0) + a, within 0.88 units of 2^-149 (Q(0) is 2/sqrt(pi) - 1 to 4e-8).

Both cores are computed for every element and the result picked by a select (no branches in
JAX / NumPy; C branches). Cores unfenced, constants as float32 literals, as in the accurate
kernel (their inputs are a bit operation and a subtraction; their results feed only selects).

Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);
every other input, tiny ones included, gets the certified result.
Core 'small' (erf on [0.0, 1.0]): autonumerics/kernels/cores/erf_fast_small.json
    t0 = x * x; (((t0 * ((-0.000565029913559556 * t0 + 0.004922819789499044) * t0 + -0.02671649307012558) + 0.1128038614988327) * t0 + -0.3761235177516937) * t0 + 0.12837912142276764) * x + x
Core 'tail' (erf(x + 0x1.205e7ep+1) on [-1.2528836727142334, 1.6663222312927246]): autonumerics/kernels/cores/erf_fast_tail.json
    0.9985577464103699 + ((-0.015883224084973335 + ((-0.018929388374090195 + ((((((-3.208268026355654e-05 + (4.809884194401093e-05 + -9.124659300141502e-06 * x) * x) * x + -0.0003308732993900776) * x + 0.001007627695798874) * x + -0.0006886835908517241) * x + -0.002923801075667143) * x + 0.010628272779285908) * x) * x + 0.021500732749700546) * x) * x + 0.007050465326756239) * x
The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).
Usage: y = erf_fast(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.erf_fast has both)
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


__all__ = ["erf_fast"]

KERNEL_NAME = "erf_fast"
TARGET = "erf"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'autonumerics/kernels/cores/erf_fast_small.json', 'tail': 'autonumerics/kernels/cores/erf_fast_tail.json'}


def _erf_fast_small(r):
    """erf: t0 = x * x; (((t0 * ((-0.000565029913559556 * t0 + 0.004922819789499044) * t0 + -0.02671649307012558) + 0.1128038614988327) * t0 + -0.3761235177516937) * t0 + 0.12837912142276764) * x + x (13 ops, xla, hash be0019866d0218d1)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.283d080000000p-11")), jnp.float32(float.fromhex("0x1.429f360000000p-8")), jnp.float32(float.fromhex("-0x1.b5b9180000000p-6")), jnp.float32(float.fromhex("0x1.ce0b6c0000000p-4")), jnp.float32(float.fromhex("-0x1.8126860000000p-2")), jnp.float32(float.fromhex("0x1.06eba20000000p-3")))
    v0 = x * x
    v1 = c[0] * v0
    v2 = v1 + c[1]
    v3 = v2 * v0
    v4 = v3 + c[2]
    v5 = v0 * v4
    v6 = v5 + c[3]
    v7 = v6 * v0
    v8 = v7 + c[4]
    v9 = v8 * v0
    v10 = v9 + c[5]
    v11 = v10 * x
    v12 = v11 + x
    out = jnp.broadcast_to(v12, x.shape)
    return out


def _erf_fast_tail(r):
    """erf(x + 0x1.205e7ep+1): 0.9985577464103699 + ((-0.015883224084973335 + ((-0.018929388374090195 + ((((((-3.208268026355654e-05 + (4.809884194401093e-05 + -9.124659300141502e-06 * x) * x) * x + -0.0003308732993900776) * x + 0.001007627695798874) * x + -0.0006886835908517241) * x + -0.002923801075667143) * x + 0.010628272779285908) * x) * x + 0.021500732749700546) * x) * x + 0.007050465326756239) * x (24 ops, xla, hash fd04680e55b4293c)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.ff42f60000000p-1")), jnp.float32(float.fromhex("-0x1.043b120000000p-6")), jnp.float32(float.fromhex("-0x1.36239c0000000p-6")), jnp.float32(float.fromhex("-0x1.0d21080000000p-15")), jnp.float32(float.fromhex("0x1.937b7a0000000p-15")), jnp.float32(float.fromhex("-0x1.322c3a0000000p-17")), jnp.float32(float.fromhex("-0x1.5af2200000000p-12")), jnp.float32(float.fromhex("0x1.0824c00000000p-10")), jnp.float32(float.fromhex("-0x1.69118c0000000p-11")), jnp.float32(float.fromhex("-0x1.7f3a7c0000000p-9")), jnp.float32(float.fromhex("0x1.5c446a0000000p-7")), jnp.float32(float.fromhex("0x1.60449c0000000p-6")), jnp.float32(float.fromhex("0x1.ce0f2e0000000p-8")))
    v0 = c[5] * x
    v1 = c[4] + v0
    v2 = v1 * x
    v3 = c[3] + v2
    v4 = v3 * x
    v5 = v4 + c[6]
    v6 = v5 * x
    v7 = v6 + c[7]
    v8 = v7 * x
    v9 = v8 + c[8]
    v10 = v9 * x
    v11 = v10 + c[9]
    v12 = v11 * x
    v13 = v12 + c[10]
    v14 = v13 * x
    v15 = c[2] + v14
    v16 = v15 * x
    v17 = v16 + c[11]
    v18 = v17 * x
    v19 = c[1] + v18
    v20 = v19 * x
    v21 = v20 + c[12]
    v22 = v21 * x
    v23 = c[0] + v22
    out = jnp.broadcast_to(v23, x.shape)
    return out


@jax.jit
def erf_fast(x):
    """erf(x) in float32 for every input (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    small = _erf_fast_small(a)  # erf(a) for a < 1
    capped = jnp.where(a > jnp.float32(float.fromhex("0x1.f5a88ap+1")), jnp.float32(float.fromhex("0x1.f5a88ap+1")), a)  # a min; NaN stays
    tail = _erf_fast_tail(capped - jnp.float32(float.fromhex("0x1.205e7ep+1")))  # erf(c + t), t exact; exactly 1 at T
    y = jnp.where(a < jnp.float32(1.0), small, tail)  # NaN fails the test: tail(NaN) = NaN
    return _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)


erf_fast = _float32_kernel(erf_fast)
