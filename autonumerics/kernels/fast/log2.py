"""The fast-tier float32 log2 kernel (<= 3.5 ULP): x = 2^e * m, m in [sqrt(2)/2, sqrt(2)), and
log2(x) = e + f P(f) in one fused multiply-add, P an evolved core.

Range reduction (every step exact except the core and the one rounding at the end):

* e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
  f = m - 1 in [-0.2929, 0.4142] exact (Sterbenz), e exact as a float32.
* The core p(f) ~ P(f) = log2(1 + f) / f (P in [1.21, 1.71]), searched on the float32 range of f.
* log2(x) = fma(f, p, e), rounded once. Near x = 1 (e = 0) this is f p rounded once: the
  result keeps its relative accuracy however small it is. For e != 0, |f p| = |log2 m| <= 1/2 <=
  |log2 x|, so no cancellation amplifies p's error. Error: 0.5 ULP (the rounding) plus p's error
  in relative terms, which reaches at most ~1.7 ULP of the result per ULP of p (where P = 1.21 and
  the result lies just above a power of two). Powers of two give e exactly.
* Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
  +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.
* Subnormal inputs: jitted JAX on CPU reads them as 0 (DAZ), so x > 0 is false and the JAX export
  gives -inf (NaN for negative ones, read from the sign bit), as jnp.log2 does. NumPy and C, which
  see them, first scale them by 2^23 (exact) and take 23 from e.

The log_fast kernel (``autonumerics.kernels.fast.log``) shares the reduction and these emitters.
"""

from __future__ import annotations

from dataclasses import dataclass

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.log2 import F_RANGE, SQRT_HALF_BITS

DEFAULT_CORES = {"poly": packaged_core("log2_fast_core.json")}
ROLES = {"poly": CoreRole("log2(1+x)/x", F_RANGE)}

DESCRIPTION = (
    "x = 2^e m with m in [sqrt(2)/2, sqrt(2)) from the bit pattern, f = m - 1 exact; an evolved "
    "core p(f) ~ log2(1+f)/f; log2 x = fma(f, p, e), rounded once; x = +-0 -> -inf, x < 0 -> "
    "NaN, +inf -> +inf, NaN -> NaN; subnormal x scaled by 2^23 in NumPy and C (JAX reads them "
    "as 0: -inf)."
)


@dataclass(frozen=True)
class FastLog:
    """How a fast log kernel turns (e as the float32 ef, f, the core's value q) into y.

    Attributes:
        name: the kernel id ("log2_fast").
        summary: what it computes, for the docstrings.
        jax, numpy, c: the line defining y in each language (JAX and C 4-space indent, NumPy 8;
            NumPy ``_fma32`` and C ``fmaf`` where jitted JAX fuses a*b + c).
    """

    name: str
    summary: str
    jax: str
    numpy: str
    c: str


LOG2_FAST = FastLog(
    name="log2_fast",
    summary="log2(x)",
    jax="    y = f * q + ef  # one FMA, as XLA fuses it: log2 x rounded once",
    numpy="        y = _fma32(f, q, ef)  # log2 x rounded once",
    c="    return fmaf(f, q, ef);  /* log2 x rounded once */",
)

# emitted verbatim into the certified exports: its lines stay as they are
_JAX = '''
@jax.jit
def {name}(x):
    """{summary} in float32 for every input (see the module docstring); subnormal inputs read as 0."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    e = (bits - {sqrt_half}) >> 23
    f = _float(bits - (e << 23)) - jnp.float32(1.0)  # m - 1, exact: m in [sqrt(2)/2, sqrt(2))
    ef = e.astype(jnp.float32)
    q = _{name}_core(f)
{reconstruction}
    y = jnp.where(x > jnp.float32(0.0), y, jnp.float32(-jnp.inf))  # +-0 (subnormals: read as 0)
    y = jnp.where(bits >= 0x7F800000, x, y)  # +inf -> +inf, +NaN -> NaN
    return jnp.where(bits - 1 < -1, jnp.float32(jnp.nan), y)  # sign bit set, not -0: NaN
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY = '''
def {name}(x):
    """{summary} in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        tiny = (bits > 0) & (bits < np.int32(0x00800000))  # positive subnormal
        nbits = np.where(tiny, _bits(x * np.float32(2.0**23)), bits)  # scaled by 2^23: exact
        e = (nbits - np.int32({sqrt_half})) >> np.int32(23)
        f = _float(nbits - (e << np.int32(23))) - np.float32(1.0)  # m - 1, exact
        ef = (e - np.where(tiny, np.int32(23), np.int32(0))).astype(np.float32)
        q = _{name}_core(f)
{reconstruction}
        y = np.where(x > np.float32(0.0), y, np.float32(-np.inf))  # +-0
        y = np.where(bits >= np.int32(0x7F800000), x, y)  # +inf -> +inf, +NaN -> NaN
        y = np.where((bits < 0) & (bits != np.int32(-0x80000000)), np.float32(np.nan), y)  # x < 0
    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C = '''
static inline float {cname}(float x) {{
    if (!(x > 0.0f)) return x == 0.0f ? -INFINITY : NAN;  /* +-0, x < 0, NaN */
    if (x == INFINITY) return x;
    int32_t offset = 0;
    if (x < 0x1p-126f) {{  /* subnormal: scaled by 2^23, exactly */
        x *= 0x1p23f;
        offset = 23;
    }}
    const int32_t bits = an_bits(x);
    /* e = floor((bits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)bits - {sqrt_half}u + 0x40000000u) >> 23) - 128;
    const float f = an_float(bits - (int32_t)((uint32_t)e << 23)) - 1.0f;  /* m - 1, exact */
    const float ef = (float)(e - offset);
    const float q = {cname}_core(f);
{reconstruction}
}}
'''

SUBNORMALS_JAX = ("Subnormal inputs: jitted JAX on CPU reads them as 0 (-inf; NaN for negative "
                  "ones, read from the\nsign bit), as jnp does.")
SUBNORMALS_EXACT = ("Subnormal inputs are scaled by 2^23 (exactly) and computed correctly; no "
                    "result is subnormal.")


def build_fast_log(log: FastLog, core: Core, module_doc: str, description: str) -> KernelSource:
    """Assemble a fast log kernel (log2_fast or log_fast) around ``core`` (the module docstring
    stops before the paragraph on the log_fast kernel)."""
    fields = {"name": log.name, "summary": log.summary, "sqrt_half": SQRT_HALF_BITS}
    bodies = {"jax": [_JAX.format(reconstruction=log.jax, **fields)],
              "numpy": [_NUMPY.format(reconstruction=log.numpy, **fields)],
              "c": [_C.format(reconstruction=log.c, cname=c_name(log.name), **fields)]}
    doc = module_doc.split("\n\nThe log_fast kernel", 1)[0]
    return assemble_kernel(
        log.name, {"core": core},
        lambda language: kernel_docstring(log.summary, doc, (core,), language, log.name,
                                          SUBNORMALS_JAX, SUBNORMALS_EXACT),
        bodies, description, literal_constants=True)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log2_fast kernel around ``cores["poly"]`` (log2(1+f)/f on the range of f)."""
    return build_fast_log(LOG2_FAST, cores["poly"], __doc__, DESCRIPTION)
