"""Tests for autonumerics.quant.params: ranges, dyadic scales, (de)quantize in NumPy and JAX."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.errors import AutonumericsError
from autonumerics.quant.params import (
    QuantParams,
    dequantize,
    dequantize_jax,
    dyadic,
    quantize,
    quantize_jax,
)


@pytest.mark.parametrize("dtype, narrow, expected", [
    ("int8", False, (-128, 127)), ("int8", True, (-127, 127)),
    ("uint8", False, (0, 255)), ("int16", False, (-32768, 32767)),
])
def test_ranges_and_grid(dtype: str, narrow: bool, expected: tuple[int, int]) -> None:
    params = QuantParams(0.1, 0 if dtype != "uint8" else 128, dtype, narrow)
    assert params.qrange == expected
    grid = params.grid()
    assert grid[0] == expected[0] and grid[-1] == expected[1]
    assert len(grid) == expected[1] - expected[0] + 1


@pytest.mark.parametrize("kwargs, word", [
    ({"scale": 0.0}, "scale"), ({"scale": float("nan")}, "scale"),
    ({"scale": 1.0, "dtype": "int4"}, "int4"),
    ({"scale": 1.0, "zero_point": 300}, "300"), ({"scale": 1.0, "rounding": "up"}, "up"),
])
def test_bad_params_name_the_value(kwargs: dict, word: str) -> None:
    with pytest.raises(AutonumericsError, match=word):
        QuantParams(**kwargs)


@given(st.floats(1e-9, 1e9, allow_nan=False))
def test_dyadic_is_within_half_ulp_of_the_exact_scale(scale: float) -> None:
    multiplier, shift = dyadic(Fraction(scale))
    assert 2**30 <= multiplier < 2**31
    error = abs(Fraction(multiplier) / Fraction(2) ** shift - Fraction(scale))
    assert error <= Fraction(scale) * Fraction(1, 2**31)


def test_dyadic_of_a_power_of_two_is_exact() -> None:
    assert dyadic(Fraction(1, 64)) == (2**30, 36)


@pytest.mark.parametrize("rounding", ["half_even", "half_away", "floor"])
def test_quantize_rounding_and_saturation(rounding: str) -> None:
    params = QuantParams(0.5, 3, "int8", rounding=rounding)
    x = np.array([0.25, -0.25, 0.75, 0.2499999, 1e9, -1e9, np.inf, -np.inf])
    expected = {
        "half_even": [3, 3, 5, 3, 127, -128, 127, -128],
        "half_away": [4, 2, 5, 3, 127, -128, 127, -128],
        "floor": [3, 2, 4, 3, 127, -128, 127, -128],
    }[rounding]
    assert quantize(x, params).tolist() == expected


@pytest.mark.parametrize("rounding", ["half_even", "half_away", "floor"])
def test_jax_quantize_matches_numpy_on_float32(rounding: str) -> None:
    params = QuantParams(2.0**-5, -7, "int8", rounding=rounding)
    rng = np.random.default_rng(0)
    ties = (np.arange(-300, 300) + 0.5) * 2.0**-5
    x = np.concatenate([rng.normal(0, 3, 4000), ties]).astype(np.float32)
    assert np.array_equal(np.asarray(quantize_jax(x, params)), quantize(x, params))


def test_round_trip_on_every_stored_integer() -> None:
    for params in (QuantParams(2.0**-6), QuantParams(0.0173, 12, "uint8"),
                   QuantParams(2.0**-12, 0, "int16")):
        grid = params.grid()
        assert np.array_equal(quantize(dequantize(grid, params), params), grid)
        assert np.array_equal(np.asarray(dequantize_jax(grid, params)),
                              dequantize(grid, params, np.float32))


@settings(max_examples=50)
@given(st.floats(-1e3, 1e3), st.floats(1e-4, 10.0))
def test_quantize_error_is_at_most_half_a_step_inside_the_range(x: float, scale: float) -> None:
    params = QuantParams(scale, 0, "int16")
    q = int(quantize(np.array([x]), params)[0])
    low, high = params.qrange
    if low < q < high:
        assert abs(q * scale - x) <= 0.5 * scale * (1 + 1e-12)
