"""The fast-tier float32 log1p kernel (<= 3.5 ULP): u = 1 + x rounded gives e, then
1 + x = 2^e (1 + f) with f = x 2^-e + (2^-e - 1) rounded once, and log1p(x) = e ln2 + t(f).

Range reduction (every step exact except the sum giving f, the core and the final rounding):

* u = 1 + x rounded; for x > -1, u >= 2^-24 is normal. e = (bits(u) - bits(0.70710677)) >> 23,
  so that u 2^-e is in [sqrt(2)/2, sqrt(2)). The rounding of u only moves e near a boundary of
  that range, where f then lands a few ULPs past its end (the core is searched on the float32
  range of m - 1 and continues smoothly there).
* f = (1 + x) 2^-e - 1 = x 2^-e - (1 - 2^-e), without the rounding of u: x 2^-e is exact, made by
  subtracting e << 23 from x's bits (x 2^-e is a normal number whenever e != 0, and e = 0 leaves
  the bits as they are, subnormal x included); 2^-e from its exponent bits (e <= 126; past it,
  the bits max(0x3F800000 - (e << 23), 0) give 0 and 1 - 2^-e = 1, its correctly rounded value);
  1 - 2^-e is exact for e <= 24. The subtraction rounds once, and only where e >= 1 (x >= 0.41):
  for e = 0, f = x exactly (so log1p keeps its relative accuracy however small x is); for e < 0
  (x < -0.29), f is exact too (a multiple of 2^-e ulp(x), below 1/2 in magnitude). For e >= 1
  the rounding moves the result by at most ~0.7 ULP (f < 1/2 moves by < 2^-26, the result
  |log1p x| >= 0.34 has an ULP >= 2^-25).
* The log_fast kernel's core form t(f) ~ log(1 + f), and log1p(x) = fma(e, LN2, t), rounded once:
  for e = 0 the result is t; otherwise an ULP of t is at most one of the result (the log_fast
  kernel's argument). Error: t's own + 0.5 + ~0.05 (LN2) + the rounding of f for e >= 1.
* Specials by selects: x > -1 keeps the result, else -inf (x = -1) or NaN (x < -1, NaN); +inf ->
  +inf; x == 0 gives x itself (+-0 keep their sign; in jitted JAX on CPU, which reads subnormal x
  as 0, subnormal inputs give themselves, as NumPy and C compute them: log1p(x) = x there).
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.fast.log import CORE_TARGET, LN2
from autonumerics.kernels.log2 import F_RANGE, SQRT_HALF_BITS

DEFAULT_CORES = {"poly": packaged_core("log1p_fast_core.json")}
ROLES = {"poly": CoreRole(CORE_TARGET, F_RANGE)}

DESCRIPTION = (
    "u = 1 + x rounded gives e (u 2^-e in [sqrt(2)/2, sqrt(2)) from the bits); f = x 2^-e - (1 - "
    "2^-e) rounded once (x 2^-e and 2^-e from exponent bits: exact; f = x for e = 0); the log_fast "
    "kernel's form of evolved core t(f) ~ log(1+f); log1p x = fma(e, LN2, t), rounded once; x = -1 "
    "-> -inf, x < -1 -> NaN, +inf -> +inf, NaN -> NaN, +-0 -> +-0."
)

# emitted verbatim into the certified exports: its lines stay as they are
_JAX = '''
@jax.jit
def log1p_fast(x):
    """log(1 + x) in float32 for every input (see the module docstring); subnormal inputs give themselves."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    e = (_bits(x + jnp.float32(1.0)) - {sqrt_half}) >> 23  # 1 + x rounded: u 2^-e in [sqrt(2)/2, sqrt(2))
    k = e << 23
    xs = _float(bits - k)  # x 2^-e, exact
    s = _float(jnp.maximum(0x3F800000 - k, 0))  # 2^-e (0 past e = 126)
    f = xs - (jnp.float32(1.0) - s)  # (1 + x) 2^-e - 1, rounded once (exact for e <= 0)
    q = _log1p_fast_core(f)
    y = e.astype(jnp.float32) * jnp.float32(float.fromhex("{ln2}")) + q  # one FMA, as XLA fuses it
    y = jnp.where(x < jnp.float32(jnp.inf), y, x)  # +inf -> +inf
    y = jnp.where(x > jnp.float32(-1.0), y, jnp.where(x == jnp.float32(-1.0), jnp.float32(-jnp.inf),
                                                      jnp.float32(jnp.nan)))  # -1, x < -1, NaN
    return jnp.where(x == jnp.float32(0.0), x, y)  # +-0 -> +-0 (and subnormal x, which XLA reads as 0, -> x)
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY = '''
def log1p_fast(x):
    """log(1 + x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        e = (_bits(x + np.float32(1.0)) - np.int32({sqrt_half})) >> np.int32(23)
        k = e << np.int32(23)
        xs = _float(bits - k)  # x 2^-e, exact
        s = _float(np.maximum(np.int32(0x3F800000) - k, np.int32(0)))  # 2^-e (0 past e = 126)
        f = xs - (np.float32(1.0) - s)  # (1 + x) 2^-e - 1, rounded once
        q = _log1p_fast_core(f)
        y = _fma32(e.astype(np.float32), np.float32(float.fromhex("{ln2}")), q)
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
    const int32_t ubits = an_bits(x + 1.0f);  /* u = 1 + x rounded: >= 2^-24, normal */
    /* e = floor((ubits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)ubits - {sqrt_half}u + 0x40000000u) >> 23) - 128;
    const int32_t k = (int32_t)((uint32_t)e << 23);
    const float xs = an_float(an_bits(x) - k);  /* x 2^-e, exact */
    const int32_t sbits = 0x3F800000 - k;
    const float s = an_float(sbits > 0 ? sbits : 0);  /* 2^-e (0 past e = 126) */
    const float f = xs - (1.0f - s);  /* (1 + x) 2^-e - 1, rounded once */
    const float q = {cname}_core(f);
    return fmaf((float)e, {ln2}f, q);
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log1p_fast kernel around ``cores["poly"]`` (log(1+f) on the range of f)."""
    core = cores["poly"]
    fields = {"sqrt_half": SQRT_HALF_BITS, "ln2": LN2}
    jax_doc = ("Subnormal inputs give themselves (log1p(x) = x there): jitted JAX on CPU reads "
               "them as 0,\nand the x == 0 select returns x unchanged.")
    bodies = {"jax": [_JAX.format(**fields)], "numpy": [_NUMPY.format(**fields)],
              "c": [_C.format(cname=c_name("log1p_fast"), **fields)]}
    return assemble_kernel(
        "log1p_fast", {"core": core},
        lambda language: kernel_docstring("log1p(x) = log(1 + x)", __doc__, (core,), language,
                                          "log1p_fast", jax_doc),
        bodies, DESCRIPTION, literal_constants=True)
