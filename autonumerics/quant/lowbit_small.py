"""Near-zero paths of the bf16/fp16 activations: Taylor series with an exact leading part.

For |x| < 2**-4 the general float32 cores are accurate to about 2**-22, but a correctly rounded
16-bit result can sit within 2**-30 of a tie there (fp16 sigmoid(0.0029296875) =
0.5007324213..., the midpoint being 0.500732421875): the general path then rounds the wrong
way. Here the leading terms are summed exactly (TwoSum) and the rest is small, so the value
``m + r`` is good to about 2**-33 relative; ``m`` goes to the encoder and ``sign(r)`` tells it
on which side of ``m`` the exact value lies, which decides ties.

Exact pieces: x has at most 11 significant bits, so ``x*x`` (22 bits), ``x/2``, ``x/4``,
``x*x/4`` and ``x*x*0.375`` (0.375 has 2 bits) are exact in float32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autonumerics.quant.lowbit_bits import Backend

SMALL = np.float32(2.0**-4)
_F32 = np.float32
_PHI0 = 1.0 / np.sqrt(2.0 * np.pi)  # phi(0)
_PHI0_HEAD = _F32(0.375)  # two bits: x*x*0.375 is exact
_PHI0_TAIL = _F32(_PHI0 - 0.375)


def fast_two_sum(b: Backend, big: Any, small: Any) -> tuple[Any, Any]:
    """(s, err), s = RN(big + small) and big + small = s + err exactly; needs |big| >= |small|."""
    total = b.rounded(big + small)
    return total, small - b.rounded(total - big)


def _finish(b: Backend, head: Any, low: Any) -> tuple[Any, Any]:
    """Round head + low to float32 and say (as +1/-1/0) where the exact sum lies from it."""
    value, rest = fast_two_sum(b, head, low)
    return value, b.xp.sign(rest).astype(b.xp.int32)


def _exp(b: Backend, x: Any) -> tuple[Any, Any]:
    # e^x = (1 + x) + x^2/2 + x^3 (1/6 + x/24 + x^2/120 + x^3/720 + x^4/5040)
    head, error = fast_two_sum(b, _F32(1), x)
    square = b.rounded(x * x)
    series = (_F32(1 / 5040), _F32(1 / 720), _F32(1 / 120), _F32(1 / 24), _F32(1 / 6))
    cubic = _horner(b, x, series)
    low = error + (square * _F32(0.5) + b.rounded(b.rounded(square * x) * cubic))
    return _finish(b, head, low)


def _sigmoid(b: Backend, x: Any) -> tuple[Any, Any]:
    # sigma(x) = (1/2 + x/4) - x^3/48 + x^5/480 - 17 x^7/80640 + O(x^9)
    head, error = fast_two_sum(b, _F32(0.5), x * _F32(0.25))
    square = b.rounded(x * x)
    odd = _horner(b, square, (_F32(-17 / 80640), _F32(1 / 480), _F32(-1 / 48)))
    return _finish(b, head, error + b.rounded(b.rounded(square * x) * odd))


def _gelu(b: Backend, x: Any) -> tuple[Any, Any]:
    # x Phi(x) = x/2 + phi(0) (x^2 - x^4/6 + x^6/40 - x^8/336) + O(x^10)
    square = b.rounded(x * x)
    head, error = fast_two_sum(b, x * _F32(0.5), b.rounded(square * _PHI0_HEAD))
    even = _horner(b, square, (_F32(-_PHI0 / 336), _F32(_PHI0 / 40), _F32(-_PHI0 / 6)))
    low = error + (b.rounded(square * _PHI0_TAIL) + b.rounded(b.rounded(square * square) * even))
    return _finish(b, head, low)


def _silu(b: Backend, x: Any) -> tuple[Any, Any]:
    # x sigma(x) = x/2 + x^2/4 - x^4/48 + x^6/480 - 17 x^8/80640 + O(x^10)
    square = b.rounded(x * x)
    head, error = fast_two_sum(b, x * _F32(0.5), square * _F32(0.25))
    even = _horner(b, square, (_F32(-17 / 80640), _F32(1 / 480), _F32(-1 / 48)))
    return _finish(b, head, error + b.rounded(b.rounded(square * square) * even))


def _horner(b: Backend, x: Any, coefficients: tuple[np.float32, ...]) -> Any:
    value = b.xp.zeros_like(x) + coefficients[0]
    for coefficient in coefficients[1:]:
        value = b.rounded(value * x) + coefficient
    return value


SMALL_PATHS: dict[str, Callable[[Backend, Any], tuple[Any, Any]]] = {
    "exp": _exp, "sigmoid": _sigmoid, "gelu": _gelu, "silu": _silu,
}
