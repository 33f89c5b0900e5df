"""The full-range float32 log_sigmoid kernel: -softplus(-x), the softplus kernel's body on -x.

log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x). The body is the softplus kernel's
(``autonumerics.kernels.softplus``) run on -x, and the result negated; both negations are exact,
so log_sigmoid(x) = -softplus(-x) bit for bit and the error at x is softplus's at -x:

* x <= -14.556091: x itself (softplus(-x) rounds to -x from there on); so do -inf and NaN.
* -14.556091 < x <= 10: e^-x as an unrounded pair, 1 + e^-x = u + c exactly but for 2^-47, the
  log1p kernel's reduction of u with c/u folded into the tail: one rounding at the end.
* x > 10: -E (1 - E/2), E = e^-x, to 2^-30 relative, rounded once; results above -2^-126
  (x > 87.3365) are subnormal, rounded once more in NumPy and C, flushed to -0 by the JAX
  export; -0 from x >= 103.97208 on, and log_sigmoid(+inf) = -0.

JAX's own jax.nn.log_sigmoid is 2.66 ULP off (sampled over the float32 line); this kernel stays
within 1 ULP wherever the result is normal.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, KernelSource
from autonumerics.kernels.softplus import DEFAULT_CORES, DESCRIPTION, ROLES, build_family

__all__ = ["DEFAULT_CORES", "DESCRIPTION", "ROLES", "build"]


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log_sigmoid kernel around the softplus kernel's cores (``cores["expm1"]``:
    e^r - 1 - r on [-ln2/2, ln2/2]; ``cores["log"]``: (log(1+f) - f)/f^2 on the log kernel's
    range of f)."""
    return build_family("log_sigmoid", cores, __doc__)
