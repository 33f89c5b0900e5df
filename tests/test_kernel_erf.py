"""The full-range erf kernel: IEEE specials, symmetry, saturation, bit-for-bit JAX / NumPy / C, accuracy."""

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
from autonumerics.kernels.erf import CENTRE, SATURATION

SATURATES = np.float32(float.fromhex(SATURATION))


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports("erf", tmp_path_factory.mktemp("erf"))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    x = np.float32([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 3e38, -3e38, 10.0, -10.0])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[:2]).all(), language
        assert same_bits(y[2:], np.float32([1, -1, 0.0, -0.0, 1, -1, 1, -1])).all(), language


def test_saturation_threshold_is_exact():
    """T is the first float32 whose erf rounds to 1: erfc(T) <= 2^-25 (ties go to 1, the even one)
    and erfc of the float32 below it is above 2^-25."""
    below = np.nextafter(SATURATES, np.float32(0))
    with mpmath.workdps(40):
        assert mpmath.erfc(float(SATURATES)) <= mpmath.mpf(2) ** -25 < mpmath.erfc(float(below))


def test_kernel_saturates_at_the_threshold_and_not_before(exports):
    below = np.nextafter(SATURATES, np.float32(0))
    x = np.float32([SATURATES, -SATURATES, below, -below])
    for language, function in _all(exports):
        y = function(x)
        assert list(y[:2]) == [1.0, -1.0], language
        assert same_bits(y[2:], np.float32([1 - 2.0**-24, -(1 - 2.0**-24)])).all(), language


def test_odd_symmetry_bit_for_bit(exports):
    x = spread_inputs(1 << 14, useful=(-5.0, 5.0), seed=3)
    x = x[np.isfinite(x)]
    for language, function in _all(exports):
        assert same_bits(function(-x), -function(x)).all(), language


def test_tiny_inputs_in_numpy_and_c(exports):
    """x + x*Q(x^2) ends in one FMA, so x*Q never underflows on its own: subnormal inputs give
    2x/sqrt(pi) within 1 ULP (units of 2^-149), and JAX reads them as 0."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-127, 2.0**-126, 1e-20, 2.0**-12, 1e-30])
    with mpmath.workdps(40):
        want = np.float32([float(mpmath.erf(float(v))) for v in x])
    for language, function in _all(exports)[1:]:
        assert sampled_max_ulp(function, "erf", x) < 1.0, language
        assert (function(x) > 0).all() and same_bits(function(x[:2]), want[:2]).all(), language
    jax_y = exports.jax(x)
    assert (jax_y[:4] == 0).all() and sampled_max_ulp(exports.jax, "erf", x[4:]) < 1.0


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    flushed = assert_exports_agree(exports, spread_inputs(1 << 20, useful=(-4.5, 4.5)))
    assert flushed > 0  # the random bit patterns reach the subnormal inputs


def test_accuracy_against_mpmath_on_a_sample(exports):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-4.0, 4.0, 4000), rng.uniform(0.9, 1.1, 1000),
                        rng.uniform(3.8, 3.95, 500), 2.0 ** rng.uniform(-125, -1, 1000)]).astype(np.float32)
    assert sampled_max_ulp(exports.numpy, "erf", x) < 1.0
    assert sampled_max_ulp(exports.jax, "erf", x) < 1.0


def test_a_core_for_another_function_is_refused(tmp_path):
    core = json.loads((REPO_ROOT / "autonumerics/kernels/cores/erf_tail.json").read_text())
    core["target"] = "erf(x + 2.25)"
    (tmp_path / "tail.json").write_text(json.dumps(core))
    with pytest.raises(AutonumericsError, match="tail"):
        build_kernel("erf", {"tail": str(tmp_path / "tail.json")})


def test_tail_core_targets_the_kernel_centre():
    core = json.loads((REPO_ROOT / "autonumerics/kernels/cores/erf_tail.json").read_text())
    assert CENTRE in core["target"]


def test_committed_exports_are_current(exports):
    assert_committed_exports_current(exports, "erf")


def test_committed_certificate_is_complete_current_and_within_one_ulp():
    certificate = json.loads((REPO_ROOT / "results/kernels/erf/certificate.json").read_text())
    export = CERTIFIED / "erf.py"
    assert certificate["subject"]["file_sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert certificate["all_floats"]["complete"] and certificate["report"]["exhaustive"]
    assert float(certificate["report"]["max_ulp"]) <= 1.0 and certificate["report"]["n_ge_one_ulp"] == 0
    parts = certificate["all_floats"]
    assert parts["nan_inputs"]["n_correct"] == parts["nan_inputs"]["n_inputs"] == 2 * (2**23 - 1)
    # every finite pattern (2^32 minus the 2^24 with exponent 255) once, +0 and -0 being one key
    finite = certificate["report"]["n_points"] + parts["subnormal_input"]["n_points"] + parts["subnormal_result"]["n_inputs"]
    assert finite == 2**32 - 2**24 - 1


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    """The JAX export over all 2^32 bit patterns (about 2.5 minutes with two workers)."""
    from autonumerics.truth.targets import get_target
    from autonumerics.verification.verify import kernel_subject, verify_every_float

    subject, _ = kernel_subject(REPO_ROOT / "autonumerics/kernels/certified/erf.py")
    certificate = verify_every_float(subject, get_target("erf"), workers=2).to_json()
    assert float(certificate["report"]["max_ulp"]) <= 1.0
    assert json.dumps(certificate)  # strict JSON
