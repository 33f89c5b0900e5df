"""Exhaustive evaluation of a kernel file and its comparison with the baselines, as plain rows."""

from __future__ import annotations

import numpy as np

from autonumerics.quant.alternatives import (
    BaselineOutputs,
    float_requantize,
    ibert_exp,
    ibert_gelu,
    interpolated_table,
    table_outputs,
)
from autonumerics.quant.expkernel import ExpKernel, score_exp
from autonumerics.quant.intprogram import audit, evaluate
from autonumerics.quant.kernel_file import QuantKernelFile, input_grid
from autonumerics.quant.score import reference, score_outputs


def evaluate_kernel(kernel: QuantKernelFile) -> dict:
    """Every-input metrics of a kernel file.

    exp: relative error on x in [-8, 0]; the others: LSB scores.
    """
    grid = input_grid(kernel)
    report = audit(kernel.program, **{kernel.program.inputs[0]: grid})
    row = {"target": kernel.target, "input_scale": kernel.params_in.scale,
           "output_scale": kernel.params_out.scale, "ops": kernel.program.n_ops,
           "divisions": kernel.program.n_divisions, "table_bytes": 0,
           "largest_intermediate_bits": report.bits, "fits_int32": report.fits_int32}
    if kernel.target == "exp":
        score = score_exp(_exp_kernel(kernel), min_input=int(grid[0]))
        row.update(points=score.points, max_relative_error=score.max_relative_error,
                   worst_input=score.worst_input)
        return row
    exact, rounded = reference(kernel.target, kernel.params_in, kernel.params_out)
    outputs = evaluate(kernel.program, **{kernel.program.inputs[0]: grid})
    return row | score_outputs(outputs, grid, exact, rounded).as_dict()


def _exp_kernel(kernel: QuantKernelFile) -> ExpKernel:
    return ExpKernel(kernel.program, kernel.params_in.scale, kernel.params_out.scale, 0, 0)


def compare_rows(kernel: QuantKernelFile) -> list[dict]:
    """The kernel against I-BERT, tables and the float path, on the same grid and reference."""
    ours = evaluate_kernel(kernel) | {"name": "autonumerics (this kernel)"}
    if kernel.target == "exp":
        return [ours, _ibert_exp_row(kernel)]
    exact, rounded = reference(kernel.target, kernel.params_in, kernel.params_out)
    grid = kernel.params_in.grid()
    baselines: list[BaselineOutputs] = []
    if kernel.target == "gelu":
        baselines.append(ibert_gelu(kernel.params_in, kernel.params_out))
    baselines.append(table_outputs(kernel.target, kernel.params_in, kernel.params_out))
    if len(grid) > 256:
        baselines.append(interpolated_table(kernel.target, kernel.params_in, kernel.params_out))
    baselines.append(float_requantize(kernel.target, kernel.params_in, kernel.params_out))
    rows = [ours]
    for baseline in baselines:
        rows.append({"name": baseline.name, "ops": baseline.ops, "divisions": baseline.divisions,
                     "table_bytes": baseline.table_bytes}
                    | score_outputs(baseline.outputs, grid, exact, rounded).as_dict())
    return rows


def _ibert_exp_row(kernel: QuantKernelFile) -> dict:
    grid = input_grid(kernel)
    outputs, out_scale = ibert_exp(grid, kernel.params_in.scale)
    x = grid * kernel.params_in.scale
    inside = x >= -8.0
    exact = np.exp(x[inside])  # float64 exp: its 1e-16 error is far below the 1e-3 being measured
    relative = np.abs(outputs[inside] * out_scale - exact) / exact
    return {"name": "I-BERT i-exp", "ops": 9, "divisions": 1, "table_bytes": 0,
            "points": int(inside.sum()), "max_relative_error": float(relative.max()),
            "worst_input": int(grid[inside][np.argmax(relative)])}
