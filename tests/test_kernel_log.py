"""The full-range natural log kernel: IEEE specials, log(1) = +0, subnormal inputs, bit-for-bit JAX / NumPy / C, accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from kernel_checks import (
    assert_committed_exports_current,
    assert_exports_agree,
    certify_numpy_export,
    kernel_exports,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

NAME = "log"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports(NAME, tmp_path_factory.mktemp(NAME))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    x = np.float32([np.nan, -np.nan, -1.0, -np.inf, -(2.0**-149), -3e38, np.inf, 0.0, -0.0, 1.0])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[:6]).all(), language
        assert same_bits(y[6:], np.float32([np.inf, -np.inf, -np.inf, 0.0])).all(), language  # log2(1) = +0


def test_subnormal_inputs_in_every_language(exports):
    """Subnormal inputs are normalised with integer operations that XLA does not flush: JAX, NumPy
    and C all give log(x) within 1 ULP, and log(2^-149) = -149 ln2 correctly rounded."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-140, 1.5 * 2.0**-130, 2.0**-127, 2.0**-126])
    for language, function in _all(exports):
        assert sampled_max_ulp(function, NAME, x) < 1.0, language
        assert function(x[:1])[0] == np.float32(-149 * np.log(2.0)), language


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    x = spread_inputs(1 << 20, useful=(0.0, 4.0))
    assert_exports_agree(exports, x)
    subnormal = x[(x > 0) & (x < 2.0**-126)]
    assert subnormal.size > 0 and same_bits(exports.jax(subnormal), exports.numpy(subnormal)).all()


def test_accuracy_against_mpmath_on_a_sample(exports):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(0.5, 2.0, 4000), rng.uniform(1.0 - 2.0**-10, 1.0 + 2.0**-10, 1000),
                        np.exp2(rng.uniform(-149.0, 128.0, 3000))]).astype(np.float32)
    x = x[(x > 0) & np.isfinite(x)]
    for language, function in _all(exports)[:2]:
        assert sampled_max_ulp(function, NAME, x) < 1.0, language


def test_committed_exports_are_current(exports):
    assert_committed_exports_current(exports, "log")


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    assert float(certify_numpy_export(NAME)["report"]["max_ulp"]) < 1.0
