"""Taylor, Padé and Chebyshev constructions against mpmath and closed forms; programs from
coefficients; the best-by-cost view."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from autonumerics.baselines import Baseline, best_by_ops, forms
from autonumerics.baselines.classical import (
    chebyshev_interpolant,
    pade,
    pade_coefficients,
    taylor,
)
from autonumerics.baselines.problem import make_problem
from autonumerics.errors import AutonumericsError
from autonumerics.ir.interpret import evaluate


def exp2(x):
    return mpmath.power(2, x)


def test_taylor_about_zero_is_the_exponential_series(exp2_relative):
    approximant = taylor(exp2_relative, 6, center=0)
    expected = [math.log(2) ** k / math.factorial(k) for k in range(7)]
    np.testing.assert_allclose([float(c) for c in approximant.numerator], expected, rtol=1e-14)


def test_taylor_about_the_midpoint_matches_mpmath_taylor(exp2_relative):
    approximant = taylor(exp2_relative, 5)  # default center 0.5, expanded into monomials in x
    with mpmath.workdps(40):
        series = mpmath.taylor(exp2, mpmath.mpf("0.5"), 5)
        for x in (0.0, 0.3, 1.0):
            direct = sum(c * (mpmath.mpf(x) - mpmath.mpf("0.5")) ** k for k, c in enumerate(series))
            assert abs(approximant(mpmath.mpf(x)) - direct) < 1e-30


def test_pade_matches_mpmath_pade(exp2_relative):
    with mpmath.workdps(40):
        series = mpmath.taylor(exp2, 0, 6)
        p_ref, q_ref = mpmath.pade(series, 3, 3)
        p, q = pade_coefficients(series, 3, 3)
        assert max(abs(a - b) for a, b in zip(p, p_ref, strict=True)) < 1e-30
        assert max(abs(a - b) for a, b in zip(q, q_ref, strict=True)) < 1e-30
    about_zero = pade(exp2_relative, 3, 3, center=0)
    expected = mpmath.polyval(p_ref[::-1], 0.7) / mpmath.polyval(q_ref[::-1], 0.7)
    assert abs(about_zero(mpmath.mpf("0.7")) - expected) < 1e-25


def test_pade_of_exp2_about_the_midpoint_reaches_the_reference_error(exp2_relative):
    approximant = pade(exp2_relative, 2, 2)
    worst = max(abs(approximant(x) / exp2(x) - 1) for x in mpmath.linspace(0, 1, 2001))
    assert float(worst) == pytest.approx(7.0e-6, rel=0.01)  # docs/references.md
    assert approximant.denominator[0] == 1


def test_pade_needs_enough_series_terms():
    with pytest.raises(AutonumericsError, match="needs 5"):
        pade_coefficients([mpmath.mpf(1)] * 3, 2, 2)


def test_chebyshev_interpolant_matches_mpmath_chebyfit(exp2_relative):
    approximant = chebyshev_interpolant(exp2_relative, 6)
    with mpmath.workdps(30):
        reference = mpmath.chebyfit(exp2, [0, 1], 7)[::-1]  # highest degree first
    np.testing.assert_allclose([float(c) for c in approximant.numerator],
                               [float(c) for c in reference], rtol=1e-20, atol=1e-25)


def test_chebyshev_interpolant_is_near_minimax_in_absolute_error():
    """Degree-6 Chebyshev interpolation within ~5 % of the minimax error (docs/references.md)."""
    absolute = make_problem(exp2, "plain", (0.0, 1.0), relative=False)
    approximant = chebyshev_interpolant(absolute, 6)
    worst = max(abs(approximant(x) - exp2(x)) for x in mpmath.linspace(0, 1, 4001))
    assert 2.644e-9 < float(worst) < 2.644e-9 * 1.05


@pytest.mark.parametrize(("coefficients", "form", "text", "ops"), [
    ([1.0, 0.5, 0.25], "plain",
     "0x1.0000000000000p+0 + x*(0x1.0000000000000p-1 + x*0x1.0000000000000p-2)", 4),
    ([0.0, 1.0, 0.5], "plain", "x*(0x1.0000000000000p+0 + x*0x1.0000000000000p-1)", 3),
    ([2.0, 1.0], "plain", "0x1.0000000000000p+1 + x", 1),
    ([0.5, 0.0, 0.25, 0.0], "plain", "0x1.0000000000000p-1 + x*x*0x1.0000000000000p-2", 3),
    ([0.125, 0.5], "odd1", "t = x*x; x + x*(0x1.0000000000000p-3 + t*0x1.0000000000000p-1)", 5),
    ([1.0, -0.5], "odd", "t = x*x; x*(0x1.0000000000000p+0 + t*-0x1.0000000000000p-1)", 4),
    ([1.0, -0.5], "even", "t = x*x; 0x1.0000000000000p+0 + t*-0x1.0000000000000p-1", 3),
])
def test_polynomial_programs_simplify_zeros_and_units(coefficients, form, text, ops):
    assert forms.wrap(forms.horner(coefficients, "x" if form == "plain" else "t"), form) == text
    program = forms.polynomial_program(coefficients, form)
    assert program.n_ops == ops
    x = np.linspace(-1, 1, 11)
    t = x * x if form != "plain" else x
    inner = np.polynomial.polynomial.polyval(t, coefficients)
    expected = {"plain": inner, "odd": x * inner, "odd1": x + x * inner, "even": inner}[form]
    np.testing.assert_allclose(evaluate(program, x), expected, rtol=1e-15)


@pytest.mark.parametrize("degree", [1, 3, 6])
def test_horner_costs_2n_and_rationals_4m_plus_1(degree):
    coefficients = [1.0 + k / 7 for k in range(degree + 1)]
    n_ops = forms.polynomial_program(coefficients).n_ops
    assert n_ops == 2 * degree == forms.predicted_ops(degree, 0, "plain")
    rational = forms.rational_program(coefficients, [1.0] + coefficients[1:])
    assert rational.n_ops == 4 * degree + 1 == forms.predicted_ops(degree, degree, "plain")


def _baseline(family: str, ops: int | None, error: float) -> Baseline:
    return Baseline(family, f"{family} {ops}", 1, None, ops, error, error, error, None)


def test_best_by_ops_is_the_pareto_staircase():
    rows = [_baseline("taylor", 4, 1e-2), _baseline("minimax", 4, 1e-3),
            _baseline("minimax", 6, 1e-5), _baseline("pade", 7, 1e-4),
            _baseline("rational", 9, 1e-7), _baseline("jax", None, 0.0)]
    front = best_by_ops(rows)
    assert list(front) == [4, 6, 9]
    assert [b.family for b in front.values()] == ["minimax", "minimax", "rational"]
    assert best_by_ops([]) == {}
