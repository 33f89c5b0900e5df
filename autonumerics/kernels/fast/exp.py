"""The fast-tier float32 e^x kernel (<= 3.5 ULP): n = floor(x log2 e), r = x - n ln 2 by a
two-constant Cody-Waite, e^r = 1 + r q(r) with q an evolved degree-5 core, and 2^n as a float built
from its exponent bits, as in the exp2_fast kernel.

Range reduction:

* x is clamped to [-88, 88.72283935546875] (JAX; NumPy and C clamp at -104 to compute subnormal
  results), a max and a min that keep NaN: e^x rounds to +inf from 88.72283935546875 on (the
  first float32 whose e^x is past 2^128 - 2^103), and every result below 2^-126 (x below
  -87.3365) is flushed to 0 by jitted JAX on CPU anyway.
* n = floor(float32(x log2 e)) (a multiply and one rounding instruction). The product's rounding
  can put n one off floor(x log2 e) where x log2 e is within ~6e-6 of an integer; then r below
  leaves [0, ln 2] by at most 4e-6, which the core's interval covers, and the result is the same.
  At the two ends that matter this does not happen: the first x with e^x >= 2^-126
  (-87.33654022216797) gets n = -126 and the last x below overflow (88.72283172607422) n = 127.
* r = x - n ln 2 in two FMAs: ln2_hi = 0x1.62e42ep-1 (ln 2 rounded down to 24 bits, a multiple
  of 2^-24) makes x - n ln2_hi exact for |x| >= 1/2 (a multiple of 2^-24 below 1) and for n = 0,
  and rounds it once for x in [-1/2, 0) (n = -1); then r = fma(-n, ln2_lo, r1), ln2_lo =
  0x1.efa39ep-25 (ln 2 - ln2_hi to 2^-49), rounds once more. r is off by at most 2^-24 (x in
  [-1/2, 0)), else 2^-25: at most 1 ULP, else 0.5 ULP, of the result.
* p = fma(r, q(r), 1) ~ e^r in [1, 2], rounded once, q(r) ~ (e^r - 1)/r in [1, 1.45] the core:
  p = 1 exactly at r = 0 and p >= 1 for r >= 0 (so x = -126 ln 2 + r, a normal result, stays
  normal), whatever q's constants. u ULP of q (an ULP of 2^-23) move p by at most r u ULP.
  p's error on [0, ln 2] is 1.09 ULP at most (near r = ln 2).
* y = p * 2^n with 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), exactly as in
  the exp2_fast kernel: exact while the result is normal, flushed to 0 by jitted JAX below 2^-126
  (and 0 * p = 0 for n = -127, x <= -88), +inf * p for n = 128 (x = 88.72283935546875 after the
  clamp: r = 2.4e-7, p >= 1). NumPy and C scale n <= -127 in two steps (one rounding).
* exp(-inf) = 0, exp(+inf) = inf, exp(NaN) = NaN: no select.

Error: p's plus r's rounding: 1.56 ULP at most on every float32 of [-0.25, -0.0001] (near
x = -0.0006), 1.53 on [-20, -2], 1.48 on [64, 88.72]. Cost: 2 clamps, a multiply, floor, add,
2 FMAs for r, 6 FMAs (5 in q), a shift and a multiply.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.exp import LOG2E, OVERFLOW
from autonumerics.kernels.exp2 import exp_family_kernel
from autonumerics.kernels.fast.exp2 import BIASED_SHIFTER, C_SCALE, NUMPY_SCALE

# degree 5: see search_configs/exp_fast_core.toml
DEFAULT_CORES = {"poly": packaged_core("exp_fast_core.json")}
# r = x - n ln 2 for n = floor(float32(x log2 e)): [0, ln 2] widened by the product's rounding
ROLES = {"poly": CoreRole("expm1(x)/x", (-4e-6, 0.693152))}

DESCRIPTION = (
    "x clamped to [-88, 88.72283935546875] (NumPy and C: [-104, ...]); n = floor(float32(x log2 "
    "e)); r = x - n ln 2 by two FMAs (ln2_hi = ln 2 rounded down to 24 bits, then ln2_lo); p = "
    "fma(r, q(r), 1) ~ e^r in [1, 2], q an evolved core; y = p * 2^n with 2^n built from the "
    "exponent bits n + 127 (0 for n = -127, +inf for n = 128), so no select; NumPy and C scale "
    "subnormal results in two steps (one rounding); NaN -> NaN."
)

LN2_HI = "0x1.62e42ep-1"  # ln 2 rounded down to 24 bits: 0xB17217 * 2^-24
LN2_LO = "0x1.efa39ep-25"  # float32(ln 2 - LN2_HI), positive like LN2_HI
LOW = "-88.0"  # JAX's clamp: floor(-88 log2 e) = -127 gives 2^n = 0
LOW_IEEE = "-104.0"  # NumPy's and C's: e^-104 < 2^-150 rounds to 0

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def exp_fast(x):
    """e**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < {LOW}, jnp.float32({LOW}), x)  # a max and a min; NaN stays NaN
    clamped = jnp.where(clamped > jnp.float32(float.fromhex("{OVERFLOW}")), jnp.float32(float.fromhex("{OVERFLOW}")), clamped)
    whole = jnp.floor(clamped * jnp.float32(float.fromhex("{LOG2E}")))  # n
    t = whole + jnp.float32(float.fromhex("{BIASED_SHIFTER}"))  # n + 127 in t's low bits
    r = clamped - whole * jnp.float32(float.fromhex("{LN2_HI}"))  # XLA fuses: fma(-n, ln2_hi, x)
    r = r - whole * jnp.float32(float.fromhex("{LN2_LO}"))  # XLA fuses: fma(-n, ln2_lo, r)
    p = r * _exp_fast_core(r) + jnp.float32(1.0)  # e^r: one FMA, as XLA fuses it
    return p * _float(_bits(t) << 23)  # times 2^n: 0 for n = -127, +inf for n = 128
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY_KERNEL = f'''
def exp_fast(x):
    """e**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32({LOW_IEEE}), np.float32({LOW_IEEE}), x)
        clamped = np.where(clamped > np.float32(float.fromhex("{OVERFLOW}")), np.float32(float.fromhex("{OVERFLOW}")), clamped)
        whole = np.floor(clamped * np.float32(float.fromhex("{LOG2E}")))  # n
        r = _fma32(-whole, np.float32(float.fromhex("{LN2_HI}")), clamped)
        r = _fma32(-whole, np.float32(float.fromhex("{LN2_LO}")), r)
        p = _fma32(r, _exp_fast_core(r), np.float32(1.0))  # e^r, rounded once
{NUMPY_SCALE}    return np.asarray(y, dtype=np.float32)
'''  # noqa: E501

_C_KERNEL = f'''
static inline float {{name}}(float x) {{{{
    if (x != x) return x;
    const float clamped = x < {LOW_IEEE}f ? {LOW_IEEE}f : (x > {OVERFLOW}f ? {OVERFLOW}f : x);
    const float whole = floorf(clamped * {LOG2E}f);  /* n */
    const float r1 = fmaf(-whole, {LN2_HI}f, clamped);
    const float r = fmaf(-whole, {LN2_LO}f, r1);
    const float p = fmaf(r, {{name}}_core(r), 1.0f);  /* e^r, rounded once */
''' + C_SCALE + '''
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the exp_fast kernel around ``cores["poly"]`` ((e^r - 1)/r on [0, ln 2])."""
    return exp_family_kernel("exp_fast", "e**x", __doc__, cores["poly"],
                             (_JAX_KERNEL, _NUMPY_KERNEL, _C_KERNEL), DESCRIPTION)
