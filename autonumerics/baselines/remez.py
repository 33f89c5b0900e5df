"""Minimax polynomials and rationals by the Remez exchange, in mpmath precision.

Each iteration solves for the approximation whose weighted error takes values +-E with
alternating signs on a reference of N + 1 points (N unknown coefficients), then moves the
reference to the alternating extrema of that error. The levelled error E rises and the max
error falls to the minimax error; they meet when the error equioscillates. Coefficients live
in the scaled variable u = (t - mid) / half on [-1, 1] while solving (the monomials in u are
well conditioned), and are converted to monomials in t at the end.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
from mpmath import mpf

from autonumerics.baselines.certificate import (
    EquioscillationCertificate,
    alternating_extrema,
    certify,
)
from autonumerics.baselines.problem import (
    WORKING_DPS,
    Approximant,
    Problem,
    chebyshev_grid,
    grid_values,
    horner,
)
from autonumerics.errors import AutonumericsError

MAX_DEGREE = 40
MAX_ITERATIONS = 40
# Stop once 1 - min|e_i|/max|e| is this small: far below the 1 % the certificate asks for.
CONVERGED_LEVELLING = mpf("1e-12")


class RemezWarning(UserWarning):
    """Remez did not converge; the best approximation seen is returned with its certificate."""


@dataclass(frozen=True)
class MinimaxResult:
    """A minimax approximation and the evidence for it.

    Attributes:
        approximant: coefficients in t (the problem's variable).
        levelled_error: |E| of the last reference system.
        certificate: the independent equioscillation check.
        iterations: exchange steps taken.
        converged: whether the exchange levelled the error.
    """

    approximant: Approximant
    levelled_error: float
    certificate: EquioscillationCertificate
    iterations: int
    converged: bool


def minimax_polynomial(problem: Problem, degree: int) -> MinimaxResult:
    """The polynomial of ``degree`` in t minimising max |w (p - g)| on the problem's interval.

    Raises:
        AutonumericsError: a negative or absurd degree.
    """
    _check_degree(degree, 0)
    return _remez(problem, degree, 0, _solve_polynomial)


def minimax_rational(problem: Problem, m: int, n: int) -> MinimaxResult:
    """The rational p/q (deg p = m, deg q = n, q(0) = 1) minimising max |w (p/q - g)|.

    Starts from Chebyshev points, and if that fails (a pole of p/q in the interval, or no
    convergence) from the extrema of the degree m + n minimax polynomial.

    Raises:
        AutonumericsError: bad degrees, or every start put a pole of p/q in the interval.
    """
    _check_degree(m, n)
    try:
        result = _remez(problem, m, n, _solve_rational)
        if result.converged:
            return result
    except _PoleInInterval:
        result = None
    start = minimax_polynomial(problem, m + n).certificate
    reference = [problem.to_t(x) for x in start.points] if start.alternates else None
    try:
        retry = _remez(problem, m, n, _solve_rational, reference)
    except _PoleInInterval:
        if result is None:
            raise AutonumericsError(
                f"the ({m}, {n}) minimax rational has a pole in the interval") from None
        return result
    if result is None or retry.certificate.max_error < result.certificate.max_error:
        return retry
    return result


class _PoleInInterval(Exception):
    pass


def _check_degree(m: int, n: int) -> None:
    if m < 0 or n < 0 or m + n > MAX_DEGREE:
        raise AutonumericsError(f"degree ({m}, {n}) out of range: need 0 <= m, n and m + n <= "
                                f"{MAX_DEGREE}")


Solver = Callable[[list[mpf], list[mpf], list[mpf], int, int],
                  tuple[list[mpf], list[mpf] | None, mpf]]


def _remez(problem: Problem, m: int, n: int, solve: Solver,
           reference: list[mpf] | None = None) -> MinimaxResult:
    """The exchange loop shared by polynomials (n = 0) and rationals."""
    count = m + n + 2
    with mpmath.workdps(WORKING_DPS):
        mid, half = (problem.a + problem.b) / 2, (problem.b - problem.a) / 2
        ts, gs, ws = grid_values(problem, 1 << max(9, (32 * count - 1).bit_length()))
        reference = reference or _initial_reference(problem, count)
        best: tuple[mpf, Approximant, mpf] | None = None
        converged, restarted, iteration = False, False, 0
        # ``iteration`` (the steps taken) is read after the loop, by _finish
        for iteration in range(1, MAX_ITERATIONS + 1):  # noqa: B007
            us = [(t - mid) / half for t in reference]
            num, den, level = solve(us, [problem.g(t) for t in reference],
                                    [problem.w(t) for t in reference], m, n)
            approximant = _in_t(num, den, mid, half)
            if den is not None and not _denominator_positive(approximant, ts):
                if best is None:
                    raise _PoleInInterval()
                break
            values = [w * (approximant(t) - g) for t, g, w in zip(ts, gs, ws, strict=True)]
            error = _error_function(problem, approximant)
            peaks, largest = alternating_extrema(error, ts, values, count)
            if best is None or largest < best[0]:
                best = (largest, approximant, abs(level))
            if len(peaks) < count:
                # Too few alternations: typically a symmetric reference for a symmetric target
                # (E = 0). Restart once from a lopsided reference: count of count + 1 extrema.
                if restarted:
                    break
                reference, restarted = chebyshev_grid(problem.a, problem.b, count)[1:], True
                continue
            reference = [t for t, _ in peaks]
            if 1 - min(abs(e) for _, e in peaks) / largest < CONVERGED_LEVELLING:
                converged = True
                break
        return _finish(problem, m, n, best, converged, iteration)


def _finish(problem: Problem, m: int, n: int, best: tuple[mpf, Approximant, mpf],
            converged: bool, iteration: int) -> MinimaxResult:
    """Certify the best approximation seen; warn if the exchange did not converge."""
    largest, approximant, level = best
    certificate = certify(_error_function(problem, approximant), (problem.a, problem.b), m + n + 2,
                          problem.to_x)
    if not converged:
        warnings.warn(
            f"Remez ({m}, {n}) did not converge in {iteration} steps; returning the best "
            f"approximation found (max error {float(largest):.3g}, certificate "
            f"{'passed' if certificate.passed else 'failed'})", RemezWarning, stacklevel=4)
    return MinimaxResult(approximant, float(level), certificate, iteration, converged)


def _initial_reference(problem: Problem, count: int) -> list[mpf]:
    """Chebyshev extrema, or first-kind Chebyshev nodes when the weight vanishes at an end."""
    reference = chebyshev_grid(problem.a, problem.b, count - 1)
    if problem.w(reference[0]) == 0 or problem.w(reference[-1]) == 0:
        mid, half = (problem.a + problem.b) / 2, (problem.b - problem.a) / 2
        reference = [mid - half * mpmath.cos(mpmath.pi * (j + mpf(1) / 2) / count)
                     for j in range(count)]
    return reference


def _error_function(problem: Problem, approximant: Approximant) -> Callable[[mpf], mpf]:
    return lambda t: problem.w(t) * (approximant(t) - problem.g(t))


def _solve_polynomial(us: list[mpf], gs: list[mpf], ws: list[mpf],
                      m: int, n: int) -> tuple[list[mpf], None, mpf]:
    """Solve w_i (p(u_i) - g_i) = (-1)^i E: linear in the coefficients of p and E."""
    rows = [[w * u**j for j in range(m + 1)] + [-(-1) ** i]
            for i, (u, w) in enumerate(zip(us, ws, strict=True))]
    rhs = mpmath.matrix([w * g for g, w in zip(gs, ws, strict=True)])
    solution = mpmath.lu_solve(mpmath.matrix(rows), rhs)
    return list(solution[: m + 1]), None, solution[m + 1]


def _solve_rational(us: list[mpf], gs: list[mpf], ws: list[mpf],
                    m: int, n: int) -> tuple[list[mpf], list[mpf], mpf]:
    """Solve w_i (p(u_i) / q(u_i) - g_i) = (-1)^i E with q(0) = 1.

    Multiplied out, w p - w g q - s E q = 0 is bilinear in E and q: iterate with the E*q term
    taken at the previous q (linear each time) until q stops changing.
    """
    previous_q = [mpf(1)] * len(us)
    for _ in range(60):
        rows = [
            [w * u**j for j in range(m + 1)] + [-w * g * u**j for j in range(1, n + 1)]
            + [-(-1) ** i * q]
            for i, (u, g, w, q) in enumerate(zip(us, gs, ws, previous_q, strict=True))
        ]
        rhs = mpmath.matrix([w * g for g, w in zip(gs, ws, strict=True)])
        try:
            solution = mpmath.lu_solve(mpmath.matrix(rows), rhs)
        except ZeroDivisionError:
            raise _PoleInInterval() from None
        den = [mpf(1)] + list(solution[m + 1 : m + n + 1])
        q_values = [horner(den, u) for u in us]
        change = max(abs(a - b) for a, b in zip(q_values, previous_q, strict=True))
        previous_q = q_values
        if change < mpf(10) ** (20 - WORKING_DPS):  # q to 30 digits: far below any levelling
            break
    return list(solution[: m + 1]), den, solution[m + n + 1]


def _in_t(num: list[mpf], den: list[mpf] | None, mid: mpf, half: mpf) -> Approximant:
    """Convert coefficients in u = (t - mid)/half to monomials in t; rationals get q_t(0) = 1
    unless that is (near) zero, then the largest denominator coefficient is 1."""
    num_t = _substitute(num, mid, half)
    if den is None:
        return Approximant(tuple(num_t))
    den_t = _substitute(den, mid, half)
    largest = max(den_t, key=abs)
    scale = den_t[0] if abs(den_t[0]) > mpf(10) ** -20 * abs(largest) else largest
    return Approximant(tuple(c / scale for c in num_t), tuple(c / scale for c in den_t))


def _substitute(coefficients: list[mpf], mid: mpf, half: mpf) -> list[mpf]:
    """sum c_k ((t - mid)/half)^k as monomials in t (Horner on coefficient lists)."""
    result = [mpf(0)] * len(coefficients)
    for c in reversed(coefficients):
        # result <- result * (t - mid)/half + c
        shifted = [mpf(0)] + result[:-1]
        result = [(s - mid * r) / half for s, r in zip(shifted, result, strict=True)]
        result[0] += c
    return result


def _denominator_positive(approximant: Approximant, ts: Sequence[mpf]) -> bool:
    den = approximant.denominator
    signs = {horner(den, t) > 0 for t in ts}
    return signs == {True} or signs == {False}
