"""The full-range float32 2^x kernel: x = n + r with n = round(x), an evolved core for 2^r on
[-1/2, 1/2].

Range reduction (every step exact except the core and, for subnormal results, one final rounding):

* x is clamped to [-151, 128] (NaN stays NaN): 2^x rounds to +inf from x = 128 on (2^128 is past
  the largest float32; 2^(128 - 2^-17) is not) and to 0 at x <= -150, so nothing is lost.
* n = round(x) (half to even, by adding 1.5 * 2^23: see SHIFTER), r = x - n in [-1/2, 1/2]:
  exact (|r| <= |x| and r is a multiple of x's unit in the last place). n = floor(x) would not
  do: r = 1 + x rounds for x in (-1, 0).
* p = core(r) ~ 2^r in [0.70, 1.42] (exactly 1 at r = 0, so 2^n is exact for integer x).
* p * 2^n is formed by adding n to p's exponent bits (exact) while the result is normal. NumPy
  and C scale results that may be subnormal (n <= -126) in two steps, by 2^(n+64) (exact, a
  normal number) and by 2^-64, which rounds once (no subnormal intermediate). Jitted JAX on CPU
  flushes subnormal results to zero, so the JAX kernel returns 0 for every result below 2^-126
  (and XLA reads subnormal inputs as 0, where 2^x rounds to 1 anyway).
* x >= 128 gives +inf, NaN gives NaN; exp2(-inf) = 0, exp2(+inf) = inf.

The error is the core's alone: its ULP error on [-1/2, 1/2] carries over unchanged through the
exact scaling (subnormal results add the final rounding's half unit in the last place).
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core

DEFAULT_CORES = {"poly": packaged_core("exp2_core.json")}
ROLES = {"poly": CoreRole("exp2", (-0.5, 0.5))}  # r = x - round(x)

DESCRIPTION = (
    "n = round(x) and r = x - n in [-1/2, 1/2] (exact) after clamping x to [-151, 128]; an evolved "
    "core p(r) ~ 2^r; the result p * 2^n formed exactly on the exponent bits (int add of n << 23) "
    "when n >= -125, else in two steps, 2^(n+64) exactly then 2^-64 with one rounding (subnormal "
    "results; flushed to 0 by JAX on CPU); x >= 128 -> +inf, NaN -> NaN."
)

# Rounding to an integer by the "shifter": for |v| < 2^22, t = v + 1.5 * 2^23 rounds v to the
# nearest integer n (half to even) and holds it in its low bits, bits(t) = 0x4B400000 + n, so
# t - SHIFTER is n exactly and bits(t) << 23 is n << 23 (0x4B400000 << 23 wraps to 0). This
# costs one add where round + a float -> int conversion costs several ops (XLA's conversion
# saturates, with compares and selects).
SHIFTER = "0x1.8p+23"

# p * 2^n for p in [0.70, 1.42] and n in [-151, 128] (t as above), shared with the exp kernel.
# JAX adds n to p's exponent bits and returns 0 for every result below 2^-126, as XLA on CPU
# flushes subnormals anyway: a sum below the smallest normal's bit pattern (0x00800000) is such a
# result (or a negative, wrapped one). NumPy and C compute subnormal results in two steps
# instead, 2^(n+64) exactly then 2^-64 with one rounding, so no intermediate is subnormal.
# The snippets are emitted verbatim into the certified exports: their lines stay as they are.
JAX_SCALE = """    bits = _bits(p) + (_bits(t) << 23)  # p * 2^n on the exponent bits: exact for results >= 2^-126
    y = jnp.where(bits < 0x00800000, jnp.float32(0.0), _float(bits))  # below 2^-126: 0, as XLA flushes"""  # noqa: E501
NUMPY_SCALE = """        n = _bits(t) - np.int32(0x4B400000)
        y = _float(_bits(p) + (n << np.int32(23)))  # p * 2^n on the exponent bits: exact, results >= 2^-125
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        y = np.where(n < -125, tiny, y)"""  # noqa: E501
C_SCALE = """    const int32_t n = an_bits(t) - 0x4B400000;
    if (n < -125) {{
        /* p * 2^(n+64) is exact and normal, the product by 2^-64 rounds once (subnormal results) */
        return (p * an_pow2(n + 64)) * 0x1p-64f;
    }}
    /* p * 2^n on the exponent bits (exact); unsigned arithmetic, as n may be negative */
    return an_float((int32_t)((uint32_t)an_bits(p) + ((uint32_t)n << 23)));"""

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def exp2(x):
    """2**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -151.0, jnp.float32(-151.0), x)  # x >= 128 and NaN are selected at the end
    t = clamped + jnp.float32(float.fromhex("{SHIFTER}"))  # n = round(x), half to even, in t's low bits
    # n from t's bits, converted exactly (XLA would fold (x + S) - S to x)
    whole = (_bits(t) - 0x4B400000).astype(jnp.float32)
    p = _exp2_core(clamped - whole)  # 2^r, r = x - n exact
{JAX_SCALE}
    return jnp.where(x < 128.0, y, x + jnp.float32(jnp.inf))  # x >= 128: +inf; NaN: NaN
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY_KERNEL = f'''
def exp2(x):
    """2**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-151.0), np.float32(-151.0), x)
        t = clamped + np.float32(float.fromhex("{SHIFTER}"))  # n = round(x), half to even, in t's low bits
        p = _exp2_core(clamped - (t - np.float32(float.fromhex("{SHIFTER}"))))  # 2^r, r = x - n exact
{NUMPY_SCALE}
        y = np.where(x < np.float32(128.0), y, x + np.float32(np.inf))  # x >= 128: +inf; NaN: NaN
    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C_KERNEL = f'''
static inline float {{name}}(float x) {{{{
    if (x != x) return x;
    if (x >= 128.0f) return INFINITY;
    const float clamped = x < -151.0f ? -151.0f : x;
    const float t = clamped + {SHIFTER}f;  /* n = round(x), half to even, in t's low bits */
    const float p = {{name}}_core(clamped - (t - {SHIFTER}f));  /* 2^r, r = x - n exact */
''' + C_SCALE + '''
}}
'''


FTZ_POLICY = ("Subnormal results are returned as 0: jitted JAX on CPU flushes them (FTZ), and "
              "reads\n"
              "subnormal inputs as 0 (where the correctly rounded result is 1 anyway).")


def exp_docstring(summary: str, module_doc: str, core: Core, language: str, name: str) -> str:
    """The docstring (or C comment) of an exported exp-family kernel in ``language``."""
    return kernel_docstring(summary, module_doc, (core,), language, name, FTZ_POLICY,
                            "Subnormal results are computed correctly (one rounding).")


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the exp2 kernel around ``cores["poly"]`` (2^r on [-1/2, 1/2])."""
    return exp_family_kernel("exp2", "2**x", __doc__, cores["poly"],
                             (_JAX_KERNEL, _NUMPY_KERNEL, _C_KERNEL), DESCRIPTION)


def exp_family_kernel(name: str, summary: str, module_doc: str, core: Core,
                      kernels: tuple[str, str, str], description: str) -> KernelSource:
    """A one-core exp-family kernel: ``core`` as ``_NAME_core`` (C: ``approx_NAME_core``), its
    constants as literals, under the JAX, NumPy and C kernel bodies ``kernels`` (the C one
    formatted with its name)."""
    jax_kernel, numpy_kernel, c_kernel = kernels
    return assemble_kernel(name, {"core": core},
                           lambda language: exp_docstring(summary, module_doc, core, language,
                                                          name),
                           {"jax": [jax_kernel], "numpy": [numpy_kernel],
                            "c": [c_kernel.format(name=c_name(name))]},
                           description, literal_constants=True)
