"""The fast-tier float32 tanh kernel (<= 3.5 ULP): tanh = (1 - E) / (1 + E), E = e^-2a, both
terms from one evolved e^(2r) - 1 and one division, no separate small-argument path.

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a is clamped to 9.5 (inf too; NaN stays NaN: the comparison is false), so E stays above 2^-28.
* n = round(-2a log2 e) from t = fma(a, -2 log2 e, 1.5 * 2^23) (n = t - 1.5 * 2^23 exactly, and
  t's low bits hold n; any nearby integer works), r = fma(n, -ln2/2, -a) = -a - n ln2/2 rounded
  once, |r| <= ln2/4 (one constant: |n| <= 28, so ln2's float32 error moves r by < 2^-29 |n|,
  and that error reaches tanh through 2E / (1 - E^2), tiny wherever n is large). r = -a exactly
  while n = 0 (a < 0.173).
* P = core(r) ~ e^(2r) - 1, the evolved "poly" core on [-ln2/4, ln2/4]: E = 2^n (1 + P), with
  w = 2^n built on the exponent bits of 1 from t (exact).
* tanh = N / D with N = (1 - w) - w P and D = (1 + w) + w P: 1 - w, 1 + w and w P are exact (w is a
  power of 2, and w P is 0 or above 2^-53 for n < 0: r is a multiple of 2^-26 there), so each of N,
  D rounds once (w P has two readers, so XLA fuses it into neither; an FMA would give the same
  bits). While n = 0 (a < 0.173) N is -P itself: N is accurate relative to tanh ~ a (no cancellation
  of 1 - E), and tiny or subnormal a give N = 2a, D = 2, tanh = a exactly. For n <= -1, w P is at
  most 70 % of N and less as a grows: P's errors are damped. Error budget: the core's (<= ~1.5 ULP
  of P, relative), N's and D's roundings (<= 1 ULP each, D's at most 0.6 ULP of tanh while D ~ 2)
  and the division's 0.5 ULP: 2.41 ULP at most over every float32 of the worst binade, [2^-4, 2^-3]
  (n = 0, where P's error is not damped), 2.33 on every 127th bit pattern of the whole line.
* N <= D as computed (the exact N is below the exact D and rounding is monotonic), so |tanh| <= 1.
  The result is exactly 1 from a = 8.491054 on (N and D round to the same float32; tanh is 1.41
  ULP below 1 there, and rounds to 1 itself from 9.0109138 on). inf gives 1 through the clamp,
  NaN gives NaN (P is NaN and enters N and D through arithmetic).

One division with one use (XLA's CPU fusion will not copy a division into several consumers: a
quotient read twice splits the kernel into several loops over memory). Cost: the core and 13
more ops; jnp.tanh (XLA's 13/6 odd rational, clamped at 7.9988) is 4.2 ULP off.
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

KERNEL_ID = "tanh_fast"
DEFAULT_CORES = {"poly": packaged_core("tanh_fast_core.json")}
POLY_TARGET = "expm1(2*x)"  # the "poly" core: e^(2r) - 1 on [-ln2/4, ln2/4]
ROLES = {"poly": CoreRole(POLY_TARGET, (-0.17328679513998632, 0.17328679513998632))}

CLAMP = "0x1.3p+3"  # 9.5: E = e^-2a stays normal (>= 2^-28); tanh rounds to 1 from 9.0109138 on
NEG_TWO_LOG2E = "-0x1.715476p+1"  # -2 float32(1/ln 2): n = round(-2a log2 e) (any near integer)
SHIFTER = "0x1.8p+23"  # 1.5 * 2^23: t = v + SHIFTER holds round(v) in its low bits
NEG_HALF_LN2 = "-0x1.62e430p-2"  # -float32(ln 2) / 2
ONE_BITS = "0x3F800000"  # the bits of 1.0: w = 2^n has bits ONE_BITS + (n << 23)

DESCRIPTION = (
    "a = |x| clamped to 9.5 (sign bit put back: exact odd symmetry); E = e^-2a = 2^n (1 + P(r)), "
    "n = round(-2a log2 e) by the 1.5 * 2^23 shifter, r = fma(n, -ln2/2, -a), evolved core P(r) ~ "
    "e^(2r) - 1 on [-ln2/4, ln2/4]; tanh = N / D with N = (1 - 2^n) - 2^n P and D = (1 + 2^n) + "
    "2^n P, each rounded once (N = -P while n = 0: no cancellation near 0) and one division; "
    "a >= 8.491054 -> 1; NaN -> NaN. No branch, no select."
)


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {v: float32_literal(globals()[v], language)
         for v in ("CLAMP", "NEG_TWO_LOG2E", "SHIFTER", "NEG_HALF_LN2")}
    one = float32_literal("0x1p+0", language)
    if language == "jax":
        docstring = ("tanh(x) in float32 for every input, within 3.5 ULP (see the module "
                     "docstring); subnormal inputs read as 0 (XLA).")
        t = f"ac * {k['NEG_TWO_LOG2E']} + {k['SHIFTER']}  # XLA fuses: one rounding"
        n = (f"jax.lax.optimization_barrier(t) - {k['SHIFTER']}  # exact (XLA would fold "
             "(v + S) - S to v)")
        r = f"n * {k['NEG_HALF_LN2']} - ac  # XLA fuses: fma(n, -ln2/2, -a), one rounding"
    else:
        docstring = ("tanh(x) in float32 for every input, within 3.5 ULP (see the module "
                     "docstring), subnormals included.")
        t = f"_fma32(ac, {k['NEG_TWO_LOG2E']}, {k['SHIFTER']})  # one rounding, as XLA fuses it"
        n = f"t - {k['SHIFTER']}  # exact"
        r = f"_fma32(n, {k['NEG_HALF_LN2']}, -ac)  # one rounding, as XLA fuses it"
    # emitted verbatim into the certified exports: its lines stay as they are
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
ac = {ns}.where(a > {k["CLAMP"]}, {k["CLAMP"]}, a)  # inf -> 9.5; NaN stays NaN
t = {t}
n = {n}
r = {r}
p = _{KERNEL_ID}_poly(r)  # e^(2r) - 1
w = _float((_bits(t) << 23) + {ns}.int32({ONE_BITS}))  # 2^n, exact
wp = w * p  # exact: w is a power of 2 (and w P stays normal)
y = (({one} - w) - wp) / (({one} + w) + wp)  # (1 - E) / (1 + E): the division's one use
y = _float(_bits(y) | (bits & {ns}.int32(-0x80000000)))  # the sign of x"""
    return python_kernel(KERNEL_ID, language, docstring, body)


# emitted verbatim into the certified exports: its lines stay as they are
_C_KERNEL = '''
static inline float {name}(float x) {{
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    const float ac = a > {clamp}f ? {clamp}f : a;  /* inf -> 9.5; NaN stays NaN */
    const float t = fmaf(ac, {neg_two_log2e}f, {shifter}f);  /* n = round(-2a log2 e) in t's low bits */
    const float n = t - {shifter}f;  /* exact */
    const float p = {name}_poly(fmaf(n, {neg_half_ln2}f, -ac));  /* e^(2r) - 1, r rounded once */
    const float w = an_float((int32_t)(((uint32_t)an_bits(t) << 23) + {one_bits}u));  /* 2^n */
    const float wp = w * p;  /* exact: w is a power of 2 */
    const float y = ((1.0f - w) - wp) / ((1.0f + w) + wp);  /* (1 - E) / (1 + E) */
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the fast tanh kernel around ``cores["poly"]`` (e^(2r) - 1 on [-ln2/4, ln2/4])."""
    used = (cores["poly"],)
    jax_doc = ("Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them "
               "(DAZ/FTZ);\n"
               "every other input, tiny ones included, gets the certified result.")
    c_kernel = _C_KERNEL.format(name=c_name(KERNEL_ID), clamp=CLAMP, neg_two_log2e=NEG_TWO_LOG2E,
                                shifter=SHIFTER, neg_half_ln2=NEG_HALF_LN2, one_bits=ONE_BITS)
    return assemble_kernel(
        KERNEL_ID, {"poly": cores["poly"]},
        lambda language: kernel_docstring("tanh(x)", __doc__, used, language, KERNEL_ID, jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
