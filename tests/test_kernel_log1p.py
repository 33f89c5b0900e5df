"""The full-range log1p kernel: IEEE specials, tiny and subnormal inputs, bit-for-bit JAX / NumPy / C, accuracy."""

from __future__ import annotations

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

NAME = "log1p"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports(NAME, tmp_path_factory.mktemp(NAME))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    below = np.nextafter(np.float32(-1), np.float32(-2))
    x = np.float32([np.nan, -np.nan, below, -2.0, -np.inf, -3e38, -1.0, np.inf, 0.0, -0.0])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[:6]).all(), language
        assert same_bits(y[6:], np.float32([-np.inf, np.inf, 0.0, -0.0])).all(), language


def test_tiny_and_subnormal_inputs_give_themselves_in_every_language(exports):
    """log1p(x) = x - x^2/2 rounds to x for |x| < 2^-24: u = 1 and the 2Sum error c = x carries it.
    JAX reads subnormal x as 0, where the x == 0 select hands back x itself."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-126, 1e-20, 1e-30, 2.0**-26])
    for language, function in _all(exports):
        assert same_bits(function(x), x).all() and same_bits(function(-x), -x).all(), language


def test_just_above_minus_one_and_huge_inputs(exports):
    """u = 1 + x is exact down to 2^-24 (x = -1 + 2^-24), and 1 + x = x beyond 2^24 (c = 1)."""
    x = np.float32([-1 + 2.0**-24, -1 + 2.0**-23, -0.75, 2.0**24, 2.0**25 + 2, 3.4028234663852886e38])
    for language, function in _all(exports):
        assert sampled_max_ulp(function, NAME, x) < 1.0, language


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    x = spread_inputs(1 << 20, useful=(-1.0, 4.0))
    assert_exports_agree(exports, x)
    subnormal = x[(x != 0) & (np.abs(x) < 2.0**-126)]
    assert subnormal.size > 0 and same_bits(exports.jax(subnormal), exports.numpy(subnormal)).all()


def test_accuracy_against_mpmath_on_a_sample(exports):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-0.999, 1.0, 4000), rng.uniform(-2.0**-10, 2.0**-10, 1000),
                        np.exp2(rng.uniform(-40.0, 127.0, 2000)), -np.exp2(rng.uniform(-40.0, -1e-7, 2000))])
    x = x.astype(np.float32)
    for language, function in _all(exports)[:2]:
        assert sampled_max_ulp(function, NAME, x) < 1.0, language


def test_a_core_for_another_function_is_refused():
    with pytest.raises(AutonumericsError, match="log1p core 'poly'"):
        build_kernel(NAME, {"poly": str(CORES / "log2_core.json")})


def test_committed_exports_and_certificates_are_current(exports):
    """Both exports are certified on every float32: the JAX one and the NumPy one (which C equals)."""
    assert_committed_exports_current(exports, NAME)
    assert_committed_certificate_is_current(NAME)
    assert_committed_certificate_is_current(NAME, "numpy")


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    assert float(certify_numpy_export(NAME)["report"]["max_ulp"]) < 1.0
