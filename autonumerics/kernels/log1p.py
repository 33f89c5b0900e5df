"""The full-range float32 log1p kernel: u = 1 + x as an exact pair, then the log kernel's reduction
of u.

Range reduction (every step exact except the core, the division and three roundings in the tail):

* u = 1 + x rounded once and its exact error c (Knuth's 2Sum, no ordering needed): 1 + x = u + c.
  For x > -1 the sum u is at least 2^-24, a normal float, so no subnormal path is needed.
* u = 2^e * m with m in [sqrt(2)/2, sqrt(2)) from its bit pattern (the log kernel's split), f =
  m - 1 exact, and the log kernel's core q(f) ~ (log(1 + f) - f) / f^2 on the same range of f.
* log1p(x) = log(u) + log(1 + c/u), and |c/u| <= 2^-24, so log(1 + c/u) = c/u to 2^-49: the
  correction is one division, rounded once and added inside the tail. It matters where log1p(x)
  is small: for |x| < 2^-25, u = 1 and the result is c/1 = x exactly.
* log1p(x) = hi + ((f * f) q + (c/u + (e LN2_LO + lo))) with hi = e LN2_HI + f and lo its exact
  error (Fast2Sum), as in the log kernel (LN2_HI of 15 bits, so e LN2_HI is exact); the final sum
  rounds once.
* log1p(-1) = -inf, log1p(x < -1) = NaN, log1p(+inf) = +inf, NaN -> NaN, log1p(+-0) = +-0.
  x == 0 selects x itself, which in jitted JAX on CPU (where subnormal x compares equal to 0)
  returns subnormal inputs unchanged: log1p(x) = x there, so JAX, NumPy and C agree on them too.

JAX's own jnp.log1p is 2.4 ULP off on a sample of [-0.99, 100] (x near 0.43); this kernel is
within 1 ULP on every float32 (the certificate).
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.log import CORE_TARGET
from autonumerics.kernels.log2 import F_RANGE, SQRT_HALF_BITS

DEFAULT_CORES = {"poly": packaged_core("log_core.json")}  # the log kernel's core

ROLES = {"poly": CoreRole(CORE_TARGET, F_RANGE)}
LN2_HI = "0x1.62e4p-1"  # 15 significant bits: e * LN2_HI is exact for |e| <= 129
LN2_LO = "0x1.7f7d1cp-20"  # ln2 - LN2_HI, rounded to float32

DESCRIPTION = (
    "u = 1 + x with its exact error c (2Sum; u >= 2^-24 is normal for x > -1); u = 2^e m, m in "
    "[sqrt(2)/2, sqrt(2)) from the bits, f = m - 1 exact, the log kernel's evolved core q(f) ~ "
    "(log(1+f) - f)/f^2; log1p x = hi + ((f*f) q + (c/u + e LN2_LO + lo)) with hi = e LN2_HI + f "
    "(Fast2Sum error lo kept, LN2_HI 15 bits), one rounding at the end; x = -1 -> -inf, x < -1 -> "
    "NaN, +inf -> +inf, NaN -> NaN, +-0 -> +-0."
)

# emitted verbatim into the certified exports: its lines stay as they are
_JAX = '''
@jax.jit
def log1p(x):
    """log(1 + x) in float32 for every input (see the module docstring); subnormal inputs give themselves."""
    x = jnp.asarray(x, jnp.float32)
    u = _rounded(x + jnp.float32(1.0))  # read through a select: XLA would fold (x + 1) - 1 to x
    v = u - jnp.float32(1.0)
    c = (jnp.float32(1.0) - (u - v)) + (x - v)  # 2Sum: 1 + x = u + c exactly
    bits = _bits(u)  # u >= 2^-24 for x > -1: normal
    e = (bits - {sqrt_half}) >> 23
    m = _float(bits - (e << 23))  # in [sqrt(2)/2, sqrt(2))
    ef = e.astype(jnp.float32)
    f = m - jnp.float32(1.0)  # exact
    q = _log1p_core(f)
    a = ef * jnp.float32(float.fromhex("{ln2_hi}"))  # e * LN2_HI: exact
    hi = a + f  # rounds once; exact when e = 0
    lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
    small = ef * jnp.float32(float.fromhex("{ln2_lo}")) + lo  # e * LN2_LO + lo, one FMA
    tail = (f * f) * q + (c / u + small)  # log(1 + c/u) = c/u to 2^-49; one FMA, as XLA fuses it
    y = hi + tail
    y = jnp.where(x < jnp.float32(jnp.inf), y, x)  # +inf -> +inf
    y = jnp.where(x > jnp.float32(-1.0), y, jnp.where(x == jnp.float32(-1.0), jnp.float32(-jnp.inf),
                                                      jnp.float32(jnp.nan)))  # -1, x < -1, NaN
    return jnp.where(x == jnp.float32(0.0), x, y)  # +-0 -> +-0 (and subnormal x, which XLA reads as 0, -> x)
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY = '''
def log1p(x):
    """log(1 + x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        u = x + np.float32(1.0)
        v = u - np.float32(1.0)
        c = (np.float32(1.0) - (u - v)) + (x - v)  # 2Sum: 1 + x = u + c exactly
        bits = _bits(u)
        e = (bits - np.int32({sqrt_half})) >> np.int32(23)
        m = _float(bits - (e << np.int32(23)))  # in [sqrt(2)/2, sqrt(2))
        ef = e.astype(np.float32)
        f = m - np.float32(1.0)  # exact
        q = _log1p_core(f)
        a = ef * np.float32(float.fromhex("{ln2_hi}"))  # e * LN2_HI: exact
        hi = a + f  # rounds once; exact when e = 0
        lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
        small = _fma32(ef, np.float32(float.fromhex("{ln2_lo}")), lo)  # e * LN2_LO + lo
        tail = _fma32(f * f, q, c / u + small)
        y = hi + tail
        y = np.where(x < np.float32(np.inf), y, x)  # +inf -> +inf
        y = np.where(x > np.float32(-1.0), y, np.where(x == np.float32(-1.0), np.float32(-np.inf),
                                                       np.float32(np.nan)))  # -1, x < -1, NaN
        y = np.where(x == np.float32(0.0), x, y)  # +-0 -> +-0
    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C = '''
static inline float {cname}(float x) {{
    if (!(x > -1.0f)) return x == -1.0f ? -INFINITY : (x != x ? x : NAN);  /* -1, x < -1, NaN */
    if (x == INFINITY || x == 0.0f) return x;  /* +inf, +-0 */
    const float u = x + 1.0f;
    const float v = u - 1.0f;
    const float c = (1.0f - (u - v)) + (x - v);  /* 2Sum: 1 + x = u + c exactly */
    const int32_t bits = an_bits(u);  /* u >= 2^-24: normal */
    /* e = floor((bits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)bits - {sqrt_half}u + 0x40000000u) >> 23) - 128;
    const float m = an_float(bits - (int32_t)((uint32_t)e << 23));  /* in [sqrt(2)/2, sqrt(2)) */
    const float ef = (float)e;
    const float f = m - 1.0f;  /* exact */
    const float q = {cname}_core(f);
    const float a = ef * {ln2_hi}f;  /* e * LN2_HI: exact */
    const float hi = a + f;  /* rounds once; exact when e = 0 */
    const float lo = (a - hi) + f;  /* Fast2Sum: hi + lo = e * LN2_HI + f exactly */
    const float small = fmaf(ef, {ln2_lo}f, lo);  /* e * LN2_LO + lo */
    const float tail = fmaf(f * f, q, c / u + small);
    return hi + tail;
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log1p kernel around ``cores["poly"]`` ((log(1+f) - f)/f^2 on the log kernel's
    range of f; by default the log kernel's own core)."""
    core = cores["poly"]
    fields = {"sqrt_half": SQRT_HALF_BITS, "ln2_hi": LN2_HI, "ln2_lo": LN2_LO}
    jax_doc = ("Subnormal inputs give themselves (log1p(x) = x there): jitted JAX on CPU reads "
               "them as 0,\n"
               "and the x == 0 select returns x unchanged.")
    bodies = {"jax": [_JAX.format(**fields)], "numpy": [_NUMPY.format(**fields)],
              "c": [_C.format(cname=c_name("log1p"), **fields)]}
    return assemble_kernel(
        "log1p", {"core": core},
        lambda language: kernel_docstring("log1p(x) = log(1 + x)", __doc__, (core,), language,
                                          "log1p", jax_doc),
        bodies, DESCRIPTION)
