"""The full-range float32 e^x kernel: Cody-Waite x = n ln2 + r, an evolved core for e^r on
[-ln2/2, ln2/2].

Range reduction:

* x is clamped to [-104, 89] (NaN stays NaN): e^x rounds to 0 for x <= -103.972077 (below
  2^-150) and to +inf from x = 88.72283935546875 on (the first float32 whose e^x is past
  2^128 - 2^103), so nothing is lost.
* n = round(x * log2(e)), half to even, from t = fma(x, log2(e), 1.5 * 2^23) (n = t - 1.5 * 2^23
  exactly, and t's low bits hold n: see exp2.SHIFTER); any nearby integer works, r only has to
  stay near [-ln2/2, ln2/2].
* r = x - n ln2 in two steps (Cody-Waite): ln2_hi = 0x1.62e4p-1 has 15 significant bits, so
  n * ln2_hi is exact for |n| <= 151 and x - n * ln2_hi is exact (a multiple of x's unit in the
  last place, smaller than x); then r = fma(-n, ln2_lo, r1) with ln2_lo = float32(ln2 - ln2_hi),
  rounded once (jitted JAX fuses ``r1 - n * ln2_lo`` into exactly this FMA; NumPy and C write it).
  r carries one rounding (<= 2^-26 at |r| ~ 0.35) and ln2_lo's own error (< 2^-44 per unit of n).
* p = core(r) ~ e^r in [0.70, 1.42] (exactly 1 at r = 0).
* p * 2^n as in the exp2 kernel: exactly on the exponent bits while the result is normal, in two
  steps (2^(n+64), then 2^-64: one rounding) for subnormal results, which jitted JAX on CPU
  flushes to zero.
* x >= 88.72283935546875 gives +inf, NaN gives NaN; exp(-inf) = 0, exp(+inf) = inf.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.exp2 import C_SCALE, JAX_SCALE, NUMPY_SCALE, SHIFTER, exp_family_kernel

DEFAULT_CORES = {"poly": packaged_core("exp_core.json")}
ROLES = {"poly": CoreRole("exp", (-0.34657359027997264, 0.34657359027997264))}  # |r| <= ln2/2

DESCRIPTION = (
    "n = round(x log2 e) after clamping x to [-104, 89]; Cody-Waite r = fma(-n, ln2_lo, x - n "
    "ln2_hi) (ln2_hi with 15 significant bits, so the first step is exact); an evolved core p(r) ~ "
    "e^r on [-ln2/2, ln2/2]; p * 2^n on the exponent bits (two steps with one rounding for "
    "subnormal results, flushed to 0 by JAX on CPU); x >= 88.72283935546875 -> +inf, NaN -> NaN."
)

LOG2E = "0x1.715476p+0"  # float32(1/ln 2)
LN2_HI = "0x1.62e4p-1"  # ln 2 to 15 significant bits: n * LN2_HI is exact for |n| < 2^9
LN2_LO = "0x1.7f7d1cp-20"  # float32(ln 2 - LN2_HI)
OVERFLOW = "0x1.62e430p+6"  # 88.72283935546875: the first float32 whose e^x rounds to +inf

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def exp(x):
    """e**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < -104.0, jnp.float32(-104.0), x)  # overflow and NaN are selected at the end
    # n = round(x log2 e) in t's low bits (XLA fuses the multiply-add: one rounding, as fma)
    t = clamped * jnp.float32(float.fromhex("{LOG2E}")) + jnp.float32(float.fromhex("{SHIFTER}"))
    whole = (_bits(t) - 0x4B400000).astype(jnp.float32)  # n, exactly (XLA would fold (v + S) - S to v)
    r = clamped - whole * jnp.float32(float.fromhex("{LN2_HI}"))  # exact
    r = r - whole * jnp.float32(float.fromhex("{LN2_LO}"))  # XLA fuses: fma(-n, ln2_lo, r), one rounding
    p = _exp_core(r)  # e^r
{JAX_SCALE}
    return jnp.where(x < jnp.float32(float.fromhex("{OVERFLOW}")), y, x + jnp.float32(jnp.inf))  # inf; NaN
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY_KERNEL = f'''
def exp(x):
    """e**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32(-104.0), np.float32(-104.0), x)
        # n = round(x log2 e) in t's low bits: one rounding, as XLA fuses it
        t = _fma32(clamped, np.float32(float.fromhex("{LOG2E}")), np.float32(float.fromhex("{SHIFTER}")))
        whole = t - np.float32(float.fromhex("{SHIFTER}"))
        r = clamped - whole * np.float32(float.fromhex("{LN2_HI}"))  # exact
        r = _fma32(-whole, np.float32(float.fromhex("{LN2_LO}")), r)  # one rounding, as XLA fuses it
        p = _exp_core(r)  # e^r
{NUMPY_SCALE}
        y = np.where(x < np.float32(float.fromhex("{OVERFLOW}")), y, x + np.float32(np.inf))  # inf; NaN
    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C_KERNEL = f'''
static inline float {{name}}(float x) {{{{
    if (x != x) return x;
    if (x >= {OVERFLOW}f) return INFINITY;
    const float clamped = x < -104.0f ? -104.0f : x;
    const float t = fmaf(clamped, {LOG2E}f, {SHIFTER}f);  /* n = round(x log2 e) in t's low bits */
    const float whole = t - {SHIFTER}f;
    const float r1 = clamped - whole * {LN2_HI}f;  /* exact */
    const float p = {{name}}_core(fmaf(-whole, {LN2_LO}f, r1));  /* e^r, r rounded once */
''' + C_SCALE + '''
}}
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the exp kernel around ``cores["poly"]`` (e^r on [-ln2/2, ln2/2])."""
    return exp_family_kernel("exp", "e**x", __doc__, cores["poly"],
                             (_JAX_KERNEL, _NUMPY_KERNEL, _C_KERNEL), DESCRIPTION)
