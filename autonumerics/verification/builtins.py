"""The JAX built-in of a target, as a float32 reference row (what users get without us).

Jitted on CPU, evaluated on the same float32 sample as the baselines. JAX is imported only
here and only when asked for: it is slow to import and must never be imported before a fork.
"""

from __future__ import annotations

import importlib

import numpy as np

# Target name -> (module, function, keyword arguments) of the JAX function a user would call.
JAX_BUILTINS: dict[str, tuple[str, str, dict]] = {
    "exp2": ("jax.numpy", "exp2", {}),
    "exp": ("jax.numpy", "exp", {}),
    "expm1": ("jax.numpy", "expm1", {}),
    "log2": ("jax.numpy", "log2", {}),
    "log": ("jax.numpy", "log", {}),
    "log1p": ("jax.numpy", "log1p", {}),
    "erf": ("jax.scipy.special", "erf", {}),
    "erfc": ("jax.scipy.special", "erfc", {}),
    "tanh": ("jax.numpy", "tanh", {}),
    "sigmoid": ("jax.nn", "sigmoid", {}),
    "gelu": ("jax.nn", "gelu", {"approximate": False}),
    "gelu_tanh": ("jax.nn", "gelu", {"approximate": True}),
    "silu": ("jax.nn", "silu", {}),
    "softplus": ("jax.nn", "softplus", {}),
    "log_sigmoid": ("jax.nn", "log_sigmoid", {}),
    "sin": ("jax.numpy", "sin", {}),
    "cos": ("jax.numpy", "cos", {}),
    "rsqrt": ("jax.lax", "rsqrt", {}),
}


def builtin_source(target_name: str) -> str | None:
    """How the JAX built-in is called (``"jax.nn.gelu(x, approximate=False)"``), or None."""
    if target_name not in JAX_BUILTINS:
        return None
    module, name, keywords = JAX_BUILTINS[target_name]
    extra = "".join(f", {key}={value!r}" for key, value in keywords.items())
    return f"{module.replace('jax.numpy', 'jnp')}.{name}(x{extra})"


def evaluate_builtin(target_name: str, x: np.ndarray) -> np.ndarray:
    """The jitted JAX built-in at the float32 inputs ``x`` (on the default JAX device).

    Raises:
        KeyError: if the target has no JAX built-in (check ``builtin_source`` first).
    """
    module, name, keywords = JAX_BUILTINS[target_name]
    jax = importlib.import_module("jax")
    function = getattr(importlib.import_module(module), name)
    jitted = jax.jit(lambda v: function(v, **keywords))
    return np.asarray(jitted(np.asarray(x, dtype=np.float32)), dtype=np.float32)
