"""Tests for autonumerics.numerics.float_keys: ordered float32 keys, runs of keys, the grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.float_keys import (
    float32_grid,
    float32_key,
    float32_keys,
    float32_run,
    float32_values,
    keys_to_float32,
)

KEYS = st.integers(-(2**31) + 1, 2**31 - 1)
BITS = st.integers(0, 2**32 - 1)
FLOATS = st.floats(width=32, allow_nan=False)  # infinities and subnormals included
INF_KEY = 0x7F800000


def _from_bits(bits: int) -> np.float32:
    return np.array(bits, np.uint32).view(np.float32)[()]


# --- the map --------------------------------------------------------------------------------


def test_known_keys() -> None:
    values = np.array([-np.inf, -1.0, -2.0**-149, -0.0, 0.0, 2.0**-149, 1.0, np.inf], np.float32)
    expected = [-INF_KEY, -0x3F800000, -1, 0, 0, 1, 0x3F800000, INF_KEY]
    assert float32_keys(values).tolist() == expected
    assert float32_keys(values).dtype == np.int64
    assert [float32_key(v) for v in values] == expected


def test_zeros_share_key_zero_and_come_back_positive() -> None:
    assert float32_key(-0.0) == float32_key(0.0) == 0
    zero = keys_to_float32(np.array([0]))
    assert zero.tolist() == [0.0] and not np.signbit(zero[0])


def test_nan_keys_lie_beyond_the_infinities() -> None:
    quiet, negative = _from_bits(0x7FC00000), _from_bits(0xFFC00000)
    assert float32_key(quiet) == 0x7FC00000 > INF_KEY
    assert float32_key(negative) == -0x7FC00000 < -INF_KEY
    assert float32_key(_from_bits(0x7F800001)) == INF_KEY + 1  # the first NaN follows +inf


def test_scalar_key_rounds_to_the_nearest_float32() -> None:
    assert float32_key(1.0 + 2.0**-30) == float32_key(1.0)
    assert float32_key(0.1) == int(np.float32(0.1).view(np.int32))


@settings(max_examples=300)
@given(KEYS)
def test_keys_round_trip(key: int) -> None:
    value = keys_to_float32(np.array([key], np.int64))
    assert value.dtype == np.float32
    assert float32_keys(value).tolist() == [key]


@settings(max_examples=300)
@given(BITS)
def test_bits_round_trip_except_negative_zero(bits: int) -> None:
    key = float32_key(_from_bits(bits))
    back = int(keys_to_float32(np.array([key])).view(np.uint32)[0])
    assert back == (0 if bits == 0x80000000 else bits)


@settings(max_examples=300)
@given(FLOATS, FLOATS)
def test_keys_order_like_values(a: float, b: float) -> None:
    key_a, key_b = float32_key(a), float32_key(b)
    assert (key_a < key_b) == (a < b)
    assert (key_a == key_b) == (a == b)  # -0 == +0


@settings(max_examples=300)
@given(FLOATS.filter(lambda v: v != math.inf))
def test_the_next_float32_has_the_next_key(value: float) -> None:
    with np.errstate(over="ignore"):  # the largest finite steps to inf
        up = np.nextafter(np.float32(value), np.float32(np.inf))
    assert float32_key(up) == float32_key(value) + 1  # across zero too: -0 and +0 are one key


def test_every_bit_pattern_on_a_stride() -> None:
    bits = np.arange(0, 2**32, 65521, dtype=np.int64).astype(np.uint32)  # both signs, NaNs too
    values = bits.view(np.float32)
    keys = float32_keys(values)
    magnitude = (bits & 0x7FFFFFFF).astype(np.int64)
    np.testing.assert_array_equal(keys, np.where(bits >= 0x80000000, -magnitude, magnitude))
    ordered = ~np.isnan(values)
    by_value = np.argsort(values[ordered], kind="stable")
    assert np.all(np.diff(keys[ordered][by_value]) >= 0)


# --- runs of keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, count", [(0, 50), (123456, 7), (-50, 50), (-0x7F800000, 9), (7, 0)]
)
def test_run_matches_the_map(start: int, count: int) -> None:
    iota, out = np.arange(64, dtype=np.int32), np.full(64, -7, np.int32)
    run = float32_run(start, count, iota, out)
    assert run.dtype == np.float32 and run.size == count
    expected = keys_to_float32(np.arange(start, start + count))
    np.testing.assert_array_equal(run.view(np.int32), expected.view(np.int32))
    assert count == 0 or np.shares_memory(run, out)


def test_run_refuses_to_straddle_zero() -> None:
    iota, out = np.arange(8, dtype=np.int32), np.empty(8, np.int32)
    with pytest.raises(ValueError, match="straddle"):
        float32_run(-3, 5, iota, out)


# --- the grid -------------------------------------------------------------------------------


def test_float32_grid_counts() -> None:
    assert float32_grid(0.0, 1.0) == (0, 0x3F800000 + 1)  # 1 065 353 217 inputs
    assert float32_grid(-0.0, 0.0) == (0, 1)  # ±0 once
    assert float32_grid(-1.0, 1.0) == (-0x3F800000, 2 * 0x3F800000 + 1)
    assert float32_grid(-1.0, -0.5)[1] == 2**23 + 1
    with pytest.raises(AutonumericsError):
        float32_grid(1.0, 0.5)
    with pytest.raises(AutonumericsError):
        float32_grid(math.nan, 1.0)
    with pytest.raises(AutonumericsError):
        float32_grid(1.00000001, 1.00000002)  # no float32 in between


@pytest.mark.parametrize(
    "a, b", [(0.1, 0.1000001), (-0.3, -0.2999999), (-1e-44, 1e-44), (3.0, 3.0)]
)
def test_float32_values_are_every_float32_in_the_interval(a: float, b: float) -> None:
    values = float32_values(*float32_grid(a, b))
    assert values.dtype == np.float32 and values.size >= 1
    assert a <= float(values[0]) and float(values[-1]) <= b
    up, down = np.float32(np.inf), np.float32(-np.inf)
    assert float(np.nextafter(values[0], down)) < a and float(np.nextafter(values[-1], up)) > b
    np.testing.assert_array_equal(values[1:], np.nextafter(values[:-1], up))


def test_float32_values_across_zero() -> None:
    tiny = 2.0**-149
    values = float32_values(*float32_grid(-2 * tiny, 2 * tiny))
    assert values.tolist() == [-2 * tiny, -tiny, 0.0, tiny, 2 * tiny]
    assert not np.signbit(values[2])


def test_grid_rounds_bounds_inwards() -> None:
    first, count = float32_grid(-1e300, 1e300)  # finite bounds beyond float32: the largest finite
    largest = float(np.finfo(np.float32).max)
    assert keys_to_float32(np.array([first, first + count - 1])).tolist() == [-largest, largest]
    first, count = float32_grid(-math.inf, math.inf)
    assert (first, count) == (-INF_KEY, 2 * INF_KEY + 1)
    assert float32_grid(1.0 + 2.0**-30, 2.0 - 2.0**-30) == (float32_key(1.0) + 1, 2**23 - 1)
