"""The fast-tier float32 gelu_tanh kernel: x / (1 + e^-z) with z as an unrounded pair, <= 3.5 ULP.

gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (jax.nn.gelu's default
formula, which loses everything to 1 + tanh(u) cancelling for x < 0) is x sigmoid(z) =
x / (1 + e^-z) with z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1: no
cancellation. For x < 0 the result is ~ x e^z with |z| up to 110, so z's absolute error becomes
the result's relative error: z is carried to ~2^-45 relative.

* x is clamped three ways (a select each): xn = max(x, -10.9375) for the numerator (gelu_tanh
  rounds to -0 from x = -10.7709 down), xb = clamp(x, -10.9375, 8.5) for z (z in [-110.8, 57.4]:
  e^-z stays in the scaled range below; gelu_tanh(x) rounds to x from 4.994 up, e^-57 < 2^-80),
  and xa = min(x, 8.5), equal to xb where it matters: products of xa and of xb are different
  expressions, so XLA does not merge a product with its FMA twin (the error of a product by
  one FMA needs the product a second time). Below -10.9375 only xa differs, and its garbage
  drives e^-z to +inf, where the quotient is -0 as it should be.
* v = c1 + c2 x^2 = v_hi + v_lo: s = x^2 = s1 + s_lo (one FMA), v_hi = fma(c2h, s1, c1h),
  d = v_hi - c1h exact (c1h has 21 bits, v_hi in [1.6, 10.2]), the rounding error of v_hi
  fma(c2h, s2, -d) (s2 = xa xb = s1), v_lo = that + c2h s_lo + (c2l s1 + c1l): the float32 pairs
  c1h + c1l, c2h + c2l carry the constants to 2^-48. z = x v_hi + x v_lo.
* e^-z = 2^n p: n = round(-z log2 e) from the shifter FMA on xb (v_hi (-log2e)) (any nearby n
  works: r stays within 2^-20 of [-ln2/2, ln2/2]); r = -x v_hi - n ln2_hi by one FMA (n ln2_hi
  exact: 15 bits), then - n ln2_lo and - x v_lo by one FMA each: r to ~3 * 2^-26 absolute. The
  exp kernel's core p(r) ~ e^r.
* The closing forms are silu_fast's (``autonumerics/kernels/fast/silu.py``): x >= 0:
  x / fma(p, 2^n, 1); x < 0: (x 2^(64-n)) / fma(p, 2^64, 2^(64-n)) with an exact numerator;
  one division with one user; subnormal results rounded once by it (NumPy, C); NaN -> NaN;
  gelu_tanh(-0) = -0; +inf -> +inf; -inf -> -0.

Error budget: silu_fast's (the core, 1 + e^-z and the quotient: 2.4 ULP at most on every
float32 of [-91.8, 32] there) plus r's roundings (<= 0.2 ULP); 2.46 ULP at most on every
float32 of [-10.1, 6] (x = -5.0002).
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import (
    assemble_kernel,
    float32_literal,
    kernel_docstring,
    python_kernel,
)
from autonumerics.kernels.base import Core, KernelSource, packaged_core
from autonumerics.kernels.fast.silu import EXP_ROLE, LN2_HI, LN2_LO, SCALE, SCALE_LOG2, SHIFTER

KID = "gelu_tanh_fast"
DEFAULT_CORES = {"exp": packaged_core("exp_core.json")}  # the exp kernel's, as silu_fast
ROLES = {"exp": EXP_ROLE}

LOW_CLAMP = "0x1.5ep+3"  # 10.9375: z = -110.8; gelu_tanh rounds to -0 from -10.7709 down
HIGH_CLAMP = "0x1.1p+3"  # 8.5: z = 57.4 (e^-z < 2^-82); gelu_tanh rounds to x from 4.994 up
C1_HI = "0x1.98845p+0"  # 2 sqrt(2/pi) to 21 bits (a multiple of 2^-20: v_hi - C1_HI is exact)
C1_LO = "0x1.9ea1b2p-23"  # float32(2 sqrt(2/pi) - C1_HI)
C2_HI = "0x1.2444f2p-4"  # float32(0.044715 * 2 sqrt(2/pi))
C2_LO = "0x1.49b16ap-29"  # float32(0.044715 * 2 sqrt(2/pi) - C2_HI)
NEG_LOG2E = "-0x1.715476p+0"
SHIFTED_LN2_HI = "0x1.0a2bp+23"  # SHIFTER * LN2_HI, exact (17 bits)

DESCRIPTION = (
    "gelu_tanh = x / (1 + e^-z), z = x (c1 + c2 x^2) = x v_hi + x v_lo with v an unrounded pair "
    "(x^2 split by one FMA, v_hi's rounding error by one FMA, c1 and c2 as float32 pairs); x "
    "clamped to [-10.9375, 8.5] for z; n = round(-z log2e) by a shifter FMA, r = -x v_hi - n ln2 "
    "- x v_lo in three FMAs, the exp kernel's core p(r) ~ e^r; then silu_fast's closing forms: x "
    ">= 0: x / fma(p, 2^n, 1); x < 0: (x 2^(64-n)) / fma(p, 2^64, 2^(64-n)), exact numerator, one "
    "division; subnormal results rounded once (NumPy, C; JAX flushes); NaN -> NaN."
)


def v_pair_lines(language: str) -> str:
    """Python lines (JAX or NumPy) computing ``v_hi``, ``v_lo`` with v_hi + v_lo = c1 + c2 x^2
    to ~2^-45 from two equal copies ``xa``, ``xb`` of x (see the module docstring); shared with
    the accurate gelu_tanh kernel."""
    k = {name: float32_literal(globals()[name], language)
         for name in ("C1_HI", "C1_LO", "C2_HI", "C2_LO")}
    if language == "jax":  # XLA fuses each a*b + c whose product has one use
        lines = f"""s_lo = xa * xa - s1  # XLA fuses: x^2 - s1 exactly
# XLA fuses; the barrier keeps it from folding (v_hi - c1h) below back into s1 c2h
v_hi = jax.lax.optimization_barrier(s1 * {k['C2_HI']} + {k['C1_HI']})
d = v_hi - {k['C1_HI']}  # exact
e = s2 * {k['C2_HI']} - d  # XLA fuses: c2h s + c1h - v_hi, v_hi's rounding error
v_lo = (s_lo * {k['C2_HI']} + (s1 * {k['C2_LO']} + {k['C1_LO']})) + e  # XLA fuses both"""
    else:
        lines = f"""s_lo = _fma32(xa, xa, -s1)  # x^2 - s1 exactly
v_hi = _fma32(s1, {k['C2_HI']}, {k['C1_HI']})
d = v_hi - {k['C1_HI']}  # exact
e = _fma32(s2, {k['C2_HI']}, -d)  # c2h s + c1h - v_hi, v_hi's rounding error
v_lo = _fma32(s_lo, {k['C2_HI']}, _fma32(s1, {k['C2_LO']}, {k['C1_LO']})) + e"""
    return f"""s1 = xb * xb  # x^2 rounded
s2 = xa * xb  # the same value, another product (XLA must not merge the FMAs' products)
{lines}"""


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    low, high, log2e, shifter, ln2_hi, ln2_lo = (
        float32_literal(v, language)
        for v in (LOW_CLAMP, HIGH_CLAMP, NEG_LOG2E, SHIFTER, LN2_HI, LN2_LO))
    one, scale = float32_literal("0x1p+0", language), float32_literal(SCALE, language)
    docstring = ("gelu_tanh(x) (jax.nn.gelu's tanh formula) in float32 for every input, <= 3.5 ULP "
                 "(module docstring)")
    docstring += ("; subnormal results are 0 (XLA)." if language == "jax"
                  else ", subnormal results included.")
    if language == "jax":
        t = f"jax.lax.optimization_barrier(xb * (v_hi * {log2e}) + {shifter})  # XLA fuses"
        # n ln2_hi as the exact FMA (t - shifter) ln2_hi: no second product for XLA to fuse
        shifted = float32_literal(SHIFTED_LN2_HI, language)
        r = f"""r = -(xa * v_hi) - (t * {ln2_hi} - {shifted})  # XLA fuses both: one rounding
r = r - nf * {ln2_lo}  # XLA fuses: one rounding
r = r - xa * v_lo  # XLA fuses: one rounding"""
        den = f"p * {ns}.where(neg, {scale}, s) + b  # XLA fuses: one rounding"
    else:
        t = f"_fma32(xb, v_hi * {log2e}, {shifter})"
        r = f"""r = _fma32(-xa, v_hi, -(nf * {ln2_hi}))  # one rounding, as XLA fuses it
r = _fma32(-nf, {ln2_lo}, r)
r = _fma32(-xa, v_lo, r)"""
        den = f"_fma32(p, {ns}.where(neg, {scale}, s), b)  # one rounding, as XLA fuses it"
    body = f"""xn = {ns}.where(x < -{low}, -{low}, x)  # numerator; NaN stays NaN
xa = {ns}.where(x < {high}, x, {high})  # NaN -> 8.5
xb = {ns}.where(xa < -{low}, -{low}, xa)  # x clamped to [-10.9375, 8.5]
{v_pair_lines(language)}
t = {t}  # n = round(-z log2 e) in t's low bits
nf = t - {shifter}
{r}
p = _{KID}_exp(r)  # e^r, e^-z = 2^n p
neg = x < 0
k = _bits(t)  # 0x4B400000 + n: its low 9 bits are n's
# 2^(64-n) where x < 0, else 2^n
s = _float({ns}.where(neg, {ns}.int32({127 + SCALE_LOG2}) - k, k + {ns}.int32(127)) << 23)
b = {ns}.where(neg, s, {one})
den = {den}  # 1 + e^-z, times 2^(64-n) where x < 0
y = (xn * b) / den  # exact numerator; the division's one use"""
    return python_kernel(KID, language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    const float xn = x < -{low}f ? -{low}f : x;  /* NaN stays NaN */
    const float xa = x < {high}f ? x : {high}f;
    const float xb = xa < -{low}f ? -{low}f : xa;
    const float s1 = xb * xb;
    const float s_lo = fmaf(xa, xa, -s1);  /* x^2 - s1 exactly */
    const float v_hi = fmaf(s1, {c2_hi}f, {c1_hi}f);
    const float d = v_hi - {c1_hi}f;  /* exact */
    const float e = fmaf(xa * xb, {c2_hi}f, -d);  /* v_hi's rounding error */
    const float v_lo = fmaf(s_lo, {c2_hi}f, fmaf(s1, {c2_lo}f, {c1_lo}f)) + e;
    const float t = fmaf(xb, v_hi * {log2e}f, {shifter}f);  /* n = round(-z log2 e) */
    const float nf = t - {shifter}f;
    float r = fmaf(-xa, v_hi, -(nf * {ln2_hi}f));
    r = fmaf(-nf, {ln2_lo}f, r);
    r = fmaf(-xa, v_lo, r);
    const float p = {name}_exp(r);  /* e^-z = 2^n p */
    const uint32_t k = (uint32_t)an_bits(t);
    if (x < 0.0f) {{
        const float s = an_float((int32_t)(({scale_bits}u - k) << 23));  /* 2^(64 - n) */
        return (xn * s) / fmaf(p, {scale}f, s);
    }}
    return xn / fmaf(p, an_float((int32_t)((k + 127u) << 23)), 1.0f);  /* NaN stays NaN */
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the fast gelu_tanh kernel around ``cores["exp"]`` (e^r on [-ln2/2, ln2/2])."""
    core = cores["exp"]
    jax_doc = ("Subnormal results (x < -10.2) are returned as 0: jitted JAX on CPU flushes them "
               "(FTZ);\nsubnormal inputs are read as 0.")
    c_kernel = _C_KERNEL.format(name=c_name(KID), low=LOW_CLAMP, high=HIGH_CLAMP, c1_hi=C1_HI,
                                c1_lo=C1_LO, c2_hi=C2_HI, c2_lo=C2_LO, log2e=NEG_LOG2E,
                                shifter=SHIFTER, ln2_hi=LN2_HI, ln2_lo=LN2_LO, scale=SCALE,
                                scale_bits=127 + SCALE_LOG2)
    return assemble_kernel(
        KID, {"exp": core},
        lambda language: kernel_docstring("gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 "
                                          "x^3)))", __doc__, (core,), language, KID, jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
