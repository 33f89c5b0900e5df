"""Fit the polynomials autonumerics/jax/_derivatives.py uses near the roots of three derivatives.

Usage:
    python scripts/fit_derivative_roots.py

Each of these derivatives is a difference of two terms that cancel at one root r (silu' at
-1.2785, gelu' at -0.7518, gelu_tanh' at -0.7525), so any formula in float32 loses its relative
accuracy there. Within |x - r| <= 1/2 the rules use f'(x) = d P(d) instead, d = (x - r_hi) - r_lo
(the first difference exact by Sterbenz, r as a float32 pair): the root is a factor, P is smooth
and far from 0. P has degree 11, fitted in float64 for relative error (iteratively reweighted least
squares on Chebyshev nodes, values from mpmath), coefficients rounded to float32. The script prints
the pair r_hi, r_lo, the coefficients (constant term first) and the error of d P(d) as float32
Horner evaluates it, in ULPs against mpmath on 1 001 float32 x of the window. About a minute.
"""

from __future__ import annotations

import mpmath
import numpy as np

WINDOW = 0.5
DEGREE = 11
CUBIC = mpmath.mpf("0.044715")


def silu_prime(x):
    s = 1 / (1 + mpmath.exp(-x))
    return s * (1 + x * (1 - s))


def gelu_prime(x):
    density = mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2 + x * density


def gelu_tanh_prime(x):
    scale = 2 * mpmath.sqrt(2 / mpmath.pi)
    s = 1 / (1 + mpmath.exp(-scale * (x + CUBIC * x**3)))
    return s * (1 + x * (1 - s) * scale * (1 + 3 * CUBIC * x * x))


def fit(derivative, guess: float) -> None:
    root = mpmath.findroot(derivative, guess)
    r_hi = np.float32(float(root))
    r_lo = np.float32(float(root - mpmath.mpf(float(r_hi))))
    d = np.cos(np.pi * (np.arange(400) + 0.5) / 400) * WINDOW
    values = np.array([float(derivative(root + mpmath.mpf(float(v))) / mpmath.mpf(float(v)))
                       for v in d])
    vander = np.vander(d, DEGREE + 1, increasing=True)
    weight = np.ones(d.size)
    for _ in range(30):  # relative minimax, approximately: reweight toward the largest errors
        scale = weight / np.abs(values)
        coefficients, *_ = np.linalg.lstsq(vander * scale[:, None], values * scale, rcond=None)
        error = (vander @ coefficients - values) / values
        weight *= 1 + 4 * np.abs(error) / np.abs(error).max()
    coefficients = coefficients.astype(np.float32)
    x = np.float32(np.linspace(float(root) - WINDOW, float(root) + WINDOW, 1001))
    offset = (x - r_hi) - r_lo
    p = coefficients[-1]
    for c in coefficients[-2::-1]:  # Horner with one rounding per step, as XLA fuses it
        p = np.float32(np.float64(p) * np.float64(offset) + np.float64(c))
    approx = (offset * p).astype(np.float64)
    exact = np.array([float(derivative(mpmath.mpf(float(v)))) for v in x])
    ulps = np.abs(approx - exact) / np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    print(f"{derivative.__name__}: root {float(root)!r} = {float(r_hi).hex()} + "
          f"{float(r_lo).hex()}; d P(d) within {ulps.max():.2f} ULP on |x - r| <= {WINDOW}")
    print("  coefficients:", ", ".join(f'"{float(c).hex()}"' for c in coefficients))


def main() -> int:
    mpmath.mp.prec = 80
    for derivative, guess in ((silu_prime, -1.2785), (gelu_prime, -0.7518),
                              (gelu_tanh_prime, -0.7525)):
        fit(derivative, guess)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
