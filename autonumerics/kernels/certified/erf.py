"""erf(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the cores' own float32 arithmetic):

* a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
  result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
* a < 1: the "small" core, erf on [0, 1] in the form a + a*Q(a^2) (storing 2/sqrt(pi) - 1
  instead of 2/sqrt(pi), which float32 cannot hold, is what gets it under 1 ULP). Its last op
  is one fused multiply-add fma(a, Q, a), whose product never rounds on its own, so tiny and
  subnormal inputs come out right (a*Q cannot underflow before the addition).
* 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
  core, erf(c + t) with t = a - c and c = 0x1.205e7ep+1 (2.2528837). t is exact: a and c are
  multiples of 2^-23 and |t| < 2. The core ends in c0 + t*H(t), one fused multiply-add whose
  constant c0 is float32(erf(c)), and erf(c) lies within 1e-6 ULP of it (c was chosen so):
  the result is rounded once, and erf >= 0.84 keeps its ULP fixed at 2^-24 on this range.
* a >= T (and a = inf) gives exactly 1: erf(a) is within half an ULP of 1 from T on.
* NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.

Both cores are computed for every element and the result picked by selects (no branches in
JAX / NumPy; C branches). The error is the cores' alone: each core's exhaustive float32 error
on its interval is the kernel's error there.

Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);
every other input, tiny ones included, gets the certified result.
Core 'small' (erf on [0.0, 1.0]): autonumerics/kernels/cores/erf_small.json
    t0 = x * x; x + x * (0.12837916612625122 + t0 * (-0.37612611055374146 + t0 * (0.11283455789089203 + t0 * (-0.026849253103137016 + t0 * (0.005180303007364273 + t0 * (-0.0007941267685964704 + t0 * 7.625635043950751e-05))))))
Core 'tail' (erf(x + 0x1.205e7ep+1) on [-1.2528836727142334, 1.6663222312927246]): autonumerics/kernels/cores/erf_tail.json
    ((-0.01588352955877781 + ((-0.018927233293652534 + ((-0.0029280518647283316 + ((((((-1.3345316801860463e-05 + (-3.0608425731770694e-06 + 1.0928224583039992e-06 * x) * x) * x + 6.449223292293027e-05) * x + -2.7585714633460157e-05) * x + -0.00036512722726911306) * x + 0.0010086550610139966) * x + -0.0006537429289892316) * x) * x + 0.01061062142252922) * x) * x + 0.02150462381541729) * x) * x + 0.007050215732306242) * x + 0.9985577464103699
The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).
Usage: y = erf(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.erf has both)
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


__all__ = ["erf"]

KERNEL_NAME = "erf"
TARGET = "erf"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'autonumerics/kernels/cores/erf_small.json', 'tail': 'autonumerics/kernels/cores/erf_tail.json'}


def _erf_small(r):
    """erf: t0 = x * x; ((((t0 * ((7.625635043950751e-05 * t0 + -0.0007941267685964704) * t0 + 0.005180303007364273) + -0.026849253103137016) * t0 + 0.11283455789089203) * t0 + -0.37612611055374146) * t0 + 0.12837916612625122) * x + x (15 ops, xla, hash 8eb4985ad61ae9df)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.3fd7a20000000p-14")), jnp.float32(float.fromhex("-0x1.a059e40000000p-11")), jnp.float32(float.fromhex("0x1.537f100000000p-8")), jnp.float32(float.fromhex("-0x1.b7e5ee0000000p-6")), jnp.float32(float.fromhex("0x1.ce2b9c0000000p-4")), jnp.float32(float.fromhex("-0x1.8127340000000p-2")), jnp.float32(float.fromhex("0x1.06eba80000000p-3")))
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
    v11 = v10 * v0
    v12 = v11 + c[6]
    v13 = v12 * x
    v14 = v13 + x
    out = jnp.broadcast_to(v14, x.shape)
    return out


def _erf_tail(r):
    """erf(x + 0x1.205e7ep+1): ((-0.01588352955877781 + ((-0.018927233293652534 + ((-0.0029280518647283316 + ((((((-1.3345316801860463e-05 + (-3.0608425731770694e-06 + 1.0928224583039992e-06 * x) * x) * x + 6.449223292293027e-05) * x + -2.7585714633460157e-05) * x + -0.00036512722726911306) * x + 0.0010086550610139966) * x + -0.0006537429289892316) * x) * x + 0.01061062142252922) * x) * x + 0.02150462381541729) * x) * x + 0.007050215732306242) * x + 0.9985577464103699 (28 ops, xla, hash 5349408eec93662b)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.043c5a0000000p-6")), jnp.float32(float.fromhex("-0x1.361a920000000p-6")), jnp.float32(float.fromhex("-0x1.7fc91e0000000p-9")), jnp.float32(float.fromhex("-0x1.bfcb660000000p-17")), jnp.float32(float.fromhex("-0x1.9ad1c00000000p-19")), jnp.float32(float.fromhex("0x1.255a300000000p-20")), jnp.float32(float.fromhex("0x1.0e80020000000p-14")), jnp.float32(float.fromhex("-0x1.cecfbe0000000p-16")), jnp.float32(float.fromhex("-0x1.7edd180000000p-12")), jnp.float32(float.fromhex("0x1.0869b20000000p-10")), jnp.float32(float.fromhex("-0x1.56bfe40000000p-11")), jnp.float32(float.fromhex("0x1.5bb0580000000p-7")), jnp.float32(float.fromhex("0x1.6054ee0000000p-6")), jnp.float32(float.fromhex("0x1.ce0afe0000000p-8")), jnp.float32(float.fromhex("0x1.ff42f60000000p-1")))
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
    v24 = v23 * x
    v25 = v24 + c[13]
    v26 = v25 * x
    v27 = v26 + c[14]
    out = jnp.broadcast_to(v27, x.shape)
    return out


@jax.jit
def erf(x):
    """erf(x) in float32 for every input (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    small = _erf_small(a)  # erf(a) for a < 1
    tail = _erf_tail(a - jnp.float32(float.fromhex("0x1.205e7ep+1")))  # erf(c + t), t exact, for 1 <= a < T
    y = jnp.where(a >= jnp.float32(float.fromhex("0x1.f5a88ap+1")), jnp.float32(1.0), tail)
    y = jnp.where(a < jnp.float32(1.0), small, y)  # NaN fails both tests: tail(NaN) = NaN
    return _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)


erf = _float32_kernel(erf)
