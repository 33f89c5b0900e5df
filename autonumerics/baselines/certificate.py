"""Equioscillation certificates: the alternating extrema of a weighted error, found and checked.

Chebyshev's theorem: an approximation from a Haar space of dimension N (polynomials of degree
n: N = n + 1; rationals (m, n) without defect: N = m + n + 1) is the best in the max norm iff its
error takes its maximum magnitude at N + 1 points with alternating signs. De la Vallée Poussin
makes this quantitative: if the error alternates in sign at N + 1 points with magnitudes at
least L there, no approximation of that kind has max error below L. So a set of alternating
extrema with ``min |e_i|`` within 1 % of ``max |e|`` certifies the error to be within 1 % of
the best possible. The check here does not trust the solver: it re-samples the error on its
own dense grid, refines every local extremum and picks the alternating set itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import mpmath
from mpmath import mpf

from autonumerics.baselines.problem import WORKING_DPS, chebyshev_grid

ErrorFunction = Callable[[mpf], mpf]
# Golden-section steps refining one extremum: shrinks its bracket (two grid steps) by
# 0.618**30 ~ 5e-7; the error is flat at its peak, so the peak value is found to ~1e-13 of
# itself relative to the error's variation over the bracket.
REFINE_STEPS = 30


@dataclass(frozen=True)
class EquioscillationCertificate:
    """Evidence that an approximation is (near) minimax.

    Attributes:
        points: the alternation points, in x (the program's input), ascending.
        errors: the signed weighted error at each point.
        required: how many alternations the theorem asks for (n + 2, or m + n + 2).
        max_error: the largest |error| found on the whole interval (an upper bound, sampled).
        lower_bound: min |errors|; no approximation of the same kind does better (de la Vallée
            Poussin).
        levelling: 1 - lower_bound / max_error; 0 is perfectly levelled.
        tolerance: the largest levelling accepted.
    """

    points: tuple[float, ...]
    errors: tuple[float, ...]
    required: int
    max_error: float
    lower_bound: float
    levelling: float
    tolerance: float

    @property
    def alternates(self) -> bool:
        """Whether there are ``required`` points with strictly alternating error signs."""
        signs = [e > 0 for e in self.errors]
        return len(signs) >= self.required and all(s != t for s, t in itertools.pairwise(signs))

    @property
    def passed(self) -> bool:
        """Whether the certificate proves the error is within ``tolerance`` of the minimax error."""
        return self.alternates and self.levelling <= self.tolerance

    def to_json(self) -> dict:
        """A JSON-ready dict, with the derived ``alternates`` and ``passed``."""
        data = asdict(self)
        data.update(points=list(self.points), errors=list(self.errors),
                    alternates=self.alternates, passed=self.passed)
        return data


def alternating_extrema(
    error: ErrorFunction, grid: Sequence[mpf], values: Sequence[mpf], count: int
) -> tuple[list[tuple[mpf, mpf]], mpf]:
    """The ``count`` (or fewer) alternating extrema of ``error`` with the largest magnitudes.

    Args:
        error: the weighted error, evaluated where the grid needs refining.
        grid: ascending sample points covering the interval, ends included.
        values: ``error`` on the grid.
        count: how many alternating points are wanted.

    Returns:
        The points as (t, e(t)) ascending, and the largest |e| found anywhere.
    """
    peaks = [_refine(error, grid, values, i) for i in _run_maxima(values)]
    largest = max((abs(e) for _, e in peaks), default=mpf(0))
    return _reduce(peaks, count), largest


def _run_maxima(values: Sequence[mpf]) -> list[int]:
    """Index of the largest |value| in every maximal run of one sign (zeros join the run)."""
    indices: list[int] = []
    sign = 0
    for i, v in enumerate(values):
        s = (v > 0) - (v < 0)
        if s != 0 and s != sign:
            indices.append(i)
            sign = s
        elif indices and abs(v) > abs(values[indices[-1]]):
            indices[-1] = i
    return indices


def _refine(error: ErrorFunction, grid: Sequence[mpf], values: Sequence[mpf],
            i: int) -> tuple[mpf, mpf]:
    """Golden-section search for the peak of sign(e_i) * e between the grid neighbours of i."""
    sign = 1 if values[i] > 0 else -1
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    best = (grid[i], values[i])
    ratio = (mpmath.sqrt(5) - 1) / 2
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    ec, ed = error(c), error(d)
    for _ in range(REFINE_STEPS):
        if sign * ec > sign * ed:
            hi, d, ed = d, c, ec
            c = hi - ratio * (hi - lo)
            ec = error(c)
        else:
            lo, c, ec = c, d, ed
            d = lo + ratio * (hi - lo)
            ed = error(d)
    for t, e in ((c, ec), (d, ed)):
        if sign * e > sign * best[1]:
            best = (t, e)
    return best


def _reduce(peaks: list[tuple[mpf, mpf]], count: int) -> list[tuple[mpf, mpf]]:
    """Drop the smallest peaks until ``count`` remain, keeping the signs alternating.

    An end point can go alone; an interior one would leave two neighbours of one sign, so it
    goes with the smaller neighbour, unless only one point is in excess: then the smaller end.
    """
    kept = list(peaks)
    while len(kept) > count:
        i = min(range(len(kept)), key=lambda j: abs(kept[j][1]))
        if 0 < i < len(kept) - 1:
            if len(kept) - count == 1:
                i = 0 if abs(kept[0][1]) < abs(kept[-1][1]) else len(kept) - 1
            else:
                j = i - 1 if abs(kept[i - 1][1]) < abs(kept[i + 1][1]) else i + 1
                del kept[max(i, j)]
                i = min(i, j)
        del kept[i]
    return kept


def certify(
    error: ErrorFunction,
    interval: tuple[mpf, mpf],
    required: int,
    to_x: Callable[[mpf], mpf] = lambda t: t,
    tolerance: float = 0.01,
    grid_size: int | None = None,
) -> EquioscillationCertificate:
    """Check equioscillation of ``error`` on ``interval`` independently of how it was made.

    Args:
        error: the weighted error of the approximation, t -> w(t) (r(t) - g(t)).
        interval: (a, b) of the variable t.
        required: the number of alternations that proves optimality (n + 2 / m + n + 2).
        to_x: maps t to the program's input x for reporting (sqrt for the x^2 forms).
        tolerance: the largest accepted 1 - min|e_i| / max|e|.
        grid_size: sample count (default 64 per alternation, at least 1024).

    Returns:
        The certificate; ``passed`` says whether it holds.
    """
    with mpmath.workdps(WORKING_DPS):
        grid = chebyshev_grid(interval[0], interval[1], grid_size or max(1024, 64 * required))
        values = [error(t) for t in grid]
        points, largest = alternating_extrema(error, grid, values, required)
        lower = min((abs(e) for _, e in points), default=mpf(0))
        levelling = 1 - lower / largest if largest > 0 else mpf(0)
        return EquioscillationCertificate(
            points=tuple(float(to_x(t)) for t, _ in points),
            errors=tuple(float(e) for _, e in points),
            required=required,
            max_error=float(largest),
            lower_bound=float(lower),
            levelling=float(levelling),
            tolerance=tolerance,
        )
