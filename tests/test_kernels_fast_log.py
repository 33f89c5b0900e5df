"""The fast-tier log kernels (log2_fast, log_fast, log1p_fast): their paths and thresholds.

Built from their modules (``build_from_module``: they need not be registered), written to a
temporary folder, and run in JAX, NumPy and C (with a compiler). The registry-wide checks of
tests/test_kernels.py cover what every kernel shares; these probe what is particular to them.
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

MODULES = {"log2_fast": "autonumerics.kernels.fast.log2",
           "log_fast": "autonumerics.kernels.fast.log",
           "log1p_fast": "autonumerics.kernels.fast.log1p"}
NAMES = list(MODULES)
nan, inf = np.nan, np.inf
LOG_SPECIALS = ([nan, -nan, -1.0, -inf, -(2.0**-149), -3e38, inf, 0.0, -0.0, 1.0],
                [nan, nan, nan, nan, nan, nan, inf, -inf, -inf, 0.0])  # log(1) = +0
SPECIALS = {"log2_fast": LOG_SPECIALS, "log_fast": LOG_SPECIALS,
            "log1p_fast": ([nan, -nan, np.nextafter(np.float32(-1), np.float32(-2)), -2.0, -inf,
                            -3e38, -1.0, inf, 0.0, -0.0], [nan, nan, nan, nan, nan, nan, -inf, inf,
                                                           0.0, -0.0])}
# where the reduction's cases meet (e = -1, 0, 1) and the results are smallest
CRITICAL = {"log2_fast": (0.3, 2.9), "log_fast": (0.3, 2.9), "log1p_fast": (-0.7, 1.9)}


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
    x, want = (np.float32(values) for values in SPECIALS[name])
    for language, function in exports.languages():
        assert same_bits(function(x), want).all(), (language, function(x))


@pytest.mark.parametrize("name", NAMES)
def test_exports_agree_bit_for_bit(name, exports):
    low, high = CRITICAL[name]
    x = np.concatenate([spread_inputs(1 << 16, useful=(low, high)),
                        np.random.default_rng(3).uniform(low, high, 1 << 16).astype(np.float32)])
    assert_exports_agree(exports, x)


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_where_the_cases_meet(name, exports):
    """Within the fast tier's 3.5 ULP (aim 3.2) where the errors peak: results near +-ln2/2."""
    low, high = CRITICAL[name]
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(low, high, 3000), rng.uniform(0.69, 0.72, 500),
                        rng.uniform(1.40, 1.43, 500)]).astype(np.float32)
    x = x[x != 0]
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, name, x) < 3.2, language


@pytest.mark.parametrize("name", ["log2_fast"])
def test_log2_of_powers_of_two_is_exact(name, exports):
    """log2(2^k) = k: NumPy and C for every power of two, subnormal ones included (scaled by 2^23);
    JAX for the normal ones (it reads subnormal inputs as 0: -inf)."""
    k = np.arange(-149, 128)
    x = np.ldexp(np.float32(1.0), k).astype(np.float32)
    for language, function in exports.languages("numpy", "c"):
        assert (function(x) == k).all(), language
    normal = k >= -126
    assert (exports.jax(x[normal]) == k[normal]).all()
    assert (exports.jax(x[~normal]) == -inf).all()


@pytest.mark.parametrize("name", ["log2_fast", "log_fast"])
def test_subnormal_inputs(name, exports):
    """NumPy and C compute them within the tier; JAX reads them as 0 (-inf), and negative ones
    still give NaN (read from the sign bit)."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-140, 1.5 * 2.0**-130, 2.0**-127, 2.0**-126])
    for language, function in exports.languages("numpy", "c"):
        assert sampled_max_ulp(function, name, x) < 1.0, language
    assert (exports.jax(x[:-1]) == -inf).all()
    assert np.isnan(exports.jax(-x)).all()


@pytest.mark.parametrize("name", ["log1p_fast"])
def test_log1p_tiny_huge_and_near_minus_one(name, exports):
    """Subnormal and tiny x give x itself in every language (f = x exactly for e = 0); the
    largest inputs (e = 127 and 128, where 2^-e is taken as 0) and those just above -1 (e down to
    -24) stay within the tier."""
    tiny = np.float32([2.0**-149, -(2.0**-149), 3 * 2.0**-149, 2.0**-127, 1e-30, -1e-30, 2.0**-26])
    huge = np.float32([2.0**126, 1.2e38, 2.0**127, 2.5e38, 3.4028234663852886e38])
    near = (np.float32(-1) + np.float32(2.0**-24) * np.arange(1, 2000)).astype(np.float32)
    for language, function in exports.languages():
        assert same_bits(function(tiny), tiny).all(), language
        assert sampled_max_ulp(function, name, huge) < 1.0, language
        assert sampled_max_ulp(function, name, near) < 1.0, language
