"""The full-range tanh kernel: IEEE specials, symmetry, saturation, bit-for-bit JAX / NumPy / C, accuracy."""

from __future__ import annotations

import hashlib
import json

import mpmath
import numpy as np
import pytest
from kernel_checks import (
    CERTIFIED,
    REPO_ROOT,
    assert_committed_exports_current,
    assert_exports_agree,
    kernel_exports,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

from autonumerics.errors import AutonumericsError
from autonumerics.kernels import build_kernel
from autonumerics.kernels.tanh import SATURATION, SMALL_LIMIT

SATURATES = np.float32(float.fromhex(SATURATION))
LIMIT = np.float32(float.fromhex(SMALL_LIMIT))
FOLDER = REPO_ROOT / "results/kernels/tanh"  # its certificates
EXPORT = CERTIFIED / "tanh.py"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports("tanh", tmp_path_factory.mktemp("tanh"))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    x = np.float32([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 3e38, -3e38, 20.0, -20.0])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[:2]).all(), language
        assert same_bits(y[2:], np.float32([1, -1, 0.0, -0.0, 1, -1, 1, -1])).all(), language


def test_saturation_threshold_is_exact():
    """T is the first float32 whose tanh rounds to 1: 1 - tanh(T) <= 2^-25 (a tie goes to 1, the
    even one) and 1 - tanh of the float32 below it is above 2^-25."""
    below = np.nextafter(SATURATES, np.float32(0))
    with mpmath.workdps(40):
        assert 1 - mpmath.tanh(float(SATURATES)) <= mpmath.mpf(2) ** -25 < 1 - mpmath.tanh(float(below))


def test_kernel_saturates_at_the_threshold_and_not_before(exports):
    below = np.nextafter(SATURATES, np.float32(0))
    x = np.float32([SATURATES, -SATURATES, below, -below])
    for language, function in _all(exports):
        assert same_bits(function(x), np.float32([1, -1, 1 - 2.0**-24, -(1 - 2.0**-24)])).all(), language


def test_odd_symmetry_bit_for_bit(exports):
    x = spread_inputs(1 << 14, useful=(-10.0, 10.0), seed=3)
    x = x[np.isfinite(x)]
    for language, function in _all(exports):
        assert same_bits(function(-x), -function(x)).all(), language


def test_tiny_inputs_give_themselves_in_numpy_and_c(exports):
    """tanh(x) = x - x^3/3 rounds to x below 2^-12: the small core ends in fma(x t, Q, x), whose
    product never rounds on its own, so subnormal inputs come back unchanged (JAX reads them as 0)."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-127, 2.0**-126, 1e-20, 1e-30, 2.0**-13])
    for language, function in _all(exports)[1:]:
        assert same_bits(function(x), x).all() and same_bits(function(-x), -x).all(), language
    y = exports.jax(x)
    assert (y[:4] == 0).all() and same_bits(y[4:], x[4:]).all()


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    flushed = assert_exports_agree(exports, spread_inputs(1 << 20, useful=(-10.0, 10.0)))
    assert flushed > 0  # the random bit patterns reach the subnormal inputs


def test_accuracy_against_mpmath_on_a_sample(exports):
    """Around both paths, the switch between them (0.7) and the saturation threshold."""
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-9.5, 9.5, 3000), rng.uniform(0.6, 0.8, 1000), rng.uniform(8.9, 9.02, 500),
                        2.0 ** rng.uniform(-125, 0, 1000), np.nextafter(LIMIT, np.float32([0, 1]))]).astype(np.float32)
    assert sampled_max_ulp(exports.numpy, "tanh", x) < 1.0
    assert sampled_max_ulp(exports.jax, "tanh", x) < 1.0


def test_every_float32_around_the_switch_within_one_ulp(exports):
    """Every float32 in [0.6, 0.8], where both paths are at their worst (the small core's
    correction and E = e^-2a are largest there), against float64 tanh (exact to ~1e-16, far below
    the float32 rounding boundaries that matter at this tolerance); JAX computes the same bits."""
    low, high = np.float32(0.6).view(np.int32), np.float32(0.8).view(np.int32)
    x = np.arange(low, high, dtype=np.int32).view(np.float32)
    y = exports.numpy(x).astype(np.float64)
    exact = np.tanh(x.astype(np.float64))
    ulps = np.abs(y - exact) / np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    assert ulps.max() < 0.9
    assert same_bits(exports.jax(x), exports.numpy(x)).all()


def test_every_float32_from_the_threshold_on_gives_exactly_one(exports):
    """Saturation needs no select: from T on, E < 2^-26 and the exp path rounds to 1 by itself."""
    low, high = SATURATES.view(np.int32), np.float32(10.0).view(np.int32)
    x = np.arange(low, high, dtype=np.int32).view(np.float32)
    for language, function in _all(exports):
        assert (function(x) == 1).all() and (function(-x) == -1).all(), language


def test_a_core_for_another_function_is_refused(tmp_path):
    core = json.loads((REPO_ROOT / "autonumerics/kernels/cores/exp_core.json").read_text())
    core["target"] = "exp2"
    (tmp_path / "exp2.json").write_text(json.dumps(core))
    with pytest.raises(AutonumericsError, match="exp2"):
        build_kernel("tanh", {"exp": str(tmp_path / "exp2.json")})
    with pytest.raises(AutonumericsError, match="no core role 'expm1'; its roles: small, exp"):
        build_kernel("tanh", {"expm1": str(REPO_ROOT / "autonumerics/kernels/cores/tanh_core_expm1.json")})


def test_committed_exports_are_current(exports):
    assert_committed_exports_current(exports, "tanh")


def test_committed_certificate_is_complete_current_and_within_one_ulp():
    path = FOLDER / "certificate.json"
    if not path.exists():
        pytest.skip("certificate not written yet")
    certificate = json.loads(path.read_text())
    assert certificate["subject"]["file_sha256"] == hashlib.sha256(EXPORT.read_bytes()).hexdigest()
    assert certificate["all_floats"]["complete"] and certificate["report"]["exhaustive"]
    assert float(certificate["report"]["max_ulp"]) <= 1.0 and certificate["report"]["n_ge_one_ulp"] == 0
    parts = certificate["all_floats"]
    assert parts["nan_inputs"]["n_correct"] == parts["nan_inputs"]["n_inputs"] == 2 * (2**23 - 1)
    finite = certificate["report"]["n_points"] + parts["subnormal_input"]["n_points"]
    finite += parts.get("subnormal_result", {}).get("n_inputs", 0)
    assert finite == 2**32 - 2**24 - 1  # every finite pattern once, +0 and -0 being one key


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    """The JAX export over all 2^32 bit patterns (several minutes with two workers)."""
    from autonumerics.truth.targets import get_target
    from autonumerics.verification.verify import kernel_subject, verify_every_float

    subject, _ = kernel_subject(EXPORT)
    certificate = verify_every_float(subject, get_target("tanh"), workers=2).to_json()
    assert float(certificate["report"]["max_ulp"]) <= 1.0
    assert json.dumps(certificate)  # strict JSON
