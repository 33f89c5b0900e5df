"""log2(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (every step exact except the core, three small roundings and the final sum):

* Subnormal inputs are normalised on the integer side: their bit pattern k (< 2^23) converts
  exactly to the float32 k, a normal number, and x = k * 2^-149. Integer and bit operations are
  exact everywhere, so even jitted JAX on CPU (which reads subnormal floats as 0) gets them right.
* e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
  e in [-149, 128]; f = m - 1 in [-0.2929, 0.4142] is exact (Sterbenz).
* f = fh + fl with fh the top 12 significant bits of f (a mask on its bit pattern), so
  fh * fh is exact and f^2 = fh^2 + fl * (f + fh), the second part 2^-11 times smaller.
* The core q(f) ~ Q(f) = (log2(1 + f) - f / ln2) / f^2, searched on the float32 range of f.
* 1/ln2 = L_HI + L_LO with L_HI of 12 significant bits: fh * L_HI and fl * L_HI are exact.
  hi = e + fh * L_HI rounds once and lo = (e - hi) + fh * L_HI is its exact error (Fast2Sum:
  |e| >= 1 > |fh * L_HI| when e != 0, and hi is exact when e = 0).
* log2(x) = hi + (fh^2 q + (fl (f + fh) q + (fl L_HI + (f L_LO + lo)))), the products by q and
  by L_LO fused into the additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs).
  The tail is at most a fifth of the result near |f| = 0.41 and much less elsewhere, so q's
  error reaches the result damped at least four times; the final sum rounds once.
* log2(+-0) = -inf, log2(x < 0) = NaN, log2(+inf) = +inf, NaN -> NaN (selects on the bits).

Subnormal inputs are normalised with integer operations, so every language computes them
correctly (jitted JAX on CPU included, which reads subnormal floats as 0); no result is subnormal.
Core 'poly' ((log2(1+x) - x/ln2)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log2_core.json
    (0.4808982014656067 + ((((((0.16969703137874603 + (-0.1695670485496521 + 0.10271172225475311 * x) * x) * x + -0.178676038980484) * x + 0.2053551822900772) * x + -0.24049179255962372) * x + 0.28855976462364197) * x + -0.3606734573841095) * x) * x + -0.7213475108146667
The JAX, NumPy and C versions agree bit for bit.
Usage: y = log2(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.log2 has both)
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


__all__ = ["log2"]

KERNEL_NAME = "log2"
TARGET = "log2"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'poly': 'autonumerics/kernels/cores/log2_core.json'}


def _log2_core(r):
    """(log2(1+x) - x/ln2)/x**2: (0.4808982014656067 + ((((((0.16969703137874603 + (-0.1695670485496521 + 0.10271172225475311 * x) * x) * x + -0.178676038980484) * x + 0.2053551822900772) * x + -0.24049179255962372) * x + 0.28855976462364197) * x + -0.3606734573841095) * x) * x + -0.7213475108146667 (18 ops, xla, hash 033dd0e0d434b619)."""
    x = jnp.asarray(r, jnp.float32)
    c = jax.lax.optimization_barrier(jnp.array((float.fromhex("0x1.ec70940000000p-2"), float.fromhex("0x1.5b8a1e0000000p-3"), float.fromhex("-0x1.5b45f80000000p-3"), float.fromhex("0x1.a4b50c0000000p-4"), float.fromhex("-0x1.6dedb40000000p-3"), float.fromhex("0x1.a491420000000p-3"), float.fromhex("-0x1.ec86f60000000p-3"), float.fromhex("0x1.277c360000000p-2"), float.fromhex("-0x1.7154620000000p-2"), float.fromhex("-0x1.7154760000000p-1")), jnp.float32))
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


@jax.jit
def log2(x):
    """log2(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    tiny = bits < 0x00800000  # subnormal (or zero, or negative: selected away at the end)
    nbits = jnp.where(tiny, _bits(bits.astype(jnp.float32)), bits)  # k -> float(k), exact
    e = (nbits - 0x3F3504F3) >> 23
    m = _float(nbits - (e << 23))  # in [sqrt(2)/2, sqrt(2))
    ef = (e - jnp.where(tiny, 149, 0)).astype(jnp.float32)
    f = m - jnp.float32(1.0)  # exact
    fh = _float(_bits(f) & -4096)  # top 12 significant bits of f
    fl = f - fh  # exact
    q = _log2_core(f)
    p = fh * jnp.float32(float.fromhex("0x1.716p+0"))  # fh * L_HI: exact (12 x 12 bits)
    hi = ef + p  # rounds once; exact when e = 0
    lo = (ef - hi) + p  # Fast2Sum: hi + lo = e + p exactly
    small = fl * jnp.float32(float.fromhex("0x1.716p+0")) + (f * jnp.float32(float.fromhex("-0x1.7135a8p-13")) + lo)
    tail = (fh * fh) * q + ((fl * (f + fh)) * q + small)  # two FMAs, as XLA fuses them
    y = hi + tail
    y = jnp.where(bits < 0, jnp.float32(jnp.nan), y)  # x < 0 (and -0, -NaN)
    y = jnp.where(bits >= 0x7F800000, x, y)  # +inf -> +inf, +NaN -> NaN
    # +-0 -> -inf. Not (bits << 1) == 0: LLVM rewrites that test into x == 0.0, which is true for
    # subnormal x where XLA flushes them (DAZ); nbits is 0 only for +0, and -0 has its own pattern.
    return jnp.where((nbits == 0) | (bits == -0x80000000), jnp.float32(-jnp.inf), y)


log2 = _float32_kernel(log2)
