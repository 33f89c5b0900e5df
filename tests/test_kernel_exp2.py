"""The full-range exp2 kernel: IEEE specials, bit-for-bit JAX / NumPy / C, accuracy against mpmath."""

from __future__ import annotations

import json

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


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports("exp2", tmp_path_factory.mktemp("exp2"))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    x = np.float32([np.nan, np.inf, -np.inf, 0.0, -0.0, 128.0, 1e30, -150.0, -151.0, -1e30, 127.99999])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[0]), language
        assert list(y[1:10]) == [np.inf, 0.0, 1.0, 1.0, np.inf, np.inf, 0.0, 0.0, 0.0], language
        assert np.isfinite(y[10]) and y[10] > 3e38, language


def test_integers_give_exact_powers_of_two(exports):
    n = np.arange(-126, 128)
    for language, function in _all(exports):
        assert (function(n.astype(np.float32)) == np.ldexp(np.float32(1.0), n)).all(), language


def test_subnormal_results_ieee_in_numpy_and_c_flushed_in_jax(exports):
    x = np.float32([-149.0, -140.5, -127.0, -149.9])
    want = np.exp2(x.astype(np.float64)).astype(np.float32)  # exact enough: these round far from ties
    for language, function in _all(exports):
        y = function(x)
        assert (y == 0).all() if language == "jax" else same_bits(y, want).all(), language


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    flushed = assert_exports_agree(exports, spread_inputs(1 << 20, useful=(-155.0, 130.0)))
    assert flushed > 0  # the sample reaches the subnormal results


def test_accuracy_against_mpmath_on_a_sample(exports):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-126.0, 128.0, 4000), rng.uniform(-1.0, 1.0, 2000),
                        rng.uniform(-1e-6, 1e-6, 500)]).astype(np.float32)
    assert sampled_max_ulp(exports.numpy, "exp2", x) < 1.0
    assert sampled_max_ulp(exports.jax, "exp2", x) < 1.0


def test_committed_exports_are_current(exports):
    assert_committed_exports_current(exports, "exp2")


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    from autonumerics.truth.targets import get_target
    from autonumerics.verification.verify import kernel_subject, verify_every_float

    subject, _ = kernel_subject(REPO_ROOT / "autonumerics/kernels/certified/exp2_numpy.py")
    certificate = verify_every_float(subject, get_target("exp2"), workers=2).to_json()
    assert float(certificate["report"]["max_ulp"]) <= 1.0
    assert json.dumps(certificate)  # strict JSON
