"""Exhaustive table of the bf16/fp16 activations: ours (numpy and JAX) against the naive baseline.

Every one of the 65 536 inputs of each format, for GELU, SiLU, sigmoid, tanh and exp, against
the correctly rounded result from mpmath (computed once, then cached). The naive baseline is
JAX's float32 built-in (jax.nn.gelu exact, jax.nn.silu, jax.nn.sigmoid, jnp.tanh, jnp.exp),
jitted on CPU, then cast to the format. Writes results/quant/lowbit.json.

    python scripts/quant_lowbit.py [--out results/quant/lowbit.json] [--bench]

With ``--bench`` it also times the jitted JAX kernels against the naive baseline on 2**20
random inputs (normal, standard deviation 3), interleaved A/B repeats, medians (and minima), as
ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime

import jax
import mpmath
import numpy as np

from autonumerics.ir.programfile import write_json_atomic
from autonumerics.quant.lowbit import LOW_FORMATS, LOWBIT_FUNCTIONS
from autonumerics.quant.lowbit_check import (
    IMPLEMENTATIONS,
    LowbitReport,
    all_inputs,
    score,
)


def _row(report: LowbitReport, jax_equal: bool | None) -> str:
    specials = "exact" if report.specials_exact else f"{len(report.special_mismatches)} wrong"
    same = "" if jax_equal is None else ("yes" if jax_equal else "NO")
    return (
        f"{report.format:9} {report.function:8} {report.implementation:10} {report.max_ulp:10.4g}"
        f" {report.worst_input:12.5g} {report.n_ge_one_ulp:7d}"
        f" {100 * report.frac_correctly_rounded:9.3f}"
        f" {report.n_overflow_exact:6d}/{report.n_overflow:<6d}"
        f" {report.n_saturated_exact:6d}/{report.n_saturated:<6d}"
        f" {specials:9} {same}"
    )


def run() -> dict[str, object]:
    """Check every function, format and implementation; print the table; return the results."""
    header = (f"{'format':9} {'function':8} {'impl':10} {'max ulp':>10} {'worst x':>12}"
              f" {'>=1ulp':>7} {'% CR':>9} {'overflow':>13} {'saturated':>13} {'specials':9}"
              " jax==numpy")
    print(header)
    rows = []
    for format_name in LOW_FORMATS:
        inputs = all_inputs(format_name)
        for function in LOWBIT_FUNCTIONS:
            started = time.perf_counter()
            outputs = {name: impl(function, inputs) for name, impl in IMPLEMENTATIONS.items()}
            ours = outputs["ours_numpy"].view(np.uint16)
            ours_jax = outputs["ours_jax"].view(np.uint16)
            with np.errstate(invalid="ignore"):
                nan = np.isnan(outputs["ours_numpy"].astype(np.float32))
            jax_equal = bool(np.array_equal(ours[~nan], ours_jax[~nan])
                             and np.isnan(outputs["ours_jax"][nan].astype(np.float32)).all())
            for name in ("ours_numpy", "naive_jax"):
                report = score(function, format_name, outputs[name], name.replace("_numpy", ""))
                print(_row(report, jax_equal if name == "ours_numpy" else None), flush=True)
                rows.append({**report.to_dict(),
                             "jax_equals_numpy": jax_equal if name == "ours_numpy" else None,
                             "seconds": round(time.perf_counter() - started, 2)})
    return {
        "what": ("bf16/fp16 activations, every input checked against mpmath correctly rounded"
                 " results"),
        "ulp": "|y - f(x)| / ulp(f(x)) in the 16-bit format, floored at the least subnormal",
        "naive": "JAX float32 built-in, jitted on CPU, then cast (jax.nn.gelu approximate=False)",
        "versions": {"jax": jax.__version__, "numpy": np.__version__, "mpmath": mpmath.__version__,
                     "python": platform.python_version()},
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
    }


def bench(repeats: int = 31, size: int = 1 << 20) -> list[dict[str, object]]:
    """Median seconds of ours and the naive baseline (jitted JAX, CPU), interleaved."""
    from autonumerics.quant.lowbit import lowbit_activation_jax, naive_jax

    rng, rows = np.random.default_rng(0), []
    print(f"{'format':9} {'function':8} {'ours ms':>8} {'naive ms':>9} {'ratio':>6}"
          f" {'min ratio':>9}")
    for format_name, fmt in LOW_FORMATS.items():
        x = jax.device_put((3 * rng.standard_normal(size)).astype(fmt.dtype))
        for function in LOWBIT_FUNCTIONS:
            kernels = {
                "ours": lambda f=function, v=x: lowbit_activation_jax(f, v).block_until_ready(),
                "naive": lambda f=function, v=x: naive_jax(f, v).block_until_ready()}
            times: dict[str, list[float]] = {"ours": [], "naive": []}
            for _ in range(repeats + 1):  # the first round compiles and warms up
                for name, kernel in kernels.items():
                    started = time.perf_counter()
                    kernel()
                    times[name].append(time.perf_counter() - started)
            ours, naive = (float(np.median(times[name][1:])) for name in ("ours", "naive"))
            # Minimum times too: on a shared machine they are the least disturbed.
            best = float(np.min(times["ours"][1:]) / np.min(times["naive"][1:]))
            print(f"{format_name:9} {function:8} {1e3 * ours:8.2f} {1e3 * naive:9.2f} "
                  f"{ours / naive:6.2f} {best:9.2f}")
            rows.append({"format": format_name, "function": function, "ours_s": ours,
                         "naive_s": naive, "ratio": ours / naive, "ratio_of_minima": best,
                         "size": size, "repeats": repeats})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/quant/lowbit.json")
    parser.add_argument("--bench", action="store_true",
                        help="also time ours against the naive baseline")
    args = parser.parse_args()
    results = run()
    if args.bench:
        results["bench"] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, shared",
                            "rows": bench()}
    write_json_atomic(args.out, results)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
