"""The fast-tier float32 erf kernel (<= 3.5 ULP): the accurate erf kernel's structure (odd
symmetry, a small core below 1, a tail core in t = |x| - c up to saturation) with cheaper cores.

Range reduction (every step exact except the cores' own float32 arithmetic), as in the accurate
kernel (autonumerics/kernels/erf.py):

* a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
  result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
* a < 1: the "small" core, erf on [0, 1] as a + a*Q(a^2) with Q of degree 5 in a^2 (the accurate
  kernel's is degree 6). Its last op is the fused multiply-add fma(a, Q, a), whose product never
  rounds on its own: tiny and subnormal inputs give 2/sqrt(pi) a rounded once (NumPy, C).
* 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
  core, erf(c + t) with t = a - c exact (a and c = 0x1.205e7ep+1 share the 2^-23 grid and
  |t| < 2), a polynomial of degree 12 in t (12 products, each fused with an addition; the
  accurate kernel's is degree 14) ending in the fused multiply-add c0 + t*H(t), c0 =
  float32(erf(c)) within 1e-6 ULP of erf(c). erf >= 0.84 keeps the ULP at 2^-24 on this
  range, so the core's absolute error is the kernel's.
* a >= T (and a = inf) gives exactly 1: a is capped at T before the subtraction (a min that
  keeps NaN: one instruction where the accurate kernel's select costs a compare and a blend),
  and this tail core returns exactly 1.0 at t = T - c; erf(a) is within half an ULP of 1
  from T on.
* NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.

Error budget: the kernel adds no rounding of its own, so each core's float32 error on its
interval is the kernel's there. Lower degrees than the accurate kernel's trade approximation
error for ops: degree 4 in a^2 (19.5 ULP) and degree 11 in t (7.8 ULP) do not fit 3.5 ULP, so
these are the cheapest polynomials of this form. Over every float32 of [2^-126, 4]: 1.56 ULP at
most (a = 0.97077495, the small core), 1.24 on [1, 3.92] (a = 1.0005, the tail core). Saturating
earlier than T (1 is 3.2 ULP off from about a = 3.68 on) would shorten the tail's interval, but
degree 11 still measures 3.4 ULP on [1, 3.68], so T stays exact. Subnormal inputs (NumPy, C):
one rounding of a*Q(0) + a, within 0.88 units of 2^-149 (Q(0) is 2/sqrt(pi) - 1 to 4e-8).

Both cores are computed for every element and the result picked by a select (no branches in
JAX / NumPy; C branches). Cores unfenced, constants as float32 literals, as in the accurate
kernel (their inputs are a bit operation and a subtraction; their results feed only selects).
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.erf import CENTRE, SATURATION, SMALL_TARGET, TAIL_TARGET

KERNEL_ID = "erf_fast"
# degree 5 in a^2 and degree 12 in t: search_configs/erf_fast_core_{small,tail}.toml
DEFAULT_CORES = {"small": packaged_core("erf_fast_small.json"),
                 "tail": packaged_core("erf_fast_tail.json")}
# the accurate kernel's roles: erf on |x| < 1; erf(c + t) for t = |x| - c, 1 <= |x| < T
ROLES = {"small": CoreRole(SMALL_TARGET, (0.0, 1.0)),
         "tail": CoreRole(TAIL_TARGET, (-1.2528836727142334, 1.6663222312927246))}

DESCRIPTION = (
    "a = |x| (sign bit cleared, put back on the result: exact odd symmetry); a < 1: core "
    "a + a*Q(a^2), Q of degree 5, ending in one FMA (subnormals rounded once); "
    f"1 <= a < {SATURATION} (3.9192059): core for erf(c + t) of degree 12, t = a - c exact, "
    f"c = {CENTRE} (erf(c) a float32 to 1e-6 ULP), ending in the FMA c0 + t*H(t); "
    "a capped at 3.9192059 (a min keeping NaN), where the tail core gives exactly 1; NaN -> NaN. "
    "Both cores run on every element, a select picks the result."
)

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def {KERNEL_ID}(x):
    """erf(x) in float32 for every input (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    small = _{KERNEL_ID}_small(a)  # erf(a) for a < 1
    capped = jnp.where(a > jnp.float32(float.fromhex("{SATURATION}")), jnp.float32(float.fromhex("{SATURATION}")), a)  # a min; NaN stays
    tail = _{KERNEL_ID}_tail(capped - jnp.float32(float.fromhex("{CENTRE}")))  # erf(c + t), t exact; exactly 1 at T
    y = jnp.where(a < jnp.float32(1.0), small, tail)  # NaN fails the test: tail(NaN) = NaN
    return _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)
'''  # noqa: E501

# emitted verbatim into the certified exports: its lines stay as they are
_NUMPY_KERNEL = f'''
def {KERNEL_ID}(x):
    """erf(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    bits = _bits(x)
    a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
    with np.errstate(all="ignore"):
        small = _{KERNEL_ID}_small(a)  # erf(a) for a < 1
        capped = np.where(a > np.float32(float.fromhex("{SATURATION}")), np.float32(float.fromhex("{SATURATION}")), a)
        tail = _{KERNEL_ID}_tail(capped - np.float32(float.fromhex("{CENTRE}")))  # exactly 1 at T
        y = np.where(a < np.float32(1.0), small, tail)  # NaN fails the test: tail(NaN) = NaN
    y = np.asarray(y, dtype=np.float32).reshape(x.shape)
    return _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)
'''  # noqa: E501

_C_KERNEL = '''
static inline float {name}(float x) {{
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (a < 1.0f) {{
        y = {name}_small(a);
    }} else {{
        const float capped = a > {saturation}f ? {saturation}f : a;  /* NaN stays NaN */
        y = {name}_tail(capped - {centre}f);  /* erf(c + t), t exact; exactly 1 at T */
    }}
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}}
'''


def erf_fast_docstring(cores: tuple[Core, Core], language: str) -> str:
    """The docstring (or C comment) of the exported erf_fast kernel in ``language``."""
    return kernel_docstring(
        "erf(x)", __doc__, cores, language, KERNEL_ID,
        "Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);\n"
        "every other input, tiny ones included, gets the certified result.",
        "Subnormal inputs and results are computed correctly (one rounding).",
        "The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).")


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the erf_fast kernel around ``cores["small"]`` (erf on [0, 1]) and
    ``cores["tail"]`` (erf(c + t) for t = |x| - c, 1 <= |x| < T)."""
    used = (cores["small"], cores["tail"])
    c_kernel = _C_KERNEL.format(name=c_name(KERNEL_ID), centre=CENTRE, saturation=SATURATION)
    return assemble_kernel(KERNEL_ID, {"small": cores["small"], "tail": cores["tail"]},
                           lambda language: erf_fast_docstring(used, language),
                           {"jax": [_JAX_KERNEL], "numpy": [_NUMPY_KERNEL], "c": [c_kernel]},
                           DESCRIPTION, literal_constants=True)
