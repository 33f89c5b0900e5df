"""Accuracy reports: the errors of an approximation over a point set, and their union.

The errors follow the conventions of :mod:`autonumerics.numerics.metrics`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import FloatFormat, float_format
from autonumerics.numerics.metrics import (
    absolute_errors,
    relative_errors,
    round_to_format,
    ulp_error_at_least,
    ulp_errors,
)

__all__ = ["ErrorReport", "error_report", "merge"]


@dataclass(frozen=True)
class ErrorReport:
    """Accuracy of an approximation over a point set.

    Attributes:
        dtype: name of the evaluation format (``"float32"``...).
        n_points: number of inputs measured.
        exhaustive: True when the inputs were every value of the format in the interval.
        max_rel_error: largest relative error.
        max_abs_error: largest absolute error.
        max_ulp: largest ULP error in ``dtype`` (exact where the ground truth is).
        worst_input: the input of the largest ULP error (of relative error for float64).
        worst_output: the approximation's value at ``worst_input``.
        n_ge_half_ulp: inputs with ULP error >= 0.5.
        n_ge_one_ulp: inputs with ULP error >= 1.
        n_correctly_rounded: inputs whose output equals the correctly rounded exact value.
    """

    dtype: str
    n_points: int
    exhaustive: bool
    max_rel_error: float
    max_abs_error: float
    max_ulp: float | None
    worst_input: float
    worst_output: float
    n_ge_half_ulp: int
    n_ge_one_ulp: int
    n_correctly_rounded: int

    @property
    def frac_correctly_rounded(self) -> float:
        """Fraction of inputs correctly rounded."""
        return self.n_correctly_rounded / self.n_points if self.n_points else 1.0

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly dict: floats as numbers (non-finite ones as the strings "inf"/"nan")."""
        def number(value: float | None) -> float | str | None:
            if value is None or np.isfinite(value):
                return value
            return str(value)

        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out = {k: number(v) if isinstance(v, float) else v for k, v in fields.items()}
        out["frac_correctly_rounded"] = self.frac_correctly_rounded
        out["worst_input_hex"] = float(self.worst_input).hex()
        out["worst_output_hex"] = float(self.worst_output).hex()
        return out


def _worst_key(report: ErrorReport) -> float:
    if report.dtype == "float64" or report.max_ulp is None:
        return report.max_rel_error
    return report.max_ulp


def merge(reports: Sequence[ErrorReport]) -> ErrorReport:
    """One report for the union of disjoint point sets; ties go to the earliest report.

    Raises:
        ValueError: if ``reports`` is empty or mixes dtypes.
    """
    if not reports:
        raise ValueError("merge needs at least one report")
    if len({r.dtype for r in reports}) != 1:
        raise ValueError(f"cannot merge reports of dtypes {sorted({r.dtype for r in reports})}")
    worst = reports[0]
    for report in reports[1:]:
        if _worst_key(report) > _worst_key(worst):
            worst = report
    ulps = [r.max_ulp for r in reports]
    return dataclasses.replace(
        worst,
        n_points=sum(r.n_points for r in reports),
        exhaustive=all(r.exhaustive for r in reports),
        max_rel_error=max(r.max_rel_error for r in reports),
        max_abs_error=max(r.max_abs_error for r in reports),
        max_ulp=None if None in ulps else max(ulps),
        n_ge_half_ulp=sum(r.n_ge_half_ulp for r in reports),
        n_ge_one_ulp=sum(r.n_ge_one_ulp for r in reports),
        n_correctly_rounded=sum(r.n_correctly_rounded for r in reports),
    )


def error_report(x: np.ndarray, approx: np.ndarray, hi: np.ndarray, lo: np.ndarray,
                 fmt: FloatFormat | str, exhaustive: bool = False) -> ErrorReport:
    """Measure ``approx`` (computed in ``fmt``) against the exact ``hi + lo`` at inputs ``x``.

    Args:
        x: the inputs (1-D, non-empty).
        approx: the approximation's outputs at x, values of the format.
        hi: float64 nearest the exact values.
        lo: the rest of the exact values (zeros for a float64 reference).
        fmt: the evaluation format (a ``FloatFormat`` or its name).
        exhaustive: whether x is every value of the format in the interval.

    Returns:
        The report; the worst input is the first of the largest ULP error (relative for float64).
    """
    fmt = float_format(fmt)
    x, approx = np.asarray(x), np.asarray(approx)
    if x.size == 0:
        raise AutonumericsError("an error report needs at least one point, got none")
    ulps = ulp_errors(approx, hi, lo, fmt)
    relative = relative_errors(approx, hi, lo)
    worst = int(np.argmax(relative if fmt.precision >= 53 else ulps))
    approx64 = approx.astype(np.float64)
    correct = approx64 == round_to_format(hi, lo, fmt).astype(np.float64)
    return ErrorReport(
        dtype=fmt.name,
        n_points=int(x.size),
        exhaustive=exhaustive,
        max_rel_error=float(relative.max()),
        max_abs_error=float(absolute_errors(approx, hi, lo).max()),
        max_ulp=float(ulps.max()),
        worst_input=float(x.reshape(-1)[worst]),
        worst_output=float(approx64.reshape(-1)[worst]),
        n_ge_half_ulp=int(np.count_nonzero(ulp_error_at_least(approx, hi, lo, fmt, 0.5))),
        n_ge_one_ulp=int(np.count_nonzero(ulp_error_at_least(approx, hi, lo, fmt, 1.0))),
        n_correctly_rounded=int(np.count_nonzero(correct)),
    )
