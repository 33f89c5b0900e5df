"""Downstream check: a small int8 MLP on 3-arm spirals with float, table, I-BERT and our GELU.

    python scripts/quant_downstream.py [--scale 2^-5 ...] [--seeds 3]

A 2 -> 64 -> 64 -> 3 GELU MLP is trained in float32 (JAX, full-batch Adam, a few seconds), then
run as an int8 network: weights quantized per tensor (symmetric, round half even), every hidden
pre-activation requantized to int8 at the activation scale (the GELU kernel's input scale), the
GELU applied on int8 codes by each method, int32 accumulation. Only the activation differs
between the int8 rows; "float activations" is dequantize -> exact GELU -> requantize.
Writes results/quant/downstream.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from autonumerics.quant.alternatives import ibert_gelu
from autonumerics.quant.config import parse_scale
from autonumerics.quant.intprogram import evaluate
from autonumerics.quant.kernel_file import load_kernel
from autonumerics.quant.params import QuantParams, quantize
from autonumerics.quant.score import reference
from autonumerics.quant.search_driver import kernel_filename

INPUT = QuantParams(2.0**-4)  # the network's int8 input (the spirals span about [-4.5, 4.5])


def spirals(rng: np.random.Generator, count: int, arms: int = 3,
            noise: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points on ``arms`` interleaved spiral arms (radius 0..3.5, 1.5 turns), noisy.

    The noise is Gaussian, of standard deviation ``noise``."""
    labels = rng.integers(0, arms, count)
    radius = rng.uniform(0.1, 1.0, count)
    angle = 3 * np.pi * radius + 2 * np.pi * labels / arms
    points = 3.5 * radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return (points + rng.normal(0, noise, points.shape)).astype(np.float32), labels


def train(x: np.ndarray, y: np.ndarray, seed: int, clip: float,
          steps: int = 1500) -> list[np.ndarray]:
    """Float32 weights [W1, b1, W2, b2, W3, b3] of a GELU MLP, full-batch Adam on cross-entropy.

    Pre-activations are clipped to [-clip, clip] (the int8 activation range) in training too, so
    the float network is the one the int8 network approximates.
    """
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(seed)
    sizes = [(2, 64), (64, 64), (64, 3)]
    params = []
    for fan_in, fan_out in sizes:
        key, sub = jax.random.split(key)
        params += [jax.random.normal(sub, (fan_in, fan_out)) / np.sqrt(fan_in), jnp.zeros(fan_out)]

    def loss(p):
        h = jax.nn.gelu(jnp.clip(x @ p[0] + p[1], -clip, clip), approximate=False)
        h = jax.nn.gelu(jnp.clip(h @ p[2] + p[3], -clip, clip), approximate=False)
        logits = h @ p[4] + p[5]
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(len(y)), y])

    grad = jax.jit(jax.value_and_grad(loss))
    first = [jnp.zeros_like(p) for p in params]
    second = [jnp.zeros_like(p) for p in params]
    for step in range(1, steps + 1):
        _, g = grad(params)
        first = [0.9 * m + 0.1 * gi for m, gi in zip(first, g, strict=True)]
        second = [0.999 * v + 0.001 * gi * gi for v, gi in zip(second, g, strict=True)]
        params = [p - 0.01 * (m / (1 - 0.9**step)) / (jnp.sqrt(v / (1 - 0.999**step)) + 1e-8)
                  for p, m, v in zip(params, first, second, strict=True)]
    return [np.asarray(p, dtype=np.float32) for p in params]


def float_accuracy(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray, clip: float) -> float:
    from scipy.special import ndtr

    h = np.clip(x @ weights[0] + weights[1], -clip, clip)
    h = h * ndtr(h)
    h = np.clip(h @ weights[2] + weights[3], -clip, clip)
    h = h * ndtr(h)
    return float(np.mean(np.argmax(h @ weights[4] + weights[5], axis=1) == y))


def int8_accuracy(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray, act: QuantParams,
                  gelu_table: np.ndarray) -> float:
    """The int8 network with GELU as a table over the 256 int8 codes (any method's outputs)."""
    codes = quantize(x, INPUT)
    for layer in range(3):
        w, b = weights[2 * layer], weights[2 * layer + 1]
        w_scale = float(np.abs(w).max()) / 127
        w_q = quantize(w, QuantParams(w_scale))
        acc_scale = w_scale * (INPUT.scale if layer == 0 else act.scale)
        b_q = np.rint(b / acc_scale).astype(np.int64)  # bias at the accumulator scale, int32
        acc = codes @ w_q + b_q
        if layer == 2:
            return float(np.mean(np.argmax(acc, axis=1) == y))
        # Requantize the int32 accumulator to the activation scale (round half even), saturating.
        pre = np.clip(np.rint(acc * (acc_scale / act.scale)), -128, 127).astype(np.int64)
        codes = gelu_table[pre + 128]
    raise AssertionError("unreachable")


def one_scale(scale: float, seed: int) -> dict[str, float]:
    """Accuracies on 20 000 test points of one network trained for activation scale ``scale``."""
    act = QuantParams(scale)
    clip = 127 * scale
    rng = np.random.default_rng(seed)
    x_train, y_train = spirals(rng, 3000)
    x_test, y_test = spirals(rng, 20000)
    weights = train(x_train, y_train, seed, clip)
    grid = act.grid()
    ours = load_kernel(Path("results/quant") / kernel_filename("gelu", "int8", scale))
    exact_table = reference("gelu", act, act)[1]
    tables = {
        "int8, float activations (dequantize, exact GELU, requantize)": exact_table,
        "int8, 256-entry table": exact_table,
        "int8, I-BERT i-GELU": ibert_gelu(act, act).outputs,
        f"int8, autonumerics GELU ({ours.program.n_ops} ops)": evaluate(ours.program, q=grid),
    }
    rows = {"float32 network (same clipping)": float_accuracy(weights, x_test, y_test, clip)}
    return rows | {name: int8_accuracy(weights, x_test, y_test, act, table)
                   for name, table in tables.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append",
                        help="activation scale(s) with a GELU kernel (default: all three)")
    parser.add_argument("--seeds", type=int, default=3, help="networks per scale (seeds 0, 1, ...)")
    args = parser.parse_args()
    scales = [parse_scale(s) for s in (args.scale or ["2^-6", "2^-5", "2^-4"])]
    results = {}
    for scale in scales:
        start = time.perf_counter()
        runs = [one_scale(scale, seed) for seed in range(args.seeds)]
        print(f"activation scale {scale} ({time.perf_counter() - start:.1f} s; 20 000 test points; "
              f"accuracy per seed, then the mean)")
        for name in runs[0]:
            values = [100 * run[name] for run in runs]
            print("  " + " ".join(f"{v:7.3f}" for v in values)
                  + f"  | {np.mean(values):7.3f} %  {name}")
        results[str(scale)] = runs
    Path("results/quant").mkdir(parents=True, exist_ok=True)
    Path("results/quant/downstream.json").write_text(json.dumps(
        {"test_points": 20000, "seeds": args.seeds, "accuracy": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
