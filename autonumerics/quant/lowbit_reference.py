"""Correctly rounded bf16/fp16 results of the activations for all 65 536 inputs, from mpmath.

For each finite input x (exact in float64) the value f(x) is computed by mpmath at P bits, then
rounded to the format twice, from f(x)(1 - 2**(12-P)) and from f(x)(1 + 2**(12-P)): mpmath's
error is a few units in its last place, so when both agree, that is the correctly rounded result
(Ziv's strategy); otherwise P doubles (up to 4096 bits, then it is an error). Inputs whose true
result is near a rounding boundary, such as GELU(2**-133) = 2**-134 + 2**-267 / sqrt(2 pi) next
to a tie, are resolved this way. Special inputs (+-0, +-inf, NaN) take their limits by
definition. Results are cached per function and format as ``.npz`` under
``$AUTONUMERICS_CACHE/lowbit`` (default ``~/.cache/autonumerics/lowbit``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import FloatFormat
from autonumerics.quant.lowbit import LOWBIT_FUNCTIONS
from autonumerics.quant.lowbit_bits import low_format

_VERSION = "lowbit-reference-1"
_START_PRECISION = 64
_MAX_PRECISION = 4096

_DEFINITIONS = {
    "exp": lambda x: mpmath.exp(x),
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "tanh": lambda x: mpmath.tanh(x),
    "gelu": lambda x: x * mpmath.ncdf(x),
    "silu": lambda x: x / (1 + mpmath.exp(-x)),
}


@dataclass(frozen=True)
class Reference:
    """The correctly rounded results of one function in one format, for every bit pattern.

    Attributes:
        function: the function name.
        format: the format name.
        bits: (65536,) uint16, the correctly rounded output pattern of input pattern i.
        exact: (65536,) float64, f(x) rounded to float64 (+-inf beyond float64; NaN for NaN
            inputs; the limits for infinite inputs), for measuring errors in ulps.
    """

    function: str
    format: str
    bits: np.ndarray
    exact: np.ndarray


def round_mpf(value: mpmath.mpf, fmt: FloatFormat) -> int:
    """The bit pattern of ``value`` (finite, non-zero) rounded to nearest-even in ``fmt``."""
    negative, mantissa, exponent, bitcount = value._mpf_
    leading = exponent + bitcount - 1
    if leading < fmt.min_exponent - fmt.precision - 1:  # below a quarter of the least subnormal
        return negative << 15
    if leading > fmt.min_exponent + (1 << fmt.exponent_bits):  # far beyond the largest finite
        return fmt.inf_bits | (negative << 15)
    ulp_exponent = max(leading, fmt.min_exponent) - fmt.precision + 1
    shift = ulp_exponent - exponent
    if shift <= 0:
        kept = mantissa << -shift
    else:
        kept, rest = mantissa >> shift, mantissa & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        kept += rest > half or (rest == half and kept & 1)
    magnitude = ((max(leading, fmt.min_exponent) - fmt.min_exponent) << (fmt.precision - 1)) + kept
    return min(magnitude, fmt.inf_bits) | (negative << 15)


def correctly_rounded(function: str, x: float, fmt: FloatFormat) -> tuple[int, float]:
    """(bits, float64 value) of f(x) for one finite, non-zero x, by Ziv's strategy."""
    precision = _START_PRECISION
    while precision <= _MAX_PRECISION:
        with mpmath.workprec(precision):
            value = _DEFINITIONS[function](mpmath.mpf(x))
        with mpmath.workprec(precision + 64):
            margin = mpmath.ldexp(value, 12 - precision)
            low, high = round_mpf(value - margin, fmt), round_mpf(value + margin, fmt)
        if low == high:
            return low, float(value)
        precision *= 2
    raise RuntimeError(
        f"{function}({x!r}) in {fmt.name}: no correct rounding at {_MAX_PRECISION} bits"
    )


def special_value(function: str, x: float) -> float:
    """f(x) for x in {+-0, +-inf, NaN}: the value or the limit (NaN for NaN)."""
    if math.isnan(x):
        return math.nan
    if x == 0:
        return {"exp": 1.0, "sigmoid": 0.5}.get(function, x)  # odd functions keep the sign of 0
    positive = x > 0
    return {
        "exp": math.inf if positive else 0.0,
        "sigmoid": 1.0 if positive else 0.0,
        "tanh": 1.0 if positive else -1.0,
        "gelu": math.inf if positive else -0.0,  # x Phi(x) -> 0 from below
        "silu": math.inf if positive else -0.0,
    }[function]


def _compute(function: str, fmt: FloatFormat) -> Reference:
    patterns = np.arange(1 << 16, dtype=np.uint16)
    with np.errstate(invalid="ignore"):  # NaN patterns
        inputs = patterns.view(fmt.dtype).astype(np.float64)
    bits = np.zeros(1 << 16, dtype=np.uint16)
    exact = np.full(1 << 16, np.nan)
    with np.errstate(all="ignore"):
        for index in np.flatnonzero(np.isfinite(inputs) & (inputs != 0)):
            bits[index], exact[index] = correctly_rounded(function, float(inputs[index]), fmt)
    for index in np.flatnonzero(~np.isfinite(inputs) | (inputs == 0)):
        exact[index] = special_value(function, float(inputs[index]))
        bits[index] = np.array(exact[index], dtype=fmt.dtype).view(np.uint16)
    return Reference(function, fmt.name, bits, exact)


def cache_path(function: str, format_name: str) -> Path:
    """Where the reference for ``function`` in ``format_name`` is cached."""
    root = os.environ.get("AUTONUMERICS_CACHE")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "autonumerics"
    return base / "lowbit" / f"{_VERSION}-{function}-{format_name}.npz"


def reference(function: str, format_name: str, cache: bool = True) -> Reference:
    """The correctly rounded results of ``function`` in ``format_name``, cached on disk.

    Args:
        function: one of ``LOWBIT_FUNCTIONS``.
        format_name: ``"bfloat16"`` or ``"float16"``.
        cache: read and write the on-disk cache.
    """
    fmt = low_format(format_name)
    if function not in LOWBIT_FUNCTIONS:
        choices = ", ".join(LOWBIT_FUNCTIONS)
        raise AutonumericsError(f"unknown low-bit function {function!r}; choose one of {choices}")
    path = cache_path(function, format_name)
    if cache and path.exists():
        with np.load(path) as stored:
            return Reference(function, format_name, stored["bits"], stored["exact"])
    result = _compute(function, fmt)
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(temporary, bits=result.bits, exact=result.exact)
        os.replace(temporary, path)
    return result
