"""The full-range sigmoid kernel: IEEE specials, the exact 1 and 0 thresholds, subnormal results in
NumPy / C, the far negative tail, bit-for-bit JAX / NumPy / C, accuracy."""

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

ONE_FROM = np.float32(float.fromhex("0x1.154246p+4"))  # 17.32868: sigmoid rounds to 1 from here on
ZERO_FROM = np.float32(float.fromhex("-0x1.9fe36ap+6"))  # -103.972084: rounds to 0 from here down
NORMAL_FROM = np.float32(float.fromhex("-0x1.5d589ep+6"))  # -87.33654: the last normal result
FOLDER = REPO_ROOT / "results/kernels/sigmoid"  # its certificates
EXPORT = CERTIFIED / "sigmoid.py"


def _exact(x: float) -> mpmath.mpf:
    with mpmath.workdps(50):
        return 1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return kernel_exports("sigmoid", tmp_path_factory.mktemp("sigmoid"))


def _all(exports):
    return [("jax", exports.jax), ("numpy", exports.numpy)] + ([("c", exports.c)] if exports.c else [])


def test_ieee_special_values(exports):
    x = np.float32([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 3e38, -3e38, 40.0, -200.0])
    for language, function in _all(exports):
        y = function(x)
        assert np.isnan(y[:2]).all(), language
        assert same_bits(y[2:], np.float32([1, 0, 0.5, 0.5, 1, 0, 1, 0])).all(), language


def test_thresholds_are_exact():
    """1 - sigmoid <= 2^-25 from ONE_FROM on (not before); sigmoid <= 2^-150 (half the smallest
    subnormal, a tie to the even 0) from ZERO_FROM down; NORMAL_FROM is the last input >= 2^-126."""
    step = np.float32(np.inf)
    half_ulp, half_tiny = mpmath.mpf(2) ** -25, mpmath.mpf(2) ** -150
    assert 1 - _exact(ONE_FROM) <= half_ulp < 1 - _exact(np.nextafter(ONE_FROM, -step))
    assert _exact(ZERO_FROM) <= half_tiny < _exact(np.nextafter(ZERO_FROM, step))
    assert _exact(NORMAL_FROM) >= mpmath.mpf(2) ** -126 > _exact(np.nextafter(NORMAL_FROM, -step))


def test_kernel_reaches_one_and_zero_at_the_thresholds_and_not_before(exports):
    x = np.float32([ONE_FROM, np.nextafter(ONE_FROM, np.float32(0))])
    for language, function in _all(exports):
        assert same_bits(function(x), np.float32([1, 1 - 2.0**-24])).all(), language
    x = np.float32([ZERO_FROM, np.nextafter(ZERO_FROM, np.float32(0))])
    for language, function in _all(exports)[1:]:
        assert same_bits(function(x), np.float32([0, 2.0**-149])).all(), language


def test_subnormal_results_within_one_unit_in_numpy_and_c(exports):
    """Below -87.34 the result is subnormal: NumPy and C round it once (within 1 unit of 2^-149,
    mostly correctly rounded); JAX flushes it to 0 (XLA on CPU)."""
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(float(ZERO_FROM), float(NORMAL_FROM), 300), [np.nextafter(NORMAL_FROM, -np.inf)]])
    x = x.astype(np.float32)
    exact = np.array([float(_exact(v) / mpmath.mpf(2) ** -149) for v in x])
    for language, function in _all(exports)[1:]:
        units = function(x).astype(np.float64) / 2.0**-149
        assert np.max(np.abs(units - exact)) < 1.0, language
        assert np.mean(units == np.round(exact)) > 0.95, language
    assert (exports.jax(x) == 0).all()


def test_far_negative_tail_within_one_ulp_where_jax_nn_sigmoid_fails(exports):
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(-87.3, -15.0, 1500), rng.uniform(-40.0, -35.0, 500)]).astype(np.float32)
    for language, function in _all(exports):
        assert sampled_max_ulp(function, "sigmoid", x) < 1.0, language


def test_exports_agree_bit_for_bit_on_two_million_inputs(exports):
    flushed = assert_exports_agree(exports, spread_inputs(1 << 20, useful=(-110.0, 20.0)))
    assert flushed > 0  # the tail below -87.34 and the subnormal inputs


def test_accuracy_against_mpmath_on_a_sample(exports):
    """Both signs, the switch between 1 - g and the tail form at -4, tiny inputs."""
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-20.0, 20.0, 3000), rng.uniform(-4.2, -3.8, 1000), rng.uniform(-1, 1, 1000),
                        2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)]).astype(np.float32)
    assert sampled_max_ulp(exports.numpy, "sigmoid", x) < 1.0
    assert sampled_max_ulp(exports.jax, "sigmoid", x) < 1.0


def test_a_core_for_another_function_is_refused(tmp_path):
    core = json.loads((REPO_ROOT / "autonumerics/kernels/cores/tanh_core_expm1.json").read_text())
    core["target"] = "exp"
    (tmp_path / "exp.json").write_text(json.dumps(core))
    with pytest.raises(AutonumericsError, match="expm1"):
        build_kernel("sigmoid", {"expm1": str(tmp_path / "exp.json")})


def test_committed_exports_are_current(exports):
    assert_committed_exports_current(exports, "sigmoid")


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
    finite += parts["subnormal_result"]["n_inputs"]
    assert finite == 2**32 - 2**24 - 1  # every finite pattern once, +0 and -0 being one key


@pytest.mark.slow
def test_every_float32_within_one_ulp():
    """The JAX export over all 2^32 bit patterns (several minutes with two workers)."""
    from autonumerics.truth.targets import get_target
    from autonumerics.verification.verify import kernel_subject, verify_every_float

    subject, _ = kernel_subject(EXPORT)
    certificate = verify_every_float(subject, get_target("sigmoid"), workers=2).to_json()
    assert float(certificate["report"]["max_ulp"]) <= 1.0
    assert json.dumps(certificate)  # strict JSON


def test_barrier_fences_shield_only_what_the_simplifier_would_rewrite():
    """sigmoid's JAX export: t, h and dh behind optimization barriers, one select on the core's
    result, none on g0*e (two readers: never fused); NumPy and C are the same in every mode."""
    from autonumerics.kernels.exp_pair import reduction_source

    barrier = reduction_source("jax", "_core", fences="barrier", quotient_uses=3)
    assert barrier.count("jax.lax.optimization_barrier(") == 3
    assert "_rounded(_core(r))" in barrier and "g0[2] * e\n" in barrier
    select = reduction_source("jax", "_core", quotient_uses=3)
    assert "optimization_barrier" not in select and select.count("_rounded(") == 4
    for language in ("numpy", "c"):
        assert reduction_source(language, "_core", fences="barrier") == reduction_source(language, "_core")


def test_unknown_fence_mode_is_named():
    from autonumerics.kernels.exp_pair import reduction_source

    with pytest.raises(AutonumericsError, match="'selects'"):
        reduction_source("c", "_core", fences="selects")
