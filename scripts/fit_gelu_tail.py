"""Fit the accurate gelu kernel's "tail" core H(q) (autonumerics/kernels/cores/gelu_tail.json).

Usage:
    python scripts/fit_gelu_tail.py [--degree 10] [--centre 2.0] [--write]

The gelu kernel (autonumerics/kernels/gelu.py) writes a Phi(-a) = (q/2) e^(-a^2/2 + g) with
q = a/(1 + 3a/8) and g = q G(q), G = G0 + q H(q), G0 = 3/8 - sqrt(2/pi). What reaches the result
is the absolute error of g, i.e. q^2 times H's error, so H is fitted for that: a polynomial of
``--degree`` in u = q - ``--centre`` (centred near the top of q's range [0, 2.2642], where q^2 is
largest), minimax by iteratively reweighted least squares on Chebyshev nodes of [0.02, 2.2642]
(float64; below 0.02, q^2 H is below 2^-34), then its coefficients rounded to float32 one at a
time from the constant term, the others refitted after each. It prints the error in units of
2^-24 (of g) with rounded coefficients and as float32 Horner evaluates them (FMAs, as XLA fuses);
``--write`` saves the core with its measured metrics. Seconds on one core.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from scipy.special import erfcx

G0 = -0.42288456080286535  # 3/8 - sqrt(2/pi)
Q_MAX = 2.2641509  # q = a/(1 + 3a/8) at a = 15, where the kernel clamps a
CORE = "autonumerics/kernels/cores/gelu_tail.json"
TARGET = ("(log(erfc(q/(1 - 0.375*q)/sqrt(2))*exp((q/(1 - 0.375*q))**2/2)/(1 - 0.375*q))/q"
          " - 0.375 + sqrt(2/pi))/q")  # H(q), with q = u + centre substituted below


def exact_h(q: np.ndarray) -> np.ndarray:
    """H(q) in float64 (erfcx is accurate there: a = q/(1 - 3q/8) stays <= 15)."""
    a = q / (1 - 0.375 * q)
    return (np.log(erfcx(a / np.sqrt(2)) * (1 + 0.375 * a)) / q - G0) / q


def fit(degree: int, centre: float) -> np.ndarray:
    """Float32 coefficients (constant term first) of H in u = q - centre."""
    nodes = np.cos(np.pi * (np.arange(600) + 0.5) / 600)
    q = (nodes + 1) / 2 * (Q_MAX - 0.02) + 0.02
    h, weight = exact_h(q), q * q
    vander = np.vander(q - centre, degree + 1, increasing=True)
    fixed: dict[int, float] = {}

    def refit() -> np.ndarray:
        free = [i for i in range(degree + 1) if i not in fixed]
        rest = h - sum(vander[:, i] * value for i, value in fixed.items())
        w = weight.copy()
        for _ in range(40):  # reweighting toward the largest errors: an approximate minimax
            c, *_ = np.linalg.lstsq(vander[:, free] * w[:, None], rest * w, rcond=None)
            error = (vander[:, free] @ c - rest) * weight
            w = w * (1 + 4 * np.abs(error) / np.abs(error).max())
        full = np.zeros(degree + 1)
        full[list(fixed)] = list(fixed.values())
        full[free] = c
        return full

    full = refit()
    for i in range(degree + 1):
        fixed[i] = float(np.float32(full[i]))
        if i < degree:
            full = refit()
    return np.array([fixed[i] for i in range(degree + 1)], np.float32)


def float32_errors(coefficients: np.ndarray, centre: float) -> tuple[float, float]:
    """Max |q^2 (H_approx - H)| in units of 2^-24: exact polynomial, then float32 Horner (FMA)."""
    q = np.linspace(0.02, Q_MAX, 400001).astype(np.float32)
    q64 = q.astype(np.float64)
    u = q - np.float32(centre)
    value = coefficients[-1]
    for c in coefficients[-2::-1]:
        value = (np.float64(value) * np.float64(u) + np.float64(c)).astype(np.float32)
    exact = exact_h(q64)
    rounded = np.polyval(coefficients.astype(np.float64)[::-1], q64 - centre)
    scale = q64 * q64 * 2.0**24
    return (float(np.abs((rounded - exact) * scale).max()),
            float(np.abs((value.astype(np.float64) - exact) * scale).max()))


def write_core(coefficients: np.ndarray, centre: float, path: str) -> None:
    from autonumerics.api.tools import measure
    from autonumerics.ir.program import Program
    from autonumerics.ir.programfile import ProgramFile, save_program_file

    constants = [float(c).hex() for c in coefficients]
    expression = constants[-1]
    for c in reversed(constants[:-1]):
        expression = f"{c} + x*({expression})"
    program = Program.from_json({"expression": expression})
    target = TARGET.replace("sqrt", "SQRT").replace("q", f"(x + {centre})").replace("SQRT", "sqrt")
    interval = (round(5e-7 - centre, 7), round(2.265 - centre, 6))  # q in (0, 2.265]
    file = ProgramFile(program=program, target=target, interval=interval, dtype="float32",
                       semantics="xla", ops=("add", "sub", "mul"))
    report = measure(file, points=100000, workers=1)
    note = ("gelu accurate kernel's 'tail' core H(q) = (G(q) - G0)/q, G0 = 3/8 - sqrt(2/pi), in "
            f"x = q - {centre}: python scripts/fit_gelu_tail.py --write (its error in g = q^2 H "
            "is what the kernel needs; H's own relative error is large near q = 0)")
    save_program_file(path, ProgramFile(
        program=program, target=target, interval=interval, dtype="float32", semantics="xla",
        ops=("add", "sub", "mul"), metrics={"final": report.to_json(), "final_points": 100000,
                                             "loss": "ulp"}, provenance={"note": note}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--degree", type=int, default=10)
    parser.add_argument("--centre", type=float, default=2.0)
    parser.add_argument("--write", action="store_true", help=f"save the core to {CORE}")
    args = parser.parse_args(argv)
    coefficients = fit(args.degree, args.centre)
    rounded, evaluated = float32_errors(coefficients, args.centre)
    print(f"degree {args.degree}, centre {args.centre}: q^2 H error {rounded:.3f} units of 2^-24 "
          f"with float32 coefficients, {evaluated:.3f} evaluated in float32")
    print("coefficients:", " ".join(float(c).hex() for c in coefficients))
    if args.write:
        write_core(coefficients, args.centre, CORE)
        print(f"wrote {CORE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
