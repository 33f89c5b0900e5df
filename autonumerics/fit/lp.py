"""Discrete minimax by linear programming: exact for programs affine in their constants, and as
sequential LP (trust region) steps for nonlinear ones.

HiGHS works to a feasibility tolerance of ~1e-7, far above the 1e-13 errors we need. So every LP
here is posed on a *correction*: the residual of the current point scaled to unit max, and the
Jacobian replaced by the orthonormal basis of its column space (thin SVD, scaled so entries are
O(1)). The LP's tolerance then limits only how close to optimal the correction is (1e-7 of the
current error), and a refinement pass on the re-evaluated residual removes what is left.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from autonumerics.fit.objective import Objective, max_abs

AFFINE_RTOL = 1e-9  # affine prediction error allowed, relative to the magnitudes involved
RANK_RTOL = 1e-12  # singular values below this (relative) are treated as a null space


def affine_model(
    objective: Objective, k: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray] | None:
    """Detect numerically whether the weighted residual is affine in the constants.

    Evaluates at 0, the unit vectors and two random combinations (one of them large) in one batch
    and checks the affine prediction ``r(c) = r0 + J c`` there.

    Returns:
        ``(r0, J)`` with shapes ``(n,)`` and ``(n, k)``, or None when the program is not affine
        (or any probe is not finite).
    """
    probes = np.vstack(
        [np.zeros(k), np.eye(k), rng.standard_normal(k), 100.0 * rng.standard_normal(k)]
    )
    r = objective.residuals(probes)
    if not np.all(np.isfinite(r)):
        return None
    r0, jac = r[0], (r[1 : k + 1] - r[0]).T
    for c, observed in zip(probes[k + 1 :], r[k + 1 :], strict=True):
        predicted = r0 + jac @ c
        scale = np.abs(r0) + np.abs(jac) @ np.abs(c) + np.abs(observed)
        if np.any(np.abs(predicted - observed) > AFFINE_RTOL * np.max(scale) + 1e-300):
            return None
    return r0, jac


def minimax_step(
    residual: np.ndarray, jac: np.ndarray, bound: float | None = None
) -> tuple[np.ndarray, float]:
    """The step ``d`` minimising ``max |residual + jac @ d|`` (optionally in a trust region).

    Args:
        residual: current weighted residual, shape ``(n,)``, finite.
        jac: its Jacobian with respect to the constants, shape ``(n, k)``.
        bound: trust-region radius in units of ``max |residual|`` on the change of the
            *linearised residual* along each orthonormal direction; None for no bound.

    Returns:
        The step (shape ``(k,)``) and the predicted max |residual| after it (in absolute units).
    """
    u, s, vt = np.linalg.svd(jac, full_matrices=False)
    keep = s > RANK_RTOL * (s[0] if s.size else 0.0)
    u, s, vt = u[:, keep], s[keep], vt[keep]
    if s.size == 0:
        return np.zeros(jac.shape[1]), float(np.max(np.abs(residual)))
    n = residual.size
    basis = u * np.sqrt(n)  # orthonormal columns scaled to entries ~1: a well-conditioned LP
    coords = np.zeros(s.size)
    if bound is None:
        # Start from the least-squares point; the LP then only moves from ~1.5x to 1x minimax.
        coords = -(basis.T @ residual) / n
    start = residual + basis @ coords
    scale = float(np.max(np.abs(start)))
    if scale == 0.0:
        return _to_constants(coords, s, vt, n), 0.0
    delta, t = _lp_linf(
        basis,
        start / scale,
        None if bound is None else bound * float(np.max(np.abs(residual))) / scale,
    )
    if delta is None:
        return _to_constants(coords, s, vt, n), scale
    return _to_constants(coords + delta * scale, s, vt, n), t * scale


def _to_constants(coords: np.ndarray, s: np.ndarray, vt: np.ndarray, n: int) -> np.ndarray:
    """Map coordinates in the scaled orthonormal basis back to a step in the constants."""
    return vt.T @ (coords * np.sqrt(n) / s)


def _lp_linf(
    basis: np.ndarray, rhs: np.ndarray, bound: float | None, batch: int = 48
) -> tuple[np.ndarray | None, float]:
    """Solve ``min t`` s.t. ``|rhs + basis @ d| <= t`` (and ``|d_j| <= bound``) by row exchange.

    A discrete minimax is decided by ~k+1 extremal points, so the LP is solved on the peaks of
    |rhs| first, then the peaks of the rows the solution violates are added and it is solved
    again, until no row is violated (typically 1-3 small LPs instead of one with 2n rows).
    Peaks are taken along the row order, which is the order of the training points: sorted
    points make the first guess good; any order is still solved exactly, only more slowly.
    """
    active = _peaks(np.abs(rhs), batch)
    for _ in range(50):
        delta, t = _lp_rows(basis[active], rhs[active], bound)
        if delta is None:
            return None, np.inf
        fitted = np.abs(rhs + basis @ delta)
        excess = fitted - (t + 1e-9)
        if not np.any(excess > 0):
            return delta, float(np.max(fitted))
        active = np.union1d(active, _peaks(np.where(excess > 0, excess, 0.0), batch))
    return delta, float(np.max(fitted))


def _peaks(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` largest positive local maxima of ``values`` (along the index)."""
    padded = np.concatenate([[-np.inf], values, [-np.inf]])
    is_peak = (values >= padded[:-2]) & (values >= padded[2:]) & (values > 0)
    peaks = np.flatnonzero(is_peak)
    return peaks[np.argsort(-values[peaks])[:count]]


def _lp_rows(
    basis: np.ndarray, rhs: np.ndarray, bound: float | None
) -> tuple[np.ndarray | None, float]:
    """The LP itself on the given rows, with HiGHS's dual simplex."""
    n, m = basis.shape
    ones = np.ones((n, 1))
    a_ub = np.block([[basis, -ones], [-basis, -ones]])
    b_ub = np.concatenate([-rhs, rhs])
    box = (None, None) if bound is None else (-bound, bound)
    cost = np.zeros(m + 1)
    cost[-1] = 1.0
    solution = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, bounds=[box] * m + [(0, None)], method="highs-ds"
    )
    if solution.status != 0:
        return None, np.inf
    return solution.x[:m], float(solution.x[-1])


def fit_affine(
    objective: Objective, model: tuple[np.ndarray, np.ndarray], refinements: int = 3
) -> np.ndarray:
    """Exact discrete minimax for an affine program: LP from the least-squares point, then refine.

    Each refinement re-evaluates the program at the current constants (so rounding in the
    program and the affine model's own error are seen) and solves for a correction.
    """
    r0, jac = model
    step, _ = minimax_step(r0, jac)
    constants = step
    residual = objective.residuals(constants)[0]
    for _ in range(refinements):
        if not np.all(np.isfinite(residual)):
            break
        step, predicted = minimax_step(residual, jac)
        candidate = constants + step
        new_residual = objective.residuals(candidate)[0]
        if not max_abs(new_residual) < max_abs(residual) or predicted > 0.999 * max_abs(residual):
            break
        constants, residual = candidate, new_residual
    return objective.best_constants
