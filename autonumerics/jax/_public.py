"""The public functions of one tier: each certified kernel under its function's name, with its
derivative and the dtype policy."""

from __future__ import annotations

from collections.abc import Callable

from autonumerics.jax._dtypes import with_dtype_policy
from autonumerics.jax._float32 import DERIVATIVES, FLOAT32_KERNELS
from autonumerics.kernels import KERNELS
from autonumerics.kernels.tiers import TIER_BOUNDS, split_kernel_id


def _doc(name: str, tier: str, public: str) -> str:
    rule = " ".join(DERIVATIVES[name].__doc__.split())
    return (f"{public}(x): autonumerics' certified {tier}-tier kernel, <= {TIER_BOUNDS[tier]:g} "
            "ULP on every float32 input.\n\n"
            f"Derivative (custom_jvp): {rule}\n\n"
            "Dtypes: float32 in and out; bfloat16 / float16 computed in float32 and rounded once; "
            "integers and bool as jnp promotes them; Python numbers give weakly typed results; "
            "float64 (x64) and complex raise TypeError.")


def public_kernels(tier: str) -> dict[str, Callable]:
    """Function name -> the public function, for every registered kernel of ``tier``."""
    functions = {}
    for kid in KERNELS:
        name, kernel_tier = split_kernel_id(kid)
        if kernel_tier == tier:
            public = name if tier == "accurate" else f"{tier}.{name}"
            functions[name] = with_dtype_policy(public, FLOAT32_KERNELS[kid],
                                                _doc(name, tier, public))
    return functions
