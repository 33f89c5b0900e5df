"""The exported NumPy module computes the interpreter's float32 bits, importing only numpy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import programs
from test_export_cases import expected, family_file, load_module, points, same_bits

from autonumerics.export import export_source
from autonumerics.ir.programfile import ProgramFile
from autonumerics.numerics.fma import fused_multiply_add


def _kernel(program_file: ProgramFile, tmp_path, semantics: str):
    source = export_source(program_file, "numpy", semantics=semantics)
    return load_module(source, tmp_path, f"np_{semantics}").exp2


POINTS = points((-2.0, 2.0), 1 << 12, seed=1)


@given(programs(max_instructions=8))
@settings(max_examples=60, deadline=None)
def test_numpy_export_of_random_programs_is_bit_exact(program):
    import tempfile
    from pathlib import Path

    program_file = ProgramFile(program, "exp2", (-2.0, 2.0), "float32")
    with tempfile.TemporaryDirectory() as directory:
        for semantics in ("xla", "strict"):
            got = _kernel(program_file, Path(directory), semantics)(POINTS)
            assert same_bits(got, expected(program_file, POINTS, semantics)).all(), semantics


_FLOAT32_BITS = st.integers(0, 2**32 - 1).map(lambda b: float(np.uint32(b).view(np.float32)))


@given(_FLOAT32_BITS, _FLOAT32_BITS, _FLOAT32_BITS)
@settings(max_examples=300, deadline=None)
def test_inline_fma_helper_is_correctly_rounded(a, b, c):
    # The helper written into generated modules against autonumerics.numerics.fma, on any bit
    # patterns (subnormals, overflow, infinities and NaN included).
    namespace = {"np": np}
    from autonumerics.export.numpy import FMA_HELPER

    exec(FMA_HELPER, namespace)  # noqa: S102 - the very source written into generated modules
    args = [np.array([v], np.float32) for v in (a, b, c)]
    with np.errstate(all="ignore"):
        assert same_bits(namespace["_fma"](*args), fused_multiply_add(*args)).all()


def test_numpy_kernel_keeps_shapes(tmp_path):
    kernel = _kernel(family_file("explicit_fma"), tmp_path, "xla")
    grid = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    assert kernel(grid).shape == (3, 4)
    assert kernel(0.5).shape == () and kernel(0.5).dtype == np.float32
    assert same_bits(kernel(grid).ravel(), kernel(grid.ravel())).all()
