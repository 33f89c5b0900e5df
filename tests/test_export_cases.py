"""Shared cases for the export tests: program families, baselines, inputs and helpers (no tests here)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import numpy as np

from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile, load_program_file

REPO = Path(__file__).resolve().parents[1]
N_POINTS = 1 << 20  # >= 1 M inputs per program family

# name -> (expression, interval): one of each shape the search produces.
FAMILIES = {
    "horner6": (("0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7"
                 " + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))"), (0.0, 1.0)),
    "rational": ("(1 + x*(0.3466 + x*0.04))/(1 + x*(-0.3466 + x*0.04))", (0.0, 1.0)),
    "sqrt": ("x*0.7 + sqrt(x*x+1.0)*0.3 - 2.13 / sqrt(x*x + 0.5)", (-2.0, 2.0)),
    # the paper's 10-op form for 2^x: divisions, shared subexpressions, three squarings
    "deep": ("((501.1/(15140.0/(5783.0/x + x) + -250.5 + 5783.0/x + x)) + 1.0)**8", (2.0**-10, 1.0)),
    "explicit_fma": ("fma(fma(x, 0.3, 0.2), x*x, fma(2.3, -0.75, x)) - square(x)*0.1", (-2.0, 2.0)),
}
BASELINES = (("minimax", 6), ("rational", (2, 2)), ("fp32", 6))


def family_file(name: str) -> ProgramFile:
    expression, interval = FAMILIES[name]
    return ProgramFile(parse_expr(expression), "exp2", interval, "float32")


@functools.cache
def baseline_file(family: str, degree) -> ProgramFile:
    from autonumerics.baselines import compute_baseline

    baseline = compute_baseline("exp2", (0.0, 1.0), family, degree)
    return ProgramFile(baseline.program, "exp2", (0.0, 1.0), "float64")


def committed_files() -> list[Path]:
    """Program files committed under results/ (the curated discoveries), if any."""
    return sorted(REPO.glob("results/*/front/*.json")) + sorted(REPO.glob("results/*.json"))


def load_committed(path: Path) -> ProgramFile:
    return load_program_file(path)


def points(interval: tuple[float, float], n: int = N_POINTS, seed: int = 0) -> np.ndarray:
    """n float32 inputs of the interval: uniform, plus both ends."""
    x = np.random.default_rng(seed).uniform(interval[0], interval[1], n).astype(np.float32)
    x[:2] = np.float32(interval[0]), np.float32(interval[1])
    return x


def expected(program_file: ProgramFile, x: np.ndarray, semantics: str) -> np.ndarray:
    """What every export must compute, straight from the interpreter (independent of the exporter)."""
    from autonumerics.ir.canonical import canonicalize

    if semantics == "xla":
        return evaluate(canonicalize(program_file.program), x, "float32", contract=True)
    return evaluate(program_file.program, x, "float32")


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal float32 bit patterns (any NaN equals any NaN)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return (a.view(np.int32) == b.view(np.int32)) | (np.isnan(a) & np.isnan(b))


def load_module(source: str, directory: Path, name: str):
    """Import generated source from a file, as a user would."""
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.pop(name, None)
    return module
