"""The full-range expm1 kernel: IEEE specials, thresholds, tiny and subnormal inputs, bit-for-bit JAX / NumPy / C, accuracy."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from kernel_checks import (
    assert_committed_certificate_is_current,
    assert_committed_exports_current,
    assert_exports_agree,
    certify_numpy_export,
    kernel_exports,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

from autonumerics.errors import AutonumericsError
from autonumerics.kernels import build_kernel
from autonumerics.kernels.base import CORES_DIR as CORES
from autonumerics.kernels.expm1 import OVERFLOW, SATURATION

NAME = "expm1"
SATURATES = np.float32(float.fromhex(SATURATION))
OVERFLOWS = np.float32(float.fromhex(OVERFLOW))


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports(NAME, tmp_path_factory.mktemp(NAME))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    x = np.float32([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 3e38, -3e38, 100.0, -100.0])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[:2]).all(), language
        assert same_bits(y[2:], np.float32([np.inf, -1, 0.0, -0.0, np.inf, -1, np.inf, -1])).all(), language


def test_thresholds_are_exact():
    """SATURATION is the largest float32 whose expm1 rounds to -1 (e^x <= 2^-25, the tie going to
    the even -1), OVERFLOW the first whose expm1 rounds to +inf (>= 2^128 - 2^103)."""
    above = np.nextafter(SATURATES, np.float32(0))
    below = np.nextafter(OVERFLOWS, np.float32(0))
    with mpmath.workdps(50):
        assert mpmath.exp(float(SATURATES)) <= mpmath.mpf(2) ** -25 < mpmath.exp(float(above))
        assert mpmath.expm1(float(below)) < 2 ** mpmath.mpf(128) - 2 ** mpmath.mpf(103) <= mpmath.expm1(float(OVERFLOWS))


def test_kernel_switches_at_the_thresholds(exports):
    above = np.nextafter(SATURATES, np.float32(0))
    below = np.nextafter(OVERFLOWS, np.float32(0))
    x = np.float32([SATURATES, above, OVERFLOWS, below])
    for language, function in _all(exports):
        y = function(x)
        assert y[0] == -1 and y[1] == np.float32(-1 + 2.0**-24), language
        assert y[2] == np.inf and np.isfinite(y[3]), language


def test_tiny_and_subnormal_inputs_give_themselves_in_every_language(exports):
    """expm1(x) = x + x^2/2 rounds to x for |x| < 2^-24: the pair's low part carries x. JAX reads
    subnormal x as 0, where the x == 0 select hands back x itself."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-126, 1e-20, 1e-30, 2.0**-26])
    for language, function in _all(exports):
        assert same_bits(function(x), x).all() and same_bits(function(-x), -x).all(), language


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    x = spread_inputs(1 << 20, useful=(-18.0, 89.0))
    assert_exports_agree(exports, x)
    subnormal = x[(x != 0) & (np.abs(x) < 2.0**-126)]
    assert subnormal.size > 0 and same_bits(exports.jax(subnormal), exports.numpy(subnormal)).all()


def test_accuracy_against_mpmath_on_a_sample(exports):
    """Near |x| = ln2/2 the core is a sixth of the result: where a core's error shows."""
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-0.36, 0.36, 4000), rng.uniform(-1.1, 1.1, 2000), rng.uniform(-17.4, 88.7, 2000),
                        np.float32([0.34474203, -0.3466, 0.3466, 0.6931, -0.6931])])
    x = x.astype(np.float32)
    for language, function in _all(exports)[:2]:
        assert sampled_max_ulp(function, NAME, x) < 1.0, language


def test_a_core_for_another_function_is_refused():
    with pytest.raises(AutonumericsError, match="expm1 core 'expm1'"):
        build_kernel(NAME, {"expm1": str(CORES / "exp_core.json")})


def test_committed_exports_and_certificates_are_current(exports):
    """Both exports are certified on every float32: the JAX one and the NumPy one (which C equals)."""
    assert_committed_exports_current(exports, NAME)
    assert_committed_certificate_is_current(NAME)
    assert_committed_certificate_is_current(NAME, "numpy")


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    assert float(certify_numpy_export(NAME)["report"]["max_ulp"]) < 1.0
