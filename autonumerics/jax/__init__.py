"""autonumerics' certified kernels as JAX functions, with derivatives and one dtype policy.

    import jax
    from autonumerics.jax import tanh

    y = tanh(x)                               # <= 1 ULP on every float32 input
    g = jax.grad(lambda x: tanh(x).sum())(x)  # exact calculus, <= 2.5 ULP (custom_jvp)
    y = autonumerics.jax.fast.tanh(x)         # the fast tier: <= 3.5 ULP, cheaper

Every accurate-tier kernel of ``autonumerics.kernels.KERNELS`` is here under its function's name
(exp2, exp, expm1, log2, log, log1p, erf, tanh, sigmoid and the activations), and every
fast-tier kernel under the same name in ``autonumerics.jax.fast``. Each is

* the certified float32 export (``autonumerics/kernels/certified/<id>.py``, the file whose
  sha256 its certificate records: every float32 input checked, within 1 ULP for the accurate
  tier and 3.5 ULP for the fast one), jitted;
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

from autonumerics.jax._public import public_kernels

_ACCURATE = public_kernels("accurate")
__all__ = [*_ACCURATE, "fast"]
globals().update(_ACCURATE)

from autonumerics.jax import fast  # noqa: E402  (after the accurate kernels it may refer to)
