"""Score baseline programs exactly like evolved ones: sampled errors against exact labels.

Two point sets per (target, interval):

- float64 errors: Chebyshev-spaced points (dense at the ends, where minimax errors peak),
  exact double-double labels (cached on disk by ``ground_truth``);
- float32 ULP errors: float32 inputs, half evenly spaced in value and half evenly spaced in
  ulps (so tiny inputs are covered too), exact labels; evaluated contracted (one FMA per
  ``a*b + c``) as the JAX export computes them.

The numbers are sampled maxima ("sampled, N points"); exhaustive float32 checks are
``autonumerics.verification.exhaustive``'s job.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from autonumerics.ir.interpret import evaluate
from autonumerics.ir.program import Program
from autonumerics.numerics.metrics import absolute_errors, relative_errors, ulp_errors
from autonumerics.truth.ground_truth import labels, make_points
from autonumerics.truth.targets import Target

FLOAT64_POINTS = 4097
FLOAT32_POINTS = 1 << 16


@dataclass(frozen=True)
class Samples:
    """Inputs and exact values (double-doubles hi + lo) for scoring one target on one interval."""

    x64: np.ndarray
    hi64: np.ndarray
    lo64: np.ndarray
    x32: np.ndarray
    hi32: np.ndarray
    lo32: np.ndarray


@dataclass(frozen=True)
class SampledScore:
    """Sampled errors of one program: relative and absolute in the scoring dtype, float32 ULP."""

    max_rel_error: float
    max_abs_error: float
    max_ulp_float32: float


def float32_inputs(interval: tuple[float, float], n: int) -> np.ndarray:
    """Float32 values in the interval: n/2 evenly spaced in value, n/2 evenly spaced in ulps."""
    even = make_points(interval, n // 2, "uniform").astype(np.float32).astype(np.float64)
    even = even[(even >= interval[0]) & (even <= interval[1])]
    return np.unique(np.concatenate([even, make_points(interval, n // 2, "float32")]))


@functools.lru_cache(maxsize=8)
def samples(target: Target, interval: tuple[float, float],
            n64: int = FLOAT64_POINTS, n32: int = FLOAT32_POINTS) -> Samples:
    """The scoring points of ``target`` on ``interval`` with their exact labels (cached)."""
    x64 = make_points(interval, n64, "chebyshev")
    x32 = float32_inputs(interval, n32)
    return Samples(x64, *labels(target, x64), x32, *labels(target, x32))


def score(program: Program, data: Samples, dtype: str = "float64") -> SampledScore:
    """Max relative and absolute error evaluated in ``dtype``, and max float32 ULP error.

    float32 is always evaluated contracted (as exported to JAX); float64 has no contraction
    in numpy and none that matters at its precision.
    """
    contract = dtype != "float64"
    x, hi, lo = ((data.x64, data.hi64, data.lo64) if dtype == "float64"
                 else (data.x32, data.hi32, data.lo32))
    approx = evaluate(program, x, dtype, contract=contract)
    approx32 = evaluate(program, data.x32, "float32", contract=True)
    return SampledScore(
        max_rel_error=float(relative_errors(approx, hi, lo).max()),
        max_abs_error=float(absolute_errors(approx, hi, lo).max()),
        max_ulp_float32=float(ulp_errors(approx32, data.hi32, data.lo32, "float32").max()),
    )


def score_values(approx32: np.ndarray, data: Samples) -> SampledScore:
    """Score outputs computed elsewhere (e.g. a JAX built-in) at ``data.x32``, all in float32."""
    return SampledScore(
        max_rel_error=float(relative_errors(approx32, data.hi32, data.lo32).max()),
        max_abs_error=float(absolute_errors(approx32, data.hi32, data.lo32).max()),
        max_ulp_float32=float(ulp_errors(approx32, data.hi32, data.lo32, "float32").max()),
    )


class ContractedFloat32:
    """A program as a picklable float32 function, contracted as exported to JAX (for the
    exhaustive checker's worker processes)."""

    def __init__(self, program: Program) -> None:
        self.program = program

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return evaluate(self.program, x, "float32", contract=True)
