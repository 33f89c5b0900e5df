"""Regenerate results/kernels/README.md: the full-range kernels' table from their certificates and bench.json.

Usage:
    python scripts/kernels_table.py [--check]

For every kernel of ``autonumerics.kernels.KERNELS`` with a folder results/kernels/NAME/ it reads
``certificate.json`` (``autonumerics verify NAME.py --all-floats``: max ULP over the inputs with
normal results, % correctly rounded, the other parts' counts), ``bench.json`` (ratios from
scripts/bench_kernels.py), the ops per element and the core files from ``build_kernel(NAME)``,
and the JAX built-ins' whole-range max ULP (REFERENCE.md §3, sampled every 4 099th bit pattern).
A missing figure shows as "—". ``--check`` exits 1 if the README is not up to date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "results" / "kernels"

# JAX 0.10.2 CPU built-ins over the whole float32 range (REFERENCE.md §3: every 4 099th bit
# pattern, 1.04 M inputs, subnormals as XLA flushes them).
JAX_MAX_ULP = {"exp2": "64.5", "exp": "4.56", "expm1": "6.17", "log2": "1.99", "log": "1.10", "log1p": "2.52",
               "erf": "5.20", "tanh": "4.21", "sigmoid": "4.7e6"}
BUILTIN = {"exp2": "jnp.exp2", "exp": "jnp.exp", "expm1": "jnp.expm1", "log2": "jnp.log2", "log": "jnp.log",
           "log1p": "jnp.log1p", "erf": "jax.scipy.special.erf", "tanh": "jnp.tanh", "sigmoid": "jax.nn.sigmoid"}

HEADER = """# Full-range float32 kernels

Drop-in float32 functions valid for every input: a range reduction and IEEE special values written
around evolved cores (`autonumerics/kernels/`), exported as a JAX module (`NAME.py`), a NumPy module
(`NAME_numpy.py`) and a C99 header (`NAME.h`) that agree bit for bit (jitted JAX on CPU flushes
subnormal inputs and results to zero; NumPy and C return correct subnormals). Regenerate this file
with `python scripts/kernels_table.py`.

| kernel | max ULP, ours (all 2^32 inputs) | max ULP, JAX built-in | correctly rounded | ops / element | speed vs built-in, 1e6 | stacked | certificate | cores |
|---|---|---|---|---|---|---|---|---|
"""

FOOTER = """
* **max ULP, ours**: `autonumerics verify results/kernels/NAME/NAME.py --all-floats --workers 1
  -o results/kernels/NAME/certificate.json`: every float32 bit pattern; the figure covers the inputs
  whose exact result is a normal float32 (subnormal inputs, subnormal results, overflow, undefined and
  NaN inputs are checked by rule and counted in the certificate's `all_floats`).
* **JAX built-in**: REFERENCE.md §3 (whole float32 range, every 4 099th bit pattern); expm1 and log1p
  on every float32 (`autonumerics verify --builtin jnp.expm1 --target expm1 --all-floats`).
* **correctly rounded**: share of the normal-result inputs whose output is the correctly rounded value.
* **ops / element**: the JAX kernel's elementwise ops (an FMA counts one, bit casts free; each kernel
  module's `ops_per_element` says what it counts).
* **speed**: `python scripts/bench_kernels.py --repeats 61`: built-in time / our time (> 1: ours is
  faster), the median over 61 interleaved A/B rounds of each round's ratio (samples of >= 50 ms of
  back-to-back calls; in brackets the ratio of the minima, the least disturbed samples; quartiles
  in bench.json), 1e6 inputs over the kernel's useful range, and stacked (100 applications in one
  `fori_loop` over 10 000 inputs: arithmetic, not memory). Measured on a 2-core machine shared
  with other jobs (load average in bench.json). At 1e6 some built-ins' times are bimodal (erf:
  0.26 or 0.73 ms), so that column moves between runs; the stacked column is steadier.
* **bit-for-bit exports**: `python scripts/check_kernel_exports.py NAME` (all 2^32 inputs).
"""


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _speed(timing: dict, case: str) -> str:
    """The median ratio, with the ratio of the minima when recorded."""
    median, least = _number(timing.get(f"ratio_{case}")), _number(timing.get(f"ratio_{case}_min"))
    if median is None:
        return "—"
    return f"{median:.2f}x" + (f" (min {least:.2f}x)" if least is not None else "")


def row(name: str, bench: dict) -> str:
    """One table row for kernel ``name`` (— for what is not measured yet)."""
    from autonumerics.kernels import build_kernel

    certificate = _read_json(FOLDER / name / "certificate.json")
    report = (certificate or {}).get("report", {})
    max_ulp, correct = _number(report.get("max_ulp")), _number(report.get("frac_correctly_rounded"))
    try:
        source = build_kernel(name)
        ops, cores = str(source.ops_per_element), ", ".join(f"`{core.path}`" for core in source.cores)
    except Exception as error:  # noqa: BLE001 - a kernel that does not build shows why in the table
        ops, cores = "—", f"(does not build: {type(error).__name__})"
    timing = bench.get(name, {})
    ratio, stacked = _speed(timing, "1e6"), _speed(timing, "stacked")
    cells = [
        f"`{name}`",
        f"{max_ulp:.3f}" if max_ulp is not None else "—",
        f"{JAX_MAX_ULP[name]} (`{BUILTIN[name]}`)",
        f"{100 * correct:.2f} %" if correct is not None else "—",
        ops,
        ratio,
        stacked,
        f"[certificate]({name}/certificate.json)" if certificate else "—",
        cores,
    ]
    return "| " + " | ".join(cells) + " |"


def render() -> str:
    from autonumerics.kernels import KERNELS

    bench = (_read_json(FOLDER / "bench.json") or {}).get("kernels", {})
    names = [name for name in KERNELS if (FOLDER / name).is_dir()]
    return HEADER + "\n".join(row(name, bench) for name in names) + "\n" + FOOTER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is not up to date")
    args = parser.parse_args(argv)
    text, path = render(), FOLDER / "README.md"
    if args.check:
        current = path.read_text() if path.is_file() else ""
        print("up to date" if current == text else f"{path} is out of date")
        return 0 if current == text else 1
    path.write_text(text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
