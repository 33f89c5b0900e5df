"""One dtype policy for every kernel: what goes in, what it is computed in, what comes out.

| input | computed in | result |
|---|---|---|
| float32 | float32 | float32 |
| bfloat16, float16 | float32 | the input dtype, rounded once from the float32 result |
| integers, bool | float32 when jnp would give float32 | as ``jnp.exp`` would give: float32 |
| Python int / float | float32 | weakly typed float32, as jnp gives |
| float64 (``jax_enable_x64`` on), complex | | ``TypeError`` naming the dtype |

With x64 off, JAX itself turns float64 arrays into float32 on the way in, as for any jnp call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

COMPUTED = np.dtype(np.float32)
ROUNDED_ONCE = (np.dtype(jnp.bfloat16), np.dtype(np.float16))


@functools.cache
def _jnp_result(dtype: np.dtype, weak: bool, x64: bool) -> tuple[np.dtype, bool]:
    """The dtype and weak type ``jnp.exp`` gives for this input (in this x64 mode: uint32 gives
    float64 with x64 on, float32 without): the promotion rule to follow."""
    result = jax.eval_shape(jnp.exp, jax.ShapeDtypeStruct((), dtype, weak_type=weak))
    return np.dtype(result.dtype), bool(result.weak_type)


def result_type(name: str, x: jax.Array) -> tuple[np.dtype, bool]:
    """The result dtype and weak type of kernel ``name`` at ``x``, by the policy above.

    Raises:
        TypeError: for complex input, float64 input with x64 on, and anything jnp would not
            turn into a float32, bfloat16 or float16 result.
    """
    dtype, weak = np.dtype(x.dtype), bool(jax.typeof(x).weak_type)
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise TypeError(f"autonumerics.jax.{name}: complex input ({dtype}); "
                        "the kernels are real functions")
    result, result_weak = _jnp_result(dtype, weak, bool(jax.config.x64_enabled))
    if result != COMPUTED and result not in ROUNDED_ONCE:
        raise TypeError(f"autonumerics.jax.{name}: {dtype} input would give a {result} result, "
                        "and the kernels are certified in float32 (and 16-bit formats through it) "
                        "only; cast to float32")
    return result, result_weak


def _weakly_typed(y: jax.Array) -> jax.Array:
    """``y`` marked weakly typed, as jnp marks results computed from Python numbers."""
    try:
        from jax._src.lax.lax import _convert_element_type
    except ImportError:  # a JAX without it: the result stays strongly typed, its value unchanged
        return y
    return _convert_element_type(y, y.dtype, weak_type=True)


def with_dtype_policy(name: str, kernel: Callable, doc: str) -> Callable:
    """The public, jitted function: ``kernel`` (float32) applied under the policy above."""

    def apply(x):
        x = jnp.asarray(x)
        result, weak = result_type(name, x)
        y = kernel(x.astype(COMPUTED))
        if result != COMPUTED:
            y = y.astype(result)  # the one rounding to the 16-bit format
        return _weakly_typed(y) if weak else y

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = doc
    apply.__module__ = "autonumerics.jax"
    return jax.jit(apply)
