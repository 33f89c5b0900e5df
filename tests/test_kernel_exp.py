"""The full-range exp kernel: IEEE specials, bit-for-bit JAX / NumPy / C, accuracy against mpmath."""

from __future__ import annotations

import numpy as np
import pytest
from kernel_checks import (
    REPO_ROOT,
    assert_committed_exports_current,
    assert_exports_agree,
    kernel_exports,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

LAST_FINITE = np.float32(float.fromhex("0x1.62e42ep+6"))  # 88.72283172607422: e^x still rounds below 2^128


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports("exp", tmp_path_factory.mktemp("exp"))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values_and_thresholds(exports):
    x = np.float32([np.nan, np.inf, -np.inf, 0.0, -0.0, 88.72283935546875, 1e30, -103.98, -1e30, LAST_FINITE])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[0]), language
        assert list(y[1:9]) == [np.inf, 0.0, 1.0, 1.0, np.inf, np.inf, 0.0, 0.0], language
        assert np.isfinite(y[9]) and y[9] > 3.4e38, language


def test_subnormal_results_ieee_in_numpy_and_c_flushed_in_jax(exports):
    x = np.float32([-103.9, -100.0, -90.0, -87.5])
    want = np.exp(x.astype(np.float64)).astype(np.float32)  # these round far from ties
    for language, function in _all(exports):
        y = function(x)
        assert (y == 0).all() if language == "jax" else same_bits(y, want).all(), language


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    flushed = assert_exports_agree(exports, spread_inputs(1 << 20, useful=(-110.0, 90.0)))
    assert flushed > 0  # the sample reaches the subnormal results


def test_accuracy_against_mpmath_on_a_sample(exports):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-87.3, 88.72, 4000), rng.uniform(-1.0, 1.0, 2000),
                        rng.uniform(-1e-6, 1e-6, 500), [LAST_FINITE]]).astype(np.float32)
    assert sampled_max_ulp(exports.numpy, "exp", x) < 1.0
    assert sampled_max_ulp(exports.jax, "exp", x) < 1.0


def test_committed_exports_are_current(exports):
    assert_committed_exports_current(exports, "exp")


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    from autonumerics.truth.targets import get_target
    from autonumerics.verification.verify import kernel_subject, verify_every_float

    subject, _ = kernel_subject(REPO_ROOT / "autonumerics/kernels/certified/exp_numpy.py")
    certificate = verify_every_float(subject, get_target("exp"), workers=2).to_json()
    assert float(certificate["report"]["max_ulp"]) <= 1.0
