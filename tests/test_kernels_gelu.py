"""The gelu kernels (gelu_fast): their paths, thresholds and signed zeros.

Built from their modules (``build_from_module``: they need not be registered), written to a
temporary folder, and run in JAX, NumPy and C (with a compiler). The registry-wide checks of
tests/test_kernels.py cover what every kernel shares; these probe what is particular to gelu: the
clamp at |x| = 15 (-inf and NaN pass through it), the x >= 0 branch reaching x itself, the
far-negative tail whose results turn subnormal at x = -13.2, the exact pair q + ql, and the
floor 2^-40 on the ratio core's input (tiny inputs give x/2).
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_checks import (
    CERTIFIED,
    Exports,
    assert_exports_agree,
    kernel_exports,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

MODULES = {"gelu_fast": "autonumerics.kernels.fast.gelu"}
NAMES = list(MODULES)
BOUNDS = {"gelu_fast": 3.2}  # sampled aim (the tier's bound is 3.5 over every float32)
nan, inf = np.nan, np.inf
SPECIALS = ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, -15.0, -20.0, -1e30, 100.0, 1e30],
            [nan, nan, inf, -0.0, 0.0, -0.0, 3e38, -0.0, -0.0, -0.0, -0.0, 100.0, 1e30])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = {}

    def get(name: str) -> Exports:
        if name not in cache:
            # every kernel is registered: the shared builder serves
            cache[name] = kernel_exports(name, tmp_path_factory.mktemp(name))
        return cache[name]

    return get


@pytest.fixture
def exports(name, built):
    return built(name)


@pytest.mark.parametrize("name", NAMES)
def test_committed_exports_are_current(name, exports):
    files = (("jax", f"{name}.py"), ("numpy", f"{name}_numpy.py"), ("c", f"{name}.h"))
    for language, file in files:
        assert (CERTIFIED / file).read_text() == getattr(exports.source, language), file


@pytest.mark.parametrize("name", NAMES)
def test_ieee_special_values(name, exports):
    """NaN -> NaN, +inf -> +inf, -inf -> -0, +-0 -> +-0, the far tail -> -0, large x -> x."""
    x, want = (np.float32(values) for values in SPECIALS)
    for language, function in exports.languages():
        assert same_bits(function(x), want).all(), (language, function(x))


@pytest.mark.parametrize("name", NAMES)
def test_every_nan_pattern_gives_nan(name, exports):
    """The clamp turns NaN into 15; it must come back through x - w."""
    rng = np.random.default_rng(5)
    payload = rng.integers(1, 1 << 23, 1 << 14, dtype=np.int64)
    bits = np.concatenate([payload | 0x7F800000, payload | 0xFF800000]).astype(np.uint32)
    x = bits.view(np.float32)
    for language, function in exports.languages():
        assert np.isnan(function(x)).all(), language


@pytest.mark.parametrize("name", NAMES)
def test_exports_agree_bit_for_bit(name, exports):
    x = np.concatenate([spread_inputs(1 << 16, useful=(-15.0, 6.0)),
                        np.random.default_rng(3).uniform(-14.5, -12.5, 1 << 14).astype(np.float32),
                        np.random.default_rng(4).uniform(-1.0, 1.0, 1 << 14).astype(np.float32)])
    assert_exports_agree(exports, x)


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_where_the_errors_peak(name, exports):
    """Within the tier's bound on both branches, near 0 (q's low part and the floor) and in the
    far tail (|g| near 1, the largest n)."""
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-13.2, -3.0, 1500), rng.uniform(-3.0, 0.0, 1500),
                        rng.uniform(0.0, 5.5, 1000), -np.exp(rng.uniform(-30.0, 0.0, 500)),
                        np.exp(rng.uniform(-30.0, 0.0, 500))]).astype(np.float32)
    x = x[(x != 0) & (x > -13.1)]  # normal results (gelu(-13.1) ~ 2^-125)
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, "gelu", x) < BOUNDS[name], language


@pytest.mark.parametrize("name", NAMES)
def test_large_positive_inputs_give_themselves(name, exports):
    """x - w = x once w is below half an ULP of x (x >= 5.5 at the latest)."""
    x = np.float32([5.5, 6.0, 7.5, 14.9, 15.0, 15.1, 1e3, 1e20, 3.4e38])
    for language, function in exports.languages():
        assert same_bits(function(x), x).all(), (language, function(x))


@pytest.mark.parametrize("name", NAMES)
def test_tiny_inputs_give_half_of_themselves(name, exports):
    """gelu(x) = x/2 (exactly, to float32) for |x| < 2^-30, q below the core's floor included;
    JAX reads subnormal inputs as 0 (and returns x for 0 < x < 2^-125, its w being flushed)."""
    normal = np.float32([2.0**-125, -(2.0**-125), 2.0**-60, -(2.0**-60), 3e-12, -3e-12, 1e-30])
    for language, function in exports.languages():
        assert same_bits(function(normal), normal / np.float32(2)).all(), language
    tiny = np.float32([2.0**-148, -(2.0**-148), 2.0**-140, -(2.0**-140)])
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(tiny), tiny / np.float32(2)).all(), language
    assert (exports.jax(tiny) == 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_subnormal_results_in_numpy_and_c_flushed_in_jax(name, exports):
    """Below x = -13.2 the result is subnormal: rounded once by the 2^-64 scaling in NumPy and C
    (within the tier's bound in units of 2^-149), 0 in JAX."""
    from autonumerics.truth.targets import get_target

    x = np.float32(np.linspace(-14.6, -13.2, 200))
    exact = get_target("gelu").reference_f64(x.astype(np.float64))
    assert (exports.jax(x[exact > -(2.0**-126)]) == 0).all()
    for language, function in exports.languages("numpy", "c"):
        error = np.abs(function(x).astype(np.float64) - exact)
        small = np.abs(exact) < 2.0**-126
        assert (error[small] <= 3.5 * 2.0**-149).all(), language
