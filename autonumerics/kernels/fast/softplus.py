"""The fast-tier float32 softplus kernel: E = e^-|x| from the exp core, log1p(E) from one core.

softplus(x) = log(1 + e^x) = max(x, 0) + log1p(E) with E = e^-a, a = |x|, E in (0, 1]: no
cancellation anywhere (log1p's relative condition E / ((1 + E) log1p E) is at most 1 on (0, 1]).
The log_sigmoid_fast kernel (``autonumerics.kernels.fast.log_sigmoid``) runs the same body and
negates: log_sigmoid(x) = -softplus(-x) bit for bit, so its error is the same at mirrored inputs.

* a is clamped to 104 (inf and NaN too; NaN is put back at the end): e^-104 < 2^-150 rounds to 0.
* E = 2^n e^r as in the exp kernel: n = round(-a log2 e) from t = fma(-a, log2 e, 1.5 * 2^23),
  r = -a - n ln2 by Cody-Waite (n ln2_hi exact, then one FMA with ln2_lo: r rounded once, at
  most 2^-26), e^r by the "exp" core, the exp kernel's degree-6 polynomial on [-ln2/2, ln2/2]
  (0.69 ULP; with r's rounding about 1 ULP of E), and 2^n added to its exponent bits (exact for
  normal E). The exp search's cheaper degree-5 member (1.8 ULP) left the kernel at 3.18 ULP,
  above jax.nn.softplus's 2.81 and jax.nn.log_sigmoid's 2.66: one FMA more buys ~1 ULP.
  Below 2^-126 the JAX export flushes E to 0 (as XLA does); NumPy and C scale in two steps, one
  rounding, so subnormal results (x < -87.34) are E correctly rounded but for the core's error.
* L = log1p(E) by the "log1p" core on [0, 1], E + E^2 P(E) ending in one FMA: no range split
  (on [0, 1] a polynomial converges as fast as on the log kernel's [sqrt(1/2) - 1, sqrt(2) - 1]:
  the singularity at -1 lies as far, in units of the interval). Its error adds to E's: about
  1 ULP at most (at E near 1, where E^2 P is 44 % of the result), and nothing where E^2 P is below
  half an ULP of E (x < -17: L = E, E's error only).
* x <= 0: softplus = L. x > 0: softplus = a + L, rounded once: L <= ln 2 <= the result, so L's
  error counts at most fully (near x = 0+) and shrinks with L / (a + L) beyond; from
  x = 14.5561 on, L is below half an ULP of a and the sum gives a, as it should.
* softplus(+inf) = +inf (a + L), softplus(-inf) = +0 (E = 0), NaN -> NaN (the x > 0 side's
  a + L, which is NaN: the comparison x <= 0 is false for NaN).

Both sides are computed for every element and one select picks; no division.
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
from autonumerics.kernels.exp import LN2_HI, LN2_LO, LOG2E
from autonumerics.kernels.exp2 import SHIFTER

DEFAULT_CORES = {"exp": packaged_core("exp_core.json"),
                 "log1p": packaged_core("softplus_fast_log1p.json")}
ROLES = {"exp": CoreRole("exp", (-0.34657359027997264, 0.34657359027997264)),  # |r| <= ln2/2
         "log1p": CoreRole("log1p", (0.0, 1.0))}  # E = e^-|x| in (0, 1]

CLAMP = "0x1.ap+6"  # 104: e^-104 < 2^-150 rounds to 0; keeps n >= -151 and the path finite

DESCRIPTION = (
    "a = |x| clamped to 104; E = e^-a = 2^n e^r (n = round(-a log2 e) by a shifter FMA, Cody-Waite "
    "r rounded once, the exp kernel's evolved core, 2^n on the exponent bits; subnormal E flushed "
    "by JAX, two-step scaling in NumPy and C); L = log1p(E) by an evolved core E + E^2 P(E) on "
    "[0, 1]; softplus = L for x <= 0, a + L (one rounding) for x > 0; log_sigmoid = -softplus(-x) "
    "by the same body with the final select mirrored and negated. NaN -> NaN."
)

# the final select, per kernel and language: softplus(x) and -softplus(-x)
_RESULT = {"softplus": ("{ns}.where(x <= 0, l, a + l)  # NaN takes a + l: NaN",
                        "x > 0.0f ? a + l : l"),
           "log_sigmoid": ("{ns}.where(x >= 0, -l, -(a + l))  # -softplus(-x); NaN: -(a + l)",
                           "x < 0.0f ? -(a + l) : -l")}


def _python_kernel(kid: str, language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {name: float32_literal(value, language) for name, value in
         (("clamp", CLAMP), ("log2e", LOG2E), ("hi", LN2_HI), ("lo", LN2_LO),
          ("shifter", SHIFTER))}
    function = kid.removesuffix("_fast")
    summary = "log(1 + e^x)" if function == "softplus" else "-log(1 + e^-x)"
    docstring = f"{function}(x) = {summary} in float32, fast tier (see the module docstring)"
    if language == "jax":
        docstring += "; subnormal results are 0 (XLA)."
        t = f"z * {k['log2e']} + {k['shifter']}  # XLA fuses: n = round(-a log2 e) in t's low bits"
        whole = "(_bits(t) - 0x4B400000).astype(jnp.float32)  # n, exactly"
        r = f"r - whole * {k['lo']}  # XLA fuses: fma(-n, ln2_lo, r), one rounding"
        scale = ("eb = _bits(p) + (_bits(t) << 23)  # e^r 2^n on the exponent bits: exact\n"
                 "e = jnp.where(eb < 0x00800000, jnp.float32(0.0), _float(eb))  # below 2^-126: "
                 "0, as XLA flushes")
    else:
        docstring += ", subnormal results included."
        t = f"_fma32(z, {k['log2e']}, {k['shifter']})  # n = round(-a log2 e) in t's low bits"
        whole = f"t - {k['shifter']}  # n, exactly"
        r = f"_fma32(-whole, {k['lo']}, r)  # one rounding, as XLA fuses it"
        scale = ("n = _bits(t) - np.int32(0x4B400000)\n"
                 "e = _float(_bits(p) + (n << np.int32(23)))  # e^r 2^n on the exponent bits: "
                 "exact, E >= 2^-125\n"
                 "tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one "
                 "rounding\n"
                 "e = np.where(n < -125, tiny, e)")
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
z = {ns}.where(a < {k["clamp"]}, -a, -{k["clamp"]})  # -|x| clamped at -104 (inf and NaN too)
t = {t}
whole = {whole}
r = z - whole * {k["hi"]}  # exact
r = {r}
p = _{kid}_exp(r)  # e^r
{scale}
l = _{kid}_log1p(e)  # log1p(E)
y = {_RESULT[function][0].format(ns=ns)}"""
    return python_kernel(kid, language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    if (x != x) return x;
    const float a = fabsf(x);
    const float z = a < {clamp}f ? -a : -{clamp}f;  /* -|x| clamped at -104 */
    const float t = fmaf(z, {log2e}f, {shifter}f);  /* n = round(-a log2 e) in t's low bits */
    const float whole = t - {shifter}f;
    const float r1 = z - whole * {hi}f;  /* exact */
    const float p = {name}_exp(fmaf(-whole, {lo}f, r1));  /* e^r, r rounded once */
    const int32_t n = an_bits(t) - 0x4B400000;
    /* E = e^r 2^n: on the exponent bits (exact) or, below 2^-125, in two steps (one rounding) */
    const float e = n < -125 ? (p * an_pow2(n + 64)) * 0x1p-64f
                             : an_float((int32_t)((uint32_t)an_bits(p) + ((uint32_t)n << 23)));
    const float l = {name}_log1p(e);  /* log1p(E) */
    return {result};
}}
'''


def build_family(kid: str, cores: dict[str, Core], module_doc: str) -> KernelSource:
    """The fast softplus-family kernel ``kid`` ("softplus_fast" or "log_sigmoid_fast") around
    ``cores["exp"]`` (e^r on [-ln2/2, ln2/2]) and ``cores["log1p"]`` (log1p on [0, 1])."""
    function = kid.removesuffix("_fast")
    used = (cores["exp"], cores["log1p"])
    jax_doc = ("Subnormal results (|x| > 87.34 on the side where the result is e^-|x|) are 0: "
               "jitted JAX on CPU\n"
               "flushes them (FTZ); subnormal inputs are read as 0, where the result is ln 2 "
               "(-ln 2) anyway.")
    c_kernel = _C_KERNEL.format(name=c_name(kid), clamp=CLAMP, log2e=LOG2E, hi=LN2_HI, lo=LN2_LO,
                                shifter=SHIFTER, result=_RESULT[function][1])
    summary = ("softplus(x) = log(1 + exp(x))" if function == "softplus"
               else "log_sigmoid(x) = -log(1 + exp(-x))")
    return assemble_kernel(
        kid, {"exp": cores["exp"], "log1p": cores["log1p"]},
        lambda language: kernel_docstring(summary, module_doc, used, language, kid, jax_doc),
        {"jax": [_python_kernel(kid, "jax")], "numpy": [_python_kernel(kid, "numpy")],
         "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the softplus_fast kernel around ``cores["exp"]`` and ``cores["log1p"]``."""
    return build_family("softplus_fast", cores, __doc__)
