"""Shared helpers for the full-range kernel tests: build the three exports, run them, compare
(no tests here).

Usage in tests/test_kernels.py::

    exports = kernel_exports("exp2", tmp_path_factory.mktemp("exp2"))   # jax, numpy, c callables
    x = spread_inputs(1 << 20, useful=(-160.0, 130.0))
    assert_exports_agree(exports, x)
    for language, function in exports.languages("jax", "numpy"):
        assert sampled_max_ulp(function, "exp2", x_sample) < 1.0, language
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autonumerics.export.c import c_name
from autonumerics.kernels import build_kernel
from autonumerics.kernels.base import KernelSource, write_kernel
from autonumerics.kernels.tiers import TIER_BOUNDS, split_kernel_id
from autonumerics.numerics.metrics import ulp_errors
from autonumerics.sourcefile import load_module
from autonumerics.truth.ground_truth import labels
from autonumerics.truth.targets import get_target
from autonumerics.verification.verify import kernel_subject, verify_every_float

REPO_ROOT = Path(__file__).resolve().parents[1]
CERTIFIED = REPO_ROOT / "autonumerics" / "kernels" / "certified"  # the certified exports (modules)
CORES = REPO_ROOT / "autonumerics" / "kernels" / "cores"  # the kernels' default cores
RESULTS = REPO_ROOT / "results" / "kernels"  # their certificates, NAME/certificate*.json
FINITE_KEYS = 2**32 - 2**24 - 1  # every finite float32 pattern once, +0 and -0 being one key
CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
C_FLAGS = ["-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Werror"]
TINY = np.float32(2.0**-126)
SPECIALS = np.float32([0.0, -0.0, np.inf, -np.inf, np.nan, 2.0**-149, -(2.0**-149), 2.0**-126,
                       -(2.0**-126), 3.4028234663852886e38, -3.4028234663852886e38, 1.0, -1.0, 0.5,
                       -0.5, 2.0, -2.0])

_DRIVER = """#include <stdio.h>
#include <stdlib.h>
#include "{header}"
int main(void) {{
    size_t n = 0, capacity = 1 << 20;
    float *x = malloc(capacity * sizeof(float));
    for (size_t got; (got = fread(x + n, sizeof(float), capacity - n, stdin)) > 0;) {{
        n += got;
        if (n == capacity) x = realloc(x, (capacity *= 2) * sizeof(float));
    }}
    float *y = malloc((n ? n : 1) * sizeof(float));
    {name}_loop(x, y, n);
    fwrite(y, sizeof(float), n, stdout);
    return 0;
}}
"""


@dataclass(frozen=True)
class Exports:
    """A kernel's source and its three exports as callables on float32 arrays."""

    source: KernelSource
    jax: Callable[[np.ndarray], np.ndarray]
    numpy: Callable[[np.ndarray], np.ndarray]
    c: Callable[[np.ndarray], np.ndarray] | None  # None without a C compiler

    def languages(self, *names: str) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
        """(language, callable) for ``names`` (default: jax, numpy, c), C only with a compiler."""
        chosen = [(name, getattr(self, name)) for name in names or ("jax", "numpy", "c")]
        return [(name, function) for name, function in chosen if function is not None]


def _import(path: Path):
    return load_module(path, f"kernel_{path.stem}")


def kernel_exports(name: str, directory: Path, core_paths: dict[str, str] | None = None
                   ) -> Exports:
    """Build kernel ``name``, write its files into ``directory`` and load / compile them."""
    source = build_kernel(name, core_paths)
    paths = write_kernel(source, directory)
    jax_function = getattr(_import(paths["jax"]), name)
    numpy_function = getattr(_import(paths["numpy"]), name)
    c_function = None
    if CC is not None:
        driver = directory / "driver.c"
        driver.write_text(_DRIVER.format(header=paths["c"].resolve(), name=c_name(name)))
        binary = directory / "driver"
        subprocess.run([CC, *C_FLAGS, "-o", str(binary), str(driver), "-lm"], check=True,
                       capture_output=True, timeout=120)

        def c_function(x: np.ndarray) -> np.ndarray:
            x = np.ascontiguousarray(x, np.float32)
            out = subprocess.run([str(binary)], input=x.tobytes(), capture_output=True, check=True,
                                 timeout=120)
            return np.frombuffer(out.stdout, np.float32).reshape(x.shape)

    return Exports(source, lambda x: np.asarray(jax_function(x)), numpy_function, c_function)


def spread_inputs(n: int, useful: tuple[float, float], seed: int = 0) -> np.ndarray:
    """n random bit patterns (the whole float32 range), n uniform points of the useful range,
    and the special values."""
    rng = np.random.default_rng(seed)
    patterns = rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)
    uniform = rng.uniform(useful[0], useful[1], n).astype(np.float32)
    return np.concatenate([patterns, uniform, SPECIALS])


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal float32 bit patterns (any NaN equals any NaN)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return (a.view(np.int32) == b.view(np.int32)) | (np.isnan(a) & np.isnan(b))


def subnormal(a: np.ndarray) -> np.ndarray:
    """Nonzero and below the smallest normal float32 in magnitude."""
    a = np.asarray(a, np.float32)
    return (a != 0) & (np.abs(a) < TINY)


def assert_exports_agree(exports: Exports, x: np.ndarray) -> int:
    """NumPy == C everywhere; JAX == NumPy except where JAX flushes (subnormal input or result),
    where JAX must return the flushed result. Returns how many inputs JAX flushed."""
    y_numpy = exports.numpy(x)
    if exports.c is not None:
        differ = ~same_bits(y_numpy, exports.c(x))
        assert not differ.any(), f"NumPy and C differ at {x[differ][:5]}"
    y_jax = exports.jax(x)
    flushed = subnormal(x) | subnormal(y_numpy)
    differ = ~same_bits(y_jax, y_numpy) & ~flushed
    assert not differ.any(), (f"JAX and NumPy differ at {x[differ][:5]}: {y_jax[differ][:5]} vs "
                              f"{y_numpy[differ][:5]}")
    return int(flushed.sum())


def sampled_max_ulp(function: Callable[[np.ndarray], np.ndarray], target: str, x: np.ndarray
                    ) -> float:
    """Max ULP error of ``function`` against mpmath at the finite inputs ``x`` (no cache)."""
    x = np.asarray(x, np.float32)
    hi, lo = labels(get_target(split_kernel_id(target)[0]), x.astype(np.float64), cache=False)
    errors = ulp_errors(function(x), hi, lo, "float32")
    return float(np.max(errors))


def assert_committed_exports_current(exports: Exports, name: str) -> None:
    """The certified exports hold what the kernel builds today, in all three languages."""
    files = (("jax", f"{name}.py"), ("numpy", f"{name}_numpy.py"), ("c", f"{name}.h"))
    for language, file in files:
        assert (CERTIFIED / file).read_text() == getattr(exports.source, language), file


def assert_committed_certificate_is_current(name: str, language: str = "jax") -> dict:
    """results/kernels/NAME/certificate.json (``language`` "numpy": certificate_numpy.json)
    certifies today's export file (by its hash), every finite bit pattern once, within the
    kernel's tier bound (accurate: 0 inputs >= 1 ULP; fast: max < 3.5 ULP) and every NaN input.
    Returns the certificate."""
    suffix = "" if language == "jax" else f"_{language}"
    certificate = json.loads((RESULTS / name / f"certificate{suffix}.json").read_text())
    export = (CERTIFIED / f"{name}{suffix}.py").read_bytes()
    assert certificate["subject"]["file_sha256"] == hashlib.sha256(export).hexdigest()
    report, parts = certificate["report"], certificate["all_floats"]
    assert parts["complete"] and report["exhaustive"]
    bound = TIER_BOUNDS[split_kernel_id(name)[1]]
    assert float(report["max_ulp"]) < bound
    if bound == 1.0:
        assert report["n_ge_one_ulp"] == 0
    nan_inputs = parts["nan_inputs"]
    assert nan_inputs["n_correct"] == nan_inputs["n_inputs"] == 2 * (2**23 - 1)
    assert sum(part["n_inputs"] for part in parts["parts"]) == FINITE_KEYS
    for rule in ("undefined", "overflow"):
        if rule in parts:
            assert parts[rule]["n_correct"] == parts[rule]["n_inputs"], rule
    # the same inputs by kind: measured, subnormal inputs and results, and the two rules
    kinds = report["n_points"] + parts["subnormal_input"]["n_points"]
    kinds += sum(parts.get(kind, {}).get("n_inputs", 0)
                 for kind in ("subnormal_result", "undefined", "overflow"))
    assert kinds == FINITE_KEYS
    return certificate


def certify_export(name: str, language: str) -> dict:
    """``verify --all-floats`` of the certified ``language`` ("jax" or "numpy") export of kernel
    NAME with two workers (minutes): the certificate as JSON, which must also be strict JSON."""
    suffix = "" if language == "jax" else f"_{language}"
    subject, _ = kernel_subject(CERTIFIED / f"{name}{suffix}.py")
    certificate = verify_every_float(subject, get_target(split_kernel_id(name)[0]),
                                     workers=2).to_json()
    json.dumps(certificate, allow_nan=False)
    return certificate
