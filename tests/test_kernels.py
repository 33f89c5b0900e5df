"""The full-range float32 kernels: IEEE specials, bit-for-bit JAX / NumPy / C, accuracy against
mpmath, committed exports and certificates; then each kernel's own thresholds and paths.

The checks every kernel shares are parametrized over the kernel registry (``KERNELS``) with a
table of per-kernel values; a kernel missing from a table fails ``test_every_kernel_has_its_rows``.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
from kernel_checks import (
    CORES,
    assert_committed_certificate_is_current,
    assert_committed_exports_current,
    assert_exports_agree,
    certify_export,
    kernel_exports,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

from autonumerics.errors import AutonumericsError
from autonumerics.kernels import KERNELS, build_kernel, erf, expm1, tanh
from autonumerics.kernels.exp_pair import reduction_source
from autonumerics.kernels.tiers import TIER_BOUNDS, split_kernel_id

NAMES = list(KERNELS)  # kernel ids, both tiers; the tables below are keyed by function name
nan, inf = np.nan, np.inf
MAX = 3.4028234663852886e38  # the largest float32
ONE_BELOW = 1 - 2.0**-24  # the float32 below 1
TINY = [2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-126, 1e-20, 1e-30, 2.0**-26]


def f32(value: str) -> np.float32:
    return np.float32(float.fromhex(value))


EXP_LAST_FINITE = f32("0x1.62e42ep+6")  # 88.72283172607422: e^x still rounds below 2^128
LN2 = np.float32(np.log(2.0))
LOG_SPECIALS = ([nan, -nan, -1.0, -inf, -(2.0**-149), -3e38, inf, 0.0, -0.0, 1.0],
                [nan, nan, nan, nan, nan, nan, inf, -inf, -inf, 0.0])  # log(1) = +0

# name -> (inputs, outputs), bit for bit in every language (any NaN matches any NaN)
SPECIALS = {
    "exp2": ([nan, inf, -inf, 0.0, -0.0, 128.0, 1e30, -150.0, -151.0, -1e30],
             [nan, inf, 0.0, 1.0, 1.0, inf, inf, 0.0, 0.0, 0.0]),
    "exp": ([nan, inf, -inf, 0.0, -0.0, 88.72283935546875, 1e30, -103.98, -1e30],
            [nan, inf, 0.0, 1.0, 1.0, inf, inf, 0.0, 0.0]),
    "expm1": ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 100.0, -100.0],
              [nan, nan, inf, -1, 0.0, -0.0, inf, -1, inf, -1]),
    "log2": LOG_SPECIALS,
    "log": LOG_SPECIALS,
    "log1p": ([nan, -nan, np.nextafter(np.float32(-1), np.float32(-2)), -2.0, -inf, -3e38, -1.0,
               inf, 0.0, -0.0], [nan, nan, nan, nan, nan, nan, -inf, inf, 0.0, -0.0]),
    "erf": ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 10.0, -10.0],
            [nan, nan, 1, -1, 0.0, -0.0, 1, -1, 1, -1]),
    "tanh": ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 20.0, -20.0],
             [nan, nan, 1, -1, 0.0, -0.0, 1, -1, 1, -1]),
    "sigmoid": ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 40.0, -200.0],
                [nan, nan, 1, 0, 0.5, 0.5, 1, 0, 1, 0]),
    # x g(x), g from 0 to 1: the limits x and -0 (far left the result rounds to -0)
    **{name: ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 100.0, -200.0],
              [nan, nan, inf, -0.0, 0.0, -0.0, 3e38, -0.0, 100.0, -0.0])
       for name in ("silu", "gelu_tanh", "gelu")},
    "softplus": ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 100.0, -200.0],
                 [nan, nan, inf, 0.0, LN2, LN2, 3e38, 0.0, 100.0, 0.0]),
    "log_sigmoid": ([nan, -nan, inf, -inf, 0.0, -0.0, 3e38, -3e38, 200.0, -100.0],
                    [nan, nan, -0.0, -inf, -LN2, -LN2, -0.0, -3e38, -0.0, -100.0]),
}
# name -> the useful range of the two-million-input comparison
USEFUL = {"exp2": (-155.0, 130.0), "exp": (-110.0, 90.0), "expm1": (-18.0, 89.0),
          "log2": (0.0, 4.0), "log": (0.0, 4.0), "log1p": (-1.0, 4.0), "erf": (-4.5, 4.5),
          "tanh": (-10.0, 10.0), "sigmoid": (-110.0, 20.0), "silu": (-112.0, 20.0),
          "gelu_tanh": (-11.0, 8.0), "gelu": (-15.0, 8.0), "softplus": (-110.0, 20.0),
          "log_sigmoid": (-20.0, 110.0)}
# kernels that normalise subnormal inputs with integer operations (or hand back x), which XLA does
# not flush: JAX equals NumPy on them too
KEEP_SUBNORMAL_INPUTS = {"expm1", "log2", "log", "log1p", "log1p_fast"}


def _sample(*parts) -> np.ndarray:
    return np.concatenate(parts).astype(np.float32)


def _log_sample(rng):
    x = _sample(rng.uniform(0.5, 2.0, 4000), rng.uniform(1.0 - 2.0**-10, 1.0 + 2.0**-10, 1000),
                np.exp2(rng.uniform(-149.0, 128.0, 3000)))
    return x[(x > 0) & np.isfinite(x)]


# name -> the accuracy sample drawn from rng(1): the whole useful range and where errors show
ACCURACY = {
    "exp2": lambda rng: _sample(rng.uniform(-126.0, 128.0, 4000), rng.uniform(-1.0, 1.0, 2000),
                                rng.uniform(-1e-6, 1e-6, 500)),
    "exp": lambda rng: _sample(rng.uniform(-87.3, 88.72, 4000), rng.uniform(-1.0, 1.0, 2000),
                               rng.uniform(-1e-6, 1e-6, 500), [EXP_LAST_FINITE]),
    # near |x| = ln2/2 the core is a sixth of the result: where a core's error shows
    "expm1": lambda rng: _sample(rng.uniform(-0.36, 0.36, 4000), rng.uniform(-1.1, 1.1, 2000),
                                 rng.uniform(-17.4, 88.7, 2000),
                                 np.float32([0.34474203, -0.3466, 0.3466, 0.6931, -0.6931])),
    "log2": _log_sample,
    "log": _log_sample,
    "log1p": lambda rng: _sample(rng.uniform(-0.999, 1.0, 4000),
                                 rng.uniform(-2.0**-10, 2.0**-10, 1000),
                                 np.exp2(rng.uniform(-40.0, 127.0, 2000)),
                                 -np.exp2(rng.uniform(-40.0, -1e-7, 2000))),
    "erf": lambda rng: _sample(rng.uniform(-4.0, 4.0, 4000), rng.uniform(0.9, 1.1, 1000),
                               rng.uniform(3.8, 3.95, 500), 2.0 ** rng.uniform(-125, -1, 1000)),
    # both paths, the switch between them (0.7) and the saturation threshold
    "tanh": lambda rng: _sample(rng.uniform(-9.5, 9.5, 3000), rng.uniform(0.6, 0.8, 1000),
                                rng.uniform(8.9, 9.02, 500), 2.0 ** rng.uniform(-125, 0, 1000),
                                np.nextafter(f32(tanh.SMALL_LIMIT), np.float32([0, 1]))),
    # both signs, the switch between 1 - g and the tail form at -4, tiny inputs
    "sigmoid": lambda rng: _sample(rng.uniform(-20.0, 20.0, 3000), rng.uniform(-4.2, -3.8, 1000),
                                   rng.uniform(-1, 1, 1000),
                                   2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)),
    # the switches at -4 and x = 16.68 (the result is x from there), the subnormal edge
    "silu": lambda rng: _sample(rng.uniform(-20.0, 20.0, 3000), rng.uniform(-4.2, -3.8, 500),
                                rng.uniform(-91.5, -80.0, 500), rng.uniform(16.5, 16.8, 300),
                                2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)),
    # where 1 + tanh would cancel (x < -4), the result x from 4.994, the subnormal edge at -10
    "gelu_tanh": lambda rng: _sample(rng.uniform(-10.0, 6.0, 3000),
                                     rng.uniform(-6.0, -4.0, 1000), rng.uniform(4.9, 5.0, 300),
                                     2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)),
    # where 1 + erf would cancel (x < -4), the result x from 5.3475, the subnormal edge at -13.15
    "gelu": lambda rng: _sample(rng.uniform(-13.1, 6.0, 3000), rng.uniform(-6.0, -3.0, 1000),
                                rng.uniform(5.3, 5.4, 300),
                                2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)),
    # the result is x from 14.556, the switch at -10 (accurate), the subnormal edge at -87.3
    "softplus": lambda rng: _sample(rng.uniform(-87.0, 20.0, 3000), rng.uniform(-2.0, 1.0, 1000),
                                    rng.uniform(-10.5, -9.5, 300), rng.uniform(14.4, 14.7, 300),
                                    2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)),
    "log_sigmoid": lambda rng: -ACCURACY["softplus"](rng),
}
# (kernel, language): the committed certificates (results/kernels/NAME/certificate*.json)
CERTIFICATES = [(name, "jax") for name in NAMES] + [("expm1", "numpy"), ("log1p", "numpy")]
# the slow check certifies their NumPy export (a JAX one elsewhere)
CERTIFIED_NUMPY = {"exp2", "exp", "expm1", "log2", "log", "log1p"}
# kernel, role, core file, its target replaced by (None: the file as it is), the error names
REFUSED_CORES = [
    ("expm1", "expm1", "exp_core.json", None, "expm1 core 'expm1'"),
    ("log1p", "poly", "log2_core.json", None, "log1p core 'poly'"),
    ("erf", "tail", "erf_tail.json", "erf(x + 2.25)", "tail"),
    ("tanh", "exp", "exp_core.json", "exp2", "exp2"),
    ("sigmoid", "expm1", "tanh_core_expm1.json", "exp", "expm1"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Kernel name -> its exports, each built once for this module."""
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = kernel_exports(name, tmp_path_factory.mktemp(name))
        return cache[name]

    return get


@pytest.fixture
def exports(name, built):
    return built(name)


def function_of(name: str) -> str:
    return split_kernel_id(name)[0]


def bound(name: str) -> float:
    """The kernel's tier bound in ULP (accurate 1, fast 3.5)."""
    return TIER_BOUNDS[split_kernel_id(name)[1]]


def test_every_kernel_has_its_rows():
    functions = {function_of(name) for name in NAMES}
    for table in (SPECIALS, USEFUL, ACCURACY):
        assert set(table) == functions
    assert {name for name, _ in CERTIFICATES} == set(NAMES)


# -- every kernel ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_ieee_special_values(name, exports):
    x, want = (np.float32(values) for values in SPECIALS[function_of(name)])
    for language, function in exports.languages():
        assert same_bits(function(x), want).all(), (language, function(x))


@pytest.mark.parametrize("name", NAMES)
def test_exports_agree_bit_for_bit_on_two_million_inputs(name, exports):
    x = spread_inputs(1 << 20, useful=USEFUL[function_of(name)])
    flushed = assert_exports_agree(exports, x)
    if name in KEEP_SUBNORMAL_INPUTS:
        subnormal = x[(x != 0) & (np.abs(x) < 2.0**-126)]
        assert subnormal.size > 0
        assert same_bits(exports.jax(subnormal), exports.numpy(subnormal)).all()
    else:
        assert flushed > 0  # the sample reaches JAX's flushed subnormal inputs or results


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_against_mpmath_on_a_sample(name, exports):
    x = ACCURACY[function_of(name)](np.random.default_rng(1))
    for language, function in exports.languages("jax", "numpy"):
        if language == "jax" and name not in KEEP_SUBNORMAL_INPUTS:
            x = x[(x == 0) | (np.abs(x) >= 2.0**-126)]  # XLA reads subnormal inputs as 0
        assert sampled_max_ulp(function, name, x) < bound(name), language


@pytest.mark.parametrize("name", NAMES)
def test_committed_exports_are_current(name, exports):
    assert_committed_exports_current(exports, name)


@pytest.mark.parametrize("name, language", CERTIFICATES)
def test_committed_certificates_are_complete_current_and_within_the_tier_bound(name, language):
    assert_committed_certificate_is_current(name, language)


@pytest.mark.parametrize("name, role, core, target, named", REFUSED_CORES,
                         ids=[row[0] for row in REFUSED_CORES])
def test_a_core_for_another_function_is_refused(tmp_path, name, role, core, target, named):
    path = CORES / core
    if target is not None:
        program = json.loads(path.read_text())
        path = tmp_path / core
        path.write_text(json.dumps({**program, "target": target}))
    with pytest.raises(AutonumericsError, match=named):
        build_kernel(name, {role: str(path)})


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_float32_within_its_tier_bound(name):
    """One export over all 2^32 bit patterns with two workers (minutes each)."""
    certificate = certify_export(name, "numpy" if name in CERTIFIED_NUMPY else "jax")
    assert float(certificate["report"]["max_ulp"]) < bound(name)


# -- exp2 and exp ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, x, above", [("exp2", 127.99999, 3e38),
                                             ("exp", EXP_LAST_FINITE, 3.4e38)])
def test_the_last_inputs_below_overflow_stay_finite(name, x, above, exports):
    for language, function in exports.languages():
        y = function(np.float32([x]))[0]
        assert np.isfinite(y) and y > above, language


@pytest.mark.parametrize("name, x, exact", [("exp2", [-149.0, -140.5, -127.0, -149.9], np.exp2),
                                            ("exp", [-103.9, -100.0, -90.0, -87.5], np.exp)])
def test_subnormal_results_ieee_in_numpy_and_c_flushed_in_jax(name, x, exact, exports):
    x = np.float32(x)
    want = exact(x.astype(np.float64)).astype(np.float32)  # exact enough: these round far from ties
    assert (exports.jax(x) == 0).all()
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(x), want).all(), language


@pytest.mark.parametrize("name", ["exp2"])
def test_integers_give_exact_powers_of_two(name, exports):
    n = np.arange(-126, 128)
    for language, function in exports.languages():
        assert (function(n.astype(np.float32)) == np.ldexp(np.float32(1.0), n)).all(), language


# -- expm1 and log1p ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["expm1", "log1p"])
def test_tiny_and_subnormal_inputs_give_themselves_in_every_language(name, exports):
    """f(x) = x -+ x^2/2 rounds to x for |x| < 2^-24 (expm1: the pair's low part carries x;
    log1p: u = 1 and the 2Sum error c = x). JAX reads subnormal x as 0, where the x == 0 select
    hands back x itself."""
    x = np.float32(TINY)
    for language, function in exports.languages():
        assert same_bits(function(x), x).all() and same_bits(function(-x), -x).all(), language


def test_expm1_thresholds_are_exact():
    """SATURATION is the largest float32 whose expm1 rounds to -1 (e^x <= 2^-25, the tie going to
    the even -1), OVERFLOW the first whose expm1 rounds to +inf (>= 2^128 - 2^103)."""
    saturates, overflows = f32(expm1.SATURATION), f32(expm1.OVERFLOW)
    above = np.nextafter(saturates, np.float32(0))
    below = np.nextafter(overflows, np.float32(0))
    with mpmath.workdps(50):
        assert mpmath.exp(float(saturates)) <= mpmath.mpf(2) ** -25 < mpmath.exp(float(above))
        huge = 2 ** mpmath.mpf(128) - 2 ** mpmath.mpf(103)
        assert mpmath.expm1(float(below)) < huge <= mpmath.expm1(float(overflows))


@pytest.mark.parametrize("name", ["expm1"])
def test_expm1_switches_at_the_thresholds(name, exports):
    saturates, overflows = f32(expm1.SATURATION), f32(expm1.OVERFLOW)
    x = np.float32([saturates, np.nextafter(saturates, np.float32(0)), overflows,
                    np.nextafter(overflows, np.float32(0))])
    for language, function in exports.languages():
        y = function(x)
        assert y[0] == -1 and y[1] == np.float32(-1 + 2.0**-24), language
        assert y[2] == np.inf and np.isfinite(y[3]), language


@pytest.mark.parametrize("name", ["log1p"])
def test_log1p_just_above_minus_one_and_huge_inputs(name, exports):
    """u = 1 + x is exact down to 2^-24 (x = -1 + 2^-24), and 1 + x = x beyond 2^24 (c = 1)."""
    x = np.float32([-1 + 2.0**-24, -1 + 2.0**-23, -0.75, 2.0**24, 2.0**25 + 2, MAX])
    for language, function in exports.languages():
        assert sampled_max_ulp(function, name, x) < 1.0, language


# -- log2 and log ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["log2"])
def test_log2_of_powers_of_two_is_exact_subnormals_included(name, exports):
    """log2(2^k) = k for every float32 power of two, 2^-149 ... 2^127: JAX too, since subnormal
    inputs are normalised with integer operations that XLA does not flush."""
    k = np.arange(-149, 128)
    x = np.ldexp(np.float32(1.0), k).astype(np.float32)
    for language, function in exports.languages():
        assert (function(x) == k.astype(np.float32)).all(), language


@pytest.mark.parametrize("name", ["log"])
def test_log_of_subnormal_inputs_in_every_language(name, exports):
    """Subnormal inputs are normalised with integer operations that XLA does not flush: JAX, NumPy
    and C all give log(x) within 1 ULP, and log(2^-149) = -149 ln2 correctly rounded."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-140, 1.5 * 2.0**-130, 2.0**-127, 2.0**-126])
    for language, function in exports.languages():
        assert sampled_max_ulp(function, name, x) < 1.0, language
        assert function(x[:1])[0] == np.float32(-149 * np.log(2.0)), language


# -- erf and tanh: odd, saturating -----------------------------------------------------------

# name -> (T, the distance of f(x) from 1 at x): T is the first float32 whose f rounds to 1
SATURATION = {"erf": (f32(erf.SATURATION), mpmath.erfc),
              "tanh": (f32(tanh.SATURATION), lambda x: 1 - mpmath.tanh(x))}


@pytest.mark.parametrize("name", SATURATION)
def test_saturation_threshold_is_exact(name):
    """1 - f(T) <= 2^-25 (a tie goes to 1, the even one) and 1 - f of the float32 below T is above
    2^-25."""
    saturates, distance = SATURATION[name]
    below = np.nextafter(saturates, np.float32(0))
    with mpmath.workdps(40):
        assert distance(float(saturates)) <= mpmath.mpf(2) ** -25 < distance(float(below))


@pytest.mark.parametrize("name", SATURATION)
def test_kernel_saturates_at_the_threshold_and_not_before(name, exports):
    saturates = SATURATION[name][0]
    below = np.nextafter(saturates, np.float32(0))
    x = np.float32([saturates, -saturates, below, -below])
    for language, function in exports.languages():
        assert same_bits(function(x), np.float32([1, -1, ONE_BELOW, -ONE_BELOW])).all(), language


@pytest.mark.parametrize("name, useful", [("erf", (-5.0, 5.0)), ("tanh", (-10.0, 10.0))])
def test_odd_symmetry_bit_for_bit(name, useful, exports):
    x = spread_inputs(1 << 14, useful=useful, seed=3)
    x = x[np.isfinite(x)]
    for language, function in exports.languages():
        assert same_bits(function(-x), -function(x)).all(), language


@pytest.mark.parametrize("name", ["erf"])
def test_erf_of_tiny_inputs_in_numpy_and_c(name, exports):
    """x + x*Q(x^2) ends in one FMA, so x*Q never underflows on its own: subnormal inputs give
    2x/sqrt(pi) within 1 ULP (units of 2^-149), and JAX reads them as 0."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-127, 2.0**-126, 1e-20, 2.0**-12,
                    1e-30])
    with mpmath.workdps(40):
        want = np.float32([float(mpmath.erf(float(v))) for v in x])
    for language, function in exports.languages("numpy", "c"):
        assert sampled_max_ulp(function, name, x) < 1.0, language
        assert (function(x) > 0).all() and same_bits(function(x[:2]), want[:2]).all(), language
    assert (exports.jax(x)[:4] == 0).all() and sampled_max_ulp(exports.jax, name, x[4:]) < 1.0


def test_erf_tail_core_targets_the_kernel_centre():
    assert erf.CENTRE in json.loads((CORES / "erf_tail.json").read_text())["target"]


@pytest.mark.parametrize("name", ["tanh"])
def test_tanh_of_tiny_inputs_gives_themselves_in_numpy_and_c(name, exports):
    """tanh(x) = x - x^3/3 rounds to x below 2^-12: the small core ends in fma(x t, Q, x), whose
    product never rounds on its own, so subnormal inputs come back unchanged (JAX reads them as
    0)."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-127, 2.0**-126, 1e-20, 1e-30,
                    2.0**-13])
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(x), x).all() and same_bits(function(-x), -x).all(), language
    y = exports.jax(x)
    assert (y[:4] == 0).all() and same_bits(y[4:], x[4:]).all()


@pytest.mark.parametrize("name", ["tanh"])
def test_every_float32_around_the_tanh_switch_within_one_ulp(name, exports):
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


@pytest.mark.parametrize("name", ["tanh"])
def test_every_float32_from_the_tanh_threshold_on_gives_exactly_one(name, exports):
    """Saturation needs no select: from T on, E < 2^-26 and the exp path rounds to 1 by itself."""
    low, high = f32(tanh.SATURATION).view(np.int32), np.float32(10.0).view(np.int32)
    x = np.arange(low, high, dtype=np.int32).view(np.float32)
    for language, function in exports.languages():
        assert (function(x) == 1).all() and (function(-x) == -1).all(), language


def test_an_unknown_core_role_is_named_with_the_roles():
    with pytest.raises(AutonumericsError, match="no core role 'expm1'; its roles: small, exp"):
        build_kernel("tanh", {"expm1": str(CORES / "tanh_core_expm1.json")})


# -- sigmoid ---------------------------------------------------------------------------------

ONE_FROM = f32("0x1.154246p+4")  # 17.32868: sigmoid rounds to 1 from here on
ZERO_FROM = f32("-0x1.9fe36ap+6")  # -103.972084: rounds to 0 from here down
NORMAL_FROM = f32("-0x1.5d589ep+6")  # -87.33654: the last normal result


def _sigmoid(x: float) -> mpmath.mpf:
    with mpmath.workdps(50):
        return 1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))


def test_sigmoid_thresholds_are_exact():
    """1 - sigmoid <= 2^-25 from ONE_FROM on (not before); sigmoid <= 2^-150 (half the smallest
    subnormal, a tie to the even 0) from ZERO_FROM down; NORMAL_FROM is the last input >= 2^-126."""
    step = np.float32(np.inf)
    half_ulp, half_tiny = mpmath.mpf(2) ** -25, mpmath.mpf(2) ** -150
    assert 1 - _sigmoid(ONE_FROM) <= half_ulp < 1 - _sigmoid(np.nextafter(ONE_FROM, -step))
    assert _sigmoid(ZERO_FROM) <= half_tiny < _sigmoid(np.nextafter(ZERO_FROM, step))
    normal = mpmath.mpf(2) ** -126
    assert _sigmoid(NORMAL_FROM) >= normal > _sigmoid(np.nextafter(NORMAL_FROM, -step))


@pytest.mark.parametrize("name", ["sigmoid"])
def test_sigmoid_reaches_one_and_zero_at_the_thresholds_and_not_before(name, exports):
    x = np.float32([ONE_FROM, np.nextafter(ONE_FROM, np.float32(0))])
    for language, function in exports.languages():
        assert same_bits(function(x), np.float32([1, ONE_BELOW])).all(), language
    x = np.float32([ZERO_FROM, np.nextafter(ZERO_FROM, np.float32(0))])
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(x), np.float32([0, 2.0**-149])).all(), language


@pytest.mark.parametrize("name", ["sigmoid"])
def test_sigmoid_subnormal_results_within_one_unit_in_numpy_and_c(name, exports):
    """Below -87.34 the result is subnormal: NumPy and C round it once (within 1 unit of 2^-149,
    mostly correctly rounded); JAX flushes it to 0 (XLA on CPU)."""
    rng = np.random.default_rng(2)
    x = _sample(rng.uniform(float(ZERO_FROM), float(NORMAL_FROM), 300),
                [np.nextafter(NORMAL_FROM, -np.inf)])
    exact = np.array([float(_sigmoid(v) / mpmath.mpf(2) ** -149) for v in x])
    for language, function in exports.languages("numpy", "c"):
        units = function(x).astype(np.float64) / 2.0**-149
        assert np.max(np.abs(units - exact)) < 1.0, language
        assert np.mean(units == np.round(exact)) > 0.95, language
    assert (exports.jax(x) == 0).all()


@pytest.mark.parametrize("name", ["sigmoid"])
def test_sigmoid_far_negative_tail_within_one_ulp_where_jax_nn_sigmoid_fails(name, exports):
    rng = np.random.default_rng(4)
    x = _sample(rng.uniform(-87.3, -15.0, 1500), rng.uniform(-40.0, -35.0, 500))
    for language, function in exports.languages():
        assert sampled_max_ulp(function, name, x) < 1.0, language


def test_sigmoid_barrier_fences_shield_only_what_the_simplifier_would_rewrite():
    """sigmoid's JAX export: t, h and dh behind optimization barriers, one select on the core's
    result, none on g0*e (two readers: never fused); NumPy and C are the same in every mode."""
    barrier = reduction_source("jax", "_core", fences="barrier", quotient_uses=3)
    assert barrier.count("jax.lax.optimization_barrier(") == 3
    assert "_rounded(_core(r))" in barrier and "g0[2] * e\n" in barrier
    select = reduction_source("jax", "_core", quotient_uses=3)
    assert "optimization_barrier" not in select and select.count("_rounded(") == 4
    for language in ("numpy", "c"):
        plain = reduction_source(language, "_core")
        assert reduction_source(language, "_core", fences="barrier") == plain


def test_an_unknown_fence_mode_is_named():
    with pytest.raises(AutonumericsError, match="'selects'"):
        reduction_source("c", "_core", fences="selects")
