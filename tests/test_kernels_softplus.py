"""The softplus-family kernels (softplus, log_sigmoid, softplus_fast, log_sigmoid_fast).

Built from their modules (``build_from_module``: they need not be registered), written to a
temporary folder, and run in JAX, NumPy and C (with a compiler). What is particular to them:
log_sigmoid(x) = -softplus(-x) bit for bit, the saturation softplus(x) = x from 14.556091 on (the
first float32 where it rounds so), the accurate kernels' switch from the log1p path to the scaled
pair at x = -10, and the subnormal results below x = -87.3365 (NumPy and C round them, JAX
flushes).
"""

from __future__ import annotations

import mpmath
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

from autonumerics.kernels.softplus import SATURATION
from autonumerics.truth.targets import get_target

MODULES = {"softplus": "autonumerics.kernels.softplus",
           "log_sigmoid": "autonumerics.kernels.log_sigmoid",
           "softplus_fast": "autonumerics.kernels.fast.softplus",
           "log_sigmoid_fast": "autonumerics.kernels.fast.log_sigmoid"}
NAMES = list(MODULES)
PAIRS = [("softplus", "log_sigmoid"), ("softplus_fast", "log_sigmoid_fast")]
BOUNDS = {"softplus": 0.95, "log_sigmoid": 0.95, "softplus_fast": 3.2, "log_sigmoid_fast": 3.2}
LN2 = float(np.float32(np.log(2.0)))
nan, inf = np.nan, np.inf
SPECIALS = ([nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 2.0**-149, -(2.0**-126), 20.0, -104.0],
            [nan, inf, 0.0, LN2, LN2, 3e38, 0.0, LN2, LN2, 20.0, 0.0])


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


def _signed(name: str, values: list[float]) -> np.ndarray:
    """softplus's expected values as given; log_sigmoid's at -x, negated."""
    return np.float32(values) if name.startswith("softplus") else -np.float32(values)


@pytest.mark.parametrize("name", NAMES)
def test_committed_exports_are_current(name, exports):
    files = (("jax", f"{name}.py"), ("numpy", f"{name}_numpy.py"), ("c", f"{name}.h"))
    for language, file in files:
        assert (CERTIFIED / file).read_text() == getattr(exports.source, language), file


@pytest.mark.parametrize("name", NAMES)
def test_ieee_special_values(name, exports):
    """NaN -> NaN, softplus(+inf) = +inf, softplus(-inf) = +0, ln 2 at +-0 and tiny inputs,
    x from the saturation on, 0 below 2^-150; log_sigmoid mirrored."""
    x = np.float32(SPECIALS[0])
    x = x if name.startswith("softplus") else -x
    for language, function in exports.languages():
        assert same_bits(function(x), _signed(name, SPECIALS[1])).all(), (language, function(x))


@pytest.mark.parametrize("softplus, log_sigmoid", PAIRS)
def test_log_sigmoid_is_minus_softplus_of_minus_x_bit_for_bit(softplus, log_sigmoid, built):
    x = np.concatenate([spread_inputs(1 << 16, useful=(-120.0, 120.0)),
                        np.random.default_rng(2).uniform(-20.0, 20.0, 1 << 14).astype(np.float32)])
    x = x[~np.isnan(x)]
    for language, function in built(softplus).languages():
        mirrored = getattr(built(log_sigmoid), language)
        assert same_bits(-function(-x), mirrored(x)).all(), language


@pytest.mark.parametrize("name", NAMES)
def test_exports_agree_bit_for_bit(name, exports):
    x = np.concatenate([spread_inputs(1 << 16, useful=(-104.0, 104.0)),
                        np.random.default_rng(3).uniform(-16.0, 16.0, 1 << 14).astype(np.float32),
                        np.random.default_rng(4).uniform(-1.5, 1.5, 1 << 14).astype(np.float32)])
    assert_exports_agree(exports, x)


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_where_the_errors_peak(name, exports):
    """Within the sampled aim where E = e^-|x| is near 0.3 to 1 (both cores' errors add; the
    log reduction's worst for the accurate tier), near the switch at -10 and in the far tail."""
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-2.0, -0.25, 3000), rng.uniform(-0.25, 2.0, 1000),
                        rng.uniform(-16.0, -8.0, 1000), rng.uniform(-87.0, -16.0, 500),
                        rng.uniform(2.0, 14.6, 500)]).astype(np.float32)
    x = x if name.startswith("softplus") else -x
    target = name.removesuffix("_fast")
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, target, x) < BOUNDS[name], language


def test_saturation_threshold_is_exact():
    """14.556091 is the first float32 whose softplus rounds to itself (e^-x < half an ULP)."""
    mpmath.mp.dps = 40
    first = np.float32(float.fromhex(SATURATION))
    below = np.nextafter(first, np.float32(0))

    def rounded(x):
        return np.float32(float(mpmath.mpf(float(x)) + mpmath.log1p(mpmath.exp(-float(x)))))

    assert rounded(first) == first and rounded(below) != below


@pytest.mark.parametrize("name", NAMES)
def test_large_inputs_give_themselves(name, exports):
    first = np.float32(float.fromhex(SATURATION))
    x = np.float32([first, 15.0, 16.0, 100.0, 1e20, 3.4e38])
    x = x if name.startswith("softplus") else -x
    for language, function in exports.languages():
        assert same_bits(function(x), x).all(), (language, function(x))
    below = np.nextafter(first, np.float32(0))  # softplus(below) is 0.5000003 ULP above below
    x, nearest = (np.float32([v if name.startswith("softplus") else -v]) for v in (below, first))
    for language, function in exports.languages():
        assert same_bits(function(x), nearest).all() or same_bits(function(x), x).all(), language


@pytest.mark.parametrize("name", NAMES)
def test_subnormal_results_in_numpy_and_c_flushed_in_jax(name, exports):
    """Below x = -87.3365 softplus(x) ~ e^x is subnormal: rounded within the tier's bound in units
    of 2^-149 in NumPy and C, 0 in JAX; 0 everywhere from -103.97208 down."""
    x = np.float32(np.linspace(-104.5, -87.34, 400))
    x = x if name.startswith("softplus") else -x
    exact = get_target(name.removesuffix("_fast")).reference_f64(x.astype(np.float64))
    small = np.abs(exact) < 2.0**-126
    assert small.sum() > 300
    assert (exports.jax(x[small]) == 0).all()
    bound = 1.0 if BOUNDS[name] < 1 else 3.5
    for language, function in exports.languages("numpy", "c"):
        error = np.abs(function(x).astype(np.float64) - exact)
        assert (error[small] <= bound * 2.0**-149).all(), language
