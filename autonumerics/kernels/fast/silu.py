"""The fast-tier float32 silu kernel: x / (1 + e^-x) with an exact numerator, <= 3.5 ULP.

silu(x) = x sigmoid(x) = x / (1 + e^-x) for every x: one division whose numerator is exact, so
the result carries the core's error, one rounding of 1 + e^-x and the quotient's rounding.

* e^-x = 2^n p: x is clamped to [-112, 87] for the reduction (silu rounds to -0 from -112 down
  and to x from 87 up: e^-87 < 2^-125), n = round(-x log2 e) from the shifter FMA
  t = -x log2e + 1.5 * 2^23 (n in t's low bits), Cody-Waite r = -x - n ln2_hi (exact: ln2_hi
  has 15 bits) then r - n ln2_lo by one FMA (one rounding, <= 2^-26 at |r| ~ 0.35), and the
  exp kernel's core p(r) ~ e^r on [-ln2/2, ln2/2] (its degree-6 polynomial; the degree-5 front
  member gives 4.9 ULP here: its relative error reaches 3.6 * 2^-24).
* x >= 0 (n in [-126, 0]): silu = x / fma(p, 2^n, 1): 1 + E rounded once; x >= 17.33 gives x
  itself, +inf gives +inf, NaN stays NaN, silu(-0) = -0 / 2 = -0.
* x < 0 (n in [0, 162]): e^-x overflows from x = -88.7 on, so numerator and denominator are
  scaled by s = 2^(64 - n) (normal for every n here): silu = (x s) / fma(p, 2^64, s). x s is
  exact (a power of 2, no overflow or underflow, subnormal x included), the denominator is the
  same rounded 1 + e^-x times s, and the quotient rounds once, also where it is subnormal
  (x < -87.3; NumPy and C), and to -0 for x <= -108.7.
* 2^n or 2^(64 - n) from t's bits by one select, numerator and denominator by one FMA with
  selected operands: the division has one user (one XLA loop).

Error budget (relative, units of 2^-24): the core's error (<= 1.4 for the degree-6 core; p's
ULP is 2^-23 above 1) reaches silu times e^-x / (1 + e^-x) < 1, r's rounding <= 0.25, 1 + e^-x
rounds once (<= 1), the quotient once (0.5 ULP): <= 3.2 * 2^-24 + 0.5 ULP in the worst case,
2.9 ULP at most if the result's significand is near 2; 2.40 ULP at most on every float32 of
[-91.8, 32] (x = -16.6997), where every result that is not x, -0 or subnormal lies.
jax.nn.silu computes x * sigmoid(x) and is 1.67e7 ULP off near x = -90 (sigmoid's tail).
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

KID = "silu_fast"
# the exp kernel's degree-6 core: search_configs/silu_fast_core.toml found nothing cheaper that
# keeps this kernel under 3.5 ULP (its 10-op degree-5 member gives 4.9)
DEFAULT_CORES = {"exp": packaged_core("exp_core.json")}
EXP_ROLE = CoreRole("exp", (-0.34657359027997264, 0.34657359027997264))  # |r| <= ln2/2
ROLES = {"exp": EXP_ROLE}

LOW_CLAMP = "0x1.cp+6"  # 112: silu(x) rounds to -0 for x <= -108.7; keeps 64 - n >= -98
HIGH_CLAMP = "0x1.5cp+6"  # 87: e^-87 < 2^-125 (1 + E = 1), keeps n >= -126
LOG2E = "0x1.715476p+0"  # float32(1/ln 2)
SHIFTER = "0x1.8p+23"  # 1.5 * 2^23: t = v log2e + SHIFTER holds round(v log2e) in its low bits
LN2_HI = "0x1.62e4p-1"  # ln 2 to 15 bits: n ln2_hi and -x - n ln2_hi are exact
LN2_LO = "0x1.7f7d1cp-20"  # float32(ln 2 - LN2_HI)
SCALE = "0x1p+64"
SCALE_LOG2 = 64

DESCRIPTION = (
    "e^-x = 2^n p: x clamped to [-112, 87], n = round(-x log2e) by a shifter FMA, Cody-Waite r "
    "(exact hi step, one FMA for lo), the exp kernel's core p(r) ~ e^r; x >= 0: x / fma(p, 2^n, "
    "1); x < 0: (x 2^(64-n)) / fma(p, 2^64, 2^(64-n)), the numerator exact; 2^n or 2^(64-n) from "
    "the shifter's bits by one select; one division with one user, subnormal results rounded once "
    "by it (NumPy, C; JAX flushes); NaN -> NaN; silu(-0) = -0."
)


def exp_reduction_lines(language: str, v: str, core: str) -> str:
    """Python lines (JAX or NumPy) computing ``t`` (its bits: 0x4B400000 + n) and ``p`` with
    e^v = 2^n p, for float32 ``v`` in [-126 ln 2, 162 ln 2]: the shifter FMA, Cody-Waite r,
    the core function ``core``. Shared with the fast gelu_tanh kernel."""
    k = {name: float32_literal(globals()[name], language)
         for name in ("LOG2E", "SHIFTER", "LN2_HI", "LN2_LO")}
    log2e = k["LOG2E"]
    if language == "jax":  # XLA would fold (t - shifter) back into v log2e: t behind a barrier
        t = f"jax.lax.optimization_barrier({v} * {log2e} + {k['SHIFTER']})  # XLA fuses"
        r = f"r - nf * {k['LN2_LO']}  # XLA fuses: fma(-n, ln2_lo, r), one rounding"
    else:
        t = f"_fma32({v}, {log2e}, {k['SHIFTER']})  # one rounding, as XLA fuses it"
        r = f"_fma32(-nf, {k['LN2_LO']}, r)  # one rounding, as XLA fuses it"
    return f"""t = {t}
nf = t - {k['SHIFTER']}  # n = round(v log2 e), exact
r = {v} - nf * {k['LN2_HI']}  # exact (fused or not)
r = {r}
p = {core}(r)  # e^r"""


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    low, high = (float32_literal(v, language) for v in (LOW_CLAMP, HIGH_CLAMP))
    one, scale = float32_literal("0x1p+0", language), float32_literal(SCALE, language)
    docstring = "silu(x) = x sigmoid(x) in float32 for every input, <= 3.5 ULP (module docstring)"
    docstring += ("; subnormal results are 0 (XLA)." if language == "jax"
                  else ", subnormal results included.")
    if language == "jax":
        den = f"p * {ns}.where(neg, {scale}, s) + b  # XLA fuses: one rounding"
    else:
        den = f"_fma32(p, {ns}.where(neg, {scale}, s), b)  # one rounding, as XLA fuses it"
    body = f"""xn = {ns}.where(x < -{low}, -{low}, x)  # NaN stays NaN
xr = {ns}.where(xn < {high}, xn, {high})  # x clamped to [-112, 87] (NaN -> 87)
{exp_reduction_lines(language, "-xr", f"_{KID}_exp")}
neg = x < 0
k = _bits(t)  # 0x4B400000 + n: its low 9 bits are n's
# 2^(64-n) where x < 0, else 2^n
s = _float({ns}.where(neg, {ns}.int32({127 + SCALE_LOG2}) - k, k + {ns}.int32(127)) << 23)
b = {ns}.where(neg, s, {one})
den = {den}  # 1 + e^-x, times 2^(64-n) where x < 0
y = (xn * b) / den  # exact numerator; the division's one use"""
    return python_kernel(KID, language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    const float xn = x < -{low}f ? -{low}f : x;  /* NaN stays NaN */
    const float v = -(xn < {high}f ? xn : {high}f);
    const float t = fmaf(v, {log2e}f, {shifter}f);  /* n = round(-x log2 e) in t's low bits */
    const float nf = t - {shifter}f;
    const float r = v - nf * {ln2_hi}f;  /* exact */
    const float p = {name}_exp(fmaf(-nf, {ln2_lo}f, r));  /* e^r */
    const uint32_t k = (uint32_t)an_bits(t);
    if (x < 0.0f) {{
        const float s = an_float((int32_t)(({scale_bits}u - k) << 23));  /* 2^(64 - n) */
        return (xn * s) / fmaf(p, {scale}f, s);  /* x / (1 + e^-x), both scaled by s */
    }}
    return xn / fmaf(p, an_float((int32_t)((k + 127u) << 23)), 1.0f);  /* 2^n; NaN stays NaN */
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the fast silu kernel around ``cores["exp"]`` (e^r on [-ln2/2, ln2/2])."""
    core = cores["exp"]
    jax_doc = ("Subnormal results (x < -87.3) are returned as 0: jitted JAX on CPU flushes them "
               "(FTZ);\nsubnormal inputs are read as 0.")
    c_kernel = _C_KERNEL.format(name=c_name(KID), low=LOW_CLAMP, high=HIGH_CLAMP,
                                log2e=LOG2E, shifter=SHIFTER, ln2_hi=LN2_HI,
                                ln2_lo=LN2_LO, scale=SCALE, scale_bits=127 + SCALE_LOG2)
    return assemble_kernel(
        KID, {"exp": core},
        lambda language: kernel_docstring("silu(x) = x sigmoid(x)", __doc__, (core,), language,
                                          KID, jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
