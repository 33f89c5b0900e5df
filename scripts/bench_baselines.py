"""Measure the classical-baseline figures (the README and docs/references.md quote its output).

    python scripts/bench_baselines.py                 # Remez figures, sampled float32, CLI timing
    python scripts/bench_baselines.py --exhaustive    # + every float32 of [0, 1] (minutes)

Prints one JSON object; ``--out FILE`` also writes it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import mpmath

from autonumerics.baselines import compute_baseline
from autonumerics.baselines.problem import make_problem
from autonumerics.baselines.remez import minimax_polynomial, minimax_rational
from autonumerics.baselines.scoring import ContractedFloat32
from autonumerics.truth.targets import get_target

# Minimax relative errors of 2^x on [0, 1] (docs/references.md), to 3 digits.
POLYNOMIAL = {3: 7.48e-5, 4: 2.59e-6, 5: 7.49e-8, 6: 1.856e-9, 7: 4.02e-11, 8: 7.74e-13}
RATIONAL = {1: 8.7e-4, 2: 4.3e-7, 3: 9.3e-11}
CLI = ("import argparse, sys; from autonumerics.cli import baselines as c; "
       "p = argparse.ArgumentParser(); c.register(p.add_subparsers()); "
       "a = p.parse_args(sys.argv[1:]); sys.exit(a.handler(a))")


def remez_figures() -> list[dict]:
    """Minimax polynomials deg 3-8, rationals (1,1)-(3,3) of 2^x: error, reference, certificate."""
    problem = make_problem(get_target("exp2").mp, "plain", (0.0, 1.0), relative=True)
    rows = []
    for kind, table in (("polynomial", POLYNOMIAL), ("rational", RATIONAL)):
        for degree, reference in table.items():
            result = (minimax_polynomial(problem, degree) if kind == "polynomial"
                      else minimax_rational(problem, degree, degree))
            certificate = result.certificate
            rows.append({
                "kind": kind, "degree": degree, "max_rel_error": certificate.max_error,
                "reference": reference, "ratio": certificate.max_error / reference,
                "alternations": f"{len(certificate.points)}/{certificate.required}",
                "levelling": certificate.levelling, "certified": certificate.passed,
            })
    return rows


def float32_figures(exhaustive: bool, workers: int) -> list[dict]:
    """The fp32 degree-6 polynomial of 2^x and the 7-term x + x*q(x^2) of erf on [0, 1]."""
    rows = []
    for name, form, degree in (("exp2", "plain", 6), ("erf", "odd1", 6)):
        baseline = compute_baseline(name, (0.0, 1.0), "fp32", degree, form=form)
        row = {"target": name, "label": baseline.label, "n_ops": baseline.n_ops,
               "expression": baseline.program.to_infix(),
               "max_ulp_sampled": baseline.max_ulp_float32}
        if exhaustive:
            from autonumerics.verification.exhaustive import exhaustive_float32

            start = time.time()
            report = exhaustive_float32(ContractedFloat32(baseline.program), get_target(name),
                                        (0.0, 1.0), workers=workers)
            row.update(max_ulp_exhaustive=report.max_ulp, worst_input=report.worst_input,
                       n_points=report.n_points, n_ge_one_ulp=report.n_ge_one_ulp,
                       seconds=round(time.time() - start, 1))
        rows.append(row)
    return rows


def cli_timing() -> dict:
    """Wall time of `baselines exp2 --interval 0,1 --max-ops 16` (all families), cold cache."""
    argv = ["baselines", "exp2", "--interval", "0,1", "--max-ops", "16", "--json"]
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "AUTONUMERICS_CACHE": cache}
        start = time.time()
        done = subprocess.run([sys.executable, "-c", CLI, *argv], capture_output=True, text=True,
                              env=environment, check=True)
        seconds = time.time() - start
    return {"command": "autonumerics " + " ".join(argv), "seconds": round(seconds, 2),
            "rows": len(json.loads(done.stdout)["baselines"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhaustive", action="store_true", help="check every float32 of [0, 1]")
    parser.add_argument("--workers", type=int, default=2, help="processes for the exhaustive check")
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()
    with mpmath.workdps(15):
        report = {"remez_exp2": remez_figures(),
                  "float32": float32_figures(args.exhaustive, args.workers), "cli": cli_timing()}
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as stream:
            stream.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
