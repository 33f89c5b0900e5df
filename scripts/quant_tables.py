"""Every quantization acceptance figure, exhaustively, at every scale.

Prints them and writes results/quant/tables.json.

    python scripts/quant_tables.py            # results/quant/gelu_int8_*.json (searches if missing)
    python scripts/quant_tables.py --search   # re-runs the GELU search first (~1 min per scale)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.special import ndtr

from autonumerics.quant.alternatives import ibert_gelu_real, interpolated_table
from autonumerics.quant.config import SearchRequest
from autonumerics.quant.expkernel import build_exp, score_exp
from autonumerics.quant.gelu_search import fit_real
from autonumerics.quant.kernel_file import load_kernel
from autonumerics.quant.report import compare_rows
from autonumerics.quant.score import reference, score_outputs
from autonumerics.quant.search_driver import kernel_filename, run_search
from autonumerics.quant.sigmoid import INPUT, OUTPUT, symmetric, tune
from autonumerics.quant.softmax import all_pairs, sample_rows, score_softmax

RESULTS = Path("results/quant")
GELU_SCALES = (2.0**-6, 2.0**-5, 2.0**-4)


def gelu_int8(search: bool) -> list[dict]:
    rows = []
    for scale in GELU_SCALES:
        path = RESULTS / kernel_filename("gelu", "int8", scale)
        if search or not path.exists():
            run_search(SearchRequest("gelu", [scale], out=str(RESULTS)), log=print)
        for row in compare_rows(load_kernel(path)):
            rows.append({"input_scale": scale} | row)
    return rows


def gelu_continuous() -> list[dict]:
    x = np.linspace(-4.0, 4.0, 160001)  # every 5e-5; the error is smooth at this spacing
    exact = x * ndtr(x)
    rows = [{"name": "I-BERT i-GELU (real)", "ops": 10,
             "linf": float(np.abs(ibert_gelu_real(x) - exact).max())}]
    best = min((fit_real(4, clip / 8, 4.0) for clip in range(16, 33)), key=lambda f: f.linf)
    clipped = np.minimum(np.abs(x), best.clip)
    approx = np.maximum(x, 0) - np.polyval(best.coefficients[::-1], clipped)
    rows.append({"name": f"relu - p4(min(|x|, {best.clip}))", "ops": best.n_ops,
                 "linf": float(np.abs(approx - exact).max()),
                 "coefficients": list(best.coefficients)})
    return rows


def exp_scales(rng: np.random.Generator) -> list[dict]:
    scales = [2.0**-k for k in range(2, 13)] + list(2.0 ** rng.uniform(-12, -2, 8))
    rows = []
    for scale in scales:
        kernel = build_exp(float(scale))
        score = score_exp(kernel)
        rows.append({"input_scale": float(scale), "ops": kernel.program.n_ops,
                     "points": score.points, "max_relative_error": score.max_relative_error,
                     "meets_2^-9": score.max_relative_error <= 2**-9})
    return rows


def softmax(rng: np.random.Generator) -> list[dict]:
    rows = []
    for scale in GELU_SCALES:
        pairs = score_softmax(all_pairs(), scale)
        rows.append({"input_scale": scale, "rows": "all 65 536 int8 pairs"} | pairs.__dict__)
        random_rows = score_softmax(sample_rows(rng, 2000, 64, scale), scale)
        rows.append({"input_scale": scale,
                     "rows": "2000 rows of 64, logits N(0, 2^2)"} | random_rows.__dict__)
    return rows


def sigmoid_tanh() -> list[dict]:
    rows = []
    for target in ("sigmoid", "tanh"):
        program, score = tune(target)
        rows.append({"target": target, "name": "autonumerics", "ops": program.n_ops,
                     "divisions": program.n_divisions, "symmetric": symmetric(target, program)}
                    | score.as_dict())
        exact, rounded = reference(target, INPUT, OUTPUT)
        table = interpolated_table(target, INPUT, OUTPUT)
        rows.append({"target": target, "name": table.name, "ops": table.ops,
                     "table_bytes": table.table_bytes}
                    | score_outputs(table.outputs, INPUT.grid(), exact, rounded).as_dict())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="re-run the GELU searches")
    args = parser.parse_args()
    rng = np.random.default_rng(20261127)
    tables = {}
    for name, build in (("gelu_int8", lambda: gelu_int8(args.search)),
                        ("gelu_continuous", gelu_continuous),
                        ("exp", lambda: exp_scales(rng)), ("softmax_uint8", lambda: softmax(rng)),
                        ("sigmoid_tanh_int16", sigmoid_tanh)):
        start = time.perf_counter()
        tables[name] = build()
        print(f"== {name} ({time.perf_counter() - start:.1f} s)")
        for row in tables[name]:
            print("  " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                   for k, v in row.items() if k != "coefficients"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tables.json").write_text(json.dumps(tables, indent=1) + "\n")


if __name__ == "__main__":
    main()
