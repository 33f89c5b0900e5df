"""The gradient table: every kernel's derivative (JVP of autonumerics.jax) against mpmath.

Usage:
    python scripts/gradient_table.py [NAME ...] [--bits 20] [--out results/kernels/gradients.json]

For each kernel: 2^bits random float32 bit patterns (every binade of both signs) and 2^(bits-4)
uniform points of the range models use, labelled by mpmath at 30 digits (cached like any
target's labels); the max error in float32 ULPs of the exact derivative over the inputs where it
is a normal float32, ours and JAX's built-in differentiated by JAX on the same inputs; and both
at 0, -0, +inf, -inf, NaN. Prints a markdown table and writes the JSON (with NAMEs given, their rows
replace those already in the file) (several minutes: the
mpmath labels dominate, about a minute per kernel at 2^20 on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from autonumerics.certify.derivatives import USEFUL_RANGES, derivative_report, spread_inputs
    from autonumerics.kernels import KERNELS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="kernels (default: all)")
    parser.add_argument("--bits", type=int, default=20,
                        help="2^bits random bit patterns per kernel")
    parser.add_argument("--out", default=str(REPO / "results" / "kernels" / "gradients.json"))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(KERNELS))
    if unknown:
        parser.error(f"unknown kernel {unknown[0]!r}; choose from {', '.join(KERNELS)}")
    rows = []
    print("| kernel | derivative | inputs (normal derivative) | max ULP, ours "
          "| max ULP, JAX built-in | ours at 0, +inf, -inf, NaN |")
    print("|---|---|---|---|---|---|")
    for name in args.names or list(KERNELS):
        started = time.perf_counter()
        useful = USEFUL_RANGES[name.removesuffix("_fast")]  # both tiers share the range
        report = derivative_report(name, spread_inputs(1 << args.bits, useful))
        row = {**report.to_dict(), "seconds": round(time.perf_counter() - started, 1)}
        rows.append(row)
        specials = ", ".join(report.specials[key] for key in ("0.0", "inf", "-inf", "nan"))
        print(f"| {name} | `{report.expression}` | {report.n_inputs:,} ({report.n_normal:,}) | "
              f"{report.max_ulp:.3f} (x = {report.worst_input:.7g}) | {report.builtin_max_ulp:.3g} "
              f"(x = {report.builtin_worst_input:.7g}) | {specials} |", flush=True)
    out = Path(args.out)
    kept = json.loads(out.read_text()).get("kernels", []) if out.is_file() and args.names else []
    measured = {row["kernel"] for row in rows}
    rows = [row for row in kept if row["kernel"] not in measured] + rows
    rows.sort(key=lambda row: list(KERNELS).index(row["kernel"]))  # the registry's order
    option = f" --bits {args.bits}" if args.bits != 20 else ""
    data = {"command": "python scripts/gradient_table.py" + option, "bits": args.bits,
            "kernels": rows}
    out.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
