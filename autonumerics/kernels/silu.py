"""The full-range float32 silu kernel: x sigmoid(x) on the sigmoid kernel's exact pairs, with x
multiplied in before the last rounding.

Range reduction as in the sigmoid kernel (``autonumerics/kernels/sigmoid.py``), on the exp-pair
pieces (``autonumerics.kernels.exp_pair.reduction_source``) and its "expm1" core:

* a = |x| clamped to 120; E = e^-a = 2^n (p + pl) as an unrounded pair (exact Cody-Waite by one
  FMA, the core m(r) ~ e^r - 1 - r, Fast2Sum), accurate to ~2^-29 relative.
* g = 1/(1 + E) = g0 + g1 (1 + E split exactly, 2^n clamped at 2^-64; one Newton step), to
  ~2^-48.
* x >= 0: silu = x (g0 + g1) = fma(x, g0, x g1): x g1 is ~2^-24 of the result, so its rounding
  is negligible and the result rounds once.
* -4 < x < 0: silu = x (1 - g) = fma(x, 1 - g0, -x g1): 1 - g0 is exact (g0 in [1/2, 1],
  Sterbenz) and at least sigmoid(-4) = 0.018, so x g1 is at most 2^-18 of the result: one
  rounding. x g1 is shared with the x >= 0 form (a product with two readers: XLA never fuses it).
* x <= -4: silu = x E g = x 2^n (p + pl)(1 - w), w = E g0 (|w| < 0.02): x (p + (pl - w p)) as
  fma(x, p, x (pl - w p)), the inner term one FMA, rounded once, then scaled by 2^n in two exact
  steps of at most 2^-87 each: results below 2^-126 (x < -91.9) are subnormal and rounded once
  more in NumPy and C (within 1 unit of 2^-149), and -0 from x <= -108.7 on. x is -a there
  (clamped: x <= -120 gives -0).
* x >= 16.676973 (0x1.0ad4e2p+4, the first float32 whose silu rounds to x itself; above it
  every float32 does) returns x by a select, which also gives +inf and NaN; silu(-0) = -0
  (the x >= 0 form: -0 g0 + (-0 g1) = -0).

JAX's own jax.nn.silu (x * sigmoid(x)) is 1.67e7 ULP off near x = -90, where sigmoid's tail
is; this kernel stays within 1 ULP wherever the result is normal. Every path is computed for
every element and selects pick the result.
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import float32_literal, python_kernel
from autonumerics.kernels.base import Core, KernelSource, packaged_core
from autonumerics.kernels.exp_pair import EXPM1_ROLE, exp_pair_kernel

DEFAULT_CORES = {"expm1": packaged_core("tanh_core_expm1.json")}  # sigmoid's
ROLES = {"expm1": EXPM1_ROLE}

CLAMP = "0x1.ep+6"  # 120: silu(-120) < 2^-160; keeps n >= -174 and the exp path finite
NEAR_LIMIT = "0x1p+2"  # 4: x in (-4, 0) takes x (1 - g), x <= -4 the tail form x E g
SATURATION = "0x1.0ad4e2p+4"  # 16.676973: silu(x) rounds to x for every float32 >= it
SCALE_FLOOR = -64  # 1 + E is 1 to 2^-64: 2^n for the reciprocal is clamped here (stays normal)

DESCRIPTION = (
    "a = |x| clamped to 120; E = e^-a = 2^n (p + pl) an unrounded pair (exact Cody-Waite by one "
    "FMA, the sigmoid kernel's evolved core m(r) ~ e^r - 1 - r, Fast2Sum); g = 1/(1 + E) = g0 + "
    "g1 (exact split of 1 + E, one Newton step); x >= 0: fma(x, g0, x g1); -4 < x < 0: fma(x, "
    "1 - g0, -x g1) (1 - g0 exact); x <= -4: fma(x, p, x (pl - E g0 p)) scaled by 2^n in two exact "
    "steps, subnormal results rounded once more (NumPy, C; JAX flushes); x >= 16.676973 -> x "
    "(+inf, NaN too); silu(-0) = -0. All paths run on every element, selects pick."
)


def _python_kernel(language: str) -> str:
    clamp, near = float32_literal(CLAMP, language), float32_literal(NEAR_LIMIT, language)
    saturation, one = float32_literal(SATURATION, language), float32_literal("0x1p+0", language)
    ns = "jnp" if language == "jax" else "np"
    docstring = "silu(x) = x sigmoid(x) in float32 for every input (see the module docstring)"
    docstring += ("; subnormal results are 0 (XLA)." if language == "jax"
                  else ", subnormal results included.")
    if language == "jax":  # XLA fuses each a*b + c below (q and x*g1 have two readers: never)
        positive = "x * g0 + q  # XLA fuses: fma(x, g0, q), one rounding"
        near_form = f"x * ({one} - g0_near) - q  # XLA fuses: fma(x, 1 - g0, -q)"
        inner = "pl - w * p  # XLA fuses: fma(-w, p, pl)"
        tail = "xt * p + xt * inner  # XLA fuses the first (lower-rank) product: one rounding"
    else:
        positive = "_fma32(x, g0, q)"
        near_form = f"_fma32(x, {one} - g0, -q)"
        inner = "_fma32(-w, p, pl)"
        tail = "_fma32(xt, p, xt * inner)"
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
ac = {ns}.where(a < {clamp}, a, {clamp})  # inf and NaN -> 120 too (selected away at the end)
n, p, pl = _exp_pair(-ac)  # e^-a = 2^n (p + pl)
er = _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR}))) * p
g0, g1 = _reciprocal_pair(er, _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR}))) * pl)
q = x * g1
positive = {positive}
near = {near_form}  # 1 - g0 exact
w = er * g0_tail  # E / (1 + E), for the tail
inner = {inner}
xt = -ac  # x where x <= -4 (clamped at -120)
tail = {tail}
half = -((-n) >> 1)
tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
y = {ns}.where(x < 0, {ns}.where(a < {near}, near, tail), positive)  # NaN: positive, NaN
y = {ns}.where(x < {saturation}, y, x)  # x itself from the saturation on; +inf; NaN"""
    if language == "numpy":
        body = body.replace("g0_near", "g0").replace("g0_tail", "g0")
    else:  # three equal quotients, one use each: a shared one would split XLA's loop
        # (exp_pair.reduction_source)
        body = body.replace("g0, g1 = _reciprocal_pair",
                            "(g0, g0_near, g0_tail), g1 = _reciprocal_pair")
    return python_kernel("silu", language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    if (!(x < {saturation}f)) return x;  /* silu(x) rounds to x; +inf; NaN */
    const float a = fabsf(x);
    const float ac = a < {clamp}f ? a : {clamp}f;
    float p, pl, g1;
    const int32_t n = {name}_expm1_exp_pair(-ac, &p, &pl);  /* e^-a = 2^n (p + pl) */
    const float s = an_pow2(n > {floor} ? n : {floor});
    const float er = s * p;
    const float g0 = {name}_expm1_reciprocal_pair(er, s * pl, &g1);
    const float q = x * g1;
    if (!(x < 0.0f)) return fmaf(x, g0, q);  /* x (g0 + g1), one rounding; -0 -> -0 */
    if (a < {near}f) return fmaf(x, 1.0f - g0, -q);  /* x (1 - g), 1 - g0 exact */
    const float w = er * g0;  /* E / (1 + E) */
    const float t = fmaf(-ac, p, -ac * fmaf(-w, p, pl));  /* x (p + pl)(1 - w), one rounding */
    const int32_t half = -((-n) >> 1);
    return (t * an_pow2(half)) * an_pow2(n - half);  /* 2^n in two exact steps */
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the silu kernel around ``cores["expm1"]`` (e^r - 1 - r on [-0.3466, 0.3466])."""
    jax_doc = ("Subnormal results (x < -91.9) are returned as 0: jitted JAX on CPU flushes them "
               "(FTZ);\n"
               "subnormal inputs are read as 0 (their silu, x/2, is subnormal too).")
    c_kernel = _C_KERNEL.format(name=c_name("silu"), clamp=CLAMP, near=NEAR_LIMIT,
                                saturation=SATURATION, floor=SCALE_FLOOR)
    return exp_pair_kernel("silu", "silu(x) = x sigmoid(x) = x/(1 + exp(-x))", __doc__, jax_doc,
                           cores, _python_kernel, c_kernel, DESCRIPTION, fences="barrier",
                           quotient_uses=3)
