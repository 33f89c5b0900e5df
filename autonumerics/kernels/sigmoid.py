"""The full-range float32 sigmoid kernel: 1/(1 + e^-x) from an exact-pair e^-|x|, three closing
forms.

Range reduction (a = |x|, E = e^-a in (0, 1]), sharing the exp-pair pieces
(``autonumerics.kernels.exp_pair.reduction_source``) and its "expm1" core:

* E = 2^n (p + pl) as an unrounded pair: n = round(-a / ln 2), r = -a - n*ln2_hi by one FMA
  (exact), e^r = (1 + r) + m(r) with the evolved core m ~ e^r - 1 - r, split by Fast2Sum, and
  the rest of n ln 2 folded in as the factor 1 + c. a is clamped to 120 first (sigmoid(-120) is
  far below half the smallest subnormal), so inf and NaN stay finite on the way (NaN is selected
  back at the end).
* g = 1/(1 + E) = g0 + g1: 1 + E split exactly (2^n clamped at 2^-64, where 1 + E is 1 to far
  beyond float32), one Newton step with two FMAs.
* x >= 0: sigmoid = g0 + g1 (one rounding); it reaches 1 exactly from x = 17.3286800 on by itself.
* -4 < x < 0: sigmoid = 1 - g = (1 - g0) - g1: 1 - g0 is exact (g0 in [1/2, 1], Sterbenz), so
  the result rounds once. sigmoid(-x) = 1 - sigmoid(x) is NOT used on float32 values: near 0 of
  the result that would lose all accuracy.
* x <= -4: sigmoid = E g = 2^n (p + pl)(1 - w) with w = E g0 (|w| < 0.02, so its rounding is
  negligible): 2^n (p + (pl - w p)), the inner term one FMA, p + it rounded once, then scaled by
  2^n in two exact steps of at most 2^-87 each (no subnormal intermediate): results below
  2^-126 (x < -87.3365) are subnormal and rounded once in NumPy and C, and 0 for
  x <= -103.972076 (below half the smallest subnormal).

JAX's own jax.nn.sigmoid is 4.7e6 ULP off in the far negative tail (measured over every
4 099th float32 bit pattern, jax 0.10.2 on CPU: docs/references.md); this
kernel stays within 1 ULP there (normal results) and, in NumPy and C, within 1 unit of 2^-149
for subnormal results. Every path is computed for every element and selects pick the result.
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import float32_literal, python_kernel
from autonumerics.kernels.base import Core, KernelSource, packaged_core
from autonumerics.kernels.exp_pair import EXPM1_ROLE, exp_pair_kernel

DEFAULT_CORES = {"expm1": packaged_core("tanh_core_expm1.json")}
ROLES = {"expm1": EXPM1_ROLE}

CLAMP = "0x1.ep+6"  # 120: sigmoid(-120) < 2^-170; keeps n >= -174 and the exp path finite
NEAR_LIMIT = "0x1p+2"  # 4: x in (-4, 0) takes 1 - g, x <= -4 the tail form E g
SCALE_FLOOR = -64  # 1 + E is 1 to 2^-64: 2^n for the reciprocal is clamped here (stays normal)

DESCRIPTION = (
    "a = |x| clamped to 120; E = e^-a = 2^n (p + pl) an unrounded pair (exact Cody-Waite by one "
    "FMA, evolved core m(r) ~ e^r - 1 - r shared with tanh, Fast2Sum); g = 1/(1 + E) = g0 + g1 by "
    "an exact split of 1 + E and one Newton step (FMAs); x >= 0: g0 + g1; -4 < x < 0: (1 - g0) - "
    "g1 (1 - g0 exact); x <= -4: 2^n (p + (pl - E g0 p)) scaled in two exact steps, subnormal "
    "results rounded once (NumPy, C; JAX flushes); NaN -> NaN. All paths run on every element, "
    "selects pick."
)


def _python_kernel(language: str) -> str:
    clamp, near = float32_literal(CLAMP, language), float32_literal(NEAR_LIMIT, language)
    one = float32_literal("0x1p+0", language)
    ns = "jnp" if language == "jax" else "np"
    docstring = "sigmoid(x) = 1/(1 + e^-x) in float32 for every input (see the module docstring)"
    docstring += ("; subnormal results are 0 (XLA)." if language == "jax"
                  else ", subnormal results included.")
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
ac = {ns}.where(a < {clamp}, a, {clamp})  # NaN -> 120 too (selected away at the end)
n, p, pl = _exp_pair(-ac)  # e^-a = 2^n (p + pl)
er = _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR}))) * p
g0, g1 = _reciprocal_pair(er, _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR}))) * pl)
positive = g0 + g1
near = ({one} - g0_near) - g1  # 1 - g0 exact
w = er * g0_tail  # E / (1 + E), for the tail
tail = p + (pl - w * p)  # (p + pl)(1 - w): one FMA inside, one rounding
half = -((-n) >> 1)
tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
y = {ns}.where(x >= 0, positive, {ns}.where(a < {near}, near, tail))
y = {ns}.where(x == x, y, x)"""
    if language == "numpy":
        body = body.replace("pl - w * p", "_fma32(-w, p, pl)")
        body = body.replace("g0_near", "g0").replace("g0_tail", "g0")
    else:  # three equal quotients, one use each: a shared one would split XLA's loop
        # (exp_pair.reduction_source)
        body = body.replace("g0, g1 = _reciprocal_pair",
                            "(g0, g0_near, g0_tail), g1 = _reciprocal_pair")
    return python_kernel("sigmoid", language, docstring, body)


# emitted verbatim into the certified exports: its lines stay as they are
_C_KERNEL = '''
static inline float {name}(float x) {{
    if (x != x) return x;
    const float a = fabsf(x);
    const float ac = a < {clamp}f ? a : {clamp}f;
    float p, pl, g1;
    const int32_t n = {name}_expm1_exp_pair(-ac, &p, &pl);  /* e^-a = 2^n (p + pl) */
    const float s = an_pow2(n > {floor} ? n : {floor});
    const float er = s * p;
    const float g0 = {name}_expm1_reciprocal_pair(er, s * pl, &g1);
    if (x >= 0.0f) return g0 + g1;
    if (a < {near}f) return (1.0f - g0) - g1;  /* 1 - g0 exact */
    const float w = er * g0;  /* E / (1 + E) */
    const float t = p + fmaf(-w, p, pl);  /* (p + pl)(1 - w), one rounding */
    const int32_t half = -((-n) >> 1);
    return (t * an_pow2(half)) * an_pow2(n - half);  /* 2^n in two exact steps; one rounding if subnormal */
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the sigmoid kernel around ``cores["expm1"]`` (e^r - 1 - r on [-0.3466,
    0.3466])."""
    jax_doc = ("Subnormal results (x < -87.3365) are returned as 0: jitted JAX on CPU flushes them "
               "(FTZ);\n"
               "subnormal inputs are read as 0, where the correctly rounded result is 1/2 anyway.")
    c_kernel = _C_KERNEL.format(name=c_name("sigmoid"), clamp=CLAMP, near=NEAR_LIMIT,
                                floor=SCALE_FLOOR)
    return exp_pair_kernel("sigmoid", "sigmoid(x) = 1/(1 + exp(-x))", __doc__, jax_doc, cores,
                           _python_kernel, c_kernel, DESCRIPTION, fences="barrier",
                           quotient_uses=3)
