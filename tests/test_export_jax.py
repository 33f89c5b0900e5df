"""The exported JAX module computes the interpreter's float32 bits (xla and strict semantics)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import programs
from test_export_cases import expected, family_file, load_module, points, same_bits

from autonumerics.export import export_source
from autonumerics.ir.programfile import ProgramFile

jax = pytest.importorskip("jax")
jnp = jax.numpy


def _kernel(program_file: ProgramFile, tmp_path, semantics: str, name: str = "exp2"):
    source = export_source(program_file, "jax", semantics=semantics)
    return getattr(load_module(source, tmp_path, f"kernel_{semantics}"), name)


POINTS = points((-2.0, 2.0), 1 << 12, seed=1)


@given(programs(max_instructions=7))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_jax_export_of_random_programs_is_bit_exact(tmp_path, program):
    program_file = ProgramFile(program, "exp2", (-2.0, 2.0), "float32")
    for semantics in ("xla", "strict"):
        got = np.asarray(_kernel(program_file, tmp_path, semantics)(POINTS))
        assert same_bits(got, expected(program_file, POINTS, semantics)).all(), semantics


def test_strict_fma_stays_fused_when_another_instruction_computes_its_product(tmp_path):
    """fma(x, x, x) beside x*x: XLA computes x*x once for both and would then fuse neither
    (found by hypothesis); the fma's factor is read through a select of its own."""
    from autonumerics.ir.program import Instruction, Program

    program = Program(instructions=(Instruction("fma", ("x", "x", "x")),
                                    Instruction("mul", ("x", "x")),
                                    Instruction("add", ("v0", "v1"))), constants=(), output="v2")
    program_file = ProgramFile(program, "exp2", (-2.0, 2.0), "float32")
    got = np.asarray(_kernel(program_file, tmp_path, "strict")(POINTS))
    assert same_bits(got, expected(program_file, POINTS, "strict")).all()


def test_strict_export_differs_from_xla_export(tmp_path):
    # Guards the strict path: on Horner the two roundings really differ (17 % of inputs).
    program_file = family_file("horner6")
    x = points((0.0, 1.0), 1 << 16)
    strict = np.asarray(_kernel(program_file, tmp_path, "strict")(x))
    fused = np.asarray(_kernel(program_file, tmp_path, "xla")(x))
    assert 0.05 < np.mean(~same_bits(strict, fused)) < 0.5


def test_kernel_keeps_shape_dtype_and_is_differentiable(tmp_path):
    kernel = _kernel(family_file("sqrt"), tmp_path, "xla")
    grid = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    out = kernel(grid)
    assert out.shape == (3, 4) and out.dtype == jnp.float32
    assert kernel(np.float32(0.5)).shape == ()
    assert np.asarray(kernel(grid.astype(np.float64))).dtype == np.float32
    slope = float(jax.grad(kernel)(0.5))
    numeric = float((kernel(0.5 + 1e-3) - kernel(0.5 - 1e-3)) / 2e-3)
    assert slope == pytest.approx(numeric, rel=1e-2)
    batched = jax.vmap(jax.grad(kernel))(grid.ravel())
    assert batched.shape == (12,) and np.isfinite(np.asarray(batched)).all()


def test_module_records_its_program_and_exact_constants(tmp_path):
    program_file = family_file("horner6")
    source = export_source(program_file, "jax")
    module = load_module(source, tmp_path, "meta")
    assert module.KERNEL_NAME == "exp2" and module.TARGET == "exp2" and module.SEMANTICS == "xla"
    assert module.INTERVAL == (0.0, 1.0)
    assert 'float.fromhex("0x1.62e42c0000000p-1")' in source
    assert "[0.0, 1.0]" in source.split('"""')[1]  # the interval is in the docstring


@pytest.mark.parametrize("semantics", ["xla", "strict"])
def test_single_program_exports_differentiate_like_their_polynomial(tmp_path, semantics):
    """The exporter's selects and barriers are transparent to autodiff: the gradient of the
    degree-6 Horner export is its polynomial's derivative (not 0, as through bit manipulation)."""
    program_file = family_file("horner6")
    kernel = _kernel(program_file, tmp_path, semantics)
    x = np.linspace(0.05, 0.95, 7, dtype=np.float32)
    grads = np.asarray(jax.vmap(jax.grad(kernel))(x), np.float64)
    above = np.asarray(kernel(x + 1e-2), np.float64)
    numeric = (above - np.asarray(kernel(x - 1e-2), np.float64)) / 2e-2
    assert np.all(grads > 0)  # 2^x rises
    np.testing.assert_allclose(grads, numeric, rtol=1e-3)
