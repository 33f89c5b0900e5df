"""Drop the full-range kernels into small JAX computations: a softmax and a GELU MLP forward pass.

Usage:
    python scripts/demo_kernels.py [--rows 4096] [--width 1024] [--repeats 15] [--json]

* softmax over rows of logits, with our ``exp`` (autonumerics/kernels/certified/exp.py) against
  ``jax.nn.softmax``;
* a two-layer MLP, ``gelu(x W1 + b1) W2 + b2`` with the exact GELU ``x/2 (1 + erf(x/sqrt 2))``
  computed with our ``erf`` (autonumerics/kernels/certified/erf.py) against
  ``jax.nn.gelu(approximate=False)`` (if our erf is not exported yet, jax.scipy.special.erf is
  used and the script says so).

Both versions are compared with a float64 NumPy reference (max error relative to the largest
output of each row, in units of float32 epsilon), and with each other; timings are medians of
interleaved A/B repeats of the jitted functions (a shared machine: ratios, not absolute times).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from autonumerics.sourcefile import load_module

REPO = Path(__file__).resolve().parents[1]
EPS = float(np.finfo(np.float32).eps)


def load_kernel(name: str):
    """Our jitted kernel ``name`` from autonumerics/kernels/certified/NAME.py (None if absent)."""
    path = REPO / "autonumerics" / "kernels" / "certified" / f"{name}.py"
    if not path.is_file():
        return None
    return getattr(load_module(path, f"demo_{name}"), name)


def median_times(first, second, args, repeats: int) -> tuple[float, float]:
    """Median seconds of two jitted functions on the same arguments, alternating A/B and B/A."""
    for function in (first, second):
        function(*args).block_until_ready()
    times: tuple[list[float], list[float]] = ([], [])
    for index in range(repeats):
        for which in ((0, 1) if index % 2 == 0 else (1, 0)):
            started = time.perf_counter()
            (first, second)[which](*args).block_until_ready()
            times[which].append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def row_scaled_error(approx: np.ndarray, exact: np.ndarray) -> float:
    """max |approx - exact| / max |exact| per row, in float32 epsilons."""
    scale = np.max(np.abs(exact), axis=-1, keepdims=True)
    return float(np.max(np.abs(approx.astype(np.float64) - exact) / scale) / EPS)


def softmax_demo(rows: int, width: int, repeats: int, rng: np.random.Generator) -> dict:
    import jax
    import jax.numpy as jnp

    our_exp = load_kernel("exp")
    if our_exp is None:
        return {"skipped": "autonumerics/kernels/certified/exp.py is not exported"}

    def ours(logits):
        shifted = logits - jnp.max(logits, axis=-1, keepdims=True)
        weights = our_exp(shifted)
        return weights / jnp.sum(weights, axis=-1, keepdims=True)

    logits = (rng.standard_normal((rows, width)) * 4.0).astype(np.float32)
    ours_jit, builtin_jit = jax.jit(ours), jax.jit(lambda z: jax.nn.softmax(z, axis=-1))
    x = jax.device_put(logits)
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    exact = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    y_ours, y_builtin = np.asarray(ours_jit(x)), np.asarray(builtin_jit(x))
    ours_seconds, builtin_seconds = median_times(ours_jit, builtin_jit, (x,), repeats)
    return {"shape": [rows, width], "kernel": "autonumerics/kernels/certified/exp.py",
            "error_eps_ours": row_scaled_error(y_ours, exact),
            "error_eps_builtin": row_scaled_error(y_builtin, exact),
            "difference_eps": row_scaled_error(y_ours, y_builtin.astype(np.float64)),
            "seconds_ours": ours_seconds, "seconds_builtin": builtin_seconds,
            "speedup": builtin_seconds / ours_seconds}


def mlp_demo(rows: int, width: int, repeats: int, rng: np.random.Generator) -> dict:
    import jax
    from jax.scipy.special import erf as jax_erf

    our_erf = load_kernel("erf")
    erf = our_erf if our_erf is not None else jax_erf
    inverse_sqrt2 = np.float32(1.0 / math.sqrt(2.0))

    def forward(gelu, x, w1, b1, w2, b2):
        return gelu(x @ w1 + b1) @ w2 + b2

    def ours(x, w1, b1, w2, b2):
        return forward(lambda h: 0.5 * h * (1.0 + erf(h * inverse_sqrt2)), x, w1, b1, w2, b2)

    def builtin(x, w1, b1, w2, b2):
        return forward(lambda h: jax.nn.gelu(h, approximate=False), x, w1, b1, w2, b2)

    hidden = 4 * width
    params = [rng.standard_normal((rows, width)),
              rng.standard_normal((width, hidden)) / math.sqrt(width),
              rng.standard_normal(hidden) * 0.1,
              rng.standard_normal((hidden, width)) / math.sqrt(hidden),
              rng.standard_normal(width) * 0.1]
    params32 = [p.astype(np.float32) for p in params]
    args = [jax.device_put(p) for p in params32]
    ours_jit, builtin_jit = jax.jit(ours), jax.jit(builtin)
    p64 = [p.astype(np.float64) for p in params32]
    from scipy.special import erf as erf64

    h = p64[0] @ p64[1] + p64[2]
    exact = (0.5 * h * (1.0 + erf64(h / math.sqrt(2.0)))) @ p64[3] + p64[4]
    y_ours, y_builtin = np.asarray(ours_jit(*args)), np.asarray(builtin_jit(*args))
    ours_seconds, builtin_seconds = median_times(ours_jit, builtin_jit, args, repeats)
    return {"shape": [rows, width, hidden],
            "kernel": ("autonumerics/kernels/certified/erf.py" if our_erf
                       else "jax.scipy.special.erf (our erf kernel is not exported yet)"),
            "error_eps_ours": row_scaled_error(y_ours, exact),
            "error_eps_builtin": row_scaled_error(y_builtin, exact),
            "difference_eps": row_scaled_error(y_ours, y_builtin.astype(np.float64)),
            "seconds_ours": ours_seconds, "seconds_builtin": builtin_seconds,
            "speedup": builtin_seconds / ours_seconds,
            "note": ("matrix products dominate the time and the error; "
                     "the GELU is the only difference")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    results = {"softmax": softmax_demo(args.rows, args.width, args.repeats, rng),
               "gelu_mlp": mlp_demo(args.rows // 4, args.width // 2, args.repeats, rng)}
    if args.json:
        print(json.dumps(results))
        return 0
    for name, result in results.items():
        if "skipped" in result:
            print(f"{name}: skipped ({result['skipped']})")
            continue
        print(f"{name} {result['shape']} with {result['kernel']}:")
        print("  error vs float64 (row-scaled, in float32 eps): "
              f"ours {result['error_eps_ours']:.2f}, built-in {result['error_eps_builtin']:.2f}; "
              f"ours vs built-in {result['difference_eps']:.2f}")
        print(f"  time: ours {1e3 * result['seconds_ours']:.2f} ms, "
              f"built-in {1e3 * result['seconds_builtin']:.2f} ms "
              f"(speed-up {result['speedup']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
