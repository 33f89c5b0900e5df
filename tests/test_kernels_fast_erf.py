"""The fast-tier erf kernel (autonumerics/kernels/fast/erf.py): its exports agree bit for bit,
match the committed files, stay within 3.5 ULP on samples and give the IEEE special values, the
odd symmetry and the saturation threshold. Built from the module directly (registered or not)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from kernel_checks import CERTIFIED, assert_exports_agree, same_bits, sampled_max_ulp, spread_inputs
from test_kernels_fast_tse import build

KID = "erf_fast"
SATURATION = np.float32(float.fromhex("0x1.f5a88ap+1"))  # 3.9192059: erf rounds to 1 from here
NAN_PAYLOADS = np.uint32([0x7FC00000, 0x7F800001, 0x7FC001FF, 0xFFFFFFFF, 0x7F8001FF])


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return build(KID, tmp_path_factory.mktemp(KID))


def test_committed_exports_are_current(exports):
    for language, suffix in (("jax", ".py"), ("numpy", "_numpy.py"), ("c", ".h")):
        committed = (CERTIFIED / f"{KID}{suffix}").read_text()
        assert committed == getattr(exports.source, language), language


def test_exports_agree_bit_for_bit(exports):
    assert assert_exports_agree(exports, spread_inputs(1 << 18, useful=(-4.5, 4.5))) > 0


def test_accuracy_against_mpmath_on_a_sample(exports):
    """The small core's worst (near 0.97), the tail's (near 1), the rest, tiny inputs."""
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-4.0, 4.0, 2000), rng.uniform(0.9, 1.1, 1500),
                        2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)])
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, KID, x.astype(np.float32)) < 3.2, language


def test_ieee_special_values_and_nan_payloads(exports):
    x = np.float32([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30])
    want = np.float32([0.0, -0.0, 1.0, -1.0, np.nan, 1.0, -1.0])
    for language, function in exports.languages():
        assert same_bits(function(x), want).all(), (language, function(x))
        assert np.isnan(function(NAN_PAYLOADS.view(np.float32))).all(), language


def test_odd_symmetry_bit_for_bit(exports):
    x = spread_inputs(1 << 14, useful=(-5.0, 5.0), seed=3)
    x = x[np.isfinite(x)]
    for language, function in exports.languages():
        assert same_bits(function(-x), -function(x)).all(), language


def test_one_exactly_from_the_saturation_threshold_on_and_never_above(exports):
    with mpmath.workdps(50):
        assert 1 - mpmath.erf(float(SATURATION)) <= 2.0**-25
    low, high = np.float32(3.5).view(np.int32), np.float32(4.5).view(np.int32)
    x = np.concatenate([np.arange(low, high, 5, dtype=np.int32).view(np.float32),
                        [SATURATION, np.nextafter(SATURATION, np.float32(0))]])
    for language, function in exports.languages():
        y = function(x)
        assert (y <= 1).all() and (y[x >= SATURATION] == 1).all(), language


def test_subnormal_inputs_within_one_unit_in_numpy_and_c(exports):
    """erf(x) = 2/sqrt(pi) x for subnormal x: one rounding of fma(x, Q, x), Q(0) off by 4e-8."""
    x = np.arange(1, 1 << 23, 4099, dtype=np.int32).view(np.float32)
    exact = x.astype(np.float64) / 2.0**-149 * float(2 / mpmath.sqrt(mpmath.pi))
    for language, function in exports.languages("numpy", "c"):
        assert np.max(np.abs(function(x).astype(np.float64) / 2.0**-149 - exact)) < 1.0, language
    assert (exports.jax(x) == 0).all()
