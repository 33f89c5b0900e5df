"""The fast-tier float32 sigmoid kernel (<= 3.5 ULP): 1/(1 + e^-x) as s/(s + s e^-x), s = 2^-64,
one exp, one division, no select.

Range reduction (every step exact except the core, two Cody-Waite roundings, one FMA and the
division):

* x is clamped to [-104, 40] (NaN stays NaN: both comparisons are false). sigmoid rounds to 0
  for x <= -103.972084 (below 2^-150) and to 1 from x = 17.3286800 on, so nothing is lost; the
  clamp keeps 2^(n - 64) normal and the reduction finite.
* n = round(-x log2 e) from t = fma(x, -log2 e, 1.5 * 2^23 - 64): n = t - (1.5 * 2^23 - 64)
  exactly, and t's low bits hold n - 64 (bits(t) << 23 = (n - 64) << 23, the offset folded into
  the shifter); any nearby integer works.
* r = -x - n ln2 in two steps (Cody-Waite, the exp kernel's constants): -x - n ln2_hi is exact
  (ln2_hi has 15 significant bits, |n| <= 151), then r = fma(-n, ln2_lo, r1) rounds once, |r| <=
  ln2/2. Two constants keep e^-x within the core's error out to x = -104, where sigmoid ~ e^x
  inherits e^-x's relative error in full.
* p = core(r) ~ e^r (the exp kernel's evolved core on [-ln2/2, ln2/2]); w = 2^(n - 64) built on
  the exponent bits of 1 from t (n - 64 stays in [-122, 87]).
* sigmoid = s / fma(w, p, s) with s = 2^-64: 1/(1 + e^-x) scaled so that e^-x up to e^104 fits.
  w p = 2^-64 e^-x is exact inside the FMA, which rounds s + w p once; then one division. p
  enters through arithmetic, not through its bits, so a NaN of any payload gives NaN.
* Error: for x >= 0, e^-x <= 1 and its error is damped by E/(1 + E) <= 1/2; for x < 0 the
  result's relative error is e^-x's (the core's <= 0.7 ULP and r's rounding) plus the FMA's and
  the division's roundings: 2.48 ULP at most over every float32 of the worst binade,
  [-32, -16], 2.17 on every 1009th bit pattern of the whole line. Results below 2^-126
  (x < -87.3365) come out of the division rounded once (NumPy, C; jitted JAX on CPU flushes
  them to 0), exactly 0 from -103.972084 down (as rounded exactly). The result is exactly 1 from
  x = 16.635532 on (1 ULP off there; the exact sigmoid rounds to 1 from 17.3286800 on).

sigmoid(-x) = 1 - sigmoid(x) is never used: for x < 0 the quotient is small by itself, with no
cancellation. JAX's own jax.nn.sigmoid is 4.7e6 ULP off in its far negative tail.
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

KERNEL_ID = "sigmoid_fast"
DEFAULT_CORES = {"poly": packaged_core("exp_core.json")}
ROLES = {"poly": CoreRole("exp", (-0.34657359027997264, 0.34657359027997264))}  # |r| <= ln2/2

LOW = "-0x1.ap+6"  # -104: sigmoid rounds to 0 from -103.972084 down; keeps n <= 151
HIGH = "0x1.4p+5"  # 40: sigmoid rounds to 1 from 17.3286800; keeps n - 64 >= -122
NEG_LOG2E = "-0x1.715476p+0"  # -float32(1/ln 2)
SHIFTER = "0x1.7fff8p+23"  # 1.5 * 2^23 - 64: t's low bits hold n - 64, t - SHIFTER = n
NEG_LN2_HI = "-0x1.62e4p-1"  # ln 2 to 15 significant bits: n * LN2_HI is exact for |n| < 2^9
LN2_LO = "0x1.7f7d1cp-20"  # float32(ln 2 - LN2_HI)
SCALE = "0x1p-64"  # s: sigmoid = s / (s + s e^-x)
ONE_BITS = "0x3F800000"  # the bits of 1.0: 2^k has bits ONE_BITS + (k << 23)

DESCRIPTION = (
    "x clamped to [-104, 40] (NaN stays NaN); n = round(-x log2 e) by a shifter that also holds "
    "n - 64 in t's low bits; Cody-Waite r = fma(-n, ln2_lo, -x - n ln2_hi) (first step exact); the "
    "exp kernel's evolved core p(r) ~ e^r on [-ln2/2, ln2/2]; 2^(n-64) from t's "
    "bits; sigmoid = 2^-64 / fma(2^(n-64), p, 2^-64): one FMA, one division, no select (subnormal "
    "results rounded once in NumPy and C, flushed by JAX on CPU); NaN -> NaN."
)


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {v: float32_literal(globals()[v], language)
         for v in ("LOW", "HIGH", "NEG_LOG2E", "SHIFTER", "NEG_LN2_HI", "LN2_LO", "SCALE")}
    if language == "jax":
        docstring = ("sigmoid(x) = 1/(1 + e^-x) in float32 for every input, within 3.5 ULP (see "
                     "the module docstring); subnormal results are 0 (XLA).")
        t = f"xc * {k['NEG_LOG2E']} + {k['SHIFTER']}  # XLA fuses: one rounding"
        n = (f"jax.lax.optimization_barrier(t) - {k['SHIFTER']}  # exact (XLA would fold "
             "(v + S) - S to v)")
        r = f"r - n * {k['LN2_LO']}  # XLA fuses: fma(-n, ln2_lo, r), one rounding"
        den = f"w * p + {k['SCALE']}  # XLA fuses: fma(w, p, s), one rounding"
    else:
        docstring = ("sigmoid(x) = 1/(1 + e^-x) in float32 for every input, within 3.5 ULP (see "
                     "the module docstring), subnormal results included.")
        t = f"_fma32(xc, {k['NEG_LOG2E']}, {k['SHIFTER']})  # one rounding, as XLA fuses it"
        n = f"t - {k['SHIFTER']}  # exact"
        r = f"_fma32(-n, {k['LN2_LO']}, r)  # one rounding, as XLA fuses it"
        den = f"_fma32(w, p, {k['SCALE']})  # s + 2^-64 e^-x, one rounding, as XLA fuses it"
    # emitted verbatim into the certified exports: its lines stay as they are
    body = f"""xc = {ns}.where(x < {k["LOW"]}, {k["LOW"]}, x)  # NaN stays NaN
xc = {ns}.where(xc > {k["HIGH"]}, {k["HIGH"]}, xc)
t = {t}
n = {n}
r = n * {k["NEG_LN2_HI"]} - xc  # -x - n ln2_hi, exact
r = {r}
p = _{KERNEL_ID}_poly(r)  # e^r
w = _float((_bits(t) << 23) + {ns}.int32({ONE_BITS}))  # 2^(n - 64), exact
den = {den}
y = {k["SCALE"]} / den  # 1/(1 + e^-x); the division's one use"""
    return python_kernel(KERNEL_ID, language, docstring, body)


# emitted verbatim into the certified exports: its lines stay as they are
_C_KERNEL = '''
static inline float {name}(float x) {{
    const float lowered = x < {low}f ? {low}f : x;  /* NaN stays NaN */
    const float xc = lowered > {high}f ? {high}f : lowered;
    const float t = fmaf(xc, {neg_log2e}f, {shifter}f);  /* n - 64 in t's low bits */
    const float n = t - {shifter}f;  /* exact */
    const float r1 = n * {neg_ln2_hi}f - xc;  /* -x - n ln2_hi, exact */
    const float p = {name}_poly(fmaf(-n, {ln2_lo}f, r1));  /* e^r, r rounded once */
    const float w = an_float((int32_t)(((uint32_t)an_bits(t) << 23) + {one_bits}u));  /* 2^(n - 64) */
    return {scale}f / fmaf(w, p, {scale}f);  /* 1/(1 + e^-x) */
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the fast sigmoid kernel around ``cores["poly"]`` (e^r on [-ln2/2, ln2/2], the exp
    kernel's core)."""
    used = (cores["poly"],)
    jax_doc = ("Subnormal results (x < -87.3365) are returned as 0: jitted JAX on CPU flushes them "
               "(FTZ);\n"
               "subnormal inputs are read as 0, where the correctly rounded result is 1/2 anyway.")
    c_kernel = _C_KERNEL.format(name=c_name(KERNEL_ID), low=LOW, high=HIGH, neg_log2e=NEG_LOG2E,
                                shifter=SHIFTER, neg_ln2_hi=NEG_LN2_HI, ln2_lo=LN2_LO,
                                scale=SCALE, one_bits=ONE_BITS)
    return assemble_kernel(
        KERNEL_ID, {"poly": cores["poly"]},
        lambda language: kernel_docstring("sigmoid(x) = 1/(1 + exp(-x))", __doc__, used,
                                          language, KERNEL_ID, jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
