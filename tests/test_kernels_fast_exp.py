"""The fast-tier exp kernels (exp2_fast, exp_fast, expm1_fast): their paths and thresholds.

Built from their modules (``build_from_module``: they need not be registered), written to a
temporary folder, and run in JAX, NumPy and C (with a compiler). The registry-wide checks of
tests/test_kernels.py cover what every kernel shares; these probe what is particular to them:
the clamps that replace selects (0 below, +inf above, NaN kept), the last finite inputs, the
first normal results, the n = +-1 seams and the signed zeros of expm1.
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

MODULES = {"exp2_fast": "autonumerics.kernels.fast.exp2",
           "exp_fast": "autonumerics.kernels.fast.exp",
           "expm1_fast": "autonumerics.kernels.fast.expm1"}
NAMES = list(MODULES)
nan, inf = np.nan, np.inf
EXP_OVERFLOW = float.fromhex("0x1.62e430p+6")  # 88.72283935546875: e^x rounds to +inf from here
EXP_LAST_FINITE = float(np.nextafter(np.float32(EXP_OVERFLOW), np.float32(0)))
SPECIALS = {
    "exp2_fast": ([nan, -nan, inf, -inf, 0.0, -0.0, 128.0, 3e38, -3e38, -150.0, -151.0],
                  [nan, nan, inf, 0.0, 1.0, 1.0, inf, inf, 0.0, 0.0, 0.0]),
    "exp_fast": ([nan, -nan, inf, -inf, 0.0, -0.0, EXP_OVERFLOW, 3e38, -3e38, -104.0],
                 [nan, nan, inf, 0.0, 1.0, 1.0, inf, inf, 0.0, 0.0]),
    "expm1_fast": ([nan, -nan, inf, -inf, 0.0, -0.0, EXP_OVERFLOW, 3e38, -3e38, -17.33, -20.0],
                   [nan, nan, inf, -1.0, 0.0, -0.0, inf, inf, -1.0, -1.0, -1.0]),
}
# where the reduction's cases meet and the errors peak
CRITICAL = {"exp2_fast": (-2.0, 2.0), "exp_fast": (-1.5, 1.5), "expm1_fast": (-1.2, 1.2)}


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
    """NaN, +-inf, +-0 and the saturations, computed by clamps without selects."""
    x, want = (np.float32(values) for values in SPECIALS[name])
    for language, function in exports.languages():
        assert same_bits(function(x), want).all(), (language, function(x))


@pytest.mark.parametrize("name", NAMES)
def test_every_nan_pattern_gives_nan(name, exports):
    """No select keeps NaN: it must survive the clamps, the shift of its bits and the products."""
    rng = np.random.default_rng(5)
    payload = rng.integers(1, 1 << 23, 1 << 14, dtype=np.int64)
    bits = np.concatenate([payload | 0x7F800000, payload | 0xFF800000]).astype(np.uint32)
    x = bits.view(np.float32)
    for language, function in exports.languages():
        assert np.isnan(function(x)).all(), language


@pytest.mark.parametrize("name", NAMES)
def test_exports_agree_bit_for_bit(name, exports):
    low, high = CRITICAL[name]
    x = np.concatenate([spread_inputs(1 << 16, useful=(-160.0, 130.0)),
                        np.random.default_rng(3).uniform(low, high, 1 << 16).astype(np.float32)])
    assert_exports_agree(exports, x)


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_where_the_cases_meet(name, exports):
    """Within the fast tier's 3.5 ULP (aim 3.2) where the errors peak."""
    low, high = CRITICAL[name]
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(low, high, 3000), rng.uniform(0.30, 0.40, 1000),
                        rng.uniform(-0.40, -0.30, 1000), rng.uniform(60.0, 88.7, 500),
                        rng.uniform(-87.3, -60.0, 500)]).astype(np.float32)
    if name == "exp2_fast":
        x = np.concatenate([x, rng.uniform(-125.9, 127.9, 2000).astype(np.float32)])
    x = x[x != 0]
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, name, x) < 3.2, language


@pytest.mark.parametrize("name, x, above", [("exp2_fast", 127.99999, 3e38),
                                             ("exp_fast", EXP_LAST_FINITE, 3.4e38),
                                             ("expm1_fast", EXP_LAST_FINITE, 3.4e38)])
def test_the_last_inputs_below_overflow_stay_finite(name, x, above, exports):
    for language, function in exports.languages():
        y = function(np.float32([x]))[0]
        assert np.isfinite(y) and y > above, language


@pytest.mark.parametrize("name, x", [("exp2_fast", [-126.0, -125.99999, -125.5]),
                                     ("exp_fast", [-87.33654022216797, -87.3365, -87.0])])
def test_the_first_normal_results_stay_normal(name, x, exports):
    """p >= 1 and n >= -126 there, so JAX's flush to zero does not reach them."""
    x = np.float32(x)
    for language, function in exports.languages():
        y = function(x)
        assert (y >= np.float32(2.0**-126)).all(), (language, y)
        assert sampled_max_ulp(function, name, x) < 3.2, language


@pytest.mark.parametrize("name, x, exact", [("exp2_fast", [-149.0, -140.5, -127.0, -149.9],
                                             np.exp2),
                                            ("exp_fast", [-103.9, -100.0, -90.0, -87.5], np.exp)])
def test_subnormal_results_ieee_in_numpy_and_c_flushed_in_jax(name, x, exact, exports):
    x = np.float32(x)
    want = exact(x.astype(np.float64)).astype(np.float32)  # exact enough: these round far from ties
    assert (exports.jax(x) == 0).all()
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(x), want).all(), language


@pytest.mark.parametrize("name", ["exp2_fast"])
def test_integers_give_exact_powers_of_two(name, exports):
    n = np.arange(-126, 128)
    for language, function in exports.languages():
        assert (function(n.astype(np.float32)) == np.ldexp(np.float32(1.0), n)).all(), language


@pytest.mark.parametrize("name", ["expm1_fast"])
def test_tiny_inputs_give_themselves(name, exports):
    """expm1(x) = x for |x| < 2^-25 (m = x P(x), P rounds to 1), signs included; JAX reads
    subnormal inputs as 0."""
    normal = np.float32([2.0**-126, -(2.0**-126), 2.0**-60, -(2.0**-60), 3e-9, -3e-9])
    tiny = np.float32([2.0**-149, -(2.0**-149), 1e-40, -1e-40])
    for language, function in exports.languages():
        assert same_bits(function(normal), normal).all(), language
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(tiny), tiny).all(), language
    assert (exports.jax(tiny) == 0).all()
