"""autonumerics' fast-tier kernels: <= 3.5 ULP on every float32 input, cheaper than the accurate
tier (``autonumerics.jax``) and, for every function, at least as accurate as JAX's built-in.

    from autonumerics.jax import fast
    y = fast.tanh(x)        # certified <= 3.5 ULP; same derivative rule and dtype policy

Each function here has the name of its accurate twin; the certified exports are
``autonumerics/kernels/certified/<name>_fast.py``. Derivatives come from the same rules as the
accurate tier (``autonumerics/jax/_derivatives.py``), which call the accurate kernels.
"""

from __future__ import annotations

from autonumerics.jax._public import public_kernels

_FAST = public_kernels("fast")
__all__ = list(_FAST)
globals().update(_FAST)
