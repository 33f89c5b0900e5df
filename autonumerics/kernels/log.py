"""The full-range float32 natural log kernel: x = 2^e * m as in log2, log(x) = e ln2 + f + f^2 q(f).

Range reduction: the log2 kernel's (``autonumerics.kernels.log2``): subnormal inputs normalised on
the integer side, m in [sqrt(2)/2, sqrt(2)), f = m - 1 exact. Unlike log2, f^2 is rounded once
(log2 carries it exactly as fh^2 + fl (f + fh)): here the tail f^2 q is at most a fifth of the
result and the leading part f enters hi exactly, so the rounding reaches the result damped enough
(max 0.84 ULP against 0.75 with the exact square, for 5 ops fewer). Then:

* The core q(f) ~ Q(f) = (log(1 + f) - f) / f^2, searched on the float32 range of f.
* ln2 = LN2_HI + LN2_LO (Cody-Waite) with LN2_HI = 0x1.62e4p-1 of 15 significant bits, so
  e * LN2_HI is exact for |e| <= 149. hi = e LN2_HI + f rounds once and lo = (e LN2_HI - hi) + f
  is its exact error (Fast2Sum: |e LN2_HI| >= 0.69 > |f| when e != 0; hi = f when e = 0).
* log(x) = hi + ((f * f) q + (e LN2_LO + lo)), the products by q and by LN2_LO fused into the
  additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs). The tail
  is at most a fifth of the result (near |f| = 0.41), so q's error reaches the result damped at
  least four times; the final sum rounds once.
* log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, log(1) = +0, NaN -> NaN.
"""

from __future__ import annotations

from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core
from autonumerics.kernels.log2 import F_RANGE, Reconstruction, build_log_kernel

DEFAULT_CORES = {"poly": packaged_core("log_core.json")}
CORE_TARGET = "(log(1+x) - x)/x**2"  # in f = m - 1; the log1p kernel uses it too
ROLES = {"poly": CoreRole(CORE_TARGET, F_RANGE)}

DESCRIPTION = (
    "x = 2^e m with m in [sqrt(2)/2, sqrt(2)) from the bit pattern (subnormals normalised by an "
    "exact int -> float conversion); f = m - 1 exact; an evolved core q(f) ~ (log(1+f) - f)/f^2; "
    "log x = hi + tail with hi = e LN2_HI + f (Fast2Sum error kept, LN2_HI 15 bits) and tail = "
    "(f*f) q + e LN2_LO + lo in FMAs (f^2 rounded once); x = +-0 -> -inf, x < 0 -> NaN, +inf -> "
    "+inf, NaN -> NaN."
)

# the snippets are emitted verbatim into the certified exports: their lines stay as they are
LOG = Reconstruction(
    name="log",
    summary="log(x)",
    jax="""    a = ef * jnp.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact (|e| <= 149)
    hi = a + f  # rounds once; exact when e = 0
    lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
    small = ef * jnp.float32(float.fromhex("0x1.7f7d1cp-20")) + lo  # e * LN2_LO + lo, one FMA""",
    numpy="""        a = ef * np.float32(float.fromhex("0x1.62e4p-1"))  # e * LN2_HI: exact (|e| <= 149)
        hi = a + f  # rounds once; exact when e = 0
        lo = (a - hi) + f  # Fast2Sum: hi + lo = e * LN2_HI + f exactly
        small = _fma32(ef, np.float32(float.fromhex("0x1.7f7d1cp-20")), lo)  # e * LN2_LO + lo""",  # noqa: E501
    c="""    const float a = ef * 0x1.62e4p-1f;  /* e * LN2_HI: exact (|e| <= 149) */
    const float hi = a + f;  /* rounds once; exact when e = 0 */
    const float lo = (a - hi) + f;  /* Fast2Sum: hi + lo = e * LN2_HI + f exactly */
    const float small = fmaf(ef, 0x1.7f7d1cp-20f, lo);  /* e * LN2_LO + lo */""",
    exact_square=False,
)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the log kernel around ``cores["poly"]`` ((log(1+f) - f)/f^2 on the range of f)."""
    return build_log_kernel(LOG, cores["poly"], __doc__, DESCRIPTION)
