"""The preludes of the exported kernel modules: imports and helpers each language's kernels share.

JAX: ``_rounded`` / ``_opaque`` (selects XLA cannot see through), ``_bits`` / ``_float`` / ``_pow2``
(bit casts, 2^n from exponent bits) and ``_float32_kernel`` (the exported function's guard: no
silent zero derivative, no silent dtype cast). NumPy: the exact ``_fma32`` and the same bit
helpers. C: includes, the contraction guard and ``an_bits`` / ``an_float`` / ``an_pow2``. Every
exported file embeds its prelude, so its bytes are part of what the certificates hash.
"""

from __future__ import annotations

from autonumerics.export.c import C_ARITHMETIC_GUARD
from autonumerics.export.jax import STRICT_HELPERS
from autonumerics.export.numpy import fma_helper

__all__ = ["c_prelude", "jax_prelude", "numpy_prelude"]

_JAX_BITS = '''

def _bits(x):
    """The float32 values' bit patterns as int32."""
    return jax.lax.bitcast_convert_type(x, jnp.int32)


def _float(bits):
    """int32 bit patterns as float32 values."""
    return jax.lax.bitcast_convert_type(bits, jnp.float32)


def _pow2(n):
    """2.0**n as float32 for int32 n in [-126, 127], built from its exponent bits (exact)."""
    return _float((n + 127) << 23)
'''


# emitted verbatim into the certified exports: its lines stay as they are
_JAX_STANDALONE = '''

def _float32_kernel(kernel):
    """The exported function: ``kernel`` (jitted) for float32 input, refusing what it cannot do.

    The bit manipulation of the range reduction has no derivative, so jax.grad through it would
    give 0 silently; differentiating raises a TypeError instead. So does an input of another
    floating or complex dtype (a float32 kernel would change it silently): cast it to float32.
    Python numbers and integer arrays are converted to float32, as jnp does.
    autonumerics.jax has the same kernels with derivatives and a policy for 16-bit inputs.
    """
    name = kernel.__name__

    @jax.custom_jvp
    def primal(x):
        return kernel(x)

    @primal.defjvp
    def no_derivative(primals, tangents):
        raise TypeError(f"{name}: this standalone float32 kernel has no derivative (its bit manipulation "
                        f"would differentiate to 0); use autonumerics.jax.{name}, which has one")

    @functools.wraps(kernel)
    def exported(x):
        dtype = jnp.result_type(x)
        if dtype != jnp.float32 and jnp.issubdtype(dtype, jnp.inexact):
            raise TypeError(f"{name}: a float32 kernel, called with {dtype} input; cast it to float32 (or use "
                            f"autonumerics.jax.{name}, which computes 16-bit inputs in float32 and rounds once)")
        return primal(x)

    return jax.jit(exported)
'''  # noqa: E501


def jax_prelude() -> str:
    """Imports and helpers for JAX kernel modules: ``_rounded`` / ``_opaque`` (selects XLA cannot
    see through: they stop fusion and constant folding), ``_bits`` / ``_float`` (bit casts),
    ``_pow2`` (2^n from exponent bits) and ``_float32_kernel`` (the exported function's guard)."""
    imports = "import functools\n\nimport jax\nimport jax.numpy as jnp\n"
    return imports + STRICT_HELPERS + _JAX_BITS + _JAX_STANDALONE


_NUMPY_BITS = '''

def _bits(x):
    """The float32 values' bit patterns as int32."""
    return np.asarray(x, dtype=np.float32).view(np.int32)


def _float(bits):
    """int32 bit patterns as float32 values."""
    return np.asarray(bits, dtype=np.int32).view(np.float32)


def _pow2(n):
    """2.0**n as float32 for int32 n in [-126, 127], built from its exponent bits (exact)."""
    return _float((np.asarray(n, dtype=np.int32) + np.int32(127)) << np.int32(23))
'''


def numpy_prelude() -> str:
    """Imports and helpers for NumPy kernel modules: ``_fma32`` (a*b + c rounded once to float32,
    exact), ``_bits`` / ``_float`` (bit casts) and ``_pow2`` (2^n from exponent bits)."""
    return "import numpy as np\n" + fma_helper("_fma32") + _NUMPY_BITS


_C_PRELUDE = """#ifndef AUTONUMERICS_KERNELS_PRELUDE
#define AUTONUMERICS_KERNELS_PRELUDE  /* several kernel headers may share one translation unit */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* fmaf is C99's correctly rounded fused multiply-add: the kernels write it wherever jitted JAX
 * fuses a*b + c. Everything else must round once per op: compile with -ffp-contract=off (the
 * default of gcc -std=c99) and without -ffast-math. */
""" + C_ARITHMETIC_GUARD + """
/* Bit casts (memcpy is the defined way in C99; compilers turn it into a move). */
static inline int32_t an_bits(float x) { int32_t b; memcpy(&b, &x, sizeof b); return b; }
static inline float an_float(int32_t b) { float x; memcpy(&x, &b, sizeof x); return x; }
/* 2.0f**n for n in [-126, 127], from its exponent bits (exact). */
static inline float an_pow2(int32_t n) { return an_float((int32_t)((uint32_t)(n + 127) << 23)); }
#endif
"""


def c_prelude() -> str:
    """Includes, the contraction guard and helpers for C kernel headers: ``an_bits`` / ``an_float``
    (bit casts via memcpy) and ``an_pow2`` (2^n from exponent bits)."""
    return _C_PRELUDE
