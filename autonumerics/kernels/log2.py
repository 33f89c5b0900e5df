"""The full-range float32 log2 kernel: x = 2^e * m, m in [sqrt(2)/2, sqrt(2)), an evolved core for
the rest of log2(1 + f).

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

The log kernel (``autonumerics.kernels.log``) shares the reduction and these emitters.
"""

from __future__ import annotations

from dataclasses import dataclass

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core

DEFAULT_CORES = {"poly": packaged_core("log2_core.json")}
# f = m - 1 for m in [sqrt(2)/2, sqrt(2)): the float32 ends sqrt(2)/2 - 1 and sqrt(2) - 1
F_RANGE = (-0.2928932309150696, 0.4142134189605713)
ROLES = {"poly": CoreRole("(log2(1+x) - x/ln2)/x**2", F_RANGE)}

SQRT_HALF_BITS = "0x3F3504F3"  # bits of float32(sqrt(1/2)) = 0.70710677: m starts here
FH_MASK = "-4096"  # 0xFFFFF000: keeps the sign, exponent and top 11 stored bits (12 significant)

DESCRIPTION = (
    "x = 2^e m with m in [sqrt(2)/2, sqrt(2)) from the bit pattern (subnormals normalised by an "
    "exact int -> float conversion); f = m - 1 exact, split f = fh + fl (fh: 12 bits); an evolved "
    "core q(f) ~ (log2(1+f) - f/ln2)/f^2; log2 x = hi + tail with hi = e + fh L_HI (Fast2Sum error "
    "kept) and tail = fh^2 q + fl (f + fh) q + fl L_HI + f L_LO + lo in FMAs (1/ln2 = L_HI + L_LO, "
    "L_HI 12 bits); x = +-0 -> -inf, x < 0 -> NaN, +inf -> +inf, NaN -> NaN."
)


@dataclass(frozen=True)
class Reconstruction:
    """How a log kernel turns (e, f, fh, fl, q) into its result, in each language.

    Attributes:
        name: the kernel's (and target's) name.
        summary: what it computes, for the docstrings.
        jax: JAX lines (4-space indent) defining ``hi`` and ``small`` (the tail's last terms).
        numpy: the same in NumPy (8-space indent; ``_fma32`` where JAX fuses).
        c: the same in C (4-space indent; ``fmaf`` where JAX fuses).
        exact_square: f^2 carried exactly as fh^2 + fl (f + fh) (fh, fl also feed the lines
            above); False: f^2 rounded once, the tail one FMA (f * f) q + small.
    """

    name: str
    summary: str
    jax: str
    numpy: str
    c: str
    exact_square: bool = True


# the snippets are emitted verbatim into the certified exports: their lines stay as they are
LOG2 = Reconstruction(
    name="log2",
    summary="log2(x)",
    jax="""    p = fh * jnp.float32(float.fromhex("0x1.716p+0"))  # fh * L_HI: exact (12 x 12 bits)
    hi = ef + p  # rounds once; exact when e = 0
    lo = (ef - hi) + p  # Fast2Sum: hi + lo = e + p exactly
    small = fl * jnp.float32(float.fromhex("0x1.716p+0")) + (f * jnp.float32(float.fromhex("-0x1.7135a8p-13")) + lo)""",  # noqa: E501
    numpy="""        p = fh * np.float32(float.fromhex("0x1.716p+0"))  # fh * L_HI: exact (12 x 12 bits)
        hi = ef + p  # rounds once; exact when e = 0
        lo = (ef - hi) + p  # Fast2Sum: hi + lo = e + p exactly
        small = fl * np.float32(float.fromhex("0x1.716p+0")) + _fma32(f, np.float32(float.fromhex("-0x1.7135a8p-13")), lo)""",  # noqa: E501
    c="""    const float p = fh * 0x1.716p+0f;  /* fh * L_HI: exact (12 x 12 bits) */
    const float hi = ef + p;  /* rounds once; exact when e = 0 */
    const float lo = (ef - hi) + p;  /* Fast2Sum: hi + lo = e + p exactly */
    const float small = fl * 0x1.716p+0f + fmaf(f, -0x1.7135a8p-13f, lo);""",
)

# emitted verbatim into the certified exports: its lines stay as they are
_JAX = '''
@jax.jit
def {name}(x):
    """{summary} in float32 for every input (see the module docstring), subnormal inputs included."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    tiny = bits < 0x00800000  # subnormal (or zero, or negative: selected away at the end)
    nbits = jnp.where(tiny, _bits(bits.astype(jnp.float32)), bits)  # k -> float(k), exact
    e = (nbits - {sqrt_half}) >> 23
    m = _float(nbits - (e << 23))  # in [sqrt(2)/2, sqrt(2))
    ef = (e - jnp.where(tiny, 149, 0)).astype(jnp.float32)
    f = m - jnp.float32(1.0)  # exact
{split_jax}    q = _{name}_core(f)
{reconstruction}
{tail_jax}
    y = hi + tail
    y = jnp.where(bits < 0, jnp.float32(jnp.nan), y)  # x < 0 (and -0, -NaN)
    y = jnp.where(bits >= 0x7F800000, x, y)  # +inf -> +inf, +NaN -> NaN
    # +-0 -> -inf. Not (bits << 1) == 0: LLVM rewrites that test into x == 0.0, which is true for
    # subnormal x where XLA flushes them (DAZ); nbits is 0 only for +0, and -0 has its own pattern.
    return jnp.where((nbits == 0) | (bits == -0x80000000), jnp.float32(-jnp.inf), y)
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY = '''
def {name}(x):
    """{summary} in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = _bits(x)
        tiny = bits < np.int32(0x00800000)  # subnormal (or zero, or negative: selected away at the end)
        nbits = np.where(tiny, _bits(bits.astype(np.float32)), bits)  # k -> float(k), exact
        e = (nbits - np.int32({sqrt_half})) >> np.int32(23)
        m = _float(nbits - (e << np.int32(23)))  # in [sqrt(2)/2, sqrt(2))
        ef = (e - np.where(tiny, np.int32(149), np.int32(0))).astype(np.float32)
        f = m - np.float32(1.0)  # exact
{split_numpy}        q = _{name}_core(f)
{reconstruction}
{tail_numpy}
        y = hi + tail
        y = np.where(bits < 0, np.float32(np.nan), y)  # x < 0 (and -0, -NaN)
        y = np.where(bits >= np.int32(0x7F800000), x, y)  # +inf -> +inf, +NaN -> NaN
        y = np.where((nbits == 0) | (bits == np.int32(-0x80000000)), np.float32(-np.inf), y)  # +-0 -> -inf
    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C = '''
static inline float {cname}(float x) {{
    if (!(x > 0.0f)) return x == 0.0f ? -INFINITY : NAN;  /* +-0, x < 0, NaN */
    if (x == INFINITY) return x;
    int32_t nbits = an_bits(x);
    int32_t offset = 0;
    if (nbits < 0x00800000) {{  /* subnormal: k * 2^-149 with float(k) exact and normal */
        nbits = an_bits((float)nbits);
        offset = 149;
    }}
    /* e = floor((nbits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)nbits - {sqrt_half}u + 0x40000000u) >> 23) - 128;
    const float m = an_float(nbits - (int32_t)((uint32_t)e << 23));  /* in [sqrt(2)/2, sqrt(2)) */
    const float ef = (float)(e - offset);
    const float f = m - 1.0f;  /* exact */
{split_c}    const float q = {cname}_core(f);
{reconstruction}
{tail_c}
    return hi + tail;
}}
'''


SUBNORMAL_INPUTS = ("Subnormal inputs are normalised with integer operations, so every language "
                    "computes them\ncorrectly (jitted JAX on CPU included, which reads subnormal "
                    "floats as 0); no result is subnormal.")


def log_docstring(reconstruction: Reconstruction, module_doc: str, core: Core,
                  language: str) -> str:
    """The docstring (or C comment) of an exported log kernel in ``language`` (the module
    docstring stops before the paragraph on the log kernel)."""
    return kernel_docstring(reconstruction.summary, module_doc.split("\n\nThe log kernel", 1)[0],
                            (core,), language, reconstruction.name, SUBNORMAL_INPUTS,
                            SUBNORMAL_INPUTS, "The JAX, NumPy and C versions agree bit for bit.")


# The f = fh + fl split and the tail, exact (fh^2 exact, f^2 = fh^2 + fl (f + fh)) or rounded.
_SPLIT = {
    "jax": ("    fh = _float(_bits(f) & {mask})  # top 12 significant bits of f\n"
            "    fl = f - fh  # exact\n"),
    "numpy": ("        fh = _float(_bits(f) & np.int32({mask}))  # top 12 significant bits of f\n"
              "        fl = f - fh  # exact\n"),
    "c": ("    const float fh = an_float(an_bits(f) & {mask});"
          "  /* top 12 significant bits of f */\n"
          "    const float fl = f - fh;  /* exact */\n"),
}
_TAIL = {
    ("jax", True): ("    tail = (fh * fh) * q + ((fl * (f + fh)) * q + small)"
                    "  # two FMAs, as XLA fuses them"),
    ("numpy", True): "        tail = _fma32(fh * fh, q, _fma32(fl * (f + fh), q, small))",
    ("c", True): "    const float tail = fmaf(fh * fh, q, fmaf(fl * (f + fh), q, small));",
    ("jax", False): "    tail = (f * f) * q + small  # f^2 rounded once; one FMA, as XLA fuses it",
    ("numpy", False): "        tail = _fma32(f * f, q, small)  # f^2 rounded once",
    ("c", False): "    const float tail = fmaf(f * f, q, small);  /* f^2 rounded once */",
}


def _split_and_tail(reconstruction: Reconstruction) -> dict[str, str]:
    """The template fields ``split_LANG`` and ``tail_LANG`` of a kernel for every language."""
    exact = reconstruction.exact_square
    fields = {}
    for language in ("jax", "numpy", "c"):
        fields[f"split_{language}"] = _SPLIT[language].format(mask=FH_MASK) if exact else ""
        fields[f"tail_{language}"] = _TAIL[(language, exact)]
    return fields


def build_log_kernel(reconstruction: Reconstruction, core: Core, module_doc: str,
                     description: str) -> KernelSource:
    """Assemble a log kernel (log2 or log) around ``core`` with ``reconstruction``."""
    name = reconstruction.name
    fields = {"name": name, "summary": reconstruction.summary, "sqrt_half": SQRT_HALF_BITS,
              **_split_and_tail(reconstruction)}
    bodies = {"jax": [_JAX.format(reconstruction=reconstruction.jax, **fields)],
              "numpy": [_NUMPY.format(reconstruction=reconstruction.numpy, **fields)],
              "c": [_C.format(reconstruction=reconstruction.c, cname=c_name(name), **fields)]}
    return assemble_kernel(
        name, {"core": core},
        lambda language: log_docstring(reconstruction, module_doc, core, language),
        bodies, description)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log2 kernel around ``cores["poly"]`` ((log2(1+f) - f/ln2)/f^2 on the range
    of f)."""
    return build_log_kernel(LOG2, cores["poly"], __doc__, DESCRIPTION)
