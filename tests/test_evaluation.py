"""Measuring programs: the README's float32 test vector on a slice, exhaustive vs a brute force."""

import numpy as np
import pytest

from autonumerics.ir.parse import parse_expr
from autonumerics.numerics.fma import _fma_odd
from autonumerics.truth.targets import get_target
from autonumerics.verification.evaluation import ProgramFunction, measure

COEFFICIENTS = ["0x1.c41242p-13", "0x1.4748aep-10", "0x1.3cfb6p-7", "0x1.c68b2ep-5",
                "0x1.ebfd38p-3", "0x1.62e42cp-1", "0x1p0"]
HORNER = ("0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7"
          " + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))")
SLICE = (0.99, 1.0)


def _brute_force_ulps(fused: bool) -> np.ndarray:
    """Each float32 of the slice, Horner by hand (exact FMA or 2 roundings), ULP vs float64 exp2."""
    lo, hi = (np.float32(v).view(np.int32) for v in SLICE)
    x = np.arange(lo + (np.float32(SLICE[0]) < SLICE[0]), hi + 1,
                  dtype=np.int32).view(np.float32)
    coefficients = [np.float32(float.fromhex(c)) for c in COEFFICIENTS]
    p = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        p = _fma_odd(p, x, np.full_like(x, c), np.dtype(np.float32)) if fused else p * x + c
    exact = np.exp2(x.astype(np.float64))
    ulp = np.exp2(np.floor(np.log2(exact)) - 23)
    return np.abs(p.astype(np.float64) - exact) / ulp


@pytest.mark.parametrize("semantics, fused", [("xla", True), ("strict", False)])
def test_exhaustive_slice_matches_brute_force(semantics, fused):
    ulps = _brute_force_ulps(fused)
    # float64 decides every count here: no error lies within 1e-6 ulp of a threshold
    assert np.all(np.abs(ulps - 1.0) > 1e-6) and np.all(np.abs(ulps - 0.5) > 1e-6)
    report = measure(parse_expr(HORNER), get_target("exp2"), SLICE, "float32", semantics,
                     exhaustive=True, workers=0)
    assert report.exhaustive and report.n_points == ulps.size
    assert report.n_ge_one_ulp == int(np.sum(ulps >= 1.0))
    assert report.n_ge_half_ulp == int(np.sum(ulps >= 0.5))
    assert report.max_ulp == pytest.approx(ulps.max(), abs=1e-7)


def test_the_slice_separates_the_two_semantics():
    # The test vector's headline: under 1 ulp with FMA, not without (here on the slice).
    assert _brute_force_ulps(True).max() < 0.9
    assert _brute_force_ulps(False).max() > 1.2


def test_sampled_float32_points_are_float32_values():
    report = measure(parse_expr(HORNER), get_target("exp2"), (0.0, 1.0), "float32", points=2000)
    assert report.n_points == 2000 and not report.exhaustive and report.max_ulp < 1.0


def test_program_function_blocks_agree_with_one_pass():
    function = ProgramFunction(parse_expr(HORNER), "float32", "xla")
    x = np.random.default_rng(0).random(function.block * 3 + 5).astype(np.float32)
    whole = ProgramFunction(parse_expr(HORNER), "float32", "xla")
    whole.block = x.size
    assert np.array_equal(function(x), whole(x))


def test_float64_measurement_of_a_minimax_like_polynomial():
    report = measure(parse_expr("1 + x*(0.6951 + x*0.3049)"), get_target("exp2"), (0.0, 1.0),
                     points=500)
    assert 1e-3 < report.max_rel_error < 2e-2 and report.max_ulp is not None
