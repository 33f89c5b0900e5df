"""silu and gelu_tanh (both tiers): where the result becomes x, the accurate kernels' path switches,
and the far-left tail where jax.nn's versions fail (x sigmoid(z) with z carried as a pair)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from kernel_checks import kernel_exports, same_bits, sampled_max_ulp

from autonumerics.kernels import gelu_tanh, silu
from autonumerics.truth.targets import get_target


def f32(value: str) -> np.float32:
    return np.float32(float.fromhex(value))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = kernel_exports(name, tmp_path_factory.mktemp(name))
        return cache[name]

    return get


def _rounds_to_itself(target: str, x: np.float32) -> bool:
    """Whether f(x) rounds to x in float32 (mpmath at 80 bits; ties cannot occur here)."""
    with mpmath.workprec(80):
        exact = get_target(target).mp(mpmath.mpf(float(x)))
        return abs(exact - mpmath.mpf(float(x))) < mpmath.mpf(float(np.spacing(x))) / 2


@pytest.mark.parametrize("name, threshold", [("silu", silu.SATURATION),
                                             ("gelu_tanh", gelu_tanh.SATURATION)])
def test_saturation_threshold_is_the_first_float32_whose_result_rounds_to_x(name, threshold):
    x = f32(threshold)
    assert _rounds_to_itself(name, x)
    assert not _rounds_to_itself(name, np.nextafter(x, np.float32(0)))
    for above in (np.nextafter(x, np.float32(np.inf)), x * np.float32(1.5), np.float32(1e30)):
        assert _rounds_to_itself(name, above)


@pytest.mark.parametrize("name, threshold", [("silu", silu.SATURATION),
                                             ("gelu_tanh", gelu_tanh.SATURATION)])
def test_accurate_kernel_gives_x_from_the_threshold_on_and_not_before(built, name, threshold):
    x = f32(threshold)
    below = np.nextafter(x, np.float32(0))
    inputs = np.float32([below, x, np.nextafter(x, np.float32(np.inf)), 100.0, 3e38])
    for language, function in built(name).languages():
        y = function(inputs)
        assert y[0] != below and same_bits(y[1:], inputs[1:]).all(), language


@pytest.mark.parametrize("name, switch", [("silu", -4.0), ("gelu_tanh", -3.3429)])
@pytest.mark.parametrize("tier", ["", "_fast"])
def test_every_float32_around_the_path_switch_is_within_the_tier(built, name, switch, tier):
    """2^13 consecutive float32 on each side of the accurate kernel's switch between its near
    form x (1 - g) and its tail form (|z| = 4 for silu; |z| = 8, x = -3.3429, for gelu_tanh)."""
    start = np.float32(switch).view(np.int32)
    x = (start + np.arange(-(1 << 13), 1 << 13, dtype=np.int32)).view(np.float32)
    bound = 1.0 if tier == "" else 3.5
    for language, function in built(name + tier).languages("jax", "numpy"):
        assert sampled_max_ulp(function, name, x) < bound, language


@pytest.mark.parametrize("name", ["silu", "silu_fast", "gelu_tanh", "gelu_tanh_fast"])
def test_the_far_left_tail_stays_within_the_tier(built, name):
    """Where jax.nn.silu and jax.nn.gelu are 1e7 ULP off: results down to the smallest normal."""
    rng = np.random.default_rng(3)
    low = -91.5 if name.startswith("silu") else -10.0
    x = rng.uniform(low, low / 4, 3000).astype(np.float32)
    bound = 3.5 if name.endswith("_fast") else 1.0
    for language, function in built(name).languages("jax", "numpy"):
        assert sampled_max_ulp(function, name, x) < bound, language
