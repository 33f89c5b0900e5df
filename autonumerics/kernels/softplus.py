"""The full-range float32 softplus kernel: log1p(E) for E = e^x as an unrounded pair, through the
log1p kernel's reduction.

softplus(x) = log(1 + e^x). No |x| split: E = e^x is carried as an unrounded pair for every x
below the saturation and the log1p kernel's reduction takes 1 + E whatever its size, so the
result rounds once on every path. The log_sigmoid kernel (``autonumerics.kernels.log_sigmoid``)
runs the same body on -x and negates: log_sigmoid(x) = -softplus(-x) bit for bit.

* x >= T = 14.556091 (the first float32 from which softplus(x) rounds to x): x itself; so do
  +inf and NaN. Below, x is clamped to -120 (softplus(-120) < 2^-173).
* E = e^x = 2^n (p + pl) by the exp-pair reduction (``autonumerics.kernels.exp_pair``): exact
  Cody-Waite r, the expm1 kernel's core m(r) ~ e^r - 1 - r (1.9 ULP of m, m <= 0.068), Fast2Sum;
  p + pl is e^r to about 2^-26.5 relative, which reaches the result through log1p's relative
  condition E / ((1 + E) log1p E) <= 1 as at most ~0.17 ULP.
* x >= -10 (E >= 2^-14.5): Eh = 2^n p (exact); u = 1 + Eh rounded with its exact error
  (2Sum), plus 2^n pl: 1 + E = u + c to 2^-47 relative. Then the log1p kernel's reduction:
  u = 2^e m, m in [sqrt(2)/2, sqrt(2)) from the bits, f = m - 1 exact, the log kernel's core
  q(f) ~ (log(1 + f) - f) / f^2, and log(1 + E) = hi + ((f * f) q + (c/u + (e LN2_LO + lo)))
  with hi = e LN2_HI + f and lo its exact error (LN2_HI of 15 bits: e LN2_HI is exact, e <= 21);
  log(1 + c/u) = c/u to 2^-47. The tail is at most a fifth of the result and the final sum
  rounds once (the log1p kernel's analysis: 0.84 ULP over every float32). The rounding of c and
  c/u (each up to 2^-48) is what bounds the path below: once E is under 2^-14, c is no longer
  small beside the result.
* x < -10: softplus(x) = E (1 - E/2) to E^2/3 < 2^-30 relative: 2^n (p + (pl - p E/2)), the inner
  term one FMA, p + it rounded once (like the sigmoid kernel's tail), then scaled by 2^n in two
  exact steps, so that results below 2^-126 (x < -87.3365) are rounded once more, to the
  subnormal grid (NumPy and C; the JAX export flushes them to 0), and results below 2^-150
  (x <= -103.97208) are 0.
* softplus(-inf) = +0, softplus(+inf) = +inf, NaN -> NaN.

JAX's own jax.nn.softplus (max(x, 0) + log1p(e^-|x|)) is 2.81 ULP off (sampled over the float32
line); this kernel stays within 1 ULP wherever the result is normal. Every path is computed for
every element and selects pick the result; the one division has one use (one XLA loop).
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
from autonumerics.kernels.exp_pair import EXPM1_ROLE, reduction_source
from autonumerics.kernels.log import CORE_TARGET
from autonumerics.kernels.log1p import LN2_HI, LN2_LO
from autonumerics.kernels.log2 import F_RANGE, SQRT_HALF_BITS

DEFAULT_CORES = {"expm1": packaged_core("expm1_core.json"),  # the expm1 kernel's
                 "log": packaged_core("log_core.json")}  # the log and log1p kernels'
ROLES = {"expm1": EXPM1_ROLE, "log": CoreRole(CORE_TARGET, F_RANGE)}

SATURATION = "0x1.d1cb8p+3"  # 14.556091: softplus(x) rounds to x from here on, not below
CLAMP = "-0x1.ep+6"  # -120: softplus(-120) < 2^-173; keeps n >= -174 and the exp pair finite
TAIL = "-0x1.4p+3"  # -10: below, softplus = E (1 - E/2) to 2^-30 relative (E < 2^-14.4)
SCALE_FLOOR = -64  # the log1p path runs for n >= -15: 2^n is clamped here (stays normal)

DESCRIPTION = (
    "x >= 14.556091 -> x (+inf, NaN too); x clamped to -120; E = e^x = 2^n (p + pl) an unrounded "
    "pair (exact Cody-Waite by one FMA, the expm1 kernel's evolved core m(r) ~ e^r - 1 - r, "
    "Fast2Sum); x >= -10: 1 + E = u + c (2Sum plus 2^n pl), then the log1p kernel's reduction of u "
    "(u = 2^e m from the bits, f = m - 1, the log kernel's evolved core q(f) ~ (log(1+f) - f)/f^2, "
    "hi = e LN2_HI + f with its Fast2Sum error, c/u folded into the tail), one rounding at the "
    "end; x < -10: 2^n (p + (pl - p E/2)) scaled in two exact steps (subnormal results rounded "
    "once, NumPy and C; JAX flushes). log_sigmoid = -softplus(-x) by the same body. All paths "
    "run, selects pick."
)


def _python_kernel(kid: str, language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {name: float32_literal(value, language) for name, value in
         (("sat", SATURATION), ("clamp", CLAMP), ("tail", TAIL), ("hi", LN2_HI), ("lo", LN2_LO),
          ("one", "0x1p+0"))}
    one = k["one"]
    mirrored = kid == "log_sigmoid"
    docstring = (f"{kid}(x) = {'-log(1 + e^-x)' if mirrored else 'log(1 + e^x)'} in float32 for "
                 "every input (see the module docstring)")
    docstring += ("; subnormal results are 0 (XLA)." if language == "jax"
                  else ", subnormal results included.")
    k["half"] = float32_literal("0x1p-1", language)
    fma_far = "_fma32(-e_half, p, pl)" if language == "numpy" else "(pl - e_half * p)"  # XLA fuses
    if language == "jax":
        u = f"jax.lax.optimization_barrier(eh + {one})  # XLA would fold (eh + 1) - 1 to eh"
        small = f"ef * {k['lo']} + lo  # e * LN2_LO + lo, one FMA (XLA fuses)"
        tail = "(f * f) * q + (c / u + small)  # one FMA (XLA fuses); the division's one use"
    else:
        u = f"eh + {one}"
        small = f"_fma32(ef, {k['lo']}, lo)  # e * LN2_LO + lo"
        tail = "_fma32(f * f, q, c / u + small)"
    # emitted verbatim into the certified exports: its lines stay as they are
    body = f"""w = {"-x  # log_sigmoid(x) = -softplus(-x): exact" if mirrored else "x"}
z = {ns}.where(w > {k["clamp"]}, {ns}.where(w < {k["sat"]}, w, {k["sat"]}), {k["clamp"]})  # NaN -> -120
n, p, pl = _exp_pair(z)  # e^z = 2^n (p + pl)
s = _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR})))
eh = p * s  # exact where the log1p path is taken (n >= -15)
u = {u}
v = u - {one}
c = (({one} - (u - v)) + (eh - v)) + pl * s  # 2Sum: 1 + eh = u + (the first two terms) exactly
bits_u = _bits(u)  # u >= 1: normal
e = (bits_u - {ns}.int32({SQRT_HALF_BITS})) >> {"23" if language == "jax" else "np.int32(23)"}
m = _float(bits_u - (e << {"23" if language == "jax" else "np.int32(23)"}))  # in [sqrt(2)/2, sqrt(2))
ef = e.astype({ns}.float32)
f = m - {one}  # exact
q = _{kid}_log(f)
a = ef * {k["hi"]}  # e * LN2_HI: exact
hi = a + f  # rounds once; exact when e = 0
lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
small = {small}
tail = {tail}
near = hi + tail  # log(u) + c/u, one rounding
half = -((-n) >> 1)
e_half = eh * {k["half"]}  # E/2 (2^n clamped where E < 2^-64: no matter)
far = p + {fma_far}  # (p + pl)(1 - E/2): the inner term one FMA, one rounding
far = (far * _pow2(half)) * _pow2(n - half)  # times 2^n: exact steps; one rounding if subnormal
y = {ns}.where(w < {k["tail"]}, far, near)
y = {"-" if mirrored else ""}{ns}.where(w < {k["sat"]}, y, w)  # w itself from the saturation on; +inf; NaN"""  # noqa: E501
    return python_kernel(kid, language, docstring, body)


# emitted verbatim into the certified exports: its lines stay as they are
_C_KERNEL = '''
static inline float {name}_body(float x) {{
    if (!(x < {sat}f)) return x;  /* softplus(x) = x from the saturation on; +inf; NaN */
    const float z = x > {clamp}f ? x : {clamp}f;
    float p, pl;
    const int32_t n = {name}_expm1_exp_pair(z, &p, &pl);  /* e^z = 2^n (p + pl) */
    const float s = an_pow2(n > {floor} ? n : {floor});
    const float eh = p * s;  /* exact where the log1p path is taken (n >= -15) */
    if (x < {tail}f) {{
        const int32_t half = -((-n) >> 1);
        const float far = p + fmaf(-(eh * 0.5f), p, pl);  /* (p + pl)(1 - E/2), one rounding */
        return (far * an_pow2(half)) * an_pow2(n - half);  /* exact steps; one rounding if subnormal */
    }}
    const float u = eh + 1.0f;
    const float v = u - 1.0f;
    const float c = ((1.0f - (u - v)) + (eh - v)) + pl * s;  /* 1 + E = u + c */
    const int32_t bits = an_bits(u);  /* u >= 1: normal */
    const int32_t e = (int32_t)(((uint32_t)bits - {sqrt_half}u) >> 23);  /* u >= sqrt(1/2): e >= 0 */
    const float m = an_float(bits - (int32_t)((uint32_t)e << 23));  /* in [sqrt(2)/2, sqrt(2)) */
    const float ef = (float)e;
    const float f = m - 1.0f;  /* exact */
    const float q = {name}_log(f);
    const float a = ef * {hi}f;  /* e * LN2_HI: exact */
    const float hi = a + f;  /* rounds once; exact when e = 0 */
    const float lo = (a - hi) + f;  /* Fast2Sum: hi + lo = e * LN2_HI + f exactly */
    const float small = fmaf(ef, {lo}f, lo);  /* e * LN2_LO + lo */
    return hi + fmaf(f * f, q, c / u + small);
}}

static inline float {name}(float x) {{
    return {result};
}}
'''  # noqa: E501


def build_family(kid: str, cores: dict[str, Core], module_doc: str) -> KernelSource:
    """The accurate softplus-family kernel ``kid`` ("softplus" or "log_sigmoid") around
    ``cores["expm1"]`` (e^r - 1 - r on [-ln2/2, ln2/2]) and ``cores["log"]`` ((log(1+f) - f)/f^2
    on the log kernel's range of f)."""
    used = (cores["expm1"], cores["log"])
    mirrored = kid == "log_sigmoid"
    side = "x > 87.3365" if mirrored else "x < -87.3365"
    jax_doc = (f"Subnormal results ({side}) are returned as {'-0' if mirrored else '0'}: jitted "
               "JAX on CPU flushes them (FTZ);\n"
               "subnormal inputs are read as 0, where the correctly rounded result is "
               f"{'-ln 2' if mirrored else 'ln 2'} anyway.")
    cname = c_name(kid)
    result = f"-{cname}_body(-x)" if mirrored else f"{cname}_body(x)"
    c_kernel = _C_KERNEL.format(name=cname, sat=SATURATION, clamp=CLAMP, tail=TAIL, hi=LN2_HI,
                                lo=LN2_LO, sqrt_half=SQRT_HALF_BITS, result=result,
                                floor=SCALE_FLOOR)
    summary = ("log_sigmoid(x) = -log(1 + exp(-x))" if mirrored
               else "softplus(x) = log(1 + exp(x))")
    bodies = {"jax": [reduction_source("jax", f"_{kid}_expm1", "barrier"),
                      _python_kernel(kid, "jax")],
              "numpy": [reduction_source("numpy", f"_{kid}_expm1"), _python_kernel(kid, "numpy")],
              "c": [reduction_source("c", f"{cname}_expm1"), c_kernel]}
    return assemble_kernel(
        kid, {"expm1": cores["expm1"], "log": cores["log"]},
        lambda language: kernel_docstring(summary, module_doc, used, language, kid, jax_doc),
        bodies, DESCRIPTION, literal_constants=True)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the softplus kernel around ``cores["expm1"]`` and ``cores["log"]``."""
    return build_family("softplus", cores, __doc__)
