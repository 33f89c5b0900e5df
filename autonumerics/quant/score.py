"""Correctly rounded integer references (mpmath) and the exhaustive scores of an integer kernel.

The reference for an int -> int activation is ``clip(round(f(S_in * (q - Z_in)) / S_out) + Z_out)``
with f evaluated by mpmath at 40 digits and rounded half to even (ties do not occur for the
transcendental targets except at exact zeros). Scores compare a kernel's outputs with it on
*every* stored input: max |error| in output steps (LSB), the fraction correctly rounded, and the
mean signed error (bias) against the correctly rounded reference.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.quant.params import QuantParams

# activation name -> its exact definition in mpmath (argument and result are mpf)
MPMATH_ACTIVATIONS: dict[str, Callable[[mpmath.mpf], mpmath.mpf]] = {
    "gelu": lambda x: x * mpmath.ncdf(x),
    "exp": mpmath.exp,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "tanh": mpmath.tanh,
    "silu": lambda x: x / (1 + mpmath.exp(-x)),
}


def _function(name: str) -> Callable[[mpmath.mpf], mpmath.mpf]:
    if name not in MPMATH_ACTIVATIONS:
        raise AutonumericsError(f"unknown quantized target {name!r} "
                                f"(choose from {', '.join(MPMATH_ACTIVATIONS)})")
    return MPMATH_ACTIVATIONS[name]


@functools.lru_cache(maxsize=64)
def _reference_cached(name: str, params_in: QuantParams,
                      params_out: QuantParams) -> tuple[np.ndarray, np.ndarray]:
    function = _function(name)
    grid = params_in.grid()
    scaled = np.empty(len(grid), dtype=object)
    with mpmath.workdps(40):
        s_in, s_out = mpmath.mpf(params_in.scale), mpmath.mpf(params_out.scale)
        for index, q in enumerate(grid.tolist()):
            scaled[index] = function(s_in * (q - params_in.zero_point)) / s_out
        exact = np.array([float(v) for v in scaled])
        # Round half to even in exact arithmetic (float64 could misplace a value next to a tie).
        rounded = np.array([int(mpmath.nint(v)) for v in scaled], dtype=np.int64)
    low, high = params_out.qrange
    return exact + params_out.zero_point, np.clip(rounded + params_out.zero_point, low, high)


def reference(name: str, params_in: QuantParams,
              params_out: QuantParams) -> tuple[np.ndarray, np.ndarray]:
    """(exact, rounded) outputs over the whole input grid: ``f(S_in (q - Z_in)) / S_out + Z_out``
    as float64, and its correctly rounded, saturated integer (cached per argument set)."""
    exact, rounded = _reference_cached(name, params_in, params_out)
    return exact.copy(), rounded.copy()


@dataclass(frozen=True)
class QuantScore:
    """Exhaustive accuracy of a kernel's integer outputs against the correctly rounded reference."""

    points: int
    max_lsb_error: int
    correctly_rounded: float  # fraction of inputs equal to the reference
    bias_lsb: float  # mean signed (output - reference), in output steps
    worst_input: int
    max_error_vs_exact: float  # max |output - exact real value| in steps (saturation included)

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def score_outputs(outputs: np.ndarray, grid: np.ndarray, exact: np.ndarray,
                  rounded: np.ndarray) -> QuantScore:
    """Integer outputs on ``grid`` against the reference (``exact`` reals, ``rounded`` integers)."""
    outputs = np.asarray(outputs, dtype=np.int64)
    error = outputs - rounded
    worst = int(np.argmax(np.abs(error)))
    return QuantScore(
        points=len(grid),
        max_lsb_error=int(np.abs(error).max()),
        correctly_rounded=float(np.mean(error == 0)),
        bias_lsb=float(error.mean()),
        worst_input=int(grid[worst]),
        max_error_vs_exact=float(np.abs(outputs - exact).max()),
    )
