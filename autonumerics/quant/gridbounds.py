"""What an exported integer kernel does with an input outside its grid: clamp it, or reject it.

A kernel is certified on its input grid only (every int8, every int16, or the int16 values
d <= 0 of an exp kernel). Beyond the grid its arithmetic is not audited (intermediates may
overflow int32) and its result is meaningless, so an export must not compute there. Two honest
answers exist for an input q beyond one edge e of the grid:

* **clamp**: return kernel(e), when that is the correct saturated value of every input beyond
  e, to within the kernel's certified error (its ``max_lsb_error``; 0 without one). Where f is
  monotone beyond e (no turning point of f past x_e = S_in (e - Z_in)), the correctly rounded,
  saturated outputs beyond e all lie between c_e, that of x_e, and c_lim, the code that f's
  limit at that end rounds or saturates to (rounding and saturation are monotone). So clamping
  is right iff |kernel(e) - c_e| and |kernel(e) - c_lim| are both within the tolerance.
  Example: GELU int8 at 2^-4, whose edges x = -8 and 7.94 give 0 and 127, the limits' codes.
* **reject**: anything else, e.g. GELU int8 at 2^-6 (x_e = -2 gives -3 LSB, not GELU(-inf) = 0)
  or exp above 0 (an exp kernel takes d <= 0 only). The NumPy and eager JAX exports raise
  ValueError; C, and JAX inside a trace (where values cannot be inspected), return
  ``REJECTED`` = -2**31, a value no kernel returns on its grid.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.quant.int_ops import INT32_MAX, INT32_MIN
from autonumerics.quant.intprogram import IntProgram, evaluate
from autonumerics.quant.params import QuantParams
from autonumerics.quant.score import MPMATH_ACTIVATIONS

SIDE_RULES = ("clamp", "reject")
REJECTED = INT32_MIN  # the C / traced-JAX answer for a rejected input; never an output on the grid

# f(-inf) and f(+inf) of each target (mpmath values; +inf where f grows without bound).
LIMITS: dict[str, tuple[mpmath.mpf, mpmath.mpf]] = {
    "gelu": (mpmath.mpf(0), mpmath.inf), "silu": (mpmath.mpf(0), mpmath.inf),
    "exp": (mpmath.mpf(0), mpmath.inf), "sigmoid": (mpmath.mpf(0), mpmath.mpf(1)),
    "tanh": (mpmath.mpf(-1), mpmath.mpf(1)),
}


@dataclass(frozen=True)
class GridBounds:
    """The input grid [low, high] of a kernel and the rule for inputs below / above it."""

    low: int
    high: int
    below: str = "reject"
    above: str = "reject"

    def __post_init__(self) -> None:
        if not INT32_MIN < self.low <= self.high < INT32_MAX:
            raise AutonumericsError(f"input grid [{self.low}, {self.high}] must lie strictly "
                                    "inside int32")
        for side in (self.below, self.above):
            if side not in SIDE_RULES:
                raise AutonumericsError(f"unknown out-of-grid rule {side!r} (choose from "
                                        f"{', '.join(SIDE_RULES)})")

    def as_dict(self) -> dict[str, object]:
        """The bounds as plain data, for an export's METADATA."""
        return {"input_grid": [self.low, self.high],
                "out_of_grid": {"below": self.below, "above": self.above},
                "rejected_value": REJECTED}


@functools.cache
def turning_points(target: str) -> tuple[float, ...]:
    """Where f' = 0, beyond which f is monotone.

    GELU's minimum is at x = -0.7518..., SiLU's at -1.2785....
    """
    derivatives = {
        "gelu": (lambda x: mpmath.ncdf(x) + x * mpmath.npdf(x), -0.75),
        "silu": (lambda x: (1 + mpmath.exp(-x) + x * mpmath.exp(-x)) / (1 + mpmath.exp(-x)) ** 2,
                 -1.28),
    }
    if target not in derivatives:
        return ()
    derivative, start = derivatives[target]
    with mpmath.workdps(30):
        return (float(mpmath.findroot(derivative, start)),)


def correct_code(target: str, params_in: QuantParams, params_out: QuantParams, q: int) -> int:
    """The correctly rounded (half to even), saturated output code of input code ``q``.

    The exact value comes from mpmath at 40 digits.
    """
    with mpmath.workdps(40):
        x = mpmath.mpf(params_in.scale) * (q - params_in.zero_point)
        scaled = MPMATH_ACTIVATIONS[target](x) / mpmath.mpf(params_out.scale)
        low, high = params_out.qrange
        return int(min(max(int(mpmath.nint(scaled)) + params_out.zero_point, low), high))


def limit_code(target: str, params_out: QuantParams, side: str) -> int | None:
    """The output code that f's limit at ``side`` ("below" or "above") saturates or rounds to.

    None when the limit sits exactly on a rounding tie: values approaching it round to one side.
    """
    limit = LIMITS[target][0 if side == "below" else 1]
    low, high = params_out.qrange
    if mpmath.isinf(limit):
        return high if limit > 0 else low
    with mpmath.workdps(40):
        scaled = limit / mpmath.mpf(params_out.scale)
        if scaled - mpmath.floor(scaled) == mpmath.mpf(0.5):
            return None
        return int(min(max(int(mpmath.nint(scaled)) + params_out.zero_point, low), high))


@dataclass(frozen=True)
class Kernel:
    """What the rule needs of a kernel: target, program, scales and certified max error (LSB)."""

    target: str
    program: IntProgram
    params_in: QuantParams
    params_out: QuantParams
    tolerance: int = 0


def side_rule(kernel: Kernel, edge: int, side: str) -> str:
    """"clamp" if kernel(edge) is, within the tolerance, the correct output of every input beyond
    ``edge`` on ``side`` ("below" or "above"), else "reject"."""
    x_edge = kernel.params_in.scale * (edge - kernel.params_in.zero_point)
    turns = turning_points(kernel.target)
    monotone = (all(x_edge <= t for t in turns) if side == "below"
                else all(x_edge >= t for t in turns))
    limit = limit_code(kernel.target, kernel.params_out, side)
    if not monotone or limit is None:
        return "reject"
    at_edge = int(evaluate(kernel.program, **{kernel.program.inputs[0]: np.array([edge])})[0])
    correct = correct_code(kernel.target, kernel.params_in, kernel.params_out, edge)
    error = max(abs(at_edge - correct), abs(at_edge - limit))
    return "clamp" if error <= kernel.tolerance else "reject"


def grid_bounds(kernel: Kernel, grid: np.ndarray) -> GridBounds:
    """The rule on each side of ``grid`` (a contiguous range of input codes) for one kernel."""
    if kernel.target not in LIMITS:
        raise AutonumericsError(f"no saturation rule for target {kernel.target!r} (choose from "
                                f"{', '.join(LIMITS)})")
    low, high = int(grid.min()), int(grid.max())
    return GridBounds(low, high, side_rule(kernel, low, "below"), side_rule(kernel, high, "above"))
