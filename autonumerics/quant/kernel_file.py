"""Quantized kernel files (JSON): the integer program's text, target, scales and measured scores.

Example (a person can write one by hand; only ``program``, ``target`` and ``input`` are required)::

    {
     "target": "gelu",
     "input": {"scale": 0.015625, "dtype": "int8"},
     "output": {"scale": 0.015625, "dtype": "int8"},
     "program": ["input q", "a = abs(q)", "...", "return out"]
    }
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from autonumerics.errors import AutonumericsError, error_context
from autonumerics.ir.programfile import read_json_file
from autonumerics.quant.intprogram import IntProgram, format_program, parse_program
from autonumerics.quant.params import QuantParams
from autonumerics.quant.score import MPMATH_ACTIVATIONS

_PARAM_KEYS = {"scale", "zero_point", "dtype", "narrow_range", "rounding"}


@dataclass(frozen=True)
class QuantKernelFile:
    """An integer kernel with what it computes and how well (``metrics``: measured exhaustively)."""

    target: str
    params_in: QuantParams
    params_out: QuantParams
    program: IntProgram
    metrics: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"target": self.target, "input": asdict(self.params_in),
                "output": asdict(self.params_out),
                "program": format_program(self.program).splitlines(), "n_ops": self.program.n_ops,
                "divisions": self.program.n_divisions, "metrics": self.metrics,
                "provenance": self.provenance}


def _params(data: object, where: str) -> QuantParams:
    if not isinstance(data, dict) or "scale" not in data:
        raise AutonumericsError(f"{where} must be an object with at least a 'scale'")
    unknown = set(data) - _PARAM_KEYS
    if unknown:
        raise AutonumericsError(f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")
    return QuantParams(**data)


def kernel_from_json(data: dict) -> QuantKernelFile:
    """Validate a decoded kernel file; errors name the bad key."""
    for key in ("target", "input", "program"):
        if key not in data:
            raise AutonumericsError(f"kernel file lacks {key!r}")
    if not isinstance(data["target"], str) or data["target"] not in MPMATH_ACTIVATIONS:
        raise AutonumericsError(f"unknown quantized target {data['target']!r} "
                                f"(choose from {', '.join(MPMATH_ACTIVATIONS)})")
    params_in = _params(data["input"], "'input'")
    params_out = _params(data.get("output", data["input"]), "'output'")
    text = data["program"]
    lines = isinstance(text, list) and all(isinstance(t, str) for t in text)
    if not isinstance(text, str) and not lines:
        raise AutonumericsError("'program' must be a string or a list of strings (one line each)")
    for key in ("metrics", "provenance"):
        if not isinstance(data.get(key, {}), dict):
            raise AutonumericsError(f"{key!r} must be an object")
    program = parse_program("\n".join(text) if isinstance(text, list) else text)
    return QuantKernelFile(data["target"], params_in, params_out, program, data.get("metrics", {}),
                           data.get("provenance", {}))


def load_kernel(path: str | Path) -> QuantKernelFile:
    """Read a kernel file; a missing file or bad JSON is a user error naming the path."""
    path = Path(path)
    data = read_json_file(path)  # unreadable, not UTF-8, malformed or nested too deeply: one line
    if not isinstance(data, dict):
        raise AutonumericsError(f"{path} must hold a JSON object")
    with error_context(path):
        return kernel_from_json(data)


def input_grid(kernel: QuantKernelFile) -> np.ndarray:
    """Every input code the kernel is audited and exported for: the storage range, and d <= 0
    for exp (an exp kernel takes d = q - max(q))."""
    grid = kernel.params_in.grid()
    return grid[grid <= 0] if kernel.target == "exp" else grid


def save_kernel(kernel: QuantKernelFile, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kernel.to_json(), indent=1) + "\n")
