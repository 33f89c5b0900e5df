"""How the low-bit kernels' polynomial coefficients were fitted (run it to reproduce them).

Two polynomials, each fitted for small *relative* error by Lawson's iteratively reweighted
least squares on Chebyshev nodes in float64 (which converges to the minimax fit), then rounded
to float32:

* the Mills ratio ``R(a) = Phi(-a) / phi(a) = sqrt(pi/2) * erfcx(a / sqrt(2))`` on [0, 14] as a
  polynomial in ``t = 3 / (3 + a)`` (R(a) ~ 1/a for large a, smooth in t);
* ``tanh(x) = x + x * u * P(u)``, ``u = x**2``, on |x| <= 0.625.

``python scripts/lowbit_fit.py`` prints them as float32 hex literals.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx

MILLS_T_SCALE = 3.0
MILLS_MAX_A = 14.0
MILLS_DEGREE = 10
TANH_SMALL = 0.625
TANH_DEGREE = 5


def _chebyshev_nodes(lo: float, hi: float, n: int) -> np.ndarray:
    angles = np.pi * (np.arange(n) + 0.5) / n
    return lo + (hi - lo) * (1 - np.cos(angles)) / 2


def lawson_relative_fit(
    basis: np.ndarray, target: np.ndarray, scale: np.ndarray, iterations: int = 60
) -> np.ndarray:
    """Coefficients c minimising ``max |(basis @ c) * scale / target - 1|`` (approximately).

    Args:
        basis: (n, k) matrix of basis functions at the nodes.
        target: the values to approximate at the nodes (non-zero).
        scale: what the fitted part is multiplied by before comparing with ``target``.
        iterations: Lawson reweighting steps.
    """
    rows = basis * (scale / target)[:, None]
    weights = np.full(len(target), 1.0 / len(target))
    coefficients = np.zeros(basis.shape[1])
    for _ in range(iterations):
        root = np.sqrt(weights)
        coefficients, *_ = np.linalg.lstsq(rows * root[:, None], root, rcond=None)
        error = np.abs(rows @ coefficients - 1)
        weights = weights * error
        weights /= weights.sum()
    return coefficients


def mills_coefficients() -> np.ndarray:
    """Float32 coefficients (highest degree first) of R(a) as a polynomial in t = 3/(3 + a)."""
    t_min = MILLS_T_SCALE / (MILLS_T_SCALE + MILLS_MAX_A)
    t = _chebyshev_nodes(t_min, 1.0, 4000)
    a = MILLS_T_SCALE * (1 - t) / t
    mills = np.sqrt(np.pi / 2) * erfcx(a / np.sqrt(2))
    basis = np.vander(t, MILLS_DEGREE + 1)
    return lawson_relative_fit(basis, mills, np.ones_like(t)).astype(np.float32)


def tanh_coefficients() -> np.ndarray:
    """Float32 coefficients (highest first) of P with tanh(x) = x + x*u*P(u), u = x**2."""
    x = _chebyshev_nodes(1e-4, TANH_SMALL, 4000)
    u = x * x
    # Fit the correction tanh(x) - x = x*u*P(u); compare the full tanh(x) relatively.
    basis = np.vander(u, TANH_DEGREE + 1)
    correction = np.tanh(x) - x
    # Relative to tanh(x): |x*u*(P - P*)| / tanh(x), i.e. weight x*u / tanh(x) on P.
    coefficients = lawson_relative_fit(basis, correction / (x * u), np.ones_like(x))
    return coefficients.astype(np.float32)


if __name__ == "__main__":
    for name, values in (("MILLS", mills_coefficients()), ("TANH", tanh_coefficients())):
        print(name, "= (" + ", ".join(f"{float(v).hex()}" for v in values) + ")")
