"""Tests for autonumerics.quant.export: JAX, NumPy and C exports equal the interpreter on every grid point."""

import ctypes
import importlib.util
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.quant.export import export_source
from autonumerics.quant.intprogram import evaluate, parse_program

# Every op, including the clamped shifts and floor division by a negative number.
PROGRAM = parse_program("""
input q
a = abs(q)
b = mul(a, 40503)
c = rshr(b, 9)
d = shr(c, 3)
e = sub(q, d)
f = shl(e, 20)
g = sel(q, 0, f, d)
h = clamp(g, -300000, 300000)
i = div(h, -7)
j = max(i, q)
k = min(j, 5000)
l = add(k, -3)
return l
""")
GRID = np.arange(-32768, 32768)


def _load_python(source: str, tmp_path: Path, name: str) -> dict:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"exported_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the generated module, imported as a user would
    return vars(module)


@pytest.mark.parametrize("language", ["jax", "numpy"])
def test_python_exports_are_bit_identical(language: str, tmp_path: Path) -> None:
    source = export_source(PROGRAM, language, GRID, name="kernel", scale_in=2.0**-12,
                           certificate={"symmetric": True, "note": None})
    assert "autonumerics" not in source.split('"""', 2)[2].split("METADATA")[0]  # imports only its runtime
    namespace = _load_python(source, tmp_path, language)
    outputs = np.asarray(namespace["kernel"](GRID))
    assert outputs.dtype == np.int32
    assert np.array_equal(outputs, evaluate(PROGRAM, q=GRID))
    meta = namespace["METADATA"]
    assert meta["ops_per_element"] == 12 and meta["divisions"] == 1 and meta["scale_in"] == 2.0**-12
    assert meta["largest_intermediate_bits"] <= 32 and meta["certificate"] == {"symmetric": True, "note": None}


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler")
def test_c_export_is_bit_identical(tmp_path: Path) -> None:
    header = tmp_path / "kernel.h"
    header.write_text(export_source(PROGRAM, "c", GRID, name="kernel"))
    (tmp_path / "k.c").write_text('#include "kernel.h"\nvoid run(const int32_t *q, int32_t *out, int n) '
                                  "{ for (int i = 0; i < n; i++) out[i] = kernel(q[i]); }\n")
    library = tmp_path / "k.so"
    subprocess.run(["gcc", "-O2", "-std=c99", "-Wall", "-Werror", "-shared", "-fPIC", "-o", str(library),
                    str(tmp_path / "k.c")], check=True)
    run = ctypes.CDLL(str(library)).run
    q = GRID.astype(np.int32)
    out = np.zeros_like(q)
    run(q.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int(len(q)))
    assert np.array_equal(out, evaluate(PROGRAM, q=GRID))


def test_overflow_and_bad_arguments_are_errors() -> None:
    squares = parse_program("input q\na = mul(q, q)\nb = mul(a, 4)\nreturn b")
    with pytest.raises(AutonumericsError, match="'b' needs 34 bits"):
        export_source(squares, "jax", GRID)
    with pytest.raises(AutonumericsError, match="'rust'"):
        export_source(PROGRAM, "rust", GRID)
    with pytest.raises(AutonumericsError, match="'my kernel'"):
        export_source(PROGRAM, "c", GRID, name="my kernel")
