"""The fast-tier tanh and sigmoid kernels (autonumerics/kernels/fast/{tanh,sigmoid}.py): their
exports agree bit for bit, match the committed files, stay within 3.5 ULP on samples and give
the IEEE special values and thresholds. Built from the modules directly (registered or not)."""

from __future__ import annotations

import importlib
import subprocess

import mpmath
import numpy as np
import pytest
from kernel_checks import (
    _DRIVER,
    C_FLAGS,
    CC,
    CERTIFIED,
    Exports,
    assert_exports_agree,
    same_bits,
    sampled_max_ulp,
    spread_inputs,
)

from autonumerics.export.c import c_name
from autonumerics.kernels import build_from_module
from autonumerics.kernels.base import write_kernel
from autonumerics.sourcefile import load_module

KIDS = ["tanh_fast", "sigmoid_fast"]
FAST_BOUND = 3.5
USEFUL = {"tanh_fast": (-10.0, 10.0), "sigmoid_fast": (-110.0, 20.0)}


def f32(value: str) -> np.float32:
    return np.float32(float.fromhex(value))


def build(kid: str, directory) -> Exports:
    """Kernel ``kid`` built from its module, written into ``directory``, loaded and compiled."""
    module = importlib.import_module(f"autonumerics.kernels.fast.{kid.removesuffix('_fast')}")
    source = build_from_module(module, kid)
    paths = write_kernel(source, directory)
    jax_function = getattr(load_module(paths["jax"], f"kernel_{kid}"), kid)
    numpy_function = getattr(load_module(paths["numpy"], f"kernel_{kid}_numpy"), kid)
    c_function = None
    if CC is not None:
        driver = directory / "driver.c"
        driver.write_text(_DRIVER.format(header=paths["c"].resolve(), name=c_name(kid)))
        binary = directory / "driver"
        subprocess.run([CC, *C_FLAGS, "-o", str(binary), str(driver), "-lm"], check=True,
                       capture_output=True, timeout=120)

        def c_function(x: np.ndarray) -> np.ndarray:
            x = np.ascontiguousarray(x, np.float32)
            out = subprocess.run([str(binary)], input=x.tobytes(), capture_output=True,
                                 check=True, timeout=120)
            return np.frombuffer(out.stdout, np.float32).reshape(x.shape)

    return Exports(source, lambda x: np.asarray(jax_function(x)), numpy_function, c_function)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = {}

    def get(kid: str) -> Exports:
        if kid not in cache:
            cache[kid] = build(kid, tmp_path_factory.mktemp(kid))
        return cache[kid]

    return get


@pytest.fixture
def exports(kid, built):
    return built(kid)


@pytest.mark.parametrize("kid", KIDS)
def test_committed_exports_are_current(kid, exports):
    for language, suffix in (("jax", ".py"), ("numpy", "_numpy.py"), ("c", ".h")):
        committed = (CERTIFIED / f"{kid}{suffix}").read_text()
        assert committed == getattr(exports.source, language), (kid, language)


@pytest.mark.parametrize("kid", KIDS)
def test_exports_agree_bit_for_bit(kid, exports):
    assert assert_exports_agree(exports, spread_inputs(1 << 18, useful=USEFUL[kid])) > 0


def _accuracy_sample(kid: str) -> np.ndarray:
    rng = np.random.default_rng(1)
    if kid == "tanh_fast":  # n = 0 (a < 0.173, undamped core), the rest, saturation, tiny
        parts = [rng.uniform(-9.5, 9.5, 2000), rng.uniform(0.03, 0.18, 1500),
                 rng.uniform(8.3, 9.1, 300), 2.0 ** rng.uniform(-125, 0, 700)]
    else:  # both signs, the far negative tail (relative error of e^-x in full), tiny
        parts = [rng.uniform(-20.0, 20.0, 2000), rng.uniform(-87.3, -10.0, 1500),
                 2.0 ** rng.uniform(-125, 0, 500) * rng.choice([-1, 1], 500)]
    return np.concatenate(parts).astype(np.float32)


@pytest.mark.parametrize("kid", KIDS)
def test_accuracy_against_mpmath_on_a_sample(kid, exports):
    x = _accuracy_sample(kid)
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, kid, x) < 3.2, language


SPECIALS = {
    "tanh_fast": ([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30],
                  [0.0, -0.0, 1.0, -1.0, np.nan, 1.0, -1.0]),
    "sigmoid_fast": ([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30],
                     [0.5, 0.5, 1.0, 0.0, np.nan, 1.0, 0.0]),
}
NAN_PAYLOADS = np.uint32([0x7FC00000, 0x7F800001, 0x7FC001FF, 0xFFFFFFFF, 0x7F8001FF])


@pytest.mark.parametrize("kid", KIDS)
def test_ieee_special_values_and_nan_payloads(kid, exports):
    x, want = (np.float32(values) for values in SPECIALS[kid])
    for language, function in exports.languages():
        assert same_bits(function(x), want).all(), (language, function(x))
        assert np.isnan(function(NAN_PAYLOADS.view(np.float32))).all(), language


@pytest.mark.parametrize("kid", ["tanh_fast"])
def test_tanh_odd_symmetry_bit_for_bit(kid, exports):
    x = spread_inputs(1 << 14, useful=(-10.0, 10.0), seed=3)
    x = x[np.isfinite(x)]
    for language, function in exports.languages():
        assert same_bits(function(-x), -function(x)).all(), language


@pytest.mark.parametrize("kid", ["tanh_fast"])
def test_tanh_tiny_and_subnormal_inputs_give_themselves(kid, exports):
    """While n = 0, N = -P = 2a and D = 2 for tiny a: tanh = a exactly, subnormals included in
    NumPy and C; JAX reads subnormal inputs as 0."""
    x = np.float32([2.0**-149, 3 * 2.0**-149, 2.0**-130, 2.0**-127, 2.0**-126, 1e-20, 1e-30,
                    2.0**-13])
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(x), x).all() and same_bits(function(-x), -x).all(), language
    y = exports.jax(x)
    assert (y[:4] == 0).all() and same_bits(y[4:], x[4:]).all()


@pytest.mark.parametrize("kid", ["tanh_fast"])
def test_tanh_is_one_from_8_491054_on_and_never_above_one(kid, exports):
    first_one = f32("0x1.0fb6b6p+3")
    low, high = np.float32(8.0).view(np.int32), np.float32(10.0).view(np.int32)
    x = np.arange(low, high, 3, dtype=np.int32).view(np.float32)
    x = np.concatenate([x, [first_one, np.nextafter(first_one, np.float32(0))]])
    for language, function in exports.languages():
        y = function(x)
        assert (y <= 1).all() and ((y == 1) == (x >= first_one)).all(), language
        assert same_bits(function(-x), -y).all(), language


ONE_FROM = f32("0x1.0a2b24p+4")  # 16.635532: sigmoid_fast gives 1 from here on (1 ULP off)
ZERO_FROM = f32("-0x1.9fe36ap+6")  # -103.972084: sigmoid rounds to 0 from here down
NORMAL_FROM = f32("-0x1.5d589ep+6")  # -87.33654: the last normal result


def _sigmoid(x: float) -> mpmath.mpf:
    with mpmath.workdps(50):
        return 1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))


@pytest.mark.parametrize("kid", ["sigmoid_fast"])
def test_sigmoid_reaches_one_and_zero_where_it_says(kid, exports):
    below = np.nextafter(ONE_FROM, np.float32(0))
    with mpmath.workdps(50):
        assert 1 - _sigmoid(ONE_FROM) <= 2.0**-24
    low, high = np.float32(15.0).view(np.int32), np.float32(41.0).view(np.int32)
    x = np.concatenate([np.arange(low, high, 7, dtype=np.int32).view(np.float32), [below]])
    for language, function in exports.languages():
        assert function(np.float32([ONE_FROM]))[0] == 1 and function(x[-1:])[0] < 1, language
        assert (function(x) <= 1).all() and ((function(x) == 1) == (x >= ONE_FROM)).all()
    x = np.float32([ZERO_FROM, np.nextafter(ZERO_FROM, np.float32(0))])
    for language, function in exports.languages("numpy", "c"):
        assert same_bits(function(x), np.float32([0, 2.0**-149])).all(), language


@pytest.mark.parametrize("kid", ["sigmoid_fast"])
def test_sigmoid_subnormal_results_within_one_unit_in_numpy_and_c(kid, exports):
    """Below -87.34 the division rounds the result once in NumPy and C; JAX flushes it to 0."""
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(float(ZERO_FROM), float(NORMAL_FROM), 300),
                        [np.nextafter(NORMAL_FROM, -np.inf)]]).astype(np.float32)
    exact = np.array([float(_sigmoid(v) / mpmath.mpf(2) ** -149) for v in x])
    for language, function in exports.languages("numpy", "c"):
        units = function(x).astype(np.float64) / 2.0**-149
        assert np.max(np.abs(units - exact)) < 1.0, language
    assert (exports.jax(x) == 0).all()
