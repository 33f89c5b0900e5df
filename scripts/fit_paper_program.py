"""Fitter power: fit the AutoNumerics-Zero 10-op program for 2^x on (0, 1] from a blind start.

The structure ((c4/(c1/(c3/x + x) + c2 + c3/x + x)) - c5)^8, the power as three squarings, with
unknown constants. The fitter sees only the batched interpreter; its start is random log-scale
constants (sign and 10**U(-2, 2), per seed) or all ones. Training: 1024 Chebyshev points in
(0, 1]; verification: 10 000 fresh random points in (0, 1] plus 1 and 100 tiny ones, labelled
by mpmath. The paper reports < 5.4e-15 (c1 ~ 1.514e4, c2 ~ -250.5, c3 ~ 5783, c4 ~ 501.1, c5 ~ -1).

    python scripts/fit_paper_program.py --seeds 0 1 2 3 4        # the acceptance run
    python scripts/fit_paper_program.py --start ones
    python scripts/fit_paper_program.py --typical                 # per-child fit times

``--typical`` times one default-budget fit of typical 5-10 op nonlinear programs (warm start,
and with one fresh constant), the cost paid for every child of the evolutionary search.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from autonumerics.fit.driver import DEFAULT_BUDGET, FitProblem, fit_constants
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.numerics.metrics import relative_errors
from autonumerics.truth.ground_truth import labels, make_points
from autonumerics.truth.targets import get_target

# The literals only name the constants (3 -> c3, ...); the fit never sees their values.
STRUCTURE = "u = 3/x + x; (4/(1/u + 2 + u) - 5)**8"
TYPICAL = (
    "1.0/(1 + 0.5*x) + 0.1",
    "(1 + x*(0.5 + x*0.1)) / (1.5 - x)",
    "square(1 + x*(0.3 + x*0.03))",
    "2.0/(1.0 + x*(0.5 + x)) + 0.5 + x*0.1",
    "square(square(1.0 + x*(0.17 + x*(0.015 + x*0.0008))))",
    "u = 5783/x + x; (501.1/(15140/u + -250.5 + u) - -1)**8",
)


def fit_paper(seed: int, start: str, budget: int, max_stalls: int) -> None:
    """One fit of the paper's structure from a blind start, verified on fresh points."""
    program = parse_expr(STRUCTURE)
    names = [f"c{int(value)}" for value in program.constants]
    target = get_target("exp2")
    x = make_points((0.0, 1.0), 1025, "chebyshev")[1:]  # (0, 1]: the program divides by x
    hi, lo = labels(target, x)
    problem = FitProblem(lambda c: evaluate(program, x, constants=c), hi, lo)
    fresh = np.full(len(names), start == "random")
    rng = np.random.default_rng(seed)
    began = time.perf_counter()
    result = fit_constants(
        problem, np.ones(len(names)), fresh, rng, budget=budget, max_stalls=max_stalls
    )
    seconds = time.perf_counter() - began
    check = np.random.default_rng(10_000 + seed)
    fresh_x = np.concatenate(
        [check.uniform(0.0, 1.0, 10_000), 10.0 ** check.uniform(-300, -3, 100), [1.0]]
    )
    fresh_x = np.unique(fresh_x[fresh_x > 0])
    fresh_hi, fresh_lo = labels(target, fresh_x, cache=False)
    approx = evaluate(program, fresh_x, constants=result.constants)
    errors = relative_errors(approx, fresh_hi, fresh_lo)
    start_text = "random sign * 10**U(-2, 2) per constant" if start == "random" else "all ones"
    print(f"seed {seed}  start: {start_text}  budget {budget}, max_stalls {max_stalls}")
    for name, value in sorted(zip(names, result.constants, strict=True)):
        print(f"  {name} = {value: .12e}  ({float(value).hex()})")
    print(
        f"  training max rel. error {result.loss:.3e} on {x.size} points; stages {result.method}; "
        f"{result.n_evaluations} evaluations; {seconds:.1f} s"
    )
    print(
        f"  verified max rel. error {np.max(errors):.3e} on {fresh_x.size} fresh points "
        f"(worst x = {fresh_x[np.argmax(errors)]:.6g}); <= 2e-14: {bool(np.max(errors) <= 2e-14)}"
    )


def time_typical(repeats: int = 5) -> None:
    """Median time of one default-budget fit for typical nonlinear programs."""
    x = make_points((0.0, 1.0), 1025, "chebyshev")[1:]
    hi, lo = labels(get_target("exp2"), x)
    print(
        f"one fit, default budget ({DEFAULT_BUDGET} evaluations), 1024 points, median of {repeats}:"
    )
    for text in TYPICAL:
        program = parse_expr(text)
        problem = FitProblem(lambda c, p=program: evaluate(p, x, constants=c), hi, lo)
        k = len(program.constants)
        for fresh_count in (0, 1):
            fresh = np.zeros(k, dtype=bool)
            fresh[k - fresh_count :] = True
            times, losses = [], []
            for repeat in range(repeats):
                began = time.perf_counter()
                result = fit_constants(
                    problem, np.array(program.constants), fresh, np.random.default_rng(repeat)
                )
                times.append(time.perf_counter() - began)
                losses.append(result.loss)
            print(
                f"  {program.n_ops:2d} ops, k={k}, {fresh_count} fresh: {np.median(times):.3f} s, "
                f"loss {np.median(losses):.3g} ({result.method})  {text}"
            )


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--start", choices=("random", "ones"), default="random")
    parser.add_argument("--budget", type=int, default=600_000, help="evaluations per fit")
    parser.add_argument(
        "--max-stalls", type=int, default=30, help="rounds without 1%% gain before stopping"
    )
    parser.add_argument("--typical", action="store_true", help="time per-child fits instead")
    args = parser.parse_args()
    if args.typical:
        time_typical()
        return
    for seed in args.seeds:
        fit_paper(seed, args.start, args.budget, args.max_stalls)


if __name__ == "__main__":
    main()
