"""Throughput of every certified full-range kernel against its JAX built-in, as ratios.

Usage:
    python scripts/bench_kernels.py [NAME ...] [--repeats 41] [--sample-ms 50]
        [--out results/kernels/bench.json]

For each kernel (default: every autonumerics/kernels/certified/NAME.py) it times the jitted
kernel and the built-in (jnp.exp2, jnp.exp, jnp.log2, jnp.log, jax.scipy.special.erf, jnp.tanh,
jax.nn.sigmoid) with ``autonumerics.verification.bench.bench``: 1e6 inputs spread uniformly over
the kernel's useful range (where results are normal numbers: what a model computes on), and
stacked (100 applications in one fori_loop over 10 000 inputs, ``--stacked-size``: arithmetic,
not memory). Each sample is >= 50 ms of back-to-back calls (``--sample-ms``); rounds alternate
A/B and B/A; the figure is the median over rounds of each round's ratio (its two samples are
adjacent in time), with the quartiles and the ratio of the minima (least disturbed samples)
recorded beside it; ratio = built-in time / kernel time (> 1: ours is faster). Each row records
how many threads XLA's CPU cost model splits each loop into: it counts our kernels' arithmetic as
flops and splits their 10 000-input loop over 2 threads, where the built-ins' single
transcendental op counts as cheap and is not split (see the README). Named kernels are merged
into the existing bench.json, so one kernel can be re-measured alone. The machine is recorded:
absolute times on a shared 2-core machine are noisy, the ratios less so.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KERNELS_DIR = REPO / "autonumerics" / "kernels" / "certified"
RESULTS_DIR = REPO / "results" / "kernels"

# Where each kernel's results are normal floats: the inputs a model feeds it.
USEFUL_RANGE = {
    "exp2": (-125.0, 127.0),
    "exp": (-87.0, 88.0),
    "expm1": (-17.0, 88.0),
    "log2": (1e-30, 1e30),
    "log": (1e-30, 1e30),
    "log1p": (-0.999, 10.0),
    "erf": (-4.0, 4.0),
    "tanh": (-9.0, 9.0),
    "sigmoid": (-20.0, 20.0),
    "gelu": (-8.0, 8.0),
    "gelu_tanh": (-8.0, 8.0),
    "silu": (-20.0, 20.0),
    "softplus": (-20.0, 20.0),
    "log_sigmoid": (-20.0, 20.0),
}


def useful_range(name: str) -> tuple[float, float]:
    """The timing interval of kernel ``name`` (both tiers of a function share it)."""
    from autonumerics.kernels.tiers import split_kernel_id

    return USEFUL_RANGE[split_kernel_id(name)[0]]


def kernel_names() -> list[str]:
    """Kernels with a certified JAX export (autonumerics/kernels/certified/NAME.py)."""
    from autonumerics.kernels import KERNELS

    return sorted(name for name in KERNELS if (KERNELS_DIR / f"{name}.py").is_file())


def _pair_samples(kernel, builtin, x, repeats: int,
                  sample_seconds: float) -> tuple[list[float], list[float]]:
    """Seconds per call of two jitted functions, alternating A/B and B/A each round, each sample
    ``sample_seconds`` or more of back-to-back calls (a 1 ms sample, one call of a 1e6 kernel,
    let timer and scheduler jitter move single ratios by +-30 %); both lists are returned so
    that medians and minima can be reported."""
    from autonumerics.verification.bench import seconds_per_call

    for function in (kernel, builtin):
        function(x).block_until_ready()
    calls = max(1, int(sample_seconds / max(seconds_per_call(kernel, x, 5), 1e-7)))
    samples: tuple[list[float], list[float]] = ([], [])
    for index in range(repeats):
        for which in ((0, 1) if index % 2 == 0 else (1, 0)):
            samples[which].append(seconds_per_call((kernel, builtin)[which], x, calls))
    return samples


def thread_split(function, x) -> int:
    """How many threads XLA's CPU cost model splits the jitted ``function``'s loop into for input
    ``x`` (its ``outer_dimension_partitions``; 1 when not split)."""
    import re

    parts = re.findall(r'outer_dimension_partitions":\["(\d+)"',
                       function.lower(x).compile().as_text())
    return max((int(p) for p in parts), default=1)


def bench_one(name: str, repeats: int, sample_seconds: float, stacked_size: int = 10_000) -> dict:
    """The timings of kernel ``name`` against its built-in: the median of the per-round ratios (the
    figure) with their quartiles, and the minima (the least disturbed sample of each, reported
    beside it: on a loaded machine interference only adds)."""
    import statistics

    import jax
    import numpy as np

    from autonumerics.verification.bench import load_kernel, resolve_against, stacked

    kernel, module = load_kernel(KERNELS_DIR / f"{name}.py")
    builtin, builtin_name = resolve_against("jnp", getattr(module, "TARGET", name))
    interval = useful_range(name)
    rng = np.random.default_rng(0)
    cases = {
        "1e6": (jax.jit(kernel), jax.jit(builtin), rng.uniform(*interval, 1_000_000)),
        "stacked": (stacked(kernel, interval, 100), stacked(builtin, interval, 100),
                    rng.uniform(*interval, stacked_size)),
    }
    result: dict = {"builtin": builtin_name, "interval": list(interval), "repeats": repeats,
                    "sample_seconds": sample_seconds, "stacked_size": stacked_size, "rows": []}
    for case, (ours, theirs, x) in cases.items():
        x = jax.device_put(x.astype(np.float32))
        ours_s, theirs_s = _pair_samples(ours, theirs, x, repeats, sample_seconds)
        # Each round's two samples are adjacent in time, so their ratio cancels slow drifts in the
        # machine's speed (other tenants, frequency): the figure is the median of these ratios.
        paired = sorted(theirs / ours for ours, theirs in zip(ours_s, theirs_s, strict=True))
        row = {"case": case, "n_elements": x.size * (100 if case == "stacked" else 1),
               "kernel_seconds_median": statistics.median(ours_s),
               "builtin_seconds_median": statistics.median(theirs_s),
               "kernel_seconds_min": min(ours_s), "builtin_seconds_min": min(theirs_s),
               "ratio_median": statistics.median(paired),
               "ratio_quartiles": [paired[len(paired) // 4], paired[(3 * len(paired)) // 4]]}
        row["ratio_min"] = row["builtin_seconds_min"] / row["kernel_seconds_min"]
        row["xla_threads"] = {"kernel": thread_split(ours, x), "builtin": thread_split(theirs, x)}
        result["rows"].append(row)
        result[f"ratio_{case}"] = row["ratio_median"]
        result[f"ratio_{case}_min"] = row["ratio_min"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="kernels to measure (default: all exported)")
    parser.add_argument("--repeats", type=int, default=41, help="A/B rounds per measurement")
    parser.add_argument("--sample-ms", type=float, default=50.0,
                        help="least duration of one timing sample")
    parser.add_argument("--stacked-size", type=int, default=10_000,
                        help="inputs per application in the stacked case (100 applications)")
    parser.add_argument("--out", default=str(RESULTS_DIR / "bench.json"),
                        help="the JSON file to update")
    args = parser.parse_args(argv)
    names = args.names or kernel_names()
    unknown = [name for name in names if name.removesuffix("_fast") not in USEFUL_RANGE]
    if unknown:
        parser.error(f"unknown kernel {unknown[0]!r}; known: {', '.join(USEFUL_RANGE)}")
    out = Path(args.out)
    data = json.loads(out.read_text()) if out.is_file() else {"kernels": {}}
    for name in names:
        result = bench_one(name, args.repeats, args.sample_ms / 1e3, args.stacked_size)
        result["date"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        size = "" if args.stacked_size == 10_000 else f" --stacked-size {args.stacked_size}"
        result["command"] = f"python scripts/bench_kernels.py {name}{size}"
        data["kernels"][name] = result
        threads = result["rows"][1]["xla_threads"]
        print(f"{name}: {result['ratio_1e6']:.2f}x at 1e6 (min {result['ratio_1e6_min']:.2f}x), "
              f"{result['ratio_stacked']:.2f}x stacked (min {result['ratio_stacked_min']:.2f}x) "
              f"vs {result['builtin']}; stacked loop on {threads['kernel']} / "
              f"{threads['builtin']} XLA threads", flush=True)
    import jax

    data["machine"] = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                       "jax": jax.__version__, "load_average": os.getloadavg()[0],
                       "note": ("shared machine: ratios from interleaved A/B rounds, "
                                "medians (and minima)")}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
