"""autonumerics' certified kernels as JAX functions, with derivatives and one dtype policy.

    import jax
    from autonumerics.jax import tanh

    y = tanh(x)                               # <= 1 ULP on every float32 input
    g = jax.grad(lambda x: tanh(x).sum())(x)  # exact calculus, <= 2.5 ULP (custom_jvp)

Every kernel of ``autonumerics.kernels.KERNELS`` is here under its own name: exp2, exp, expm1,
log2, log, log1p, erf, tanh, sigmoid. Each is

* the certified float32 export (``autonumerics/kernels/certified/<name>.py``, the file whose
  sha256 its certificate records: every float32 input checked), jitted;
* differentiable through ``jax.custom_jvp``: the derivative is computed from the kernel's own
  result where that stays accurate, else from another certified kernel (rules and their error
  bounds: ``autonumerics/jax/_derivatives.py``); ``grad``, ``jvp``, ``vmap``, ``jacfwd``,
  ``hessian`` all work;
* under one dtype policy: float32 -> float32; bfloat16 and float16 computed in float32 and
  rounded once to the input dtype; integers and bool promoted as jnp does; Python numbers give
  weakly typed results; float64 (with ``jax_enable_x64``) and complex raise ``TypeError``.

Subnormal float32 inputs and results are flushed to zero, as XLA does on CPU for every jitted
function (``jnp.exp`` included).
"""

from __future__ import annotations

from autonumerics.jax._dtypes import with_dtype_policy
from autonumerics.jax._float32 import DERIVATIVES, FLOAT32_KERNELS
from autonumerics.kernels import KERNELS

__all__ = list(KERNELS)


def _doc(name: str) -> str:
    rule = " ".join(DERIVATIVES[name].__doc__.split())
    return (f"{name}(x): autonumerics' certified kernel, <= 1 ULP on every float32 input.\n\n"
            f"Derivative (custom_jvp): {rule}\n\n"
            "Dtypes: float32 in and out; bfloat16 / float16 computed in float32 and rounded once; "
            "integers and bool as jnp promotes them; Python numbers give weakly typed results; "
            "float64 "
            "(x64) and complex raise TypeError.")


globals().update({name: with_dtype_policy(name, FLOAT32_KERNELS[name],
                                          _doc(name)) for name in KERNELS})
