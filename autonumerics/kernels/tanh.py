"""The full-range float32 tanh kernel: odd symmetry, a small-argument core, e^-2a and one division
beyond.

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a < 0.7: the "small" core, tanh on [0, 0.7] as a + a^3 Q(a^2), ending in one fused multiply-add
  (tiny inputs give a, subnormals included). Its rounding errors enter through the correction
  a^3 Q, at most 23 % of the result at a = 0.7.
* a >= 0.7 (tanh >= 0.60), a clamped to 9.5 first: E = e^-2a in (0, 0.25] from the exp kernel's
  core, then tanh = (1 - E) / (1 + E) with a single division whose error is damped:
  - n = round(2a log2 e) (one rounding of the product, then an exact round to even: any nearby
    integer works), r = n ln2 - 2a by one FMA (2a exact, ln 2 as one float32: the constant's own
    error, n * 2^-25 at most, is negligible beside E's weight below), so E = 2^-n e^r, e^r by the
    "exp" core on [-ln2/2, ln2/2] and 2^-n subtracted from its exponent bits (exact);
  - y0 = 1 - 2E + 2E^2 approximates tanh to 2E^3 (two FMAs); the residual
    res = (1 - E) - y0 (1 + E) = ((1 - y0) - E) - E y0 has 1 - y0 and (1 - y0) - E exact
    (Sterbenz) and rounds once in the final FMA; tanh = y0 + res / (1 + E): the division and
    1 + E only round a correction of at most 0.03, and the result rounds once. E's own error
    (the core's ~0.75 ULP) reaches tanh through 2E / (1 + E)^2 <= 0.32.
  The division has exactly one user: XLA's CPU fusion will not copy a division into several
  consumers, and a quotient read twice splits the kernel into several loops over memory.
* a >= T = 9.0109138 (the first float32 whose tanh rounds to 1) gives exactly 1 by itself: E is
  below 2^-26 there, so y0 is 1 and the correction rounds away; inf gives 1 through the clamp.
* NaN: the comparison a >= 0.7 is false, so the small core's NaN comes out.

Both paths are computed for every element and a select picks (no branches in JAX and NumPy).
Cost: the two cores and 22 more ops, one of them a division (the first design, a double-float
reduction with a Newton step, took 60 ops and ran in three loops). Measured over every float32:
see the certificate.
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

DEFAULT_CORES = {"small": packaged_core("tanh_core_small.json"),
                 "exp": packaged_core("exp_core.json")}

SMALL_LIMIT = "0x1.666666p-1"  # 0.7 (float32 0.69999999): the small core below, e^-2a from here on
SATURATION = "0x1.205968p+3"  # T = 9.0109138: tanh rounds to 1 for every float32 >= T, not below
CLAMP = "0x1.3p+3"  # 9.5: a is clamped so that E = e^-2a stays normal (2^-28) and inf gives 1
SMALL_TARGET = "tanh"
EXP_TARGET = "exp"  # the "exp" core: e^r on [-ln2/2, ln2/2], the exp kernel's own
ROLES = {"small": CoreRole(SMALL_TARGET, (0.0, 0.7)),  # a = |x| < 0.7
         "exp": CoreRole(EXP_TARGET, (-0.34657359027997264, 0.34657359027997264))}  # |r| <= ln2/2
TWO_LOG2E = "0x1.715476p+1"  # float32(2 / ln 2)
LN2 = "0x1.62e430p-1"  # float32(ln 2)

DESCRIPTION = (
    "a = |x| (sign bit put back: exact odd symmetry); a < 0.7: evolved core a + a^3 Q(a^2) ending "
    "in one FMA; a >= 0.7 (clamped to 9.5): E = e^-2a = 2^-n e^r with n = round(2a log2 e), r = n "
    "ln2 - 2a by one FMA and the exp kernel's evolved core, then tanh = y0 + res / (1 + E) with y0 "
    "= 1 - 2E + 2E^2 and res = ((1 - y0) - E) - E y0 (exact but for the last FMA): one division of "
    "a small correction; a >= 9.0109138 -> 1 by itself; NaN -> NaN. Both paths run, a select picks."
)


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {v: float32_literal(globals()[v], language)
         for v in ("SMALL_LIMIT", "CLAMP", "TWO_LOG2E", "LN2")}
    one, two = float32_literal("0x1p+0", language), float32_literal("0x1p+1", language)
    if language == "jax":
        docstring = ("tanh(x) in float32 for every input (see the module docstring); "
                     "subnormal inputs read as 0 (XLA).")
        n = f"jnp.round(ac * {k['TWO_LOG2E']})  # round half to even, exact"
        r = f"n * {k['LN2']} - (ac + ac)  # XLA fuses: fma(n, ln2, -2a), one rounding"
        y0 = f"e * (e * {two} - {two}) + {one}  # XLA fuses both: 1 - 2E + 2E^2"
        res = f"((({one} - y0) - e) - e * y0)  # XLA fuses the last product: one rounding"
    else:
        docstring = ("tanh(x) in float32 for every input (see the module docstring), "
                     "subnormals included.")
        n = f"np.rint(ac * {k['TWO_LOG2E']})  # round half to even, exact"
        r = f"_fma32(n, {k['LN2']}, -(ac + ac))  # one rounding, as XLA fuses it"
        y0 = f"_fma32(e, _fma32(e, {two}, -{two}), {one})  # 1 - 2E + 2E^2, as XLA fuses it"
        res = f"_fma32(-e, y0, ({one} - y0) - e)  # one rounding, as XLA fuses it"
    # emitted verbatim into the certified exports: its lines stay as they are
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
small = _tanh_small(a)
ac = {ns}.where(a < {k["CLAMP"]}, a, {k["CLAMP"]})  # inf and NaN -> 9.5 too (NaN takes the small path)
n = {n}
r = {r}
e = _float(_bits(_tanh_exp(r)) - (n.astype({ns}.int32) << 23))  # E = e^-2a = 2^-n e^r, exact scaling
y0 = {y0}
res = {res}
big = y0 + res / (e + {one})  # the division's one use
y = {ns}.where(a >= {k["SMALL_LIMIT"]}, big, small)
y = _float(_bits(y) | (bits & {ns}.int32(-0x80000000)))  # the sign of x"""  # noqa: E501
    return python_kernel("tanh", language, docstring, body)


# emitted verbatim into the certified exports: its lines stay as they are
_C_KERNEL = '''
static inline float {name}(float x) {{
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (x != x) return x;
    if (a < {small_limit}f) {{
        y = {name}_small(a);
    }} else {{
        const float ac = a < {clamp}f ? a : {clamp}f;
        const float n = rintf(ac * {two_log2e}f);  /* round half to even (the default mode), exact */
        const float r = fmaf(n, {ln2}f, -(ac + ac));
        const float e = an_float(an_bits({name}_exp(r)) - ((int32_t)n << 23));  /* e^-2a = 2^-n e^r */
        const float y0 = fmaf(e, fmaf(e, 2.0f, -2.0f), 1.0f);  /* 1 - 2E + 2E^2 */
        const float res = fmaf(-e, y0, (1.0f - y0) - e);  /* (1 - E) - y0 (1 + E), one rounding */
        y = y0 + res / (e + 1.0f);
    }}
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the tanh kernel around ``cores["small"]`` (tanh on [0, 0.7]) and ``cores["exp"]``
    (e^r on [-ln2/2, ln2/2], the exp kernel's core)."""
    used = (cores["small"], cores["exp"])
    jax_doc = ("Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them "
               "(DAZ/FTZ);\n"
               "every other input, tiny ones included, gets the certified result.")
    c_kernel = _C_KERNEL.format(name=c_name("tanh"), small_limit=SMALL_LIMIT, clamp=CLAMP,
                                two_log2e=TWO_LOG2E, ln2=LN2)
    return assemble_kernel(
        "tanh", {"small": cores["small"], "exp": cores["exp"]},
        lambda language: kernel_docstring("tanh(x)", __doc__, used, language, "tanh", jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
