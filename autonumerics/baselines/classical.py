"""Classical approximations: Taylor polynomials, Padé approximants, Chebyshev interpolants (mpmath).

All return monomial coefficients in the problem's variable t, lowest degree first, so that the
same program builder and scorer serve every family. None of them minimises the error: they
are the textbook constructions a minimax result is measured against.
"""

from __future__ import annotations

import mpmath
from mpmath import mpf

from autonumerics.baselines.problem import WORKING_DPS, Approximant, MpFunction, Problem
from autonumerics.errors import AutonumericsError


def taylor_coefficients(g: MpFunction, center: mpf, degree: int) -> list[mpf]:
    """g^(k)(center) / k! for k = 0..degree (coefficients in powers of t - center).

    mpmath differentiates numerically with extra working precision, so the coefficients are
    accurate to the working precision for analytic g.
    """
    with mpmath.workdps(WORKING_DPS):
        derivatives = mpmath.diffs(g, center, degree)
        return [d / mpmath.factorial(k) for k, d in enumerate(derivatives)]


def recenter(coefficients: list[mpf], center: mpf) -> list[mpf]:
    """Coefficients of sum c_k (t - center)^k as monomials in t (binomial expansion)."""
    result = [mpf(0)] * len(coefficients)
    for k, c in enumerate(coefficients):
        for j in range(k + 1):
            result[j] += c * mpmath.binomial(k, j) * (-center) ** (k - j)
    return result


def taylor(problem: Problem, degree: int, center: mpf | None = None) -> Approximant:
    """The Taylor polynomial of g about ``center`` (default: the middle of the interval)."""
    center = (problem.a + problem.b) / 2 if center is None else mpf(center)
    with mpmath.workdps(WORKING_DPS):
        return Approximant(tuple(recenter(taylor_coefficients(problem.g, center, degree), center)))


def pade_coefficients(series: list[mpf], m: int, n: int) -> tuple[list[mpf], list[mpf]]:
    """Padé (m, n) from Taylor coefficients: p, q with q_0 = 1 and q*series - p = O(s^(m+n+1)).

    The denominator solves the n equations sum_j q_j c_(m+k-j) = 0, k = 1..n (c_i = 0 for i < 0);
    the numerator is then the truncated product q * series.

    Raises:
        AutonumericsError: too few coefficients, or a singular system (the (m, n) entry of the
            Padé table does not exist in this normal form).
    """
    if len(series) < m + n + 1:
        raise AutonumericsError(f"Padé ({m}, {n}) needs {m + n + 1} series coefficients, got "
                                f"{len(series)}")
    def c(i: int) -> mpf:
        return series[i] if i >= 0 else mpf(0)

    q = [mpf(1)]
    if n > 0:
        matrix = mpmath.matrix([[c(m + k - j) for j in range(1, n + 1)] for k in range(1, n + 1)])
        rhs = mpmath.matrix([-c(m + k) for k in range(1, n + 1)])
        try:
            q += list(mpmath.lu_solve(matrix, rhs))
        except ZeroDivisionError:
            raise AutonumericsError(f"the Padé ({m}, {n}) system is singular for this "
                                    "target") from None
    p = [sum(q[j] * c(i - j) for j in range(min(i, n) + 1)) for i in range(m + 1)]
    return p, q


def pade(problem: Problem, m: int, n: int, center: mpf | None = None) -> Approximant:
    """The Padé (m, n) approximant of g about ``center`` (default: the middle of the interval),
    as monomials in t with the denominator's constant term 1 (when it is not zero)."""
    center = (problem.a + problem.b) / 2 if center is None else mpf(center)
    with mpmath.workdps(WORKING_DPS):
        p, q = pade_coefficients(taylor_coefficients(problem.g, center, m + n), m, n)
        p_t, q_t = recenter(p, center), recenter(q, center)
        scale = q_t[0] if q_t[0] != 0 else max(q_t, key=abs)
        return Approximant(tuple(c / scale for c in p_t), tuple(c / scale for c in q_t))


def chebyshev_interpolant(problem: Problem, degree: int) -> Approximant:
    """The polynomial of ``degree`` interpolating g at the degree + 1 Chebyshev nodes of the
    first kind on [a, b] (near-minimax for smooth g: within a log(degree) factor).

    The Chebyshev coefficients come from the discrete cosine sums; the series in
    u = (t - mid)/half is then expanded into monomials in t.
    """
    count = degree + 1
    with mpmath.workdps(WORKING_DPS):
        mid, half = (problem.a + problem.b) / 2, (problem.b - problem.a) / 2
        angles = [mpmath.pi * (k + mpf(1) / 2) / count for k in range(count)]
        values = [problem.g(mid + half * mpmath.cos(theta)) for theta in angles]
        series = [2 * sum(v * mpmath.cos(j * theta)
                          for v, theta in zip(values, angles, strict=True)) / count
                  for j in range(count)]
        series[0] /= 2
        in_u = _chebyshev_to_monomial(series)
        # substitute u = (t - mid)/half: sum a_k u^k = sum (a_k / half^k) (t - mid)^k
        return Approximant(tuple(recenter([a / half**k for k, a in enumerate(in_u)], mid)))


def _chebyshev_to_monomial(series: list[mpf]) -> list[mpf]:
    """sum a_j T_j(u) as monomials in u, from T_(j+1) = 2u T_j - T_(j-1)."""
    size = len(series)
    previous, current = [mpf(1)] + [mpf(0)] * (size - 1), [mpf(0), mpf(1)] + [mpf(0)] * (size - 2)
    result = [series[0] * c for c in previous]
    for j in range(1, size):
        result = [r + series[j] * c for r, c in zip(result, current, strict=True)]
        following = [2 * c for c in [mpf(0)] + current[:-1]]
        previous, current = current, [f - p for f, p in zip(following, previous, strict=True)]
    return result
