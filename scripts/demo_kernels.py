"""Drop the full-range kernels into small JAX computations: a softmax and a GELU MLP.

Usage:
    python scripts/demo_kernels.py [--rows 4096] [--width 1024] [--repeats 15] [--json]

* softmax over rows of logits, with our ``exp`` (autonumerics/kernels/certified/exp.py) against
  ``jax.nn.softmax``;
* the exact GELU x Phi(x): ``autonumerics.jax.gelu`` (accurate) and ``autonumerics.jax.fast.gelu``
  against ``jax.nn.gelu(approximate=False)``, first at a few inputs beside mpmath (the built-in's
  1 + erf cancels for x < -4), then in a two-layer MLP ``gelu(x W1 + b1) W2 + b2``: its outputs,
  the gradient of a squared loss w.r.t. W1, and the time of a jitted forward + backward step.

Outputs and gradients are compared with a float64 NumPy reference (max error relative to the
largest value of each row, in units of float32 epsilon); timings are medians of interleaved A/B
repeats of the jitted functions (a shared machine: ratios, not absolute times).
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
    from jax import block_until_ready  # results may be tuples (value and gradient)

    for function in (first, second):
        block_until_ready(function(*args))
    times: tuple[list[float], list[float]] = ([], [])
    for index in range(repeats):
        for which in ((0, 1) if index % 2 == 0 else (1, 0)):
            started = time.perf_counter()
            block_until_ready((first, second)[which](*args))
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


def gelu_points() -> dict:
    """Our gelu (both tiers) and jax.nn.gelu at a few inputs, beside the exact value (mpmath):
    where 1 + erf cancels (x < -4) the built-in loses its digits."""
    import jax
    import mpmath

    import autonumerics.jax as ours

    x = np.float32([-13.0, -8.0, -5.0, -4.66, -2.0, -0.5, 0.0, 0.5, 2.0, 5.0])
    exact = [float(mpmath.mpf(float(v)) / 2 * mpmath.erfc(-mpmath.mpf(float(v)) / mpmath.sqrt(2)))
             for v in x]
    rows = {"x": x.tolist(), "exact": exact,
            "jax.nn.gelu": np.asarray(jax.jit(lambda v: jax.nn.gelu(v, approximate=False))(x))
            .tolist()}
    if "gelu" in ours.__all__:
        rows["autonumerics.jax.gelu"] = np.asarray(ours.gelu(x)).tolist()
    if "gelu" in ours.fast.__all__:
        rows["autonumerics.jax.fast.gelu"] = np.asarray(ours.fast.gelu(x)).tolist()
    return rows


def _gelu64(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact GELU and its derivative in float64 (scipy: erfc, no cancellation)."""
    from scipy.special import erfc

    cdf = 0.5 * erfc(-h / math.sqrt(2.0))
    return h * cdf, cdf + h * np.exp(-0.5 * h * h) / math.sqrt(2.0 * math.pi)


def mlp_demo(rows: int, width: int, repeats: int, rng: np.random.Generator) -> dict:
    """A GELU MLP's outputs, its loss gradient (w.r.t. the first layer) and the time of a jitted
    forward + backward step, with our gelu (each tier) against jax.nn.gelu(approximate=False)."""
    import jax
    import jax.numpy as jnp

    import autonumerics.jax as ours

    candidates = {"jax.nn.gelu": lambda h: jax.nn.gelu(h, approximate=False)}
    if "gelu" in ours.__all__:
        candidates["autonumerics.jax.gelu"] = ours.gelu
    if "gelu" in ours.fast.__all__:
        candidates["autonumerics.jax.fast.gelu"] = ours.fast.gelu
    if len(candidates) == 1:
        return {"skipped": "autonumerics.jax has no gelu kernel yet"}
    hidden = 4 * width
    params = [rng.standard_normal((rows, width)),
              rng.standard_normal((width, hidden)) / math.sqrt(width),
              rng.standard_normal(hidden) * 0.1,
              rng.standard_normal((hidden, width)) / math.sqrt(hidden),
              rng.standard_normal(width) * 0.1, rng.standard_normal((rows, width))]
    params32 = [p.astype(np.float32) for p in params]
    args = [jax.device_put(p) for p in params32]
    x, w1, b1, w2, b2, target = (p.astype(np.float64) for p in params32)
    h = x @ w1 + b1
    act, slope = _gelu64(h)
    out = act @ w2 + b2
    # loss = mean((out - target)^2): d loss / d w1 = x^T ((2/n (out - target) w2^T) * gelu'(h))
    grad_w1 = x.T @ (((2.0 / out.size) * (out - target)) @ w2.T * slope)

    def step(gelu):
        def loss(w1, x, b1, w2, b2, target):
            return jnp.mean((gelu(x @ w1 + b1) @ w2 + b2 - target) ** 2)

        return jax.jit(jax.value_and_grad(loss))

    result = {"shape": [rows, width, hidden], "points": gelu_points(),
              "note": "matrix products dominate time and error; the GELU is the only difference"}
    builtin = step(candidates["jax.nn.gelu"])
    call = (args[1], args[0], *args[2:])
    for label, gelu in candidates.items():
        outputs = np.asarray(jax.jit(lambda *a, g=gelu: g(a[0] @ a[1] + a[2]) @ a[3] + a[4])(
            *args[:5]))
        _, gradient = step(gelu)(*call)
        ours_seconds, builtin_seconds = median_times(step(gelu), builtin, call, repeats)
        result[label] = {"output_error_eps": row_scaled_error(outputs, out),
                         "gradient_error_eps": row_scaled_error(np.asarray(gradient), grad_w1),
                         "step_seconds": ours_seconds, "builtin_step_seconds": builtin_seconds,
                         "speedup": builtin_seconds / ours_seconds}
    return result


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
    softmax = results["softmax"]
    if "skipped" in softmax:
        print(f"softmax: skipped ({softmax['skipped']})")
    else:
        print(f"softmax {softmax['shape']} with {softmax['kernel']}:")
        print("  error vs float64 (row-scaled, in float32 eps): "
              f"ours {softmax['error_eps_ours']:.2f}, built-in {softmax['error_eps_builtin']:.2f}; "
              f"ours vs built-in {softmax['difference_eps']:.2f}")
        print(f"  time: ours {1e3 * softmax['seconds_ours']:.2f} ms, "
              f"built-in {1e3 * softmax['seconds_builtin']:.2f} ms "
              f"(speed-up {softmax['speedup']:.2f}x)")
    mlp = results["gelu_mlp"]
    if "skipped" in mlp:
        print(f"gelu_mlp: skipped ({mlp['skipped']})")
        return 0
    points = mlp["points"]
    labels = [key for key in points if key not in ("x", "exact")]
    print("gelu at a few inputs (exact by mpmath):")
    print("  " + " ".join(f"{name:>26}" for name in ["x", "exact", *labels]))
    for index, value in enumerate(points["x"]):
        print("  " + " ".join(f"{v:>26.9g}" for v in
                              [value, points["exact"][index],
                               *(points[key][index] for key in labels)]))
    print(f"gelu MLP {mlp['shape']} (rows, width, hidden): output and first-layer gradient "
          "against float64 (row-scaled, float32 eps); a jitted forward + backward step")
    for label in [key for key in mlp if key.startswith(("jax", "autonumerics"))]:
        row = mlp[label]
        print(f"  {label:>28}: output {row['output_error_eps']:.2f} eps, gradient "
              f"{row['gradient_error_eps']:.2f} eps, step {1e3 * row['step_seconds']:.2f} ms "
              f"({row['speedup']:.2f}x jax.nn.gelu's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
