"""tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a < 0.5625: the "small" core, tanh on [0, 0.5625] as a + a^3*Q(a^2), ending in one fused
  multiply-add whose product never rounds on its own (tiny inputs give a, subnormals included).
* 0.5625 <= a < T = 0x1.205968p+3 (9.0109138, the first float32 whose tanh rounds to 1):
  tanh(a) = (1 - E) / (1 + E) = 2g - 1 with E = e^(-2a) and g = 1 / (1 + E), in float32 only but
  with every error term far below the final rounding:
  - z = -2a (exact), n = round(z / ln 2) (one FMA with a shifter), r = z - n*ln2_hi by one FMA:
    exact (r needs at most 24 bits); the rest of n*ln 2 becomes the factor 1 + c, c = -n*ln2_lo, |c| < 2^-23;
  - the "expm1" core m(r) ~ e^r - 1 - r (|m| <= 0.07), so e^r = (1 + r) + m: 1 + r is split
    exactly (Fast2Sum), m added to its low part, and e^z = 2^n (p + pl) kept as an unrounded pair
    (p + pl carries ~2^-29 relative error: the core's own ULP error is damped by |m| <= 0.07);
  - 1 + E as an exact pair (Fast2Sum), g = g0 + g1 by a reciprocal and one Newton step with two
    FMAs (the residual 1 - g0*dh is exact);
  - tanh = (2*g0 - 1) + 2*g1: 2*g0 - 1 is exact (Sterbenz), so the result rounds once.
* a >= T (and a = inf) gives exactly 1; NaN gives NaN.

Both paths are computed for every element and selects pick the result (no branches in JAX and
NumPy). Measured over every float32 (the certificate): max 0.73 ULP, from the small core.

Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);
every other input, tiny ones included, gets the certified result.
Core 'small' (tanh on [0.0, 0.5625]): results/kernels/cores/tanh_core_small.json
    t0 = x * x; t0 * x * ((t0 * ((-0.006206011865288019 * t0 + 0.02102750539779663) * t0 + -0.05384277179837227) + 0.13332511484622955) * t0 + -0.33333316445350647) + x
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): results/kernels/cores/tanh_core_expm1.json
    (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = tanh(x)  # any shape, float32
"""

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


__all__ = ["tanh"]

KERNEL_NAME = "tanh"
TARGET = "tanh"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'small': 'results/kernels/cores/tanh_core_small.json', 'expm1': 'results/kernels/cores/tanh_core_expm1.json'}


def _tanh_small(r):
    """tanh: t0 = x * x; t0 * x * ((t0 * ((-0.006206011865288019 * t0 + 0.02102750539779663) * t0 + -0.05384277179837227) + 0.13332511484622955) * t0 + -0.33333316445350647) + x (12 ops, xla, hash 10691bc8e8f198c8)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.96b79a0000000p-8")), jnp.float32(float.fromhex("0x1.5883c00000000p-6")), jnp.float32(float.fromhex("-0x1.b9147a0000000p-5")), jnp.float32(float.fromhex("0x1.110cc20000000p-3")), jnp.float32(float.fromhex("-0x1.55554a0000000p-2")))
    v0 = x * x
    v1 = v0 * x
    v2 = c[0] * v0
    v3 = v2 + c[1]
    v4 = v3 * v0
    v5 = v4 + c[2]
    v6 = v0 * v5
    v7 = v6 + c[3]
    v8 = v7 * v0
    v9 = v8 + c[4]
    v10 = v1 * v9
    v11 = v10 + x
    out = jnp.broadcast_to(v11, x.shape)
    return out


def _tanh_expm1(r):
    """expm1(x) - x: (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x) (10 ops, xla, hash 273a21660127a787)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("0x1.5556820000000p-5")), jnp.float32(float.fromhex("0x1.12006e0000000p-7")), jnp.float32(float.fromhex("0x1.6b24780000000p-10")), jnp.float32(float.fromhex("0x1.5554ea0000000p-3")), jnp.float32(float.fromhex("0x1.0000000000000p-1")))
    v0 = c[2] * x
    v1 = c[1] + v0
    v2 = v1 * x
    v3 = c[0] + v2
    v4 = v3 * x
    v5 = v4 + c[3]
    v6 = v5 * x
    v7 = v6 + c[4]
    v8 = x * x
    v9 = v7 * v8
    out = jnp.broadcast_to(v9, x.shape)
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
    m = _kept(_tanh_expm1(_kept(r, live)), live)  # e^r - 1 - r
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
def tanh(x):
    """tanh(x) in float32 for every input (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    live = x == x  # the fences' predicate
    small = _tanh_small(a)
    ac = jnp.where(a < jnp.float32(float.fromhex("0x1.3p+3")), a, jnp.float32(float.fromhex("0x1.3p+3")))  # NaN -> 9.5 too (selected away at the end)
    z = _kept(ac * jnp.float32(float.fromhex("-0x1p+1")), live)  # -2a, exact (the select keeps it out of the reduction's FMA)
    n, p, pl = _exp_pair(z, live)
    s = _pow2(n)
    g0, g1 = _reciprocal_pair(s * p, s * pl, live)
    big = (g0 * jnp.float32(float.fromhex("0x1p+1")) - jnp.float32(float.fromhex("0x1p+0"))) + g1 * jnp.float32(float.fromhex("0x1p+1"))  # 2 g0 - 1 exact: one rounding
    y = jnp.where(a < jnp.float32(float.fromhex("0x1.2p-1")), small, big)
    y = jnp.where(a >= jnp.float32(float.fromhex("0x1.205968p+3")), jnp.float32(float.fromhex("0x1p+0")), y)
    y = _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x
    y = jnp.where(x == x, y, x)
    return y
