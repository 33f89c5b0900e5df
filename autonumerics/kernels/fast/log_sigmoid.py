"""The fast-tier float32 log_sigmoid kernel: -softplus(-x), the softplus_fast body mirrored.

log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x) = min(x, 0) - log1p(E), E = e^-|x|. The body
is the softplus_fast kernel's (``autonumerics.kernels.fast.softplus``: E = 2^n e^r from a
exp kernel's core, L = log1p(E) from a core on [0, 1]), with its final select mirrored and
negated: -L for x >= 0, -(|x| + L) for x < 0. Negation is exact, so log_sigmoid_fast(x) =
-softplus_fast(-x) bit for bit, and the error at x is softplus_fast's at -x:

* x >= 0: -L = -log1p(E), E's error (~1 ULP, from the exp core and r's rounding) plus the log1p
  core's (~1 ULP); relative throughout, down to the subnormal results (x > 87.34), which the
  JAX export flushes to -0 and NumPy and C round.
* x < 0: -(|x| + L) rounded once; L <= ln 2 is a correction, counting fully only near 0-; the
  result is exactly x from x = -14.5561 down.
* log_sigmoid(+inf) = -0, log_sigmoid(-inf) = -inf, NaN -> NaN.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, KernelSource
from autonumerics.kernels.fast.softplus import DEFAULT_CORES, DESCRIPTION, ROLES, build_family

__all__ = ["DEFAULT_CORES", "DESCRIPTION", "ROLES", "build"]


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log_sigmoid_fast kernel around the softplus_fast kernel's cores
    (``cores["exp"]``: e^r on [-ln2/2, ln2/2]; ``cores["log1p"]``: log1p on [0, 1])."""
    return build_family("log_sigmoid_fast", cores, __doc__)
