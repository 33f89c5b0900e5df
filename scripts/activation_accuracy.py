"""The ML activations' accuracy, ours against jax.nn's: every 4 099th float32 bit pattern.

Usage:
    python scripts/activation_accuracy.py [NAME ...] [--stride 4099] [--out FILE]

For each function (default: gelu, gelu_tanh, silu, softplus, log_sigmoid) it evaluates, jitted on
XLA CPU, the JAX built-in (``autonumerics/verification/builtins.py``) and both tiers of our kernel
(``autonumerics.jax`` and ``autonumerics.jax.fast``; a tier not built yet is skipped) on every
``stride``-th bit pattern, and measures the error in float32 ULPs against the target's float64
reference (``autonumerics/truth/references.py``: within 5e-14 relative, so the ULP figures are
exact to ~1e-6 ULP) over the inputs whose exact result is a normal float32 (subnormal inputs and
results are flushed by XLA and left out, as in docs/references.md). Two columns, as issue 17 asks:
the whole range, and |x| <= 6 with |f(x)| >= 1e-6 (where activations are used). Writes JSON
(default results/kernels/activations_accuracy.json) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ACTIVATIONS = ("gelu", "gelu_tanh", "silu", "softplus", "log_sigmoid")
SMALLEST_NORMAL = 2.0**-126
LARGEST = float(np.finfo(np.float32).max)


def bit_patterns(stride: int) -> np.ndarray:
    """Every ``stride``-th float32 bit pattern that is a finite number, subnormals left out."""
    x = np.arange(0, 2**32, stride, dtype=np.uint64).astype(np.uint32).view(np.float32)
    return x[np.isfinite(x) & ((x == 0) | (np.abs(x) >= SMALLEST_NORMAL))]


def ulp_of(exact: np.ndarray) -> np.ndarray:
    """The float32 ULP at each exact (normal) value: 2^(exponent - 23)."""
    return np.exp2(np.floor(np.log2(np.abs(exact))) - 23)


def subjects(name: str) -> dict:
    """label -> jitted float32 function: the built-in and the tiers we ship."""
    import jax

    import autonumerics.jax as ours
    from autonumerics.verification.bench import resolve_against

    builtin, source = resolve_against("jnp", name)
    found = {source: jax.jit(builtin)}
    if name in ours.__all__:
        found[f"autonumerics.jax.{name}"] = getattr(ours, name)
    if name in ours.fast.__all__:
        found[f"autonumerics.jax.fast.{name}"] = getattr(ours.fast, name)
    return found


def measure(name: str, stride: int) -> dict:
    from autonumerics.truth.targets import get_target

    x = bit_patterns(stride)
    exact = get_target(name).reference_f64(x.astype(np.float64))
    normal = np.isfinite(exact) & (np.abs(exact) >= SMALLEST_NORMAL) & (np.abs(exact) <= LARGEST)
    x, exact = x[normal], exact[normal]
    useful = (np.abs(x) <= 6) & (np.abs(exact) >= 1e-6)
    rows = {}
    for label, function in subjects(name).items():
        y = np.asarray(function(x), np.float64)
        with np.errstate(invalid="ignore"):
            errors = np.where(np.isfinite(y), np.abs(y - exact) / ulp_of(exact), np.inf)
        worst, worst_useful = int(np.argmax(errors)), int(np.argmax(np.where(useful, errors, 0)))
        rows[label] = {"max_ulp": float(errors[worst]), "worst_input": float(x[worst]),
                       "max_ulp_useful": float(errors[worst_useful]),
                       "worst_input_useful": float(x[worst_useful])}
    return {"n_inputs": int(x.size), "n_useful": int(useful.sum()), "stride": stride,
            "subjects": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", default=list(ACTIVATIONS))
    parser.add_argument("--stride", type=int, default=4099)
    parser.add_argument("--out", default=str(REPO / "results" / "kernels" /
                                             "activations_accuracy.json"))
    args = parser.parse_args(argv)
    results = {name: measure(name, args.stride) for name in args.names}
    print("| function | implementation | max ULP, whole range (at x) "
          "| max ULP, abs(x) <= 6, abs(f) >= 1e-6 (at x) |\n|---|---|---|---|")
    for name, result in results.items():
        for label, row in result["subjects"].items():
            print(f"| {name} | `{label}` | {row['max_ulp']:.3g} ({row['worst_input']:.4g}) "
                  f"| {row['max_ulp_useful']:.3g} ({row['worst_input_useful']:.4g}) |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": "python scripts/activation_accuracy.py", **results},
                              indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
