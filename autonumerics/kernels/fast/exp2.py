"""The fast-tier float32 2^x kernel (<= 3.5 ULP): x = n + r with n = floor(x), 2^r = 1 + r q(r)
with q an evolved degree-5 core on [0, 1], and 2^n as a float built from its exponent bits.

Range reduction (every step exact except r for x in (-1, 0), the core and the final product for
subnormal results):

* x is clamped to [-127, 128] (JAX; NumPy and C clamp at -151 to compute subnormal results), a
  max and a min that keep NaN: 2^x rounds to +inf from x = 128 on and every result below 2^-126
  is flushed to 0 by jitted JAX on CPU anyway, so nothing is lost.
* n = floor(x) (one rounding instruction), r = x - n in [0, 1]: exact for |x| >= 1 and x >= 0
  (a multiple of x's unit in the last place, not above |x|); for x in (-1, 0), r = 1 + x rounds
  once (<= 2^-25, at most 0.35 ULP of the result).
* p = fma(r, q(r), 1) ~ 2^r in [1, 2], rounded once, q(r) ~ (2^r - 1)/r in [0.69, 1] the core:
  p = 1 exactly at r = 0 (integer x give exact powers of two) and p >= 1 for every r >= 0
  (x = -126 + r is a normal result, which must not fall below 2^-126), whatever q's constants.
  q's error reaches p damped: u ULP of q (an ULP of 2^-24) move p (an ULP of 2^-23) by at most
  r u / 2 ULP, most near r = 1.
* 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), whose low bits hold n + 127
  (exp2.SHIFTER): for n in [-126, 127] a normal power of two, so p * 2^n is exact while the result
  is normal, and rounds to a subnormal that jitted JAX flushes to 0 (FTZ); n = -127 (x < -126
  after the clamp) gives the bits 0, so 0 * p = 0; n = 128 (x = 128 after the clamp) gives the
  bits of +inf, so inf * p(0) = inf. A NaN input stays NaN through every step (NaN * anything).
  No select is needed: the round-to-nearest reduction of the accurate kernel puts p in
  [0.70, 1.42] and so needs 2^n for n in [-126, 128], one exponent more than a float32 has.
* NumPy and C compute results below 2^-126 (n <= -127) in two steps, p * 2^(n+64) exactly, then
  times 2^-64 with one rounding, as the accurate kernel does.
* exp2(-inf) = 0, exp2(+inf) = inf, exp2(NaN) = NaN.

Error: p's error on [0, 1] (q's, damped, plus p's rounding: 0.96 ULP at most, near r = 1)
carries over unchanged through the exact scaling, plus r's rounding for x in (-1, 0): 1.31 ULP at
most on every float32 of [-0.25, -0.0001] (near x = -0.001), 0.96 on [1, 2]. Cost: 2 clamps,
floor, add, subtract, 6 FMAs (5 in q), a shift and a multiply per element.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.exp2 import exp_family_kernel

# degree 5: see search_configs/exp2_fast_core.toml
DEFAULT_CORES = {"poly": packaged_core("exp2_fast_core.json")}
ROLES = {"poly": CoreRole("(2**x - 1)/x", (0.0, 1.0))}  # r = x - floor(x)

DESCRIPTION = (
    "x clamped to [-127, 128] (NumPy and C: [-151, 128]); n = floor(x), r = x - n in [0, 1] (exact "
    "but for x in (-1, 0)); p = fma(r, q(r), 1) ~ 2^r in [1, 2], q an evolved core; y = p * 2^n "
    "with 2^n built from the exponent bits n + 127 (0 for n = -127, +inf for n = 128), so no "
    "select; NumPy and C scale subnormal results in two steps (2^(n+64), then 2^-64: one "
    "rounding); NaN -> NaN."
)

# t = n + BIASED_SHIFTER holds n + 127 in its low bits (|n| < 2^22: exact), so bits(t) << 23 is
# the bit pattern of 2^n (0x4B400000 << 23 wraps to 0), 0 for n = -127 and +inf for n = 128.
BIASED_SHIFTER = "0x1.8000fep+23"  # 1.5 * 2^23 + 127
LOW = "-127.0"  # JAX's clamp: n = -127 gives 2^n = 0
LOW_IEEE = "-151.0"  # NumPy's and C's: p * 2^-151 < 2^-150 rounds to 0

# p * 2^n for p in [1, 2] and the float32 n = whole in [-151, 128] in NumPy and C (shared with
# the exp_fast kernel): 2^n from its exponent bits for n >= -126 (exact; +inf for n = 128), in two
# steps below (2^(n+64) exactly, then 2^-64 with one rounding: subnormal results).
# The snippets are emitted verbatim into the certified exports: their lines stay as they are.
NUMPY_SCALE = """        n = whole.astype(np.int32)  # NaN gives garbage: p is NaN, so is y
        y = p * _pow2(n)  # exact for results >= 2^-126; +inf for n = 128
        tiny = (p * _pow2(n + np.int32(64))) * np.float32(2.0**-64)  # exact, then one rounding
        y = np.where(n < -126, tiny, y)
"""
C_SCALE = """    const int32_t n = (int32_t)whole;
    if (n < -126) {{
        /* p * 2^(n+64) is exact and normal, the product by 2^-64 rounds once (subnormal results) */
        return (p * an_pow2(n + 64)) * 0x1p-64f;
    }}
    /* times 2^n from its exponent bits: exact; +inf for n = 128 */
    return p * an_float((int32_t)((uint32_t)(n + 127) << 23));
}}"""

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def exp2_fast(x):
    """2**x in float32 for every input (see the module docstring); subnormal results are 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    clamped = jnp.where(x < {LOW}, jnp.float32({LOW}), x)  # a max and a min; NaN stays NaN
    clamped = jnp.where(clamped > 128.0, jnp.float32(128.0), clamped)
    whole = jnp.floor(clamped)  # n
    t = whole + jnp.float32(float.fromhex("{BIASED_SHIFTER}"))  # n + 127 in t's low bits
    r = clamped - whole  # in [0, 1]
    p = r * _exp2_fast_core(r) + jnp.float32(1.0)  # 2^r: one FMA, as XLA fuses it
    return p * _float(_bits(t) << 23)  # times 2^n: 0 for n = -127, +inf for n = 128
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY_KERNEL = f'''
def exp2_fast(x):
    """2**x in float32 for every input (see the module docstring), subnormal results included."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        clamped = np.where(x < np.float32({LOW_IEEE}), np.float32({LOW_IEEE}), x)
        clamped = np.where(clamped > np.float32(128.0), np.float32(128.0), clamped)
        whole = np.floor(clamped)  # n
        r = clamped - whole  # in [0, 1]
        p = _fma32(r, _exp2_fast_core(r), np.float32(1.0))  # 2^r, rounded once
{NUMPY_SCALE}    return np.asarray(y, dtype=np.float32)
'''

_C_KERNEL = f'''
static inline float {{name}}(float x) {{{{
    if (x != x) return x;
    const float clamped = x < {LOW_IEEE}f ? {LOW_IEEE}f : (x > 128.0f ? 128.0f : x);
    const float whole = floorf(clamped);  /* n */
    const float r = clamped - whole;  /* in [0, 1] */
    const float p = fmaf(r, {{name}}_core(r), 1.0f);  /* 2^r, rounded once */
''' + C_SCALE + '''
'''


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the exp2_fast kernel around ``cores["poly"]`` ((2^r - 1)/r on [0, 1])."""
    return exp_family_kernel("exp2_fast", "2**x", __doc__, cores["poly"],
                             (_JAX_KERNEL, _NUMPY_KERNEL, _C_KERNEL), DESCRIPTION)
