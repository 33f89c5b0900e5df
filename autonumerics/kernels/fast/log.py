"""The fast-tier float32 natural log kernel (<= 3.5 ULP): x = 2^e * m as in log2_fast, and
log(x) = e ln2 + t(f) in one fused multiply-add, t an evolved core for log(1 + f).

Range reduction: the log2_fast kernel's (``autonumerics.kernels.fast.log2``): m in
[sqrt(2)/2, sqrt(2)) from the bits, f = m - 1 exact, subnormal inputs scaled by 2^23 in NumPy and
C (jitted JAX on CPU reads them as 0). Then:

* The core t(f) ~ log(1 + f) itself, searched on the float32 range of f: its leading term f is
  exact and its last op an addition, so its error is what its own ULP measures.
* log(x) = fma(e, LN2, t) with LN2 = float32(ln 2) (off by 2.7e-9 relatively), rounded once.
  Near x = 1 (e = 0) this is t itself: the result keeps its relative accuracy however small. For
  e != 0, |t| = |log m| <= ln2/2 <= |log x|, so an ULP of t is at most an ULP of the result: the
  error is at most 0.5 ULP (the rounding) + t's error + ~0.05 ULP (LN2). log(1) = +0.
* Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
  +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.fast.log2 import FastLog, build_fast_log
from autonumerics.kernels.log2 import F_RANGE

DEFAULT_CORES = {"poly": packaged_core("log_fast_core.json")}
CORE_TARGET = "log(1+x)"  # in f = m - 1; the log1p_fast kernel uses it too
ROLES = {"poly": CoreRole(CORE_TARGET, F_RANGE)}
LN2 = "0x1.62e43p-1"  # float32(ln 2)

DESCRIPTION = (
    "x = 2^e m with m in [sqrt(2)/2, sqrt(2)) from the bit pattern, f = m - 1 exact; an evolved "
    "core t(f) ~ log(1+f); log x = fma(e, LN2, t), rounded once; x = +-0 -> -inf, x < 0 -> NaN, "
    "+inf -> +inf, NaN -> NaN; subnormal x scaled by 2^23 in NumPy and C (JAX reads them as 0: "
    "-inf)."
)

LOG_FAST = FastLog(
    name="log_fast",
    summary="log(x)",
    jax=f'    y = ef * jnp.float32(float.fromhex("{LN2}")) + q  # one FMA, as XLA fuses it',
    numpy=f'        y = _fma32(ef, np.float32(float.fromhex("{LN2}")), q)  # rounded once',
    c=f"    return fmaf(ef, {LN2}f, q);  /* e LN2 + t, rounded once */",
)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log_fast kernel around ``cores["poly"]`` (log(1+f) on the range of f)."""
    return build_fast_log(LOG_FAST, cores["poly"], __doc__, DESCRIPTION)
