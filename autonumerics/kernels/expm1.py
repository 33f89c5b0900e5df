"""The full-range float32 expm1 kernel: e^x as an unrounded pair 2^n (p + pl), then an exact 2Sum
with -1.

Range reduction, on the exp-pair pieces shared with sigmoid (``autonumerics.kernels.exp_pair.reduction_source``),
around an "expm1" core m(r) ~ e^r - 1 - r on [-ln2/2, ln2/2] of its own: near |r| = ln2/2 the core
is a sixth of the result, so tanh's degree-6 core (3.1 ULP of m) would give 1.08 ULP here; the
degree-7 core from ``search_configs/expm1_core.toml`` (1.86 ULP of m) gives 0.78 on a sample:

* e^x = 2^n (p + pl): n = round(x / ln 2), r = x - n*ln2_hi by one FMA (exact), e^r = (1 + r) + m(r)
  split by Fast2Sum, the rest of n ln 2 folded in as the factor 1 + c; p + pl carries ~2^-29
  relative error. For n = 0 (|x| <= 0.3466) this is x + m(x) with the pair's low part holding
  what 1 + x rounds away, so tiny inputs come out as x itself.
* 2^n p is exact (added to p's exponent bits: normal for -25 <= n <= 128), 2^n pl in two exact
  steps (2^128 is not a float32). sp - 1 = hi + lo exactly (Knuth's 2Sum), and
  expm1(x) = hi + (lo + 2^n pl) rounds once. The pair's error reaches the result amplified by at
  most e^x / |e^x - 1| <= 3.5 (for n != 0, |x| > 0.3466), far below the final rounding.
* x <= -0x1.154246p+4 (-17.32868, the largest float32 whose expm1 rounds to -1) and -inf -> -1;
  x >= 0x1.62e430p+6 (88.722839, the first float32 whose expm1 rounds to infinity) -> +inf;
  NaN -> NaN; expm1(+-0) = +-0 (an x == 0 select: in jitted JAX on CPU, where subnormal x
  compares equal to 0, it hands back subnormal inputs unchanged, which is their expm1).

JAX's own jnp.expm1 is 5.3 ULP off on a sample of [-17, 88] (a third of the inputs >= 1 ULP, near
x = 0.002); this kernel is within 1 ULP on every float32 (the certificate).
"""  # noqa: E501 - embedded verbatim in the certified exports: its lines stay as they are

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import float32_literal, python_kernel
from autonumerics.kernels.base import Core, KernelSource, packaged_core
from autonumerics.kernels.exp_pair import EXPM1_ROLE, exp_pair_kernel

# degree 7: see search_configs/expm1_core.toml
DEFAULT_CORES = {"expm1": packaged_core("expm1_core.json")}
ROLES = {"expm1": EXPM1_ROLE}

SATURATION = "-0x1.154246p+4"  # -17.32868: expm1 rounds to -1 for every float32 <= it, not above
OVERFLOW = "0x1.62e430p+6"  # 88.722839: the first float32 whose expm1 (= e^x - 1) rounds to +inf

DESCRIPTION = (
    "e^x = 2^n (p + pl) an unrounded pair (exact Cody-Waite by one FMA, the evolved core m(r) ~ "
    "e^r - 1 - r shared with tanh, Fast2Sum); 2^n p exact on the exponent bits, 2^n pl in two "
    "exact steps; 2^n p - 1 = hi + lo by 2Sum; expm1 = hi + (lo + 2^n pl), one rounding; x <= "
    "-17.32868 -> -1; x >= 88.722839 -> +inf; NaN -> NaN; +-0 -> +-0."
)


def _python_kernel(language: str) -> str:
    one, two = float32_literal("0x1p+0", language), float32_literal("0x1p+1", language)
    ns = "jnp" if language == "jax" else "np"
    saturation = float32_literal(SATURATION, language)
    overflow = float32_literal(OVERFLOW, language)
    docstring = "e^x - 1 in float32 for every input (see the module docstring)" + (
        "; subnormal inputs give themselves." if language == "jax"
        else ", subnormal inputs included.")
    # JAX: hi is read through a select, or XLA would fold (sp - 1) - sp to -1 and lose lo.
    hi = f"_kept(sp - {one}, live)" if language == "jax" else f"sp - {one}"
    live = ("live = x == x  # the fences' predicate (reduction_source)\n"
            if language == "jax" else "")
    pair = "_exp_pair(x, live)" if language == "jax" else "_exp_pair(x)"
    # emitted verbatim into the certified exports: its lines stay as they are
    body = f"""{live}n, p, pl = {pair}  # e^x = 2^n (p + pl); inf and NaN give garbage, selected away below
sp = _float(_bits(p) + (n << 23))  # 2^n p, exact (normal for -25 <= n <= 128)
spl = (pl * {two}) * _pow2(n - 1)  # 2^n pl in two exact steps (2^128 is no float32)
hi = {hi}
v = hi - sp
lo = (sp - (hi - v)) + (-{one} - v)  # 2Sum: sp - 1 = hi + lo exactly
y = hi + (lo + spl)  # one rounding
y = {ns}.where(x > {saturation}, y, -{one})  # rounds to -1 (and -inf)
y = {ns}.where(x < {overflow}, y, x + {ns}.float32({ns}.inf))  # +inf; NaN stays NaN
y = {ns}.where(x == {ns}.float32(0.0), x, y)  # +-0 (and, in JAX, subnormal x) -> x"""  # noqa: E501
    return python_kernel("expm1", language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    if (x != x || x == 0.0f) return x;  /* NaN, +-0 */
    if (x >= {overflow}f) return INFINITY;
    if (x <= {saturation}f) return -1.0f;
    float p, pl;
    const int32_t n = {name}_expm1_exp_pair(x, &p, &pl);  /* e^x = 2^n (p + pl), -25 <= n <= 128 */
    const float sp = an_float(an_bits(p) + (int32_t)((uint32_t)n << 23));  /* 2^n p, exact */
    const float spl = (pl * 2.0f) * an_pow2(n - 1);  /* 2^n pl in two exact steps */
    const float hi = sp - 1.0f;
    const float v = hi - sp;
    const float lo = (sp - (hi - v)) + (-1.0f - v);  /* 2Sum: sp - 1 = hi + lo exactly */
    return hi + (lo + spl);
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the expm1 kernel around ``cores["expm1"]`` (e^r - 1 - r on [-0.3466, 0.3466])."""
    jax_doc = ("Subnormal inputs give themselves (expm1(x) = x there): jitted JAX on CPU reads "
               "them as 0,\n"
               "and the x == 0 select returns x unchanged. No result is subnormal.")
    c_kernel = _C_KERNEL.format(name=c_name("expm1"), overflow=OVERFLOW, saturation=SATURATION)
    return exp_pair_kernel("expm1", "expm1(x) = exp(x) - 1", __doc__, jax_doc, cores,
                           _python_kernel, c_kernel, DESCRIPTION, fences="live")
