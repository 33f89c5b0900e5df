"""The fast-tier float32 expm1 kernel (<= 3.5 ULP): e^x - 1 = m 2^n - (1 - 2^n) by one FMA, from
an evolved core m(r) ~ e^r - 1 and r = x - n ln 2, n = round(x log2 e).

The accurate kernel carries e^x as an unrounded pair and subtracts 1 by an exact 2Sum (48 ops);
at 3.5 ULP one FMA does, because the error of m reaches the result amplified by at most
2^n |m| / |e^x - 1| <= 1.41 (n = 1, r = -ln2/2; 0.71 for n = -1, less elsewhere):

* x is clamped to [-17.5, 88.72283935546875], a max and a min that keep NaN: expm1 rounds to -1
  for x <= -17.32868 (and -inf), and to +inf from 88.72283935546875 on.
* n = round(x log2 e), half to even, from t = fma(x, log2 e, 1.5 * 2^23 + 127), whose low bits
  hold n + 127 (exp2.SHIFTER), read through an optimization barrier (XLA would fold
  (v + S) - S to v); t is capped at n = 127 (a min), so that 2^n = float(bits(t) << 23) is a
  normal float32 for every n in [-25, 127].
* r = x - n ln 2 in two FMAs, as in the exp_fast kernel: ln2_hi = ln 2 rounded down to 24 bits
  (x - n ln2_hi is exact: for n != 0, x and n ln2_hi are multiples of 2^-25 and |r| < 1/2, or,
  under the cap, multiples of 2^-24 and r < 1), then r = fma(-n, ln2_lo, r1) rounds once (for
  n = 0, r = x exactly). Both constants are below
  ln 2, so for x = -0 (n = +0) both products are -0 and r stays -0. |r| <= 0.34658 except under
  the cap (x >= 127.5 ln 2 = 88.376), where r reaches ln 2 + 2.4e-7.
* m = core(r) ~ e^r - 1 on [-0.3466, 0.6932], relatively accurate down to r = 0 and ending in a
  product by r, so that m(-0) = -0 and m(x) = x for tiny x.
* y = fma(m, 2^n, -(1 - 2^n)), rounded once. n = 0: y = m (1 - 1 = +0, and -0 - +0 = -0 keeps
  expm1(-0) = -0). 1 - 2^n is exact for -24 <= n <= 24; for n >= 25 it rounds to -2^n, an error
  of 1 in a result >= 2^24 (<= 0.5 ULP), and for n = -25 to 1, an error of 2^-25 in a result
  near -1 (<= 0.71 ULP, there where the result is -1 or -1 + 2^-24). n = 127 and r near ln 2 give
  2^127 (1 + m), which rounds to +inf exactly when e^x does: x = 88.72283935546875 (r = ln 2 +
  2.4e-7, m > 1) gives +inf, the float32 below it 2^128 (1 - 7.6e-6).
* NaN -> NaN, -inf -> -1, +inf -> +inf, +-0 -> +-0: no select. Subnormal x (NumPy, C): r = x,
  m = x P(x) = x, y = x. Jitted JAX on CPU reads subnormal x as 0 and returns 0 (DAZ).

Error: the core's (<= ~1 ULP of m) times the amplification, plus r's rounding for n != 0 (at
most 0.35 ULP of m at |r| = 0.35) and the final rounding. Cost: 3 clamps, 2 FMAs and a
subtraction for n and r, the core, a shift, a subtraction and one FMA.
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.exp import LOG2E
from autonumerics.kernels.expm1 import OVERFLOW
from autonumerics.kernels.fast.exp import LN2_HI, LN2_LO
from autonumerics.kernels.fast.exp2 import BIASED_SHIFTER

# see search_configs/expm1_fast_core.toml
DEFAULT_CORES = {"expm1": packaged_core("expm1_fast_core.json")}
# |r| <= ln2/2 (a little more: n is round(float32(log2 e) x)), up to ln 2 + 2.4e-7 under the cap
ROLES = {"expm1": CoreRole("expm1", (-0.3466, 0.6932))}

DESCRIPTION = (
    "x clamped to [-17.5, 88.72283935546875]; n = round(x log2 e) (a shifter FMA), capped at 127; "
    "r = x - n ln 2 by two FMAs (both constants below ln 2: -0 stays -0); an evolved core m(r) ~ "
    "e^r - 1 on [-0.3466, 0.6932]; expm1 = fma(m, 2^n, -(1 - 2^n)) rounded once, 2^n from the "
    "exponent bits; no select: NaN -> NaN, -inf -> -1, +inf -> +inf, +-0 -> +-0."
)

LOW = "-17.5"  # expm1 rounds to -1 below -17.32868; n = round(-17.5 log2 e) = -25
CAP = "0x1.8001fcp+23"  # BIASED_SHIFTER + 127: t's value for n = 127
C_NAME = c_name("expm1_fast")

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def expm1_fast(x):
    """e^x - 1 in float32 for every input (see the module docstring); subnormal inputs read as 0."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < {LOW}, jnp.float32({LOW}), x)  # a max and a min; NaN stays NaN
    clamped = jnp.where(clamped > jnp.float32(float.fromhex("{OVERFLOW}")), jnp.float32(float.fromhex("{OVERFLOW}")), clamped)
    # n + 127 in t's low bits, n = round(x log2 e): one FMA (the barrier keeps XLA from folding t - S)
    t = jax.lax.optimization_barrier(clamped * jnp.float32(float.fromhex("{LOG2E}")) + jnp.float32(float.fromhex("{BIASED_SHIFTER}")))
    t = jnp.where(t > jnp.float32(float.fromhex("{CAP}")), jnp.float32(float.fromhex("{CAP}")), t)  # n <= 127
    whole = t - jnp.float32(float.fromhex("{BIASED_SHIFTER}"))  # n, exactly
    r = clamped - whole * jnp.float32(float.fromhex("{LN2_HI}"))  # XLA fuses: fma(-n, ln2_hi, x), exact
    r = r - whole * jnp.float32(float.fromhex("{LN2_LO}"))  # XLA fuses: fma(-n, ln2_lo, r)
    m = _expm1_fast_core(r)  # e^r - 1
    scale = _float(_bits(t) << 23)  # 2^n
    return m * scale - (jnp.float32(1.0) - scale)  # XLA fuses: one FMA, one rounding
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY_KERNEL = f'''
def expm1_fast(x):
    """e^x - 1 in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32({LOW}), np.float32({LOW}), x)
        clamped = np.where(clamped > np.float32(float.fromhex("{OVERFLOW}")), np.float32(float.fromhex("{OVERFLOW}")), clamped)
        t = _fma32(clamped, np.float32(float.fromhex("{LOG2E}")), np.float32(float.fromhex("{BIASED_SHIFTER}")))
        t = np.where(t > np.float32(float.fromhex("{CAP}")), np.float32(float.fromhex("{CAP}")), t)  # n <= 127
        whole = t - np.float32(float.fromhex("{BIASED_SHIFTER}"))  # n, exactly
        r = _fma32(-whole, np.float32(float.fromhex("{LN2_HI}")), clamped)  # exact
        r = _fma32(-whole, np.float32(float.fromhex("{LN2_LO}")), r)
        m = _expm1_fast_core(r)  # e^r - 1
        scale = _pow2(whole.astype(np.int32))  # 2^n (NaN gives garbage: m is NaN, so is y)
        y = _fma32(m, scale, -(np.float32(1.0) - scale))  # one rounding
    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C_KERNEL = f'''
static inline float {C_NAME}(float x) {{
    if (x != x) return x;
    const float clamped = x < {LOW}f ? {LOW}f : (x > {OVERFLOW}f ? {OVERFLOW}f : x);
    float t = fmaf(clamped, {LOG2E}f, {BIASED_SHIFTER}f);  /* n = round(x log2 e), n + 127 in t's low bits */
    if (t > {CAP}f) t = {CAP}f;  /* n <= 127 */
    const float whole = t - {BIASED_SHIFTER}f;  /* n, exactly */
    const float r1 = fmaf(-whole, {LN2_HI}f, clamped);  /* exact */
    const float r = fmaf(-whole, {LN2_LO}f, r1);
    const float m = {C_NAME}_core(r);  /* e^r - 1 */
    const float scale = an_pow2((int32_t)whole);  /* 2^n */
    return fmaf(m, scale, -(1.0f - scale));  /* one rounding */
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the expm1_fast kernel around ``cores["expm1"]`` (e^r - 1 on [-0.3466, 0.6932])."""
    name, core = "expm1_fast", cores["expm1"]
    jax_doc = ("Subnormal inputs give 0: jitted JAX on CPU reads them as 0 (DAZ). No result is "
               "subnormal.")

    def docstring(language: str) -> str:
        return kernel_docstring("expm1(x) = exp(x) - 1", __doc__, (core,), language, name, jax_doc)

    return assemble_kernel(name, {"core": core}, docstring,
                           {"jax": [_JAX_KERNEL], "numpy": [_NUMPY_KERNEL],
                            "c": [_C_KERNEL]},
                           DESCRIPTION, literal_constants=True)
