"""The full-range float32 erf kernel: odd symmetry, an evolved core below 1, another up to
saturation.

Range reduction (every step exact except the cores' own float32 arithmetic):

* a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
  result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
* a < 1: the "small" core, erf on [0, 1] in the form a + a*Q(a^2) (storing 2/sqrt(pi) - 1
  instead of 2/sqrt(pi), which float32 cannot hold, is what gets it under 1 ULP). Its last op
  is one fused multiply-add fma(a, Q, a), whose product never rounds on its own, so tiny and
  subnormal inputs come out right (a*Q cannot underflow before the addition).
* 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
  core, erf(c + t) with t = a - c and c = 0x1.205e7ep+1 (2.2528837). t is exact: a and c are
  multiples of 2^-23 and |t| < 2. The core ends in c0 + t*H(t), one fused multiply-add whose
  constant c0 is float32(erf(c)), and erf(c) lies within 1e-6 ULP of it (c was chosen so):
  the result is rounded once, and erf >= 0.84 keeps its ULP fixed at 2^-24 on this range.
* a >= T (and a = inf) gives exactly 1: erf(a) is within half an ULP of 1 from T on.
* NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.

Both cores are computed for every element and the result picked by selects (no branches in
JAX / NumPy; C branches). The error is the cores' alone: each core's exhaustive float32 error
on its interval is the kernel's error there.
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core

DEFAULT_CORES = {"small": packaged_core("erf_small.json"),
                 "tail": packaged_core("erf_tail.json")}

CENTRE = "0x1.205e7ep+1"  # c: erf(c) is within 1e-6 ULP of a float32
SATURATION = "0x1.f5a88ap+1"  # T: erf(x) rounds to 1 for every float32 x >= T, not below
TAIL_TARGET = f"erf(x + {CENTRE})"  # what the tail core must approximate, in t = |x| - c
SMALL_TARGET = "erf"
ROLES = {"small": CoreRole(SMALL_TARGET, (0.0, 1.0)),  # |x| < 1
         # t = |x| - c for 1 <= |x| < T
         "tail": CoreRole(TAIL_TARGET, (-1.2528836727142334, 1.6663222312927246))}

DESCRIPTION = (
    "a = |x| (sign bit cleared, put back on the result: exact odd symmetry); a < 1: core "
    "a + a*Q(a^2) for erf on [0, 1] ending in one FMA (2/sqrt(pi) - 1 stored, subnormals exact); "
    f"1 <= a < {SATURATION} (3.9192059): searched core for erf(c + t), t = a - c exact, c = "
    f"{CENTRE} "
    "chosen so that erf(c) is a float32 to 1e-6 ULP, ending in the FMA c0 + t*H(t); a >= 3.9192059 "
    "-> 1 exactly; NaN -> NaN. Both cores run on every element, selects pick the result."
)

# The cores' JAX functions go unfenced (``build``): they read |x| (a bit operation) or |x| - c
# (a subtraction, no product to fuse into the core's first addition), and their results only feed
# selects and bit operations, so XLA has nothing to fuse across the call (the fences cost 2
# compares and 2 selects per core). Their constants are float32 literals, as in the exp kernels;
# for erf the object code is the same as with the barrier array (26 broadcasts per loop either
# way) and so are the bits on 33M inputs. Both are safe only as long as the JAX export equals the
# NumPy one bit for bit: tests/test_kernels.py and scripts/check_kernel_exports.py check it.

# emitted verbatim into the certified exports: its lines stay as they are
_JAX_KERNEL = f'''
@jax.jit
def erf(x):
    """erf(x) in float32 for every input (see the module docstring); subnormal inputs read as 0 (XLA)."""
    x = jnp.asarray(x, jnp.float32)
    bits = _bits(x)
    a = _float(bits & jnp.int32(0x7FFFFFFF))  # |x|, exact
    small = _erf_small(a)  # erf(a) for a < 1
    tail = _erf_tail(a - jnp.float32(float.fromhex("{CENTRE}")))  # erf(c + t), t exact, for 1 <= a < T
    y = jnp.where(a >= jnp.float32(float.fromhex("{SATURATION}")), jnp.float32(1.0), tail)
    y = jnp.where(a < jnp.float32(1.0), small, y)  # NaN fails both tests: tail(NaN) = NaN
    return _float(_bits(y) | (bits & jnp.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)
'''  # noqa: E501

_NUMPY_KERNEL = f'''
def erf(x):
    """erf(x) in float32 for every input (see the module docstring), subnormal inputs included."""
    x = np.asarray(x, dtype=np.float32)
    bits = _bits(x)
    a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
    with np.errstate(all="ignore"):
        small = _erf_small(a)  # erf(a) for a < 1
        tail = _erf_tail(a - np.float32(float.fromhex("{CENTRE}")))  # erf(c + t), t exact
        y = np.where(a >= np.float32(float.fromhex("{SATURATION}")), np.float32(1.0), tail)
        y = np.where(a < np.float32(1.0), small, y)  # NaN fails both tests: tail(NaN) = NaN
    y = np.asarray(y, dtype=np.float32).reshape(x.shape)
    return _float(_bits(y) | (bits & np.int32(-0x80000000)))  # the sign of x (y >= 0 or NaN)
'''

_C_KERNEL = '''
static inline float {name}(float x) {{
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (a < 1.0f) {{
        y = {name}_small(a);
    }} else if (a >= {saturation}f) {{
        y = 1.0f;
    }} else {{
        y = {name}_tail(a - {centre}f);  /* erf(c + t), t exact; NaN lands here and stays NaN */
    }}
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}}
'''


def erf_docstring(cores: tuple[Core, Core], language: str) -> str:
    """The docstring (or C comment) of the exported erf kernel in ``language``."""
    return kernel_docstring(
        "erf(x)", __doc__, cores, language, "erf",
        "Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);\n"
        "every other input, tiny ones included, gets the certified result.",
        "Subnormal inputs and results are computed correctly (one rounding).",
        "The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).")


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the erf kernel around ``cores["small"]`` (erf on [0, 1]) and ``cores["tail"]``
    (erf(c + t) for t = |x| - c, 1 <= |x| < T)."""
    used = (cores["small"], cores["tail"])
    c_kernel = _C_KERNEL.format(name=c_name("erf"), centre=CENTRE, saturation=SATURATION)
    return assemble_kernel("erf", {"small": cores["small"], "tail": cores["tail"]},
                           lambda language: erf_docstring(used, language),
                           {"jax": [_JAX_KERNEL], "numpy": [_NUMPY_KERNEL], "c": [c_kernel]},
                           DESCRIPTION, literal_constants=True)
