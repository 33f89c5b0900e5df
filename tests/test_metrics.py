"""Tests for autonumerics.numerics.metrics: ULP sizes, exact rounding, ULP errors against mpmath."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.numerics.dtypes import FORMATS, float_format
from autonumerics.numerics.metrics import (
    inverse_ulp_size,
    relative_errors,
    round_to_format,
    ulp_error_at_least,
    ulp_errors,
    ulp_size,
)

LOW_PRECISION = ["float32", "bfloat16", "float16"]


def _ulp(hi: float, lo: float, name: str) -> float:
    return float(ulp_size(np.array([hi]), np.array([lo]), name)[0])


# --- ulp_size -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FORMATS))
def test_ulp_size_at_binade_edges(name: str) -> None:
    fmt = float_format(name)
    one = 2.0 ** (1 - fmt.precision)
    assert _ulp(1.0, 0.0, name) == one
    assert _ulp(1.0, 1e-300, name) == one  # exact value just above 1: same binade
    assert _ulp(1.0, -1e-300, name) == one / 2  # just below 1: the binade below
    assert _ulp(-1.0, 1e-300, name) == one / 2  # lo pulls -1 towards zero
    assert _ulp(-1.0, -1e-300, name) == one
    assert _ulp(np.nextafter(2.0, 0.0), 0.0, name) == one
    assert _ulp(2.0, 0.0, name) == 2 * one
    assert _ulp(1.5, -1e-300, name) == one  # not a power of two: lo cannot change the binade


@pytest.mark.parametrize("name", list(FORMATS))
def test_ulp_size_subnormal_floor(name: str) -> None:
    fmt = float_format(name)
    floor = math.ldexp(1.0, fmt.min_subnormal_exponent)
    smallest_normal = math.ldexp(1.0, fmt.min_exponent)
    assert _ulp(smallest_normal, 0.0, name) == floor
    assert _ulp(2 * smallest_normal, 0.0, name) == 2 * floor
    assert _ulp(smallest_normal / 8, 0.0, name) == floor
    assert _ulp(0.0, 0.0, name) == floor
    assert _ulp(-smallest_normal / 3, 0.0, name) == floor


@pytest.mark.parametrize("name", LOW_PRECISION)
def test_inverse_ulp_bit_trick_matches_ulp_size(name: str) -> None:
    rng = np.random.default_rng(1)
    hi = rng.uniform(0.5, 1.0, 20_000) * np.exp2(rng.integers(-160, 140, 20_000))
    hi *= rng.choice([-1.0, 1.0], hi.size)
    hi = np.concatenate([hi, [0.0, 1.0, -2.0, 2.0**-149, 2.0**-126, 2.0**-14, 65504.0]])
    inverse = inverse_ulp_size(hi, float_format(name))
    np.testing.assert_array_equal(inverse, 1.0 / ulp_size(hi, np.zeros_like(hi), name))


def test_inverse_ulp_refuses_float64() -> None:
    with pytest.raises(ValueError, match="float64"):
        inverse_ulp_size(np.ones(3), float_format("float64"))


# --- round_to_format ------------------------------------------------------------------------


def _round_oracle(hi: float, lo: float, name: str) -> float:
    """Round the exact rational hi + lo to the format: mpmath for normal numbers, an exact
    fraction on the subnormal grid below them."""
    fmt = float_format(name)
    exact = Fraction(hi) + Fraction(lo)
    if abs(exact) >= Fraction(2) ** fmt.min_exponent:
        with mpmath.workprec(fmt.precision):  # mpmath rounds to nearest, ties to even
            value = mpmath.mpf(mpmath.mpf(hi, prec=53) + mpmath.mpf(lo, prec=53))
            rounded = float(value)
    else:
        step = Fraction(2) ** fmt.min_subnormal_exponent
        rounded = float(round(exact / step) * step)  # round() on a Fraction: ties to even
    top = math.ldexp(1.0, fmt.max_exponent + 1)
    return math.copysign(math.inf, rounded) if abs(rounded) >= top else rounded


def _midpoints(name: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Values exactly halfway between neighbours of the format, normal and subnormal."""
    fmt = float_format(name)
    mantissa = rng.integers(2 ** (fmt.precision - 1), 2**fmt.precision, n) + 0.5
    exponent = rng.integers(fmt.min_subnormal_exponent, fmt.max_exponent - fmt.precision + 1, n)
    return np.ldexp(mantissa, exponent) * rng.choice([-1.0, 1.0], n)


@pytest.mark.parametrize("name", LOW_PRECISION)
def test_round_to_format_on_and_near_midpoints(name: str) -> None:
    rng = np.random.default_rng(7)
    hi = _midpoints(name, rng, 300)
    hi = np.concatenate([hi, hi, hi, rng.standard_normal(300)])
    tiny = np.abs(hi) * 2.0**-60
    lo = np.concatenate([np.zeros(300), tiny[300:600], -tiny[600:900], np.zeros(300)])
    rounded = round_to_format(hi, lo, name)
    assert rounded.dtype == float_format(name).dtype
    expected = [_round_oracle(h, low, name)
                for h, low in zip(hi.tolist(), lo.tolist(), strict=True)]
    np.testing.assert_array_equal(rounded.astype(np.float64), expected)


@pytest.mark.parametrize("name", LOW_PRECISION)
def test_round_to_format_overflow_and_specials(name: str) -> None:
    fmt = float_format(name)
    top = math.ldexp(1.0, fmt.max_exponent + 1)
    largest = top - math.ldexp(1.0, fmt.max_exponent + 1 - fmt.precision)
    half_step = (top - largest) / 2
    hi = np.array([largest, largest + half_step, largest + half_step, -top, 0.0, np.nan])
    lo = np.array([0.0, 0.0, -1e-300, 0.0, 0.0, 0.0])
    out = round_to_format(hi, lo, name).astype(np.float64)
    assert out[0] == largest and out[1] == np.inf and out[2] == largest  # tie goes to even (inf)
    assert out[3] == -np.inf and out[4] == 0.0 and np.isnan(out[5])


def test_round_to_format_float64_is_the_rounded_sum() -> None:
    hi = np.array([1.0, 1.0, 1.0])
    lo = np.array([2.0**-53, 2.0**-53 + 2.0**-100, -(2.0**-54)])
    np.testing.assert_array_equal(round_to_format(hi, lo, "float64"), [1.0, 1.0 + 2.0**-52, 1.0])


# --- ULP errors against mpmath ----------------------------------------------------------------


def _exact(x: float) -> mpmath.mpf:
    return mpmath.exp(mpmath.mpf(x)) * mpmath.sin(mpmath.mpf(x) + 1)


def _mp_ulp_error(approx: float, exact: mpmath.mpf, name: str) -> float:
    fmt = float_format(name)
    _, exponent = mpmath.frexp(exact)  # |exact| = m * 2**exponent, m in [0.5, 1)
    ulp_exponent = max(int(exponent) - 1 - (fmt.precision - 1), fmt.min_subnormal_exponent)
    if exact == 0:
        ulp_exponent = fmt.min_subnormal_exponent
    return float(abs(mpmath.mpf(approx) - exact) / mpmath.ldexp(1, ulp_exponent))


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(LOW_PRECISION),
    x=st.floats(-3.0, 3.0, allow_nan=False),
    scale=st.integers(-30, 10),
    steps=st.integers(-3, 3),
)
def test_ulp_errors_match_mpmath(name: str, x: float, scale: int, steps: int) -> None:
    fmt = float_format(name)
    with mpmath.workdps(40):
        exact = mpmath.ldexp(_exact(x), scale)
        hi = float(exact)
        lo = float(exact - hi)
        nearest = float(round_to_format(np.array([hi]), np.array([lo]), fmt)[0])
        # a value of the format a few steps away from the correctly rounded one
        approx = float(np.array([nearest + steps * _ulp(nearest, 0.0, name)]).astype(fmt.dtype)[0])
        expected = _mp_ulp_error(approx, exact, name)
    got = float(ulp_errors(np.array([approx]), np.array([hi]), np.array([lo]), fmt)[0])
    assert got == pytest.approx(expected, rel=1e-13, abs=1e-300)
    for threshold in (0.5, 1.0):
        pair = np.array([approx]), np.array([hi]), np.array([lo])
        verdict = ulp_error_at_least(*pair, fmt, threshold)
        with mpmath.workdps(40):
            bound = threshold * mpmath.mpf(_ulp(hi, lo, name))
            assert bool(verdict[0]) == (abs(mpmath.mpf(approx) - exact) >= bound)
    assert (approx == nearest) == (expected < 0.5)  # correctly rounded <=> error below half an ulp


def test_threshold_verdict_is_exact_where_the_quotient_rounds() -> None:
    approx = np.array([1 - 2.0**-24, 1 + 2.0**-23, 1 + 2.0**-24])
    hi = np.ones(3)
    lo = np.array([-1e-40, 1e-40, 0.0])  # errors 1 - 2e-33, 1 - 1e-33, and exactly 0.5
    assert ulp_errors(approx, hi, lo, "float32").tolist() == [1.0, 1.0, 0.5]  # rounded quotients
    assert ulp_error_at_least(approx, hi, lo, "float32", 1.0).tolist() == [False, False, False]
    assert ulp_error_at_least(approx, hi, lo, "float32", 0.5).tolist() == [True, True, True]


def test_nonfinite_outputs_have_infinite_error() -> None:
    approx = np.array([np.nan, np.inf, -np.inf, 1.0])
    hi, lo = np.ones(4), np.zeros(4)
    assert ulp_errors(approx, hi, lo, "float32").tolist() == [np.inf, np.inf, np.inf, 0.0]
    assert relative_errors(approx, hi, lo).tolist() == [np.inf, np.inf, np.inf, 0.0]
    assert ulp_error_at_least(approx, hi, lo, "float32", 1.0).tolist() == [True, True, True, False]


def test_relative_error_where_exact_is_zero() -> None:
    rel = relative_errors(np.array([0.0, 1e-30, 0.5]), np.array([0.0, 0.0, 1.0]), np.zeros(3))
    assert rel.tolist() == [0.0, np.inf, 0.5]
