"""Tests for autonumerics.quant.gridbounds: the clamp-or-reject rule of each committed kernel,
checked against mpmath's correctly rounded outputs beyond the grid."""

from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit, ndtr

from autonumerics.errors import AutonumericsError
from autonumerics.quant.gridbounds import (
    GridBounds,
    Kernel,
    correct_code,
    grid_bounds,
    limit_code,
    turning_points,
)
from autonumerics.quant.intprogram import evaluate, parse_program
from autonumerics.quant.kernel_file import input_grid, load_kernel
from autonumerics.quant.params import QuantParams

RESULTS = Path(__file__).resolve().parent.parent / "results" / "quant"
KERNEL_FILES = sorted(RESULTS.glob("*_int*.json"))


def _beyond(edge: int, side: str) -> list[int]:
    """Inputs past ``edge``: the next 64, then every power of two out to the int32 limit."""
    sign = -1 if side == "below" else 1
    steps = list(range(1, 65)) + [2**k for k in range(7, 32)]
    return sorted({min(max(edge + sign * step, -2**31), 2**31 - 1) for step in steps})


def _as_rule_input(path: Path) -> tuple[Kernel, np.ndarray]:
    kernel = load_kernel(path)
    tolerance = int(kernel.metrics.get("max_lsb_error", 0))
    rule_input = Kernel(kernel.target, kernel.program, kernel.params_in, kernel.params_out,
                        tolerance)
    return rule_input, input_grid(kernel)


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda path: path.stem)
def test_rule_of_each_committed_kernel_agrees_with_mpmath(path: Path) -> None:
    """Clamp: kernel(edge) is within the certified error of the correct output of every sampled
    input beyond the edge. Reject: some input beyond the edge is farther than that from
    kernel(edge)."""
    kernel, grid = _as_rule_input(path)
    bounds = grid_bounds(kernel, grid)
    for side, edge in (("below", bounds.low), ("above", bounds.high)):
        at_edge = int(evaluate(kernel.program, **{kernel.program.inputs[0]: np.array([edge])})[0])
        errors = [abs(at_edge - correct_code(kernel.target, kernel.params_in, kernel.params_out, q))
                  for q in _beyond(edge, side)]
        if getattr(bounds, side) == "clamp":
            assert max(errors) <= kernel.tolerance, (side, errors)
        else:
            assert max(errors) > kernel.tolerance, (side, errors)


def test_committed_rules() -> None:
    """The rules the exports document (docs/quantization.md), one per kernel file."""
    rules = {path.stem: grid_bounds(*_as_rule_input(path)) for path in KERNEL_FILES}
    assert (rules["gelu_int8_s2m4"].below, rules["gelu_int8_s2m4"].above) == ("clamp", "clamp")
    assert (rules["gelu_int8_s2m6"].below, rules["gelu_int8_s2m6"].above) == ("reject", "reject")
    assert (rules["tanh_int16_s2m12"].below, rules["tanh_int16_s2m12"].above) == ("clamp", "clamp")
    sigmoid = rules["sigmoid_int16_s2m12"]
    assert (sigmoid.below, sigmoid.above) == ("reject", "reject")
    exp_rules = [rule for name, rule in rules.items() if name.startswith("exp")]
    assert all(rule.above == "reject" for rule in exp_rules)  # exp takes d <= 0


def test_turning_points_are_where_the_derivative_vanishes() -> None:
    (gelu,), (silu,) = turning_points("gelu"), turning_points("silu")
    phi = np.exp(-gelu * gelu / 2) / np.sqrt(2 * np.pi)
    assert abs(ndtr(gelu) + gelu * phi) < 1e-15
    assert abs(expit(silu) * (1 + silu * expit(-silu))) < 1e-15
    assert turning_points("tanh") == () and turning_points("exp") == ()


def test_limit_codes() -> None:
    out = QuantParams(2.0**-15, 0, "int16")
    assert limit_code("tanh", out, "below") == -32768  # saturated
    assert limit_code("tanh", out, "above") == 32767
    assert limit_code("sigmoid", out, "below") == 0 and limit_code("gelu", out, "above") == 32767
    # 1/2 lies on a tie: no single code
    assert limit_code("sigmoid", QuantParams(2.0), "above") is None


def test_rules_of_hand_written_kernels() -> None:
    relu = parse_program("input q\np = max(q, 0)\nreturn p")
    coarse, fine = QuantParams(2.0**-4), QuantParams(2.0**-6)
    grid = coarse.grid()
    # At 2^-4, GELU(-8) and GELU(7.94) round to 0 and 127, which relu returns: clamp on both sides.
    bounds = grid_bounds(Kernel("gelu", relu, coarse, coarse), grid)
    assert bounds == GridBounds(-128, 127, "clamp", "clamp")
    # At 2^-6, GELU(1.98) is 124, not relu's 127 (reject), unless the certificate allows 3 LSB.
    assert grid_bounds(Kernel("gelu", relu, fine, fine), grid).above == "reject"
    assert grid_bounds(Kernel("gelu", relu, fine, fine, tolerance=3), grid).above == "clamp"
    # At 2^-8 the grid's lower edge x = -0.5 lies before GELU's minimum: not monotone beyond it.
    finest = QuantParams(2.0**-8)
    assert grid_bounds(Kernel("gelu", relu, finest, finest, tolerance=1000), grid).below == "reject"
    with pytest.raises(AutonumericsError, match="'erf'"):
        grid_bounds(Kernel("erf", relu, coarse, coarse), grid)
