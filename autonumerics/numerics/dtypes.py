"""Floating-point formats, one registry: name -> numpy dtype, IEEE parameters and bit layout."""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

from autonumerics.errors import AutonumericsError


@dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format.

    Attributes:
        name: the name users write (``"float32"``).
        dtype: the numpy dtype values are stored in (ml_dtypes for bfloat16).
        precision: significand bits including the implicit one (p); one ulp of 1.0 is 2**(1 - p).
        min_exponent: exponent of the smallest normal number (2**min_exponent).
        max_exponent: exponent of the largest binade (the largest finite is just below
            2**(max_exponent + 1)).
    """

    name: str
    dtype: np.dtype
    precision: int
    min_exponent: int
    max_exponent: int

    @property
    def min_subnormal_exponent(self) -> int:
        """Exponent of the smallest positive subnormal, the floor of the ulp."""
        return self.min_exponent - self.precision + 1

    @property
    def width(self) -> int:
        """Bits per value: sign, exponent field and stored significand."""
        return 8 * self.dtype.itemsize

    @property
    def exponent_bits(self) -> int:
        """Width of the exponent field (the sign takes one bit, the stored significand p - 1)."""
        return self.width - self.precision

    @property
    def bias(self) -> int:
        """Exponent bias: a normal number's field E means 2**(E - bias)."""
        return 1 - self.min_exponent

    @property
    def inf_bits(self) -> int:
        """Bit pattern of +inf."""
        return ((1 << self.exponent_bits) - 1) << (self.precision - 1)

    @property
    def nan_bits(self) -> int:
        """Bit pattern of the canonical quiet NaN."""
        return self.inf_bits | (1 << (self.precision - 2))


FORMATS: dict[str, FloatFormat] = {
    "float64": FloatFormat("float64", np.dtype(np.float64), 53, -1022, 1023),
    "float32": FloatFormat("float32", np.dtype(np.float32), 24, -126, 127),
    "bfloat16": FloatFormat("bfloat16", np.dtype(ml_dtypes.bfloat16), 8, -126, 127),
    "float16": FloatFormat("float16", np.dtype(np.float16), 11, -14, 15),
}


def float_format(name: str | FloatFormat) -> FloatFormat:
    """The format called ``name`` (a format is returned as is); an error naming the choices."""
    if isinstance(name, FloatFormat):
        return name
    try:
        return FORMATS[name]
    except KeyError:
        raise AutonumericsError(
            f"unknown dtype {name!r}; choose one of {', '.join(FORMATS)}"
        ) from None


def all_values(name: str) -> np.ndarray:
    """Every value of a 16-bit format (NaNs, infinities, subnormals included), in bit-pattern order.

    Raises:
        AutonumericsError: for an unknown format or one wider than 16 bits.
    """
    fmt = float_format(name)
    if fmt.dtype.itemsize != 2:
        raise AutonumericsError(f"all_values enumerates 16-bit formats only, not {name!r}")
    return np.arange(1 << 16, dtype=np.uint16).view(fmt.dtype)
