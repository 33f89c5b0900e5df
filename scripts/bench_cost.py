"""Op count against measured cost: the `cost = "wall_clock"` timing of classical forms of 2^x.

Each program is timed as the search times it (its JAX export applied 100 times in a
``lax.fori_loop`` to 10 000 float32 inputs in [0, 1]), several rounds interleaved, and the
median of the rounds is printed next to its op count, with the ratio to the degree-6 Horner
polynomial measured in the same rounds. It shows where counting ops misleads: a division is
one op but runs beside the multiply-adds, while Horner's chain of dependent FMAs is latency-bound.

    python scripts/bench_cost.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics

from autonumerics.evolution.cost import WallClockCost
from autonumerics.ir.parse import parse_expr

FORMS = {
    "degree-3 Horner": "1 + x*(0.69 + x*(0.23 + x*0.079))",
    "degree-4 Horner": "1 + x*(0.69 + x*(0.24 + x*(0.052 + x*0.013)))",
    "degree-6 Horner": "1 + x*(0.69 + x*(0.24 + x*(0.055 + x*(0.0096 + x*(0.0013 + x*0.00015)))))",
    "degree-6 Estrin": ("t = x*x; (1 + x*0.69) + t*((0.24 + x*0.055)"
                        " + t*((0.0096 + x*0.0013) + t*0.00015))"),
    "rational (2,2)": "(1 + x*(0.35 + x*0.041)) / (1 + x*(-0.35 + x*0.041))",
    "rational (3,3)": ("(1 + x*(0.35 + x*(0.052 + x*0.0033)))"
                       " / (1 + x*(-0.35 + x*(0.052 + x*-0.0033)))"),
    "paper-shaped rational": ("t = (x*0.0833 + 0.5)*x; t0 = square(1 + t) - (x*0.0208)*x;"
                              " square(square(t0 / (t0 - x)))"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cost = WallClockCost((0.0, 1.0))
    programs = {name: parse_expr(text) for name, text in FORMS.items()}
    times: dict[str, list[float]] = {name: [] for name in FORMS}
    for _ in range(args.rounds):
        for name, program in programs.items():
            times[name].append(cost.measure(program))
    reference = statistics.median(times["degree-6 Horner"])
    print(f"{'form':28} {'ops':>4} {'ns/element':>11} {'vs degree-6 Horner':>19}")
    for name, program in programs.items():
        median = statistics.median(times[name])
        print(f"{name:28} {program.n_ops:4d} {median:11.3f} {median / reference:19.2f}")


if __name__ == "__main__":
    main()
