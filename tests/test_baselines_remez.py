"""Minimax polynomials and rationals (Remez) with their certificates, against published figures,
an independent LP, and deliberately broken inputs."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from scipy.optimize import linprog

from autonumerics.baselines.certificate import certify
from autonumerics.baselines.problem import Approximant, make_problem
from autonumerics.baselines.remez import (
    RemezWarning,
    minimax_polynomial,
    minimax_rational,
)
from autonumerics.errors import AutonumericsError

# Minimax relative errors of 2^x on [0, 1] (docs/references.md), to 3 digits.
POLYNOMIAL_ERRORS = {3: 7.48e-5, 4: 2.59e-6, 5: 7.49e-8, 6: 1.856e-9, 7: 4.02e-11, 8: 7.74e-13}
RATIONAL_ERRORS = {1: 8.7e-4, 2: 4.3e-7, 3: 9.3e-11}


@pytest.mark.parametrize("degree", sorted(POLYNOMIAL_ERRORS))
def test_minimax_polynomials_of_exp2_reproduce_the_reference(exp2_relative, degree):
    result = minimax_polynomial(exp2_relative, degree)
    certificate = result.certificate
    assert certificate.max_error == pytest.approx(POLYNOMIAL_ERRORS[degree], rel=0.01)
    assert certificate.passed and certificate.alternates
    assert len(certificate.points) == certificate.required == degree + 2
    assert certificate.levelling < 0.01
    # de la Vallée Poussin: the lower bound and the max bracket the levelled error
    levelled = result.levelled_error * (1 + 1e-9)
    assert certificate.lower_bound <= levelled <= certificate.max_error * (1 + 1e-9)


@pytest.mark.parametrize("m", sorted(RATIONAL_ERRORS))
def test_minimax_rationals_of_exp2_reproduce_the_reference(exp2_relative, m):
    result = minimax_rational(exp2_relative, m, m)
    assert result.certificate.max_error == pytest.approx(RATIONAL_ERRORS[m], rel=0.03)
    assert result.certificate.passed
    assert len(result.certificate.points) == 2 * m + 2
    assert result.approximant.denominator[0] == 1


def test_certificate_fails_on_a_perturbed_polynomial(exp2_relative):
    best = minimax_polynomial(exp2_relative, 4)
    error = best.certificate.max_error
    coefficients = list(best.approximant.numerator)
    problem = exp2_relative

    def check(numerator):
        approximant = Approximant(tuple(numerator))
        return certify(lambda t: problem.w(t) * (approximant(t) - problem.g(t)),
                       (problem.a, problem.b), 6)

    assert check(coefficients).passed
    shifted = [coefficients[0] + mpmath.mpf(error) / 2] + coefficients[1:]
    assert not check(shifted).passed  # extrema now 1.5E and 0.5E: levelling 2/3
    tilted = coefficients[:-1] + [coefficients[-1] * (1 + mpmath.mpf("1e-3"))]
    tilted_certificate = check(tilted)
    assert not tilted_certificate.passed
    assert tilted_certificate.max_error > error


def test_minimax_agrees_with_an_independent_linear_program():
    """exp on [0, 1], absolute error, degree 3: LP on 4001 points in float64 (no mpmath)."""
    result = minimax_polynomial(make_problem(mpmath.exp, "plain", (0.0, 1.0), relative=False), 3)
    x = np.linspace(0.0, 1.0, 4001)
    powers = np.vander(x, 4, increasing=True)
    ones = np.ones((x.size, 1))
    a_ub = np.vstack([np.hstack([powers, -ones]), np.hstack([-powers, -ones])])
    b_ub = np.concatenate([np.exp(x), -np.exp(x)])
    lp = linprog([0, 0, 0, 0, 1], A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * 5, method="highs")
    assert lp.status == 0
    assert result.certificate.max_error == pytest.approx(lp.x[-1], rel=1e-3)
    np.testing.assert_allclose([float(c) for c in result.approximant.numerator], lp.x[:4],
                               rtol=1e-3)


def test_odd_forms_certify_in_their_own_variable():
    """erf on [0, 1] as x*p(x^2): relative error, certificate points reported in x."""
    problem = make_problem(mpmath.erf, "odd", (0.0, 1.0), relative=True)
    result = minimax_polynomial(problem, 3)
    assert result.certificate.passed
    assert min(result.certificate.points) >= 0.0 and max(result.certificate.points) == 1.0
    x = mpmath.mpf("0.3")
    approx = x * result.approximant(x * x)
    assert abs(approx / mpmath.erf(x) - 1) <= result.certificate.max_error * 1.0001


def test_symmetric_target_with_a_symmetric_reference_still_converges():
    """sin on [-1, 1], degree 3: the first reference gives E = 0; a lopsided restart fixes it."""
    result = minimax_polynomial(make_problem(mpmath.sin, "plain", (-1.0, 1.0), relative=False), 3)
    assert result.converged and result.certificate.passed


def test_non_convergence_warns_and_returns_the_best_result():
    """sin on [-1, 1] by (2, 3) rationals is degenerate (odd target, defect): no equioscillation."""
    problem = make_problem(mpmath.sin, "plain", (-1.0, 1.0), relative=False)
    with pytest.warns(RemezWarning, match="did not converge"):
        result = minimax_rational(problem, 2, 3)
    assert not result.converged
    assert not result.certificate.passed
    assert np.isfinite(result.certificate.max_error)


def test_pole_of_the_target_in_the_interval_is_an_error():
    with pytest.raises(AutonumericsError, match="pole"):
        make_problem(mpmath.tan, "plain", (1.0, 2.0), relative=False)
    with pytest.raises(AutonumericsError, match="pole|cannot be evaluated"):
        make_problem(lambda x: 1 / (x - mpmath.mpf("0.5")), "plain", (0.0, 1.0), relative=False)


def test_zero_of_the_target_makes_relative_error_an_error():
    with pytest.raises(AutonumericsError, match="relative error is undefined"):
        make_problem(lambda x: mpmath.log(x, 2), "plain", (0.5, 2.0), relative=True)
    make_problem(lambda x: mpmath.log(x, 2), "plain", (0.5, 2.0), relative=False)


def test_absurd_degrees_are_errors(exp2_relative):
    with pytest.raises(AutonumericsError, match="degree"):
        minimax_polynomial(exp2_relative, -1)
    with pytest.raises(AutonumericsError, match="degree"):
        minimax_rational(exp2_relative, 30, 30)
