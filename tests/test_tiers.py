"""Accuracy tiers: kernel ids, `kernel --tier`, `autonumerics.kernel(tier=)` and jax.fast."""

from __future__ import annotations

import pytest

import autonumerics
import autonumerics.jax as ajax
from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.kernels import KERNELS, build_kernel
from autonumerics.kernels.tiers import TIER_BOUNDS, TIERS, kernel_id, split_kernel_id

FAST = [kid for kid in KERNELS if split_kernel_id(kid)[1] == "fast"]


@pytest.mark.parametrize("name, tier, kid", [("tanh", "accurate", "tanh"),
                                             ("tanh", "fast", "tanh_fast"),
                                             ("log_sigmoid", "fast", "log_sigmoid_fast")])
def test_kernel_ids_round_trip(name, tier, kid):
    assert kernel_id(name, tier) == kid and split_kernel_id(kid) == (name, tier)


def test_tiers_and_their_bounds():
    assert TIERS == ("accurate", "fast") and TIER_BOUNDS == {"accurate": 1.0, "fast": 3.5}
    with pytest.raises(AutonumericsError, match="unknown tier 'slow'"):
        kernel_id("tanh", "slow")


def test_every_kernel_computes_its_function():
    for kid in KERNELS:
        assert build_kernel(kid).target == split_kernel_id(kid)[0]


def test_fast_functions_are_public_under_the_function_name():
    assert ajax.fast.__all__ == [split_kernel_id(kid)[0] for kid in FAST]


def test_kernel_command_names_a_missing_tier(capsys):
    with pytest.raises(SystemExit):
        main(["kernel", "exp2", "--tier", "slow"])
    assert "invalid choice: 'slow'" in capsys.readouterr().err
    assert main(["kernel", "rsqrt", "--tier", "fast"]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "'rsqrt'" in err


def test_api_kernel_checks_its_tier():
    with pytest.raises(AutonumericsError, match="tier: 'slow' is not one of accurate, fast"):
        autonumerics.kernel("tanh", tier="slow")
    assert autonumerics.kernel("tanh", tier="accurate").jax == build_kernel("tanh").jax


@pytest.mark.parametrize("kid", FAST)
def test_fast_tier_through_the_cli_and_the_api(kid, tmp_path):
    name = split_kernel_id(kid)[0]
    out = tmp_path / "k.py"
    assert main(["kernel", name, "--tier", "fast", "-o", str(out)]) == 0
    source = build_kernel(kid)
    assert out.read_text() == source.jax and f'KERNEL_NAME = "{kid}"' in source.jax
    assert f'TARGET = "{name}"' in source.jax
    assert autonumerics.kernel(name, tier="fast").numpy == source.numpy
