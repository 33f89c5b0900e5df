"""The certified float32 kernels made differentiable: one ``jax.custom_jvp`` per kernel.

The primal is the certified export itself (``autonumerics.kernels.certified.<id>``, whose bits
the certificates cover); the tangent is the function's derivative rule times the input tangent.
Both tiers of a function share its rule (``tanh_fast`` differentiates as ``tanh``); the rules call
the accurate kernels, so a fast kernel's derivative is as accurate as the accurate one's wherever
the rule does not use the primal result itself.
A rule computes the primal result by calling the differentiable kernel again, never the bare
export (which refuses differentiation), so a rule can itself be differentiated: second and
higher derivatives work.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import jax

from autonumerics.jax._derivatives import DERIVATIVES
from autonumerics.kernels import KERNELS
from autonumerics.kernels.tiers import split_kernel_id

# kernel id -> the differentiable float32 kernel (float32 in, float32 out); filled below.
FLOAT32_KERNELS: dict[str, Callable] = {}


def certified_export(kid: str) -> Callable:
    """The certified JAX export of kernel ``kid`` (jitted; float32 only; no derivative)."""
    return getattr(importlib.import_module(f"autonumerics.kernels.certified.{kid}"), kid)


def _differentiable(kid: str) -> Callable:
    export = certified_export(kid)
    rule = DERIVATIVES[split_kernel_id(kid)[0]]

    @jax.custom_jvp
    def kernel(x):
        return export(x)

    @kernel.defjvp
    def kernel_jvp(primals, tangents):
        (x,), (tangent,) = primals, tangents
        y = kernel(x)
        return y, rule(x, y, FLOAT32_KERNELS) * tangent

    kernel.__name__ = kernel.__qualname__ = kid
    return kernel


_missing = [kid for kid in KERNELS if split_kernel_id(kid)[0] not in DERIVATIVES]
# a new kernel must bring its derivative: a silent zero gradient is what this module prevents
if _missing:
    raise ImportError(f"autonumerics.jax: kernel {_missing[0]!r} has no derivative rule in "
                      "autonumerics/jax/_derivatives.py")
FLOAT32_KERNELS.update({kid: _differentiable(kid) for kid in KERNELS})
