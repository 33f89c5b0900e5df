"""Shared cases for the export tests (program families, baselines, inputs and helpers), and the
JAX and NumPy exports of every case computing the interpreter's float32 bits."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autonumerics import sourcefile
from autonumerics.export import export_source
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
    "deep": ("((501.1/(15140.0/(5783.0/x + x) + -250.5 + 5783.0/x + x)) + 1.0)**8",
             (2.0**-10, 1.0)),
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
    """What every export must compute, straight from the interpreter (not from the exporter)."""
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
    return sourcefile.load_module(path, name)


# -- every case through both Python exports (test_export_c.py: the C export) ---------------------

def python_kernel(program_file: ProgramFile, language: str, tmp_path: Path, semantics: str | None,
                  name: str | None = None):
    """The ``language`` ("jax" or "numpy") export as a function returning a NumPy array (named
    after the target, exp2, unless ``name``)."""
    source = export_source(program_file, language, name=name, semantics=semantics)
    kernel = getattr(load_module(source, tmp_path, f"{language}_{semantics}"), name or "exp2")
    return lambda x: np.asarray(kernel(x))


@pytest.mark.parametrize("language", ["jax", "numpy"])
@pytest.mark.parametrize("semantics", ["xla", "strict"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_python_export_is_bit_exact_on_a_million_inputs(family, semantics, language, tmp_path):
    program_file = family_file(family)
    x = points(program_file.interval)
    got = python_kernel(program_file, language, tmp_path, semantics)(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    assert same_bits(got, expected(program_file, x, semantics)).all()


@pytest.mark.parametrize("language", ["jax", "numpy"])
@pytest.mark.parametrize("family, degree", BASELINES)
def test_python_export_of_baselines_is_bit_exact(family, degree, language, tmp_path):
    program_file = baseline_file(family, degree)
    x = points((0.0, 1.0), 1 << 18)
    for semantics in ("xla", "strict"):
        got = python_kernel(program_file, language, tmp_path, semantics)(x)
        assert same_bits(got, expected(program_file, x, semantics)).all(), semantics


@pytest.mark.parametrize("language", ["jax", "numpy"])
@pytest.mark.parametrize("path", committed_files(), ids=lambda p: p.name)
def test_python_export_of_committed_programs_is_bit_exact(path, language, tmp_path):
    """Exported with the file's own semantics (its default: "xla")."""
    program_file = load_committed(path)
    x = points(program_file.interval or (0.0, 1.0), 1 << 18)
    kernel = python_kernel(program_file, language, tmp_path, None, name="kernel")
    semantics = program_file.semantics or "xla"
    assert same_bits(kernel(x), expected(program_file, x, semantics)).all()


# A generated module imports only its own language's library: with autonumerics (and, for NumPy,
# JAX) made unimportable, it still runs and gives the interpreter's bits.
@pytest.mark.parametrize(("language", "family", "blocked"), [
    ("jax", "rational", ("autonumerics",)),
    ("numpy", "explicit_fma", ("autonumerics", "jax")),
])
def test_generated_module_runs_on_its_library_alone(language, family, blocked, tmp_path):
    (tmp_path / "kernel_module.py").write_text(export_source(family_file(family), language))
    code = (f"import sys; sys.modules.update(dict.fromkeys({blocked!r}))\n"
            "import numpy as np, kernel_module\n"
            "print(kernel_module.exp2(np.linspace(-2, 2, 7, dtype=np.float32)).tolist())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    x = np.linspace(-2, 2, 7, dtype=np.float32)
    values = np.asarray(json.loads(result.stdout), np.float32)
    assert same_bits(values, expected(family_file(family), x, "xla")).all()
