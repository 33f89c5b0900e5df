"""Tests for autonumerics.truth.ground_truth: point sets and cached double-double labels."""

from __future__ import annotations

import math
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.float_keys import float32_keys
from autonumerics.truth import ground_truth
from autonumerics.truth.ground_truth import POINT_KINDS, labels, make_points
from autonumerics.truth.targets import TARGETS, get_target

INTERVALS = [
    (0.0, 1.0), (-1.0, 1e-3), (-3.5, -2.25), (1e-30, 1e-29), (-1e308, 1e308), (1.0, 1.0 + 2**-20)
]


def _next_float32(value: float, direction: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.nextafter(np.float32(value), np.float32(direction)))


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUTONUMERICS_CACHE", str(tmp_path / "labels"))
    return tmp_path / "labels"


@pytest.mark.parametrize("kind", POINT_KINDS)
@pytest.mark.parametrize("interval", INTERVALS)
def test_points_are_sorted_unique_inside_with_endpoints(kind: str, interval) -> None:
    a, b = interval
    points = make_points(interval, 257, kind, rng=np.random.default_rng(7))
    assert points.dtype == np.float64 and points.ndim == 1
    assert np.all(np.diff(points) > 0)
    assert a <= points[0] and points[-1] <= b
    assert 2 <= points.size <= 257
    if kind == "float32":
        assert np.all(points.astype(np.float32).astype(np.float64) == points)
        # the endpoints are a and b rounded inward to float32: the next float32 out is outside
        assert _next_float32(points[0], -np.inf) < a and _next_float32(points[-1], np.inf) > b
    else:
        assert points[0] == a and points[-1] == b
        assert points.size == 257 or (b - a) / 257 < 1e-15 * max(abs(a), abs(b))


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(-1e6, 1e6),
    width=st.floats(1e-3, 1e6),
    n=st.integers(2, 300),
    kind=st.sampled_from(POINT_KINDS),
)
def test_points_properties_hold_for_any_interval(a: float, width: float, n: int, kind: str) -> None:
    b = a + width
    nearest = np.float32(a)
    candidates = (float(nearest), _next_float32(nearest, np.inf))
    if kind == "float32" and not any(a <= value <= b for value in candidates):
        with pytest.raises(AutonumericsError, match="no float32"):
            make_points((a, b), n, kind)
        return
    points = make_points((a, b), n, kind, rng=np.random.default_rng(n))
    assert np.all(np.diff(points) > 0) and a <= points[0] and points[-1] <= b
    assert points.size <= n
    if kind != "float32":
        assert points[0] == a and points[-1] == b


def test_float32_points_are_equally_spaced_in_ulps_across_zero() -> None:
    points = make_points((-2.0, 3.0), 1001, "float32")
    steps = np.diff(float32_keys(points))
    assert points.size == 1001 and steps.max() - steps.min() <= 1
    assert np.any(points < 0) and np.any(points > 0)
    assert points[0] == -2.0 and points[-1] == 3.0
    # so the points crowd near zero, where float32 values are dense
    assert np.sum(np.abs(points) < 1e-10) > 400


def test_float32_points_return_every_float_when_few() -> None:
    points = make_points((1.0, 1.0 + 16 * 2.0**-23), 100, "float32")
    assert np.array_equal(points, 1.0 + np.arange(17) * 2.0**-23)
    with pytest.raises(AutonumericsError, match="no float32"):
        make_points((0.1, np.nextafter(0.1, 1.0)), 10, "float32")


def test_chebyshev_points_are_the_extrema_of_t_n_minus_1() -> None:
    a, b, n = -0.5, 2.0, 9
    expected = (a + b) / 2 - (b - a) / 2 * np.cos(np.pi * np.arange(n) / (n - 1))
    np.testing.assert_allclose(make_points((a, b), n, "chebyshev"), expected, rtol=0, atol=1e-15)


def test_random_points_need_a_generator_and_are_reproducible() -> None:
    with pytest.raises(AutonumericsError, match="rng"):
        make_points((0.0, 1.0), 10, "random")
    first = make_points((0.0, 1.0), 50, "random", np.random.default_rng(3))
    again = make_points((0.0, 1.0), 50, "random", np.random.default_rng(3))
    assert np.array_equal(first, again) and first.size == 50


@pytest.mark.parametrize(
    ("interval", "n", "kind", "named"),
    [
        ((1.0, 0.0), 10, "uniform", "reversed"),
        ((0.0, math.inf), 10, "uniform", "non-finite"),
        ((0.0, 1.0), 1, "uniform", "n=1"),
        ((0.0, 1.0), 10, "sobol", "sobol"),
    ],
)
def test_make_points_errors(interval, n, kind, named) -> None:
    with pytest.raises(AutonumericsError, match=named):
        make_points(interval, n, kind)


@pytest.mark.parametrize("name", list(TARGETS))
def test_labels_are_the_rounded_exact_value(name: str) -> None:
    target = TARGETS[name]
    a, b = target.default_intervals[0]
    points = make_points((a, b), 40, "random", np.random.default_rng(11))
    hi, lo = labels(target, points, digits=30, cache=False)
    with mpmath.workdps(40):
        for x, h, low in zip(points, hi, lo, strict=True):
            exact = target.mp(mpmath.mpf(float(x)))
            assert h == float(exact)  # hi: the nearest float64
            assert low == float(exact - mpmath.mpf(h))  # lo: the nearest float64 to the rest
            if exact != 0:
                error = abs(mpmath.mpf(h) + mpmath.mpf(low) - exact)
                assert error <= mpmath.mpf(2) ** -105 * abs(exact)


def test_labels_survive_cancellation_in_custom_expressions() -> None:
    # exp(x) - 1 loses ~66 bits at 1e-20: the labels must still be expm1 to the last bit.
    points = np.array([1e-20, -3e-12, 0.5])
    hi, lo = labels(get_target("exp(x) - 1"), points, cache=False)
    with mpmath.workdps(50):
        for x, h, low in zip(points, hi, lo, strict=True):
            exact = mpmath.expm1(mpmath.mpf(float(x)))
            assert (h, low) == (float(exact), float(exact - mpmath.mpf(h)))


def test_labels_mark_undefined_values_nan_and_overflow_inf() -> None:
    hi, lo = labels(get_target("log(x) + 1/x"), np.array([-1.0, 0.0, 2.0]), cache=False)
    assert np.isnan(hi[:2]).all() and np.all(lo[:2] == 0)
    assert hi[2] == pytest.approx(math.log(2) + 0.5, rel=1e-16)
    hi, lo = labels(TARGETS["exp"], np.array([1000.0, -1000.0, np.nan]), cache=False)
    assert hi[0] == np.inf and hi[1] == 0.0 and np.isnan(hi[2])


def test_labels_are_cached_and_the_cache_is_hit(private_cache: Path, monkeypatch) -> None:
    target, points = TARGETS["erf"], make_points((0.0, 1.0), 64)
    hi, lo = labels(target, points)
    files = list(private_cache.iterdir())
    assert len(files) == 1 and files[0].suffix == ".npz"

    def no_computing(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(ground_truth, "_exact_double_doubles", no_computing)
    cached_hi, cached_lo = labels(target, points)
    assert np.array_equal(cached_hi, hi) and np.array_equal(cached_lo, lo)
    with pytest.raises(AssertionError, match="cache"):
        labels(target, points, digits=31)  # another key
    with pytest.raises(AssertionError, match="cache"):
        labels(TARGETS["erfc"], points)


def test_a_corrupt_cache_file_is_recomputed(private_cache: Path) -> None:
    target, points = TARGETS["exp2"], make_points((0.0, 1.0), 16)
    hi, lo = labels(target, points)
    (path,) = private_cache.iterdir()
    path.write_bytes(b"not a zip file")
    again_hi, again_lo = labels(target, points)
    assert np.array_equal(again_hi, hi) and np.array_equal(again_lo, lo)
    assert [p.name for p in private_cache.iterdir()] == [path.name]  # rewritten, no temp left


def test_no_cache_writes_nothing(private_cache: Path) -> None:
    labels(TARGETS["exp2"], make_points((0.0, 1.0), 8), cache=False)
    assert not private_cache.exists()


def test_labels_reject_bad_arguments() -> None:
    with pytest.raises(AutonumericsError, match="1-D"):
        labels(TARGETS["exp2"], np.zeros((2, 2)))
    with pytest.raises(AutonumericsError, match="digits"):
        labels(TARGETS["exp2"], np.zeros(2), digits=0)
