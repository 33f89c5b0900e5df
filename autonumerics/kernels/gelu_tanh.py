"""The full-range float32 gelu_tanh kernel: x sigmoid(z) with z as an unrounded pair, on the
sigmoid kernel's exact pairs; x multiplied in before the last rounding.

gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), is jax.nn.gelu's default
(approximate=True) formula, computed accurately as a function in its own right. jax.nn.gelu
itself is 2.7e6 ULP off near x = -4.72, where 1 + tanh(u) cancels. Here it is x sigmoid(z),
z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1, which does not cancel; for
x < 0, sigmoid(z) ~ e^z with |z| up to 110, so z's absolute error is the result's relative error
and z is carried as z_hi + z_lo to ~2^-45 relative:

* x >= 4.9941373 (0x1.3f9ff2p+2, the first float32 whose gelu_tanh rounds to x itself; every
  float32 above does too) returns x by a select, which also gives +inf and NaN. Below, x is
  clamped at -10.9375 (gelu_tanh rounds to -0 from -10.7709 down; z = -110.8 there) and,
  as a second copy for the exact products, at 8.5 (see the fast kernel: products of two copies
  are different expressions, so XLA does not merge a product with its FMA twin).
* v = c1 + c2 x^2 = v_hi + v_lo (``fast.gelu_tanh.v_pair_lines``: x^2 split by one FMA, v_hi's
  rounding error by one FMA, c1 and c2 as float32 pairs), z_hi = x v_hi, z_lo = x v_lo +
  (x v_hi - z_hi) by two FMAs.
* a = |z_hi| clamped to 120; E = e^-a = 2^n (p + pl) (``exp_pair.reduction_source``, the sigmoid
  kernel's core), then e^-|z| = E (1 -+ z_lo): pl += (-+ z_lo) p by one FMA (|z_lo| <= 2^-18,
  so the second-order term is below 2^-37).
* g = 1/(1 + e^-|z|) = g0 + g1 and the three closing forms of the silu kernel
  (``autonumerics/kernels/silu.py``): x >= 0: fma(x, g0, x g1); |z| < 8, x < 0:
  fma(x, 1 - g0, -x g1) (1 - g = E/(1 + E) to 2^-48 absolute, >= 3.3e-4 relative to it: x g1 is
  at most 2^-11 of the result); |z| >= 8, x < 0: fma(x, p, x (pl - w p)), w = E g0, scaled by
  2^n in two exact
  steps (subnormal results, x < -10.1, rounded once more in NumPy and C; JAX flushes them).
  The limit is 8, not the silu kernel's 4: w = E g0 leaves out E's low part (up to 2^-21 of E
  here, where pl also carries z_lo), which at |z| = 4.4 (w = 0.012) cost 0.9 ULP; from |z| = 8
  on w < 3.4e-4 and it is negligible.
  gelu_tanh(-0) = -0; -inf -> -0.
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import float32_literal, python_kernel
from autonumerics.kernels.base import Core, KernelSource, packaged_core
from autonumerics.kernels.exp_pair import EXPM1_ROLE, exp_pair_kernel
from autonumerics.kernels.fast.gelu_tanh import (
    C1_HI,
    C1_LO,
    C2_HI,
    C2_LO,
    HIGH_CLAMP,
    LOW_CLAMP,
    v_pair_lines,
)

DEFAULT_CORES = {"expm1": packaged_core("tanh_core_expm1.json")}  # sigmoid's
ROLES = {"expm1": EXPM1_ROLE}

CLAMP = "0x1.ep+6"  # 120: |z| is clamped here (keeps n >= -174 and the exp path finite)
NEAR_LIMIT = "0x1p+3"  # 8: |z| < 8 (x < 0) takes x (1 - g), beyond the tail form x E g
SATURATION = "0x1.3f9ff2p+2"  # 4.9941373: gelu_tanh(x) rounds to x for every float32 >= it
SCALE_FLOOR = -64  # as in the sigmoid kernel

DESCRIPTION = (
    "z = x (c1 + c2 x^2) as z_hi + z_lo (x^2 and v = c1 + c2 x^2 as unrounded pairs by FMAs, "
    "c1 and c2 as float32 pairs; x clamped to -10.9375); E = e^-|z_hi| = 2^n (p + pl) (the "
    "sigmoid kernel's exact pair) times (1 -+ z_lo) by one FMA; g = 1/(1 + E) = g0 + g1; x >= 0: "
    "fma(x, g0, x g1); x < 0, |z| < 8: fma(x, 1 - g0, -x g1); beyond: fma(x, p, x (pl - E g0 p)) "
    "scaled by 2^n in two exact steps (subnormal results rounded once more in NumPy and C; JAX "
    "flushes); x >= 4.9941373 -> x (+inf, NaN too); gelu_tanh(-0) = -0."
)


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    clamp, near, saturation, low, high = (
        float32_literal(v, language) for v in (CLAMP, NEAR_LIMIT, SATURATION, LOW_CLAMP,
                                               HIGH_CLAMP))
    one = float32_literal("0x1p+0", language)
    docstring = ("gelu_tanh(x) (jax.nn.gelu's tanh formula) in float32 for every input (see the "
                 "module docstring)")
    docstring += ("; subnormal results are 0 (XLA)." if language == "jax"
                  else ", subnormal results included.")
    if language == "jax":  # XLA fuses each a*b + c whose product has one use
        z_lo = "(xa * v_hi - z_hi) + xa * v_lo  # XLA fuses both: x v - z_hi to ~2^-48"
        low_part = "pl + zl * p  # XLA fuses: times (1 -+ z_lo), one rounding"
        positive = "x * g0 + q  # XLA fuses: fma(x, g0, q), one rounding"
        near_form = f"x * ({one} - g0_near) - q  # XLA fuses: fma(x, 1 - g0, -q)"
        inner = "pl - w * p  # XLA fuses: fma(-w, p, pl)"
        tail = "xb * p + xb * inner  # XLA fuses the first (lower-rank) product: one rounding"
    else:
        z_lo = "_fma32(xa, v_lo, _fma32(xa, v_hi, -z_hi))"
        low_part = "_fma32(zl, p, pl)"
        positive = "_fma32(x, g0, q)"
        near_form = f"_fma32(x, {one} - g0, -q)"
        inner = "_fma32(-w, p, pl)"
        tail = "_fma32(xb, p, xb * inner)"
    body = f"""xb = {ns}.where(x < -{low}, -{low}, x)  # gelu_tanh rounds to -0 below; NaN stays
xa = {ns}.where(xb < {high}, xb, {high})  # equal to xb below the saturation
{v_pair_lines(language)}
z_hi = xb * v_hi
z_lo = {z_lo}
az = _float(_bits(z_hi) & {ns}.int32(0x7FFFFFFF))  # |z_hi|, exact
ac = {ns}.where(az < {clamp}, az, {clamp})  # inf and NaN -> 120 too (selected away at the end)
n, p, pl = _exp_pair(-ac)  # e^-|z_hi| = 2^n (p + pl)
neg = x < 0
zl = {ns}.where(neg, z_lo, -z_lo)  # -|z| = -|z_hi| + zl
pl = {low_part}
er = _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR}))) * p
g0, g1 = _reciprocal_pair(er, _pow2({ns}.maximum(n, {ns}.int32({SCALE_FLOOR}))) * pl)
q = x * g1
positive = {positive}
near = {near_form}  # 1 - g0 exact
w = er * g0_tail  # E / (1 + E), for the tail
inner = {inner}
tail = {tail}
half = -((-n) >> 1)
tail = (tail * _pow2(half)) * _pow2(n - half)  # 2^n in two exact steps; one rounding if subnormal
y = {ns}.where(neg, {ns}.where(ac < {near}, near, tail), positive)  # NaN: positive, NaN
y = {ns}.where(x < {saturation}, y, x)  # x itself from the saturation on; +inf; NaN"""
    if language == "numpy":
        body = body.replace("g0_near", "g0").replace("g0_tail", "g0")
    else:  # three equal quotients, one use each: a shared one would split XLA's loop
        body = body.replace("g0, g1 = _reciprocal_pair",
                            "(g0, g0_near, g0_tail), g1 = _reciprocal_pair")
    return python_kernel("gelu_tanh", language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    if (!(x < {saturation}f)) return x;  /* gelu_tanh(x) rounds to x; +inf; NaN */
    const float xb = x < -{low}f ? -{low}f : x;
    const float s1 = xb * xb;
    const float s_lo = fmaf(xb, xb, -s1);  /* x^2 - s1 exactly */
    const float v_hi = fmaf(s1, {c2_hi}f, {c1_hi}f);
    const float d = v_hi - {c1_hi}f;  /* exact */
    const float e = fmaf(s1, {c2_hi}f, -d);  /* v_hi's rounding error */
    const float v_lo = fmaf(s_lo, {c2_hi}f, fmaf(s1, {c2_lo}f, {c1_lo}f)) + e;
    const float z_hi = xb * v_hi;
    const float z_lo = fmaf(xb, v_lo, fmaf(xb, v_hi, -z_hi));
    const float az = fabsf(z_hi);
    const float ac = az < {clamp}f ? az : {clamp}f;
    float p, pl, g1;
    const int32_t n = {name}_expm1_exp_pair(-ac, &p, &pl);  /* e^-|z_hi| = 2^n (p + pl) */
    pl = fmaf(x < 0.0f ? z_lo : -z_lo, p, pl);  /* times 1 -+ z_lo */
    const float s = an_pow2(n > {floor} ? n : {floor});
    const float er = s * p;
    const float g0 = {name}_expm1_reciprocal_pair(er, s * pl, &g1);
    const float q = x * g1;
    if (!(x < 0.0f)) return fmaf(x, g0, q);  /* x (g0 + g1), one rounding; -0 -> -0 */
    if (ac < {near}f) return fmaf(x, 1.0f - g0, -q);  /* x (1 - g), 1 - g0 exact */
    const float w = er * g0;  /* E / (1 + E) */
    const float t = fmaf(xb, p, xb * fmaf(-w, p, pl));  /* x (p + pl)(1 - w), one rounding */
    const int32_t half = -((-n) >> 1);
    return (t * an_pow2(half)) * an_pow2(n - half);  /* 2^n in two exact steps */
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the gelu_tanh kernel around ``cores["expm1"]`` (e^r - 1 - r on [-0.3466,
    0.3466])."""
    jax_doc = ("Subnormal results (x < -10.1) are returned as 0: jitted JAX on CPU flushes them "
               "(FTZ);\n"
               "subnormal inputs are read as 0 (their gelu_tanh, x/2, is subnormal too).")
    c_kernel = _C_KERNEL.format(name=c_name("gelu_tanh"), clamp=CLAMP, near=NEAR_LIMIT,
                                saturation=SATURATION, floor=SCALE_FLOOR, low=LOW_CLAMP,
                                c1_hi=C1_HI, c1_lo=C1_LO, c2_hi=C2_HI, c2_lo=C2_LO)
    return exp_pair_kernel("gelu_tanh", "gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 "
                           "x^3)))", __doc__, jax_doc, cores, _python_kernel, c_kernel,
                           DESCRIPTION, fences="barrier", quotient_uses=3)
