"""Quantization parameters (scale, dyadic multiplier, zero point, storage dtype), (de)quantizing.

A real value ``x`` is stored as the integer ``q = clip(round(x / scale) + zero_point, qmin, qmax)``
and read back as ``(q - zero_point) * scale``. Integer-only kernels never see ``scale`` as a float:
they use its dyadic form ``M * 2**-shift`` with ``M`` an int32, computed here with exact rationals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from autonumerics.errors import AutonumericsError

# Storage dtypes: (lowest, highest) representable integer.
STORAGE_RANGES: dict[str, tuple[int, int]] = {
    "int8": (-128, 127),
    "uint8": (0, 255),
    "int16": (-32768, 32767),
    "int32": (-(2**31), 2**31 - 1),  # accumulators and exp outputs; never enumerated as a grid
}
ROUNDING_MODES = ("half_even", "half_away", "floor")


@dataclass(frozen=True)
class QuantParams:
    """How reals map to stored integers.

    Attributes:
        scale: the real value of one step (one LSB), > 0.
        zero_point: the stored integer that represents 0.0; must lie in the storage range.
        dtype: the storage dtype, one of ``STORAGE_RANGES``.
        narrow_range: drop the lowest code (int8 -> [-127, 127]) so the range is symmetric.
        rounding: how ``x / scale`` becomes an integer: ``half_even`` (ties to even, as
            ``np.rint``), ``half_away`` (ties away from zero) or ``floor``.
    """

    scale: float
    zero_point: int = 0
    dtype: str = "int8"
    narrow_range: bool = False
    rounding: str = "half_even"

    def __post_init__(self) -> None:
        if self.dtype not in STORAGE_RANGES:
            raise AutonumericsError(f"unknown storage dtype {self.dtype!r} (choose from "
                                    f"{', '.join(STORAGE_RANGES)})")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise AutonumericsError(f"scale must be a finite positive number, got {self.scale!r}")
        if self.rounding not in ROUNDING_MODES:
            raise AutonumericsError(f"unknown rounding mode {self.rounding!r} (choose from "
                                    f"{', '.join(ROUNDING_MODES)})")
        low, high = self.qrange
        if not low <= self.zero_point <= high:
            raise AutonumericsError(f"zero point {self.zero_point} outside the {self.dtype} range "
                                    f"[{low}, {high}]")

    @property
    def qrange(self) -> tuple[int, int]:
        """The lowest and highest stored integer (narrow range drops the lowest)."""
        low, high = STORAGE_RANGES[self.dtype]
        return (low + 1 if self.narrow_range else low), high

    def grid(self) -> np.ndarray:
        """Every stored integer, lowest first, as int64 (the full input grid of a kernel)."""
        low, high = self.qrange
        return np.arange(low, high + 1, dtype=np.int64)

    def dyadic(self, bits: int = 31) -> tuple[int, int]:
        """The scale as ``M * 2**-shift`` with ``2**(bits-1) <= M < 2**bits``.

        M fits int32 for bits <= 31. ``M`` is the exact scale rounded to nearest (ties to even) at
        that precision, so the relative error is at most ``2**-bits``. ``shift`` may be negative for
        scales >= 2**bits.
        """
        return dyadic(Fraction(self.scale), bits)


def dyadic(value: Fraction, bits: int = 31) -> tuple[int, int]:
    """A positive rational as ``M * 2**-shift``: ``2**(bits-1) <= M < 2**bits``, M to nearest."""
    if value <= 0:
        raise AutonumericsError(f"a dyadic multiplier needs a positive value, got {value}")
    # floor(log2(value)) exactly: start from the float estimate and correct by comparison.
    exponent = math.floor(math.log2(value.numerator) - math.log2(value.denominator))
    while Fraction(2) ** exponent > value:
        exponent -= 1
    while Fraction(2) ** (exponent + 1) <= value:
        exponent += 1
    shift = bits - 1 - exponent
    multiplier = round(value * Fraction(2) ** shift)  # Fraction.__round__ is ties-to-even
    if multiplier == 2**bits:  # rounding carried into the next binade
        multiplier, shift = multiplier // 2, shift - 1
    return multiplier, shift


def _round_numpy(values: np.ndarray, mode: str) -> np.ndarray:
    if mode == "half_even":
        return np.rint(values)
    if mode == "floor":
        return np.floor(values)
    # Ties away from zero without the float trap of floor(|v| + 0.5) (0.49999997 + 0.5 rounds up):
    # v - trunc(v) is exact, so compare the fraction itself with 1/2.
    whole = np.trunc(values)
    with np.errstate(invalid="ignore"):  # inf - inf: saturated later anyway
        fraction = values - whole
    return whole + np.where(np.abs(fraction) >= 0.5, np.sign(values), 0.0)


def quantize(x: np.ndarray, params: QuantParams) -> np.ndarray:
    """Reals to stored integers (int64 array), saturating at the storage range.

    The division ``x / scale`` is done in x's floating dtype (float32 stays float32) so that
    ``quantize_jax`` on the same float32 input gives the same integers.
    """
    values = np.asarray(x)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    scaled = values / values.dtype.type(params.scale)
    low, high = params.qrange
    rounded = _round_numpy(scaled, params.rounding)
    # Clip in float before converting so huge values and infinities saturate instead of wrapping.
    clipped = np.clip(np.nan_to_num(rounded + params.zero_point, nan=params.zero_point), low, high)
    return clipped.astype(np.int64)


def dequantize(q: np.ndarray, params: QuantParams, dtype: type = np.float64) -> np.ndarray:
    """Stored integers to reals: ``(q - zero_point) * scale`` in ``dtype``."""
    centred = (np.asarray(q, dtype=np.int64) - params.zero_point).astype(dtype)
    return centred * np.dtype(dtype).type(params.scale)


def quantize_jax(x, params: QuantParams):
    """JAX twin of ``quantize``: same rounding, same saturation, returns int32."""
    import jax.numpy as jnp

    values = jnp.asarray(x)
    scaled = values / jnp.asarray(params.scale, dtype=values.dtype)
    if params.rounding == "half_even":
        rounded = jnp.round(scaled)
    elif params.rounding == "floor":
        rounded = jnp.floor(scaled)
    else:
        whole = jnp.trunc(scaled)
        rounded = whole + jnp.where(jnp.abs(scaled - whole) >= 0.5, jnp.sign(scaled), 0.0)
    low, high = params.qrange
    shifted = jnp.nan_to_num(rounded + params.zero_point, nan=params.zero_point)
    return jnp.clip(shifted, low, high).astype(jnp.int32)


def dequantize_jax(q, params: QuantParams, dtype=None):
    """JAX twin of ``dequantize`` (float32 unless ``dtype`` says otherwise)."""
    import jax.numpy as jnp

    dtype = jnp.float32 if dtype is None else dtype
    centred = (jnp.asarray(q, dtype=jnp.int32) - params.zero_point).astype(dtype)
    return centred * jnp.asarray(params.scale, dtype=dtype)
