"""Tests for autonumerics.verification.exhaustive: chunks, exact counts by brute force, workers."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.float_keys import float32_grid, float32_values
from autonumerics.verification.exhaustive import _chunks, exhaustive_float32

# The README's test vector: Sollya's degree-6 float32 polynomial for 2^x on [0, 1]
# (tests/data/sollya_exp2_fp32.json).
EXP2_DEG6 = (
    "0x1.c41242p-13", "0x1.4748aep-10", "0x1.3cfb6p-7", "0x1.c68b2ep-5",
    "0x1.ebfd38p-3", "0x1.62e42cp-1", "0x1p0",
)


class Horner32:
    """Float32 Horner evaluation, highest degree first, every op rounded (numpy never fuses)."""

    def __init__(self, hex_coefficients: tuple[str, ...]) -> None:
        self.coefficients = [np.float32(float.fromhex(c)) for c in hex_coefficients]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        p = np.full_like(x, self.coefficients[0])
        for c in self.coefficients[1:]:
            p = p * x + c
        return p


class Exp2:
    """A stand-in target: 2^x with numpy's float64 exp2 as the fast reference."""

    f64_rel_error_bound = 4e-16

    def reference_f64(self, x: np.ndarray) -> np.ndarray:
        return np.exp2(x)

    def mp(self, x: mpmath.mpf) -> mpmath.mpf:
        return mpmath.power(2, x)


class NoisyExp2(Exp2):
    """A poor reference, wrong by up to 9.9e-10 (0.017 ulp of float32), inside its claimed bound:
    thousands of verdicts near 0.5 and 1 ulp (and near 2^1) need mpmath."""

    f64_rel_error_bound = 1e-9

    def reference_f64(self, x: np.ndarray) -> np.ndarray:
        wobble = np.sin(x * 1e7) * 9.9e-10  # deterministic, either sign
        return np.exp2(x) * (1 + wobble)


class Constant:
    """Returns one float32 value everywhere."""

    def __init__(self, value: float) -> None:
        self.value = np.float32(value)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.full_like(x, self.value)


class NanAbove:
    """The polynomial, but NaN above a threshold."""

    def __init__(self, threshold: float) -> None:
        self.poly, self.threshold = Horner32(EXP2_DEG6), np.float32(threshold)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > self.threshold, np.float32(np.nan), self.poly(x))


class Step:
    """A target whose exact value 1 - 2^-60 (below 0.75) has the float64 reference 1.0: the
    reference sits on a power of two while the exact value is in the binade below."""

    f64_rel_error_bound = 1e-16

    def reference_f64(self, x: np.ndarray) -> np.ndarray:
        return np.where(x < 0.75, 1.0, 1.25)

    def mp(self, x: mpmath.mpf) -> mpmath.mpf:
        return 1 - mpmath.ldexp(1, -60) if x < 0.75 else mpmath.mpf(1.25)


class StepApprox:
    """3 ulps (of the binade below 1) under the exact value below 0.75, 2 ulps over above."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.where(x < 0.75, np.float32(1 - 3 * 2.0**-24), np.float32(1.25 + 2 * 2.0**-23))


class Float64Output:
    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.exp2(x.astype(np.float64))


# --- the chunks -----------------------------------------------------------------------------


def test_chunks_cover_the_keys_and_never_straddle_zero() -> None:
    chunks = _chunks(-10, 25, 4)
    assert [c[0] for c in chunks] == list(range(len(chunks)))
    keys = [k for _, start, n in chunks for k in range(start, start + n)]
    assert keys == list(range(-10, 15))
    assert all(start >= 0 or start + n <= 0 for _, start, n in chunks)


# --- exact counts against an independent brute force ----------------------------------------


def _brute_force(x: np.ndarray, approx: np.ndarray) -> tuple[int, int, int, float, float]:
    """(n >= 0.5 ulp, n >= 1 ulp, n correctly rounded, max ulp, worst x) for 2^x, from float64
    with its own ulp formula, mpmath (60 digits) wherever float64 is within 1e-6 of a verdict."""
    y = np.exp2(x.astype(np.float64))
    ulp = np.exp2(np.floor(np.log2(y)) - 23)
    err = np.abs(approx.astype(np.float64) - y) / ulp
    ge_half, ge_one = err >= 0.5, err >= 1.0
    doubtful = (np.abs(err - 0.5) < 1e-6) | (np.abs(err - 1.0) < 1e-6) | (err >= err.max() - 1e-6)
    doubtful |= np.abs(np.log2(y) - np.round(np.log2(y))) < 1e-12  # binade edges
    with mpmath.workdps(60):
        for i in np.flatnonzero(doubtful):
            exact = mpmath.power(2, mpmath.mpf(float(x[i])))
            _, exponent = mpmath.frexp(exact)
            ulp = mpmath.ldexp(1, int(exponent) - 24)
            distance = abs(mpmath.mpf(float(approx[i])) - exact) / ulp
            ge_half[i], ge_one[i], err[i] = distance >= 0.5, distance >= 1, float(distance)
    worst = int(np.argmax(err))
    n_half = int(np.count_nonzero(ge_half))
    n_one = int(np.count_nonzero(ge_one))
    return n_half, n_one, x.size - n_half, float(err[worst]), float(x[worst])


@pytest.mark.parametrize("target", [Exp2(), NoisyExp2()], ids=["exp2", "noisy-reference"])
def test_slice_matches_brute_force(target: Exp2) -> None:
    a, b = 0.99, 1.0  # 167 773 inputs, including the worst input of the whole [0, 1]
    x = float32_values(*float32_grid(a, b))
    poly = Horner32(EXP2_DEG6)
    n_half, n_one, n_correct, max_ulp, worst = _brute_force(x, poly(x))
    report = exhaustive_float32(poly, target, (a, b), workers=0, chunk_size=50_000)
    assert report.exhaustive and report.n_points == x.size
    assert (report.n_ge_half_ulp, report.n_ge_one_ulp) == (n_half, n_one)
    assert report.n_correctly_rounded == n_correct
    assert report.max_ulp == pytest.approx(max_ulp, rel=1e-14) and report.worst_input == worst
    assert report.max_ulp == pytest.approx(1.2781, abs=5e-5) and abs(worst - 0.99504) < 5e-5
    assert report.worst_output == float(poly(np.array([worst], np.float32))[0])


def test_negative_inputs_match_brute_force() -> None:
    a, b = -1.0, -0.985
    x = float32_values(*float32_grid(a, b))
    poly = Horner32(EXP2_DEG6)
    n_half, n_one, n_correct, max_ulp, worst = _brute_force(x, poly(x))
    report = exhaustive_float32(poly, Exp2(), (a, b), workers=0)
    assert report.n_points == x.size
    counts = (report.n_ge_half_ulp, report.n_ge_one_ulp, report.n_correctly_rounded)
    assert counts == (n_half, n_one, n_correct)
    assert report.max_ulp == pytest.approx(max_ulp, rel=1e-14) and report.worst_input == worst


def test_around_zero_where_the_binade_is_uncertain() -> None:
    # 2^x for |x| <= 2^-140 is 1 ± 1e-42: float64 says exactly 1 and cannot tell the binade.
    interval = (-(2.0**-140), 2.0**-140)
    exact_one = exhaustive_float32(Horner32(EXP2_DEG6), Exp2(), interval, workers=0)
    assert exact_one.n_points == 1025
    assert exact_one.n_correctly_rounded == 1025 and exact_one.n_ge_half_ulp == 0
    # 1 - 2^-24 is 1 - tiny ulp off below 0 (ulp 2^-24), exactly 0.5 ulp at 0, 0.5 + tiny above.
    below_one = exhaustive_float32(Constant(1 - 2.0**-24), Exp2(), interval, workers=0)
    assert below_one.n_ge_half_ulp == 1025 and below_one.n_ge_one_ulp == 0
    assert below_one.n_correctly_rounded == 0
    assert below_one.max_ulp == pytest.approx(1.0, abs=1e-30) and below_one.worst_input < 0


def test_reference_on_a_power_of_two_is_not_trusted_for_the_binade() -> None:
    # Against the reference 1.0 the errors below 0.75 look like 1.5 ulp; they are 3 - 2^-36.
    report = exhaustive_float32(StepApprox(), Step(), (0.75 - 2.0**-21, 0.75 + 2.0**-21), workers=0)
    assert report.n_points == 17 and report.n_ge_one_ulp == 17
    assert report.max_ulp == 3 - 2.0**-36 and report.worst_input < 0.75


def test_nonfinite_outputs_count_as_infinite_error() -> None:
    threshold = 0.9999
    report = exhaustive_float32(
        NanAbove(threshold), Exp2(), (0.999, 1.0), workers=0, chunk_size=5000
    )
    n_nan = float32_grid(float(np.nextafter(np.float32(threshold), np.float32(2))), 1.0)[1]
    assert report.max_ulp == math.inf and report.worst_input > threshold
    assert report.worst_input == float(np.nextafter(np.float32(threshold), np.float32(2)))
    assert report.n_ge_one_ulp >= n_nan and report.n_points - report.n_correctly_rounded >= n_nan


def test_approx_fn_must_return_float32() -> None:
    with pytest.raises(AutonumericsError, match="float32"):
        exhaustive_float32(Float64Output(), Exp2(), (0.5, 0.5001), workers=0)


def test_the_fake_reference_keeps_its_error_bound() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 2000).astype(np.float32).astype(np.float64)
    with mpmath.workdps(40):
        worst = max(abs(mpmath.mpf(float(r)) / mpmath.power(2, mpmath.mpf(float(v))) - 1)
                    for v, r in zip(x, np.exp2(x), strict=True))
    assert float(worst) < Exp2.f64_rel_error_bound


# --- processes ------------------------------------------------------------------------------


def test_workers_give_the_inline_report_and_progress() -> None:
    interval, poly = (0.995, 1.0), Horner32(EXP2_DEG6)
    inline = exhaustive_float32(poly, Exp2(), interval, workers=0, chunk_size=20_000)
    seen: list[tuple[int, int]] = []
    pooled = exhaustive_float32(poly, Exp2(), interval, workers=2, chunk_size=20_000,
                                progress=lambda done, total: seen.append((done, total)))
    assert pooled == inline
    total = float32_grid(*interval)[1]
    assert len(seen) == math.ceil(total / 20_000) and seen[-1] == (total, total)
    assert all(a[0] < b[0] for a, b in itertools.pairwise(seen))


@pytest.mark.slow
def test_whole_unit_interval_test_vector() -> None:
    report = exhaustive_float32(Horner32(EXP2_DEG6), Exp2(), (0.0, 1.0), workers=2)
    assert report.n_points == 1_065_353_217
    assert report.n_ge_one_ulp == 21_292
    assert report.max_ulp == pytest.approx(1.2781, abs=5e-5)
    assert abs(report.worst_input - 0.99504) < 5e-5
