"""gelu(x) = x Phi(x) in float32 for every input: a full-range kernel exported by autonumerics (jax).

gelu(x) = x Phi(x). With a = |x| and w = a Phi(-a), the kernel returns -w for x < 0 and x - w
for x >= 0 (w <= x/2 there). As in the fast kernel (``autonumerics/kernels/fast/gelu.py``),
q = a / (1 + 3a/8) and a Phi(-a) = (q/2) e^(-a^2/2 + g), g(q) = ln(2 R(a) (1 + 3a/8)) smooth and
small (0 at q = 0, -1.05 at a = 15), R = erfcx(a/sqrt 2)/2. Every step keeps a low part:

* a is clamped to 15 (gelu(-15) rounds to -0). q + ql = a / (1 + 3a/8) to ~2^-46 (1 + 3a/8 =
  den + dl exactly, the division's residual by FMAs; the fast kernel's construction).
* g = q G(q), G(q) = G0 + q H(q), G0 = 3/8 - sqrt(2/pi) = G0h + G0l (two float32). g = gh + gr:
  gh = q G0h rounded, its error gl exactly by one FMA, gr = q (G0l + q H) + (ql G0h + gl). The
  "tail" core H (degree 10 in u = q - 2, fitted for the absolute error of q^2 H, which is what
  reaches g) errs by <= 0.11 units of 2^-24 in q^2 H as evaluated in float32 (u centred at the
  top of [0, 2.2642], where q^2 is largest); the roundings inside gr are <= 2^-28.
* The exponent z = -a^2/2 + g: a^2 = h + l (FMA), sh + sl = -h/2 + gh exactly (TwoSum),
  n = round((sh + gr) log2 e) (shifter FMA), r = sh - n ln2_hi exact (one FMA; |r| < 0.5 and r
  is a multiple of ulp(sh) or 2^-24), rh + rerr = r + gr exactly (TwoSum; |rh| <= 0.3466),
  c = rerr + sl - l/2 - n ln2_lo (|c| < 2^-17; its roundings are 2^-41).
* e^(rh) = p + pl as in ``exp_pair``: the accurate expm1 core m(r) ~ e^r - 1 - r (6.6e-9
  absolute, 0.16 units of 2^-24 relative at most), 1 + r split exactly, Fast2Sum; pl takes
  c p by one FMA (e^c = 1 + c to 2^-35).
* w = 2^(n-1) (q + ql)(p + pl): vh = q p, vl its exact error (FMA), vlow = q pl + (ql p + vl)
  by two FMAs. x < 0: -(vh + vlow) 2^(n-1), rounded once (NumPy and C scale in two steps,
  2^(n+63) exactly then 2^-64: subnormal results, x < -13.146, are rounded once more; JAX adds
  n - 1 to the exponent bits and returns 0 below 2^-126, as XLA flushes). x >= 0 (n >= -21
  wherever it matters): wh + wl = (vh + vlow) 2^(n-1) exactly, d + e = x - wh exactly
  (Fast2Sum, x >= 2 wh), the result d + (e - wl), rounded once.
* x >= 5.3475156 (0x1.563db2p+2, where gelu(x) rounds to x) returns x by a select (+inf, NaN
  too); x = -inf gives -0; +-0 give +-0 (the x >= 0 form ends d - (wl - e): -0 - 0).

Error budget before the last rounding (relative, units of 2^-24): H in g 0.11, other roundings
of g and the exponent <= 0.05, the expm1 core 0.16, 1 + r and the products <= 0.02: ~0.35 at
worst, and the worst cases of the parts rarely meet. For x >= 0, w's error enters times
w / (x - w) <= 1. Measured (every float32 in the intervals, ``autonumerics verify --interval
... --exhaustive``): 0.811 ULP (x = -2.7813) on [-4, -2], 0.727 on [-13.146, -12]; sampled
over the whole line (2^18 per part, JAX and NumPy): 0.698 ULP.

Subnormal results are flushed by jitted JAX on CPU (FTZ): x < -13.146 gives -0; subnormal inputs are read as 0.
Core 'tail' ((log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2) on [-1.9999995, 0.265]): autonumerics/kernels/cores/gelu_tail.json
    -0.02205662429332733 + x * (0.017305314540863037 + x * (-0.0003535693685989827 + x * (-0.0016605050768703222 + x * (0.00024579346063546836 + x * (0.00021039176499471068 + x * (-6.509402737719938e-05 + x * (-4.0485389035893604e-05 + x * (8.19997330836486e-06 + x * (7.942197044030763e-06 + x * 1.313454276896664e-06)))))))))
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
    ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu(x)  # any shape, float32 (other float dtypes and jax.grad raise: autonumerics.jax.gelu has both)
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


__all__ = ["gelu"]

KERNEL_NAME = "gelu"
TARGET = "gelu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'tail': 'autonumerics/kernels/cores/gelu_tail.json', 'expm1': 'autonumerics/kernels/cores/expm1_core.json'}


def _gelu_tail(r):
    """(log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2): -0.02205662429332733 + ((-0.0003535693685989827 + ((((((8.19997330836486e-06 + (7.942197044030763e-06 + 1.313454276896664e-06 * x) * x) * x + -4.0485389035893604e-05) * x + -6.509402737719938e-05) * x + 0.00021039176499471068) * x + 0.00024579346063546836) * x + -0.0016605050768703222) * x) * x + 0.017305314540863037) * x (20 ops, xla, hash c94db6931cb4f500)."""
    x = jnp.asarray(r, jnp.float32)
    c = (jnp.float32(float.fromhex("-0x1.6960300000000p-6")), jnp.float32(float.fromhex("-0x1.72be8e0000000p-12")), jnp.float32(float.fromhex("0x1.13253c0000000p-17")), jnp.float32(float.fromhex("0x1.0a7ef40000000p-17")), jnp.float32(float.fromhex("0x1.6093e40000000p-20")), jnp.float32(float.fromhex("-0x1.539db60000000p-15")), jnp.float32(float.fromhex("-0x1.11062e0000000p-14")), jnp.float32(float.fromhex("0x1.b939380000000p-13")), jnp.float32(float.fromhex("0x1.01bbae0000000p-12")), jnp.float32(float.fromhex("-0x1.b34a9c0000000p-10")), jnp.float32(float.fromhex("0x1.1b87c00000000p-6")))
    v0 = c[4] * x
    v1 = c[3] + v0
    v2 = v1 * x
    v3 = c[2] + v2
    v4 = v3 * x
    v5 = v4 + c[5]
    v6 = v5 * x
    v7 = v6 + c[6]
    v8 = v7 * x
    v9 = v8 + c[7]
    v10 = v9 * x
    v11 = v10 + c[8]
    v12 = v11 * x
    v13 = v12 + c[9]
    v14 = v13 * x
    v15 = c[1] + v14
    v16 = v15 * x
    v17 = v16 + c[10]
    v18 = v17 * x
    v19 = c[0] + v18
    out = jnp.broadcast_to(v19, x.shape)
    return out


def _gelu_expm1(r):
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


@jax.jit
def gelu(x):
    """gelu(x) = x Phi(x) in float32 for every input, <= 1 ULP (module docstring); subnormal results are flushed (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    a = jnp.where(a < jnp.float32(float.fromhex("0x1.ep+3")), a, jnp.float32(float.fromhex("0x1.ep+3")))  # inf and NaN -> 15 (selected away at the end)
    ra = _rounded(a)  # products apart from a*a, a*K (CSE)
    h = a * a
    l = ra * a - h  # XLA fuses: exact
    den = a * jnp.float32(float.fromhex("0x1.8p-2")) + jnp.float32(float.fromhex("0x1p+0"))
    dl = ra * jnp.float32(float.fromhex("0x1.8p-2")) + (jnp.float32(float.fromhex("0x1p+0")) - den)  # exact
    q = _float(_bits(a / den) & jnp.int32(0x7FFFFFFF))  # q >= 0: the AND is the division's one use
    rq = _rounded(q)  # products apart from q*G0_HI, q*p (CSE)
    res = a - q * den  # exact
    e = res - q * dl
    ql = e * (jnp.float32(float.fromhex("0x1p+0")) - q * jnp.float32(float.fromhex("0x1.8p-2")))  # q + ql = a / (1 + Ka)
    hq = _gelu_tail(jnp.where(q > jnp.float32(float.fromhex("0x1p-21")), q, jnp.float32(float.fromhex("0x1p-21"))) - jnp.float32(float.fromhex("0x1p+1")))  # H(q)
    inner = q * hq + jnp.float32(float.fromhex("-0x1.ea1b28p-28"))
    gh = q * jnp.float32(float.fromhex("-0x1.b108a6p-2"))
    gl = rq * jnp.float32(float.fromhex("-0x1.b108a6p-2")) - gh  # exact
    gr = ql * jnp.float32(float.fromhex("-0x1.b108a6p-2")) + gl
    gr = q * inner + gr  # g = gh + gr
    hh = h * -jnp.float32(float.fromhex("0x1p-1"))  # -a^2/2 + l/2, exact
    sh = hh + gh
    b = sh - hh
    sl = (hh - (sh - b)) + (gh - b)  # sh + sl = hh + gh (TwoSum)
    t = jax.lax.optimization_barrier((sh + gr) * jnp.float32(float.fromhex("0x1.715476p+0")) + jnp.float32(float.fromhex("0x1.8p+23")))
    nf = t - jnp.float32(float.fromhex("0x1.8p+23"))  # n, exact
    r = sh - nf * jnp.float32(float.fromhex("0x1.62e43p-1"))  # exact
    rh = r + gr
    b = rh - r
    rerr = (r - (rh - b)) + (gr - b)  # rh + rerr = r + gr (TwoSum)
    c = nf * jnp.float32(float.fromhex("0x1.05c61p-29")) + ((rerr + sl) - l * jnp.float32(float.fromhex("0x1p-1")))
    m = _rounded(_gelu_expm1(rh))  # e^rh - 1 - rh (kept apart from mid)
    h1 = jax.lax.optimization_barrier(jnp.float32(float.fromhex("0x1p+0")) + rh)
    lo1 = rh - (h1 - jnp.float32(float.fromhex("0x1p+0")))  # h1 + lo1 = 1 + rh exactly
    mid = lo1 + m
    p = h1 + mid
    pl = c * p + (mid - (p - h1))  # e^(r + c) = p + pl
    vh = q * p
    vl = rq * p - vh  # exact
    vlow = ql * p + vl
    vlow = q * pl + vlow  # (q + ql)(p + pl) = vh + vlow
    wn = _bits(vh + vlow) + ((_bits(t) - 1) << 23)  # bits(t) << 23 = n << 23
    wn = jnp.where(wn < 0x00800000, jnp.float32(0.0), _float(wn))
    s = _pow2(jnp.maximum(_bits(t) - jnp.int32(0x4B400001), jnp.int32(-126)))  # 2^(n-1), x >= 0
    wh = vh * s
    wl = vlow * s
    d = x - wh
    e = (x - d) - wh  # d + e = x - wh (Fast2Sum: x >= 2 wh)
    y = jnp.where(x < 0, -wn, d - (wl - e))  # -0 - (0 - 0) = -0
    y = jnp.where(x < jnp.float32(float.fromhex("0x1.563db2p+2")), y, x)  # x itself from 5.3475156 on; +inf; NaN
    return y


gelu = _float32_kernel(gelu)
