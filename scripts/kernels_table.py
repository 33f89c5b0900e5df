"""Regenerate results/kernels/README.md: tables from certificates, bench.json and gradients.json.

Usage:
    python scripts/kernels_table.py [--check]

For every kernel of ``autonumerics.kernels.KERNELS`` (both tiers: NAME and NAME_fast) with a folder
results/kernels/NAME/ it reads ``certificate.json`` (``autonumerics verify NAME.py --all-floats``:
max ULP over the inputs with normal results, % correctly rounded, the other parts' counts),
``bench.json`` (ratios from scripts/bench_kernels.py), the ops per element and the core files from
``build_kernel(NAME)``, and the JAX built-ins' whole-range max ULP (docs/references.md, sampled
every 4 099th bit pattern; the activations' from ``activations_accuracy.json``,
scripts/activation_accuracy.py, the same way); a kernel *dominates* its built-in when its max ULP
is no larger and it is at least as fast (>= 1.0x) at 1e6 and stacked; then the 16-bit certificates
(``certificate_bfloat16.json``, ``certificate_float16.json``) and the derivatives' accuracy
(``gradients.json`` from scripts/gradient_table.py).
A missing figure shows as "—". The comparison table and the per-function summary are also written
into the repository's README.md, between its ``kernels-table`` marker lines. ``--check`` exits 1 if
either file is not up to date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "results" / "kernels"

# JAX 0.10.2 CPU built-ins over the whole float32 range (docs/references.md: every 4 099th bit
# pattern, 1.04 M inputs, subnormals as XLA flushes them).
JAX_MAX_ULP = {"exp2": "64.5", "exp": "4.56", "expm1": "6.17", "log2": "1.99", "log": "1.10",
               "log1p": "2.52", "erf": "5.20", "tanh": "4.21", "sigmoid": "4.7e6"}
# scripts/activation_accuracy.py measures these (the "whole range" column of its JSON)
ACTIVATIONS_FILE = FOLDER / "activations_accuracy.json"
BUILTIN = {"exp2": "jnp.exp2", "exp": "jnp.exp", "expm1": "jnp.expm1", "log2": "jnp.log2",
           "log": "jnp.log", "log1p": "jnp.log1p", "erf": "jax.scipy.special.erf",
           "tanh": "jnp.tanh", "sigmoid": "jax.nn.sigmoid",
           "gelu": "jax.nn.gelu(x, approximate=False)", "gelu_tanh": "jax.nn.gelu(x)",
           "silu": "jax.nn.silu", "softplus": "jax.nn.softplus",
           "log_sigmoid": "jax.nn.log_sigmoid"}

# HEADER, FOOTER, SIXTEEN_BIT_HEADER, GRADIENT_HEADER: written verbatim into the README (which
# --check compares), so their lines stay as they are.
HEADER = """# Full-range float32 kernels

Drop-in float32 functions valid for every input: a range reduction and IEEE special values written
around evolved cores (`autonumerics/kernels/`), exported as a JAX module (`NAME.py`), a NumPy module
(`NAME_numpy.py`) and a C99 header (`NAME.h`) that agree bit for bit (jitted JAX on CPU flushes
subnormal inputs and results to zero; NumPy and C return correct subnormals). The exports are package
modules, `autonumerics/kernels/certified/` (what `autonumerics.jax` imports); this folder holds their
certificates, each recording the sha256 of the file it checked. Regenerate the certificates with
`python scripts/certify_kernels.py` and this file with `python scripts/kernels_table.py`.

| kernel | tier | max ULP, ours (all 2^32 inputs) | max ULP, JAX built-in | correctly rounded | ops / element | speed vs built-in, 1e6 | stacked | dominates | certificate | cores |
|---|---|---|---|---|---|---|---|---|---|---|
"""  # noqa: E501

FOOTER = """
* **max ULP, ours**: `autonumerics verify autonumerics/kernels/certified/NAME.py --all-floats
  -o results/kernels/NAME/certificate.json`: every float32 bit pattern; the figure covers the inputs
  whose exact result is a normal float32 (subnormal inputs, subnormal results, overflow, undefined and
  NaN inputs are checked by rule and counted in the certificate's `all_floats`).
* **JAX built-in**: [docs/references.md](../../docs/references.md) (whole float32 range, every 4 099th bit pattern); expm1 and log1p
  on every float32 (`autonumerics verify --builtin jnp.expm1 --target expm1 --all-floats`).
* **dominates**: our max ULP <= the built-in's and our speed >= 1.0x both at 1e6 and stacked.
* **correctly rounded**: share of the normal-result inputs whose output is the correctly rounded value.
* **ops / element**: the JAX kernel's elementwise ops (an FMA counts one, bit casts free), counted
  from its source by `autonumerics/kernels/opcount.py`, which states the rules.
* **speed**: `python scripts/bench_kernels.py --repeats 61`: built-in time / our time (> 1: ours is
  faster), the median over 61 interleaved A/B rounds of each round's ratio (samples of >= 50 ms of
  back-to-back calls; in brackets the ratio of the minima, the least disturbed samples; quartiles
  in bench.json), 1e6 inputs over the kernel's useful range, and stacked (100 applications in one
  `fori_loop` over 10 000 inputs: arithmetic, not memory). Measured on a 2-core machine shared
  with other jobs (load average in bench.json). At 1e6 some built-ins' times are bimodal (erf:
  0.26 or 0.73 ms), so that column moves between runs; the stacked column is steadier.
* **bit-for-bit exports**: `python scripts/check_kernel_exports.py NAME` (all 2^32 inputs).
"""  # noqa: E501


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


def builtin_max_ulp(function: str) -> str | None:
    """The built-in's whole-range max ULP as printed: docs/references.md's figure, else the
    activations' measurement (scripts/activation_accuracy.py), else None."""
    if function in JAX_MAX_ULP:
        return JAX_MAX_ULP[function]
    measured = (_read_json(ACTIVATIONS_FILE) or {}).get(function, {}).get("subjects", {})
    for label, row_data in measured.items():
        if not label.startswith("autonumerics"):
            return f"{float(row_data['max_ulp']):.3g}"
    return None


def dominates(max_ulp: float | None, builtin: str | None, timing: dict) -> bool | None:
    """Our max ULP <= the built-in's and >= 1.0x at 1e6 and stacked (None: not measured)."""
    speeds = [_number(timing.get(f"ratio_{case}")) for case in ("1e6", "stacked")]
    if max_ulp is None or builtin is None or None in speeds:
        return None
    return max_ulp <= float(builtin) and min(speeds) >= 1.0


def row(name: str, bench: dict) -> str:
    """One table row for kernel ``name`` (— for what is not measured yet)."""
    from autonumerics.kernels import build_kernel
    from autonumerics.kernels.tiers import split_kernel_id

    function, tier = split_kernel_id(name)
    certificate = _read_json(FOLDER / name / "certificate.json")
    report = (certificate or {}).get("report", {})
    max_ulp, correct = _number(report.get("max_ulp")), _number(report.get("frac_correctly_rounded"))
    try:
        source = build_kernel(name)
        ops = str(source.ops_per_element)
        cores = ", ".join(f"`{core.path}`" for core in source.cores)
    except Exception as error:  # noqa: BLE001 - a kernel that does not build shows why in the table
        ops, cores = "—", f"(does not build: {type(error).__name__})"
    timing = bench.get(name, {})
    ratio, stacked = _speed(timing, "1e6"), _speed(timing, "stacked")
    builtin = builtin_max_ulp(function)
    verdict = dominates(max_ulp, builtin, timing)
    cells = [
        f"`{name}`",
        tier,
        f"{max_ulp:.3f}" if max_ulp is not None else "—",
        f"{builtin} (`{BUILTIN[function]}`)" if builtin is not None else "—",
        f"{100 * correct:.2f} %" if correct is not None else "—",
        ops,
        ratio,
        stacked,
        "—" if verdict is None else ("**yes**" if verdict else "no"),
        f"[certificate]({name}/certificate.json)" if certificate else "—",
        cores,
    ]
    return "| " + " | ".join(cells) + " |"


SIXTEEN_BIT_HEADER = """
## bfloat16 and float16: every input

`autonumerics.jax.NAME` on a 16-bit input computes in float32 and rounds once to the input's format.
Every one of the 65 536 inputs of each format is checked against mpmath (`certificate_bfloat16.json`,
`certificate_float16.json`; `python scripts/certify_kernels.py --steps 16bit`). Max ULP in the 16-bit
format over the inputs with a finite real result; overflow, undefined, infinite and (bfloat16, which
shares float32's exponent range) flushed inputs are checked by rule, and all are right.

| kernel | bfloat16: max ULP | correctly rounded | float16: max ULP | correctly rounded |
|---|---|---|---|---|
"""  # noqa: E501

GRADIENT_HEADER = """
## Derivatives

`autonumerics.jax.NAME` is differentiable (`jax.custom_jvp`): the JVP against mpmath's derivative,
in float32 ULPs, over the inputs where the exact derivative is a normal float32
(`python scripts/gradient_table.py`: 2^20 random bit patterns over the whole range and 2^16 points
of the range models use, per kernel), next to JAX's own function differentiated by JAX on the same
inputs. silu', gelu' and gelu_tanh' cross zero (at x = -1.2785, -0.7518, -0.7525), where the two
terms of their formulas cancel; within 1/2 of the root their rules are d P(d), d = x - root, so the
figures hold there too (`scripts/fit_derivative_roots.py`).

| kernel | derivative | inputs (normal derivative) | max ULP, ours | max ULP, JAX built-in | ours at 0, +inf, -inf, NaN |
|---|---|---|---|---|---|
"""  # noqa: E501


def sixteen_bit_row(name: str) -> str:
    cells = [f"`{name}`"]
    for format_name in ("bfloat16", "float16"):
        certificate = _read_json(FOLDER / name / f"certificate_{format_name}.json") or {}
        measured = certificate.get("measured", {})
        max_ulp = _number(measured.get("max_ulp"))
        share = _number(measured.get("pct_correctly_rounded"))
        cells += [f"{max_ulp:.4f}" if max_ulp is not None else "—",
                  f"{share:.3f} %" if share is not None else "—"]
    return "| " + " | ".join(cells) + " |"


def gradient_row(entry: dict) -> str:
    specials = ", ".join(entry["specials"][key] for key in ("0.0", "inf", "-inf", "nan"))
    return (f"| `{entry['kernel']}` | `{entry['expression']}` "
            f"| {entry['n_inputs']:,} ({entry['n_normal']:,}) | {float(entry['max_ulp']):.3f} "
            f"| {float(entry['builtin_max_ulp']):.3g} | {specials} |")


SUMMARY_HEADER = """
## Per function: does a tier dominate the built-in?

| function | accurate dominates | fast dominates | some tier dominates | fast tier >= 1.3x at 1e6 and stacked |
|---|---|---|---|---|
"""  # noqa: E501


def summary(names: list[str], bench: dict) -> str:
    """Per function: each tier's verdict, the function's (some tier dominates), the fast tier's
    >= 1.3x, then the counts the issue's acceptance reads."""
    from autonumerics.kernels.tiers import kernel_id, split_kernel_id

    functions = list(dict.fromkeys(split_kernel_id(name)[0] for name in names))
    lines, dominated, quick = [], 0, 0
    for function in functions:
        verdicts = {}
        for tier in ("accurate", "fast"):
            kid = kernel_id(function, tier)
            report = ((_read_json(FOLDER / kid / "certificate.json") or {}).get("report", {})
                      if kid in names else {})
            verdicts[tier] = dominates(_number(report.get("max_ulp")),
                                       builtin_max_ulp(function), bench.get(kid, {}))
        timing = bench.get(kernel_id(function, "fast"), {})
        speeds = [_number(timing.get(f"ratio_{case}")) for case in ("1e6", "stacked")]
        fast_enough = None if None in speeds else min(speeds) >= 1.3
        some = any(verdicts.values())
        dominated, quick = dominated + some, quick + bool(fast_enough)
        cells = ["—" if v is None else ("yes" if v else "no")
                 for v in (verdicts["accurate"], verdicts["fast"], some, fast_enough)]
        lines.append(f"| `{function}` | " + " | ".join(cells) + " |")
    return (SUMMARY_HEADER + "\n".join(lines) + f"\n\nSome tier dominates for {dominated} of "
            f"{len(functions)} functions; the fast tier is >= 1.3x in both settings for {quick} of "
            f"{len(functions)}.\n")


FRONT_RUN = "exp_core"  # the search whose front the README shows with the kernels' choices
FRONT_HEADER = """
## One front, the members each kernel chose

The front of `search_configs/exp_core.toml` (e^r on [-ln2/2, ln2/2], float32, `xla` semantics, max ULP
on the search's final sample; run in `results/kernels/runs/exp_core/`): op count against error, and the kernels whose
default core is that member (the same program). Each kernel takes the cheapest member that keeps it
within its tier once its own reduction's errors are added; the reasons are in docs/tiers.md.

| ops | max ULP on [-ln2/2, ln2/2] | chosen by |
|---|---|---|
"""  # noqa: E501


def front_with_choices(run: str = FRONT_RUN) -> str:
    """The front of results/kernels/runs/RUN with, per member, the kernels whose default core is
    the same program (compared as infix text)."""
    from autonumerics.ir.programfile import load_program_file
    from autonumerics.kernels import KERNELS, kernel_module

    folder = FOLDER / "runs" / run
    front = (_read_json(folder / "pareto.json") or {}).get("front", [])
    users: dict[str, list[str]] = {}
    for kid in KERNELS:
        for role, path in kernel_module(kid).DEFAULT_CORES.items():
            expression = load_program_file(path).program.to_infix()
            users.setdefault(expression, []).append(f"`{kid}` ({role})")
    lines = []
    for entry in front:
        if not entry.get("file") or _number(entry.get("final_error")) is None:
            continue
        expression = load_program_file(folder / entry["file"]).program.to_infix()
        chosen = ", ".join(users.get(expression, [])) or "—"
        lines.append(f"| {entry['n_ops']} | {float(entry['final_error']):.4g} | {chosen} |")
    return FRONT_HEADER + "\n".join(lines) + "\n"


def render() -> str:
    from autonumerics.kernels import KERNELS

    bench = (_read_json(FOLDER / "bench.json") or {}).get("kernels", {})
    names = [name for name in KERNELS if (FOLDER / name).is_dir()]
    gradients = (_read_json(FOLDER / "gradients.json") or {}).get("kernels", [])
    return (HEADER + "\n".join(row(name, bench) for name in names) + "\n" + FOOTER
            + summary(names, bench) + front_with_choices()
            + SIXTEEN_BIT_HEADER + "\n".join(sixteen_bit_row(name) for name in names) + "\n"
            + GRADIENT_HEADER + "\n".join(gradient_row(entry) for entry in gradients) + "\n")


MARKERS = ("<!-- kernels-table: written by scripts/kernels_table.py -->", "<!-- /kernels-table -->")


def with_main_table(readme: str) -> str:
    """The repository README with the comparison table and the per-function summary written
    between its two ``MARKERS`` lines (unchanged if it has none)."""
    from autonumerics.kernels import KERNELS

    start, end = readme.find(MARKERS[0]), readme.find(MARKERS[1])
    if start < 0 or end < start:
        return readme
    bench = (_read_json(FOLDER / "bench.json") or {}).get("kernels", {})
    names = [name for name in KERNELS if (FOLDER / name).is_dir()]
    table = HEADER[HEADER.index("| kernel |"):].replace("](", "](results/kernels/")
    rows = "\n".join(row(name, bench).replace("[certificate](", "[certificate](results/kernels/")
                     for name in names)
    extra = (summary(names, bench) + front_with_choices()).replace("\n## ", "\n#### ")
    block = f"{MARKERS[0]}\n{table}{rows}\n{extra}"
    return readme[:start] + block + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if results/kernels/README.md or README.md is not up to date")
    args = parser.parse_args(argv)
    path, readme = FOLDER / "README.md", REPO / "README.md"
    wanted = {path: render(), readme: with_main_table(readme.read_text())}
    if args.check:
        stale = [str(file) for file, text in wanted.items()
                 if (file.read_text() if file.is_file() else "") != text]
        print(f"out of date: {', '.join(stale)}" if stale else "up to date")
        return 1 if stale else 0
    for file, text in wanted.items():
        file.write_text(text)
        print(f"wrote {file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
