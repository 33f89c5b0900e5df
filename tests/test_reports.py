"""Tests for autonumerics.numerics.reports: error reports over point sets, and their merge."""

from __future__ import annotations

import itertools
import json
import math

import mpmath
import numpy as np
import pytest

from autonumerics.numerics.dtypes import float_format
from autonumerics.numerics.metrics import ulp_errors
from autonumerics.numerics.reports import ErrorReport, error_report, merge


def _sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A float32 'approximation' of exp with a few ulps of noise, exact values from mpmath."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2, 2, n)).astype(np.float32)
    with mpmath.workdps(40):
        exact = [mpmath.exp(mpmath.mpf(float(v))) for v in x]
        hi = np.array([float(e) for e in exact])
        lo = np.array([float(e - float(e)) for e in exact])
    approx = (np.exp(x.astype(np.float64)) * (1 + rng.normal(0, 6e-8, n))).astype(np.float32)
    return x, approx, hi, lo


def test_error_report_counts_and_worst() -> None:
    x, approx, hi, lo = _sample(3000, 3)
    report = error_report(x, approx, hi, lo, "float32")
    ulps = ulp_errors(approx, hi, lo, "float32")
    worst = int(np.argmax(ulps))
    assert report.n_points == 3000 and not report.exhaustive
    assert report.max_ulp == ulps.max() and report.worst_input == float(x[worst])
    assert report.worst_output == float(approx[worst])
    assert report.n_ge_half_ulp == np.count_nonzero(ulps >= 0.5) > 0
    assert report.n_ge_one_ulp == np.count_nonzero(ulps >= 1.0) > 0
    assert report.n_correctly_rounded == 3000 - report.n_ge_half_ulp  # no exact ties here
    relative = np.abs(approx / np.exp(x.astype(float)) - 1)
    assert report.max_rel_error == pytest.approx(float(np.max(relative)), rel=1e-6)
    as_dict = report.to_dict()
    json.dumps(as_dict, allow_nan=False)
    assert as_dict["worst_input_hex"] == float(x[worst]).hex()
    assert as_dict["frac_correctly_rounded"] == report.frac_correctly_rounded


def test_error_report_with_nonfinite_output() -> None:
    x, approx, hi, lo = _sample(100, 4)
    approx[17] = np.nan
    report = error_report(x, approx, hi, lo, "float32")
    assert report.max_ulp == math.inf and report.worst_input == float(x[17])
    assert report.to_dict()["max_ulp"] == "inf"
    json.dumps(report.to_dict(), allow_nan=False)


def test_error_report_float64_worst_is_relative() -> None:
    x = np.array([1.0, 2.0, 3.0])
    hi = np.array([1.0, 1e-10, 1e10])
    approx = hi * np.array([1 + 1e-15, 1 + 1e-12, 1 + 1e-14])
    report = error_report(x, approx, hi, np.zeros(3), "float64")
    assert report.worst_input == 2.0 and report.dtype == "float64"


def test_merge_of_chunks_equals_one_shot() -> None:
    x, approx, hi, lo = _sample(4000, 5)
    whole = error_report(x, approx, hi, lo, "float32", exhaustive=True)
    cuts = [0, 700, 701, 2500, 4000]
    parts = [
        error_report(x[a:b], approx[a:b], hi[a:b], lo[a:b], "float32", exhaustive=True)
        for a, b in itertools.pairwise(cuts)
    ]
    assert merge(parts) == whole
    assert merge([parts[0]]) == parts[0]


def test_merge_refuses_mixed_or_empty() -> None:
    x, approx, hi, lo = _sample(10, 6)
    a = error_report(x, approx, hi, lo, "float32")
    b = error_report(x, approx.astype(np.float64), hi, lo, "float64")
    with pytest.raises(ValueError):
        merge([a, b])
    with pytest.raises(ValueError):
        merge([])
    assert isinstance(merge([a, a]), ErrorReport) and merge([a, a]).n_points == 20


def test_error_report_takes_a_format_or_its_name() -> None:
    x, approx, hi, lo = _sample(50, 7)
    by_name = error_report(x, approx, hi, lo, "float32")
    assert error_report(x, approx, hi, lo, float_format("float32")) == by_name
