"""Float32 cores of the bf16/fp16 activations, as scaled results ``m * 2**e`` (no underflow).

Plain float32 formulas (no evolved program reaches these ranges yet), written once against a
:class:`~autonumerics.quant.lowbit_bits.Backend` so numpy and JAX run the same operations:

* ``exp``: Cody-Waite reduction ``x = k ln2 + r`` (``k ln2_hi`` exact: ln2_hi has 15 bits,
  |k| <= 289 has 9), then the degree-7 Taylor polynomial of e^r on |r| <= ln2/2 (truncation
  below 2**-27 relative). The result stays split as ``(e^r, k)``, so e^-200 is as accurate as
  e^0 and the caller decides when it becomes subnormal.
* ``Phi(-a)`` (the normal tail, a >= 0): ``phi(a) * R(a)`` with R the Mills ratio as a degree-10
  polynomial in ``t = 3/(3 + a)`` (``scripts/lowbit_fit.py``), and
  ``phi(a) = e^(-a*a/2) / sqrt(2 pi)``.
  ``a*a`` is exact because a has at most 11 significant bits.
* ``tanh`` of small |x|: ``x + x*u*P(u)``, u = x*x, P of degree 5 (``scripts/lowbit_fit.py``).

Relative errors are a few float32 ulps (about 2**-21 for the tail), far below the 2**-9 and
2**-12 that bf16 and fp16 round to, so the final rounding is almost always correct.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autonumerics.quant.lowbit_bits import Backend

LOG2E = np.float32(1.4426950408889634)
LN2_HI = np.float32(np.round(np.log(2.0) * 2.0**15) / 2.0**15)  # 15 significant bits
LN2_LO = np.float32(np.log(2.0) - float(LN2_HI))
# e^r = 1 + r/1! + ... + r^7/7!, highest degree first.
EXP_TAYLOR = tuple(np.float32(1.0 / float(np.prod(np.arange(1, k + 1)))) for k in range(7, -1, -1))
INV_SQRT_2PI = np.float32(1.0 / np.sqrt(2.0 * np.pi))
MILLS_T_SCALE = np.float32(3.0)
MILLS = tuple(np.float32(float.fromhex(h)) for h in (
    "-0x1.7e816ap-10", "-0x1.f3fa1ap-5", "0x1.7677e2p-2", "-0x1.90cc42p-1", "0x1.5d3bc4p-1",
    "-0x1.e5dc4p-3", "0x1.6794d2p-2", "0x1.108d54p-2", "0x1.59e07cp-2", "0x1.54f39p-2",
    "0x1.c8df04p-17",
))
TANH_SMALL = np.float32(0.625)
TANH_P = tuple(np.float32(float.fromhex(h)) for h in (
    "0x1.5d42e8p-9", "-0x1.1d5d2cp-7", "0x1.66b294p-6", "-0x1.ba2c26p-5", "0x1.11114ap-3",
    "-0x1.555556p-2",
))


def horner(b: Backend, x: Any, coefficients: tuple[np.float32, ...]) -> Any:
    """sum c_i x^(n-i) by Horner's rule, every product rounded on its own (no FMA)."""
    value = b.xp.zeros_like(x) + coefficients[0]
    for coefficient in coefficients[1:]:
        value = b.rounded(value * x) + coefficient
    return value


def exp_scaled(b: Backend, x: Any) -> tuple[Any, Any]:
    """e^x as ``(m, e)`` with m in [0.7, 1.42] and e int32; x float32 with |x| <= 200."""
    k = b.xp.floor(b.rounded(x * LOG2E) + np.float32(0.5))
    # x - k*ln2_hi is exact (k*ln2_hi is exact, and Sterbenz), so only r's last step rounds.
    r = (x - b.rounded(k * LN2_HI)) - b.rounded(k * LN2_LO)
    return horner(b, r, EXP_TAYLOR), b.to_int(k)


def normal_tail_scaled(b: Backend, a: Any) -> tuple[Any, Any]:
    """Phi(-a) = P(X <= -a) for standard normal X as ``(m, e)``; a float32 in [0, 20]."""
    m, e = exp_scaled(b, -(b.rounded(a * a) * np.float32(0.5)))
    # Beyond a = 14 (outside the fit) the result underflows every format; R(14) keeps it small.
    t = b.rounded(MILLS_T_SCALE / (MILLS_T_SCALE + b.xp.minimum(a, np.float32(14.0))))
    mills = horner(b, t, MILLS)
    return b.rounded(b.rounded(m * INV_SQRT_2PI) * mills), e


def tanh_small(b: Backend, x: Any) -> Any:
    """tanh(x) for 2**-14 <= |x| <= 0.625 (float32, a few ulps)."""
    u = b.rounded(x * x)
    correction = b.rounded(b.rounded(x * u) * horner(b, u, TANH_P))
    return x + correction
