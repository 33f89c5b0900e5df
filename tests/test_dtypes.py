"""Tests for autonumerics.numerics.dtypes: the one registry of float formats and their bits."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import FORMATS, all_values, float_format

_UNSIGNED = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _bits(value: float, name: str) -> int:
    fmt = FORMATS[name]
    return int(np.array(value, fmt.dtype).view(_UNSIGNED[fmt.dtype.itemsize]))


@pytest.mark.parametrize("name", list(FORMATS))
def test_parameters_match_the_dtype(name: str) -> None:
    fmt = FORMATS[name]
    info = ml_dtypes.finfo(fmt.dtype)  # numpy's finfo for the IEEE types, and bfloat16
    assert fmt.name == name and fmt.width == info.bits
    assert fmt.precision == info.nmant + 1
    assert 2.0**fmt.min_exponent == float(info.smallest_normal)
    assert 2.0**fmt.min_subnormal_exponent == float(info.smallest_subnormal)
    assert math.ldexp(2 - 2.0 ** (1 - fmt.precision), fmt.max_exponent) == float(info.max)


@pytest.mark.parametrize("name", list(FORMATS))
def test_bit_layout_matches_the_dtype(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.exponent_bits == ml_dtypes.finfo(fmt.dtype).nexp
    assert fmt.exponent_bits + fmt.precision == fmt.width  # and the sign bit
    assert _bits(1.0, name) == fmt.bias << (fmt.precision - 1)
    assert _bits(math.inf, name) == fmt.inf_bits
    nan = np.array(fmt.nan_bits, _UNSIGNED[fmt.dtype.itemsize]).view(fmt.dtype)
    assert np.isnan(nan)
    assert fmt.nan_bits >> (fmt.precision - 2) & 1  # quiet: the top stored significand bit set
    assert fmt.nan_bits == _bits(np.nan, name) & ~(1 << (fmt.width - 1))  # numpy's NaN, unsigned


def test_float_format_takes_a_name_or_a_format() -> None:
    assert float_format("float32") is FORMATS["float32"]
    assert float_format(FORMATS["bfloat16"]) is FORMATS["bfloat16"]
    with pytest.raises(AutonumericsError,
                       match="unknown dtype 'float8'; choose one of float64, float32"):
        float_format("float8")


@pytest.mark.parametrize("name", ["bfloat16", "float16"])
def test_all_values_of_a_16_bit_format(name: str) -> None:
    values = all_values(name)
    assert values.dtype == FORMATS[name].dtype and values.size == 1 << 16
    np.testing.assert_array_equal(values.view(np.uint16), np.arange(1 << 16))


def test_all_values_refuses_wider_formats() -> None:
    with pytest.raises(AutonumericsError, match="16-bit formats only"):
        all_values("float32")
