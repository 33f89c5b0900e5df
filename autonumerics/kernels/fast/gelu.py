"""The fast-tier float32 gelu kernel: x Phi(x) from e^(-x^2/2 + g) times an exact-pair quotient,
<= 3.5 ULP.

gelu(x) = x Phi(x), Phi the standard normal distribution function. With a = |x| and
Phi(-a) = e^(-a^2/2) R(a) (R = erfcx(a/sqrt 2)/2: 1/2 at 0, ~1/(a sqrt(2 pi)) far out), the
kernel computes w = a Phi(-a) without cancellation and returns -w for x < 0 and x - w for
x >= 0 (Phi(x) = 1 - Phi(-x); w <= x/2 there, so the subtraction loses nothing).

* a is clamped to 15 (gelu(-15) < 2^-160 rounds to -0; inf and NaN become 15 here and come back
  through x - w). q = a / (1 + 3a/8) in [0, 2.2642] by one division, and a R(a) = (q/2) e^g
  with g(q) = ln(2 R(a) (1 + 3a/8)) smooth and small (0 at q = 0, -1.05 at a = 15). The
  "ratio" core, a degree-9 polynomial from a cost-aware search, gives G = g/q in [-0.463,
  -0.422] (read at max(q, 2^-40): G is 0/0 at q = 0, and q G is below 2^-41 there anyway).
  The kernel never rounds g itself: 2g = 2 q G enters s by one FMA, and 2 ql G by another.
* q is made exact as a pair: 1 + 3a/8 = den + dl (dl by one FMA: 1 - den is exact for den >= 1),
  the division's residual a - q den by one FMA, and ql = (a - q (den + dl)) (1 - 3q/8) gives
  q + ql = a / (1 + 3a/8) to ~2^-46 relative (1 - 3q/8 = 1/(1 + 3a/8)).
* e^(-a^2/2 + g) = 2^n e^(s/2): a^2 = h + l exactly (l by one FMA), n = round((g - h/2) log2 e)
  by the shifter FMA, s = (2g - h - 2n ln2_hi) - (2n ln2_lo + l): the first bracket's part
  -h - 2n ln2_hi is exact (ln2_hi has 15 bits, |n| <= 163), adding 2g rounds once at |s| <= ln 2
  and so does the last subtraction (2^-25 each, 2^-26 relative in e^(s/2)). The "exp" core
  gives e^(s/2) - 1 on [-ln 2, ln 2]; the 1 is never added on its own:
  w' = q + (q (e^(s/2) - 1) + ql e^(s/2)) = (q + ql) e^(s/2), the inner sum one FMA.
* w = w' 2^(n-1): NumPy and C scale in two steps, 2^(n+63) exactly then 2^-64 with one rounding
  (results below 2^-126, x < -13.2, are rounded once); JAX adds n - 1 to the exponent bits
  (exact while normal) and returns 0 below 2^-126, as XLA flushes subnormals anyway.
* x < 0: -w (NaN and -0 take the other branch: NaN - w = NaN, -0 - 0 = -0); x >= 0: x - w,
  which is x itself from x = 5.3475156 (0x1.563db2p+2) on, where gelu(x) rounds to x (+inf too).

Error budget (relative, units of 2^-24): G's error times q (~1) is an absolute error of g and
so a relative one of the result, the two roundings of s <= 0.5, the exp core's absolute error
<= 0.6, the inner FMA <= 0.41 (its term is at most 0.41 of w'), the final sum 1 (0.5 ULP);
for x >= 0 the errors of w enter x - w times w / (x - w) <= 1, plus the subtraction's rounding.
Measured: 2.54 ULP (x = -12.63) on 12M inputs of the negative side, where it peaks; dropping the
2 ql G term (one FMA) gives 3.16. jax.nn.gelu(approximate=False) is 1.66e7 ULP off near x = -13
and 24.7 ULP for |x| <= 6 (1 + erf cancels for x < 0).
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import (
    assemble_kernel,
    float32_literal,
    kernel_docstring,
    python_kernel,
)
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core

KID = "gelu_fast"
DEFAULT_CORES = {"ratio": packaged_core("gelu_fast_ratio.json"),
                 "exp": packaged_core("gelu_fast_exp.json")}

CLAMP = "0x1.ep+3"  # 15: gelu(-15) rounds to -0; keeps n >= -163 and 2^(n+63) normal
K = "0x1.8p-2"  # 3/8: q = a / (1 + K a)
FLOOR = "0x1p-40"  # the ratio core reads max(q, 2^-40): G = g/q is 0/0 at q = 0
# g(q) = ln(2 R(a) (1 + K a)) with a = q / (1 - K q), 2 R(a) = erfc(a/sqrt 2) e^(a^2/2)
RATIO_TARGET = ("log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)"
                "/(1 - 0.375*x))/x")  # G(q) = g(q)/q
EXP_TARGET = "expm1(x/2)"
ROLES = {"ratio": CoreRole(RATIO_TARGET, (2.0**-40, 2.2641509)),  # q <= 15 / 6.625
         # s = 2 (z - n ln2): ln 2 plus the reduction's slack (n from a rounded z; l; 2^-14)
         "exp": CoreRole(EXP_TARGET, (-0.694, 0.694))}
LOG2E = "0x1.715476p+0"  # float32(1/ln 2)
SHIFTER = "0x1.8p+23"  # 1.5 * 2^23: t = v log2e + SHIFTER holds round(v log2e) in its low bits
TWO_LN2_HI = "0x1.62e4p+0"  # 2 ln2_hi, ln2_hi = ln 2 to 15 bits: 2n ln2_hi and -h - it exact
TWO_LN2_LO = "0x1.7f7d1cp-19"  # 2 float32(ln 2 - ln2_hi)
SCALE_BIAS = 127 + 63  # bits(t) + 190 << 23 = 2^(n+63)

DESCRIPTION = (
    "a = |x| clamped to 15; q = a/(1 + 3a/8) as an exact pair (one division, FMA residuals); "
    "a Phi(-a) = (q/2) e^(-a^2/2 + g) with g = q G(q), G the searched ratio core; a^2 = h + l "
    "exactly, n by a shifter FMA, s = 2(-a^2/2 + g - n ln2) with an exact Cody-Waite step and 2g "
    "added by FMAs (g never rounded), the searched core e^(s/2) - 1; w = (q + ql) e^(s/2) 2^(n-1) "
    "by one FMA and an exact scaling (subnormal results rounded once in NumPy and C; JAX "
    "flushes); x < 0: -w, x >= 0: x - w (x itself from 5.3475156); NaN -> NaN."
)


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {name: float32_literal(globals()[name], language)
         for name in ("CLAMP", "K", "LOG2E", "SHIFTER", "TWO_LN2_HI", "TWO_LN2_LO")}
    one, half = float32_literal("0x1p+0", language), float32_literal("0x1p-1", language)
    floor, down = float32_literal(FLOOR, language), float32_literal("0x1p-64", language)
    docstring = "gelu(x) = x Phi(x) in float32 for every input, <= 3.5 ULP (module docstring)"
    if language == "jax":
        docstring += "; subnormal results are flushed (XLA)."
        # XLA computes equal products once (CSE) and then fuses neither: ra (a behind a select)
        # keeps the exact-error FMAs' products apart from a*a and a*K
        lines = {
            "ra": "ra = _rounded(a)  # a, through a select: see below",
            "l": "l = ra * a - h  # XLA fuses: fma(a, a, -h), exact",
            "den": f"den = a * {k['K']} + {one}  # XLA fuses: one rounding",
            "dl": f"dl = ra * {k['K']} + ({one} - den)  # XLA fuses: exact",
            "res": "res = a - q * den  # XLA fuses: exact",
            "e": "e = res - q * dl  # XLA fuses: one rounding",
            "ql": f"ql = e * ({one} - q * {k['K']})  # XLA fuses 1 - qK; q + ql = a / (1 + Ka)",
            "u": f"u = q * gq - h * {half}  # g - a^2/2 for n (XLA fuses the first product)",
            "s1b": "s1 = ql * g2 + s1  # + 2 ql G (XLA fuses: one rounding)",
            "t": f"t = jax.lax.optimization_barrier(u * {k['LOG2E']} + {k['SHIFTER']})  # fused",
            "s1": f"s1 = -(nf * {k['TWO_LN2_HI']}) - h  # exact",
            "c": f"c = nf * {k['TWO_LN2_LO']} + l  # XLA fuses: one rounding",
            "s": "s = (q * g2 + s1) - c  # XLA fuses: two roundings",
            "j": f"j = q * em1 + ql * (em1 + {one})  # XLA fuses the first product: one rounding",
            # 2^(n-1) on the exponent bits (exact while normal); below 2^-126: 0, as XLA flushes
            "scale": "w = _bits(w) + ((_bits(t) - 1) << 23)  # bits(t) << 23 = n << 23\n"
                     "w = jnp.where(w < 0x00800000, jnp.float32(0.0), _float(w))",
        }
    else:
        docstring += ", subnormal results included."
        lines = {
            "ra": "",
            "l": "l = _fma32(a, a, -h)  # exact",
            "den": f"den = _fma32(a, {k['K']}, {one})",
            "dl": f"dl = _fma32(a, {k['K']}, {one} - den)  # exact",
            "res": "res = _fma32(-q, den, a)  # exact",
            "e": "e = _fma32(-q, dl, res)",
            "ql": f"ql = e * _fma32(-q, {k['K']}, {one})  # q + ql = a / (1 + Ka)",
            "u": f"u = _fma32(q, gq, -(h * {half}))  # g - a^2/2, only for n",
            "s1b": "s1 = _fma32(ql, g2, s1)  # + 2 ql G, one rounding",
            "t": f"t = _fma32(u, {k['LOG2E']}, {k['SHIFTER']})",
            "s1": f"s1 = -(nf * {k['TWO_LN2_HI']}) - h  # exact",
            "c": f"c = _fma32(nf, {k['TWO_LN2_LO']}, l)",
            "s": "s = _fma32(q, g2, s1) - c  # two roundings, as XLA fuses",
            "j": f"j = _fma32(q, em1, ql * (em1 + {one}))  # one rounding, as XLA fuses it",
            "scale": f"w = (w * _float((_bits(t) + np.int32({SCALE_BIAS})) << 23)) * {down}"
                     "  # 2^(n-1): exact, or one rounding (subnormal)",
        }
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
a = {ns}.where(a < {k['CLAMP']}, a, {k['CLAMP']})  # inf and NaN -> 15 too (NaN returns via x - w)
{lines['ra']}
h = a * a
{lines['l']}
{lines['den']}
{lines['dl']}
q = _float(_bits(a / den) & {ns}.int32(0x7FFFFFFF))  # q >= 0: the AND is the division's one use
{lines['res']}
{lines['e']}
{lines['ql']}
gq = _{KID}_ratio({ns}.where(q > {floor}, q, {floor}))  # G = g/q (0/0 at q = 0: q >= 2^-40)
g2 = gq + gq  # 2G, exact
{lines['u']}
{lines['t']}
nf = t - {k['SHIFTER']}  # n, exact
{lines['s1']}
{lines['s1b']}
{lines['c']}
{lines['s']}
em1 = _{KID}_exp(s)  # e^(s/2) - 1
{lines['j']}
w = q + j  # (q + ql) e^(s/2)
{lines['scale']}
y = {ns}.where(x < 0, -w, x - w)"""
    body = "\n".join(line for line in body.splitlines() if line)
    return python_kernel(KID, language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    const float ax = fabsf(x);
    const float a = ax < {clamp}f ? ax : {clamp}f;  /* inf and NaN -> 15 (NaN returns via x - w) */
    const float h = a * a;
    const float l = fmaf(a, a, -h);  /* a^2 = h + l exactly */
    const float den = fmaf(a, {k}f, 1.0f);
    const float dl = fmaf(a, {k}f, 1.0f - den);  /* 1 + Ka = den + dl exactly */
    const float q = a / den;
    const float e = fmaf(-q, dl, fmaf(-q, den, a));
    const float ql = e * fmaf(-q, {k}f, 1.0f);  /* q + ql = a / (1 + Ka) */
    const float gq = {name}_ratio(q > {floor}f ? q : {floor}f);  /* G = g/q */
    const float g2 = gq + gq;
    const float t = fmaf(fmaf(q, gq, -(h * 0.5f)), {log2e}f, {shifter}f);  /* n in t's bits */
    const float nf = t - {shifter}f;
    const float s1 = fmaf(ql, g2, -(nf * {two_ln2_hi}f) - h);  /* exact, then + 2 ql G */
    const float s = fmaf(q, g2, s1) - fmaf(nf, {two_ln2_lo}f, l);
    const float em1 = {name}_exp(s);  /* e^(s/2) - 1 */
    const float w = q + fmaf(q, em1, ql * (em1 + 1.0f));  /* (q + ql) e^(s/2) */
    const float scaled = (w * an_float((int32_t)(((uint32_t)an_bits(t) + {bias}u) << 23))) * 0x1p-64f;
    return x < 0.0f ? -scaled : x - scaled;
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the fast gelu kernel around ``cores["ratio"]`` (g(q) on [0, 2.2642]) and
    ``cores["exp"]`` (e^(s/2) - 1 on [-0.694, 0.694])."""
    used = (cores["ratio"], cores["exp"])
    jax_doc = ("Subnormal results are flushed by jitted JAX on CPU (FTZ): x < -13.2 gives -0, "
               "and\n0 < x < 2^-125 gives x (x - w with w flushed); subnormal inputs are read "
               "as 0.")
    c_kernel = _C_KERNEL.format(name=c_name(KID), clamp=CLAMP, k=K, log2e=LOG2E, shifter=SHIFTER,
                                two_ln2_hi=TWO_LN2_HI, two_ln2_lo=TWO_LN2_LO, bias=SCALE_BIAS,
                                floor=FLOOR)
    return assemble_kernel(
        KID, {"ratio": cores["ratio"], "exp": cores["exp"]},
        lambda language: kernel_docstring("gelu(x) = x Phi(x)", __doc__, used, language, KID,
                                          jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
