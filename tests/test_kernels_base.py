"""Cores emitted as functions (JAX, NumPy, C) compute the interpreter's float32 bits.

Inside a kernel too."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from test_export_c import compile_driver, run_kernel
from test_export_cases import FAMILIES, family_file, load_module, points, same_bits

from autonumerics.errors import AutonumericsError
from autonumerics.ir.programfile import ProgramFile
from autonumerics.kernels import KERNELS, build_kernel
from autonumerics.kernels.base import Core, core_function, core_ops, core_reference, load_core
from autonumerics.kernels.preludes import c_prelude, jax_prelude, numpy_prelude

CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
CASES = [(family, semantics) for family in FAMILIES for semantics in ("xla", "strict")]
EXP2_CORE = "results/exp2_float32_seeded/front/ops_13_cost_13.json"
SCALE = np.float32(1.1)  # the "reduction" before the core: a rounded product XLA must not fuse
SHIFT = np.float32(0.1)  # the "reconstruction" after it: an addition XLA must not fuse into


def _core(family: str, semantics: str) -> Core:
    base = family_file(family)
    program_file = ProgramFile(base.program, base.target, base.interval, "float32", semantics)
    return Core("poly", f"<{family}>", program_file)


def _inputs(family: str) -> np.ndarray:
    """Points whose product with SCALE lies in the family's interval, plus 0 and special values."""
    low, high = FAMILIES[family][1]
    x = points((low / 1.1, high / 1.1))
    return np.concatenate([x, np.float32([0.0, -0.0, np.inf, -np.inf, np.nan])])


def _wanted(core: Core, x: np.ndarray) -> np.ndarray:
    """The wrapper's bits: r = x*SCALE rounded, the core's interpreter bits, + SHIFT rounded."""
    with np.errstate(all="ignore"):
        return core_reference(core)(x * SCALE) + SHIFT


def _not_subnormal(*arrays: np.ndarray) -> np.ndarray:
    keep = np.ones(arrays[0].shape, bool)
    for array in arrays:
        keep &= ~((array != 0) & (np.abs(array) < np.float32(2.0**-126)))
    return keep


@pytest.mark.parametrize(("family", "semantics"), CASES)
def test_numpy_core_function_is_the_interpreter(family, semantics, tmp_path):
    core = _core(family, semantics)
    source = numpy_prelude() + "\n\n" + core_function(core, "numpy", "poly_core")
    module = load_module(source, tmp_path, f"np_{family}")
    x = _inputs(family)
    with np.errstate(all="ignore"):
        got = module.poly_core(x * SCALE) + SHIFT
    assert same_bits(got, _wanted(core, x)).all()


@pytest.mark.parametrize(("family", "semantics"), CASES)
def test_jax_core_function_inside_a_jitted_kernel_is_the_interpreter(family, semantics, tmp_path):
    core = _core(family, semantics)
    source = (jax_prelude() + "\n\n" + core_function(core, "jax", "poly_core")
              + "\n\n@jax.jit\ndef kernel(x):\n"
              "    return poly_core(x * jnp.float32(1.1)) + jnp.float32(0.1)\n")
    module = load_module(source, tmp_path, f"jax_{family}_{semantics}")
    x = _inputs(family)
    got = np.asarray(module.kernel(x))
    wanted = _wanted(core, x)
    with np.errstate(all="ignore"):
        core_values = core_reference(core)(x * SCALE)
        keep = _not_subnormal(x, x * SCALE, core_values, wanted)  # XLA flushes these
    assert keep.mean() > 0.99
    assert same_bits(got[keep], wanted[keep]).all()


def test_jax_core_function_is_plain_and_takes_any_shape(tmp_path):
    core = load_core("poly", EXP2_CORE)
    source = jax_prelude() + "\n\n" + core_function(core, "jax", "poly_core")
    module = load_module(source, tmp_path, "jax_shapes")
    x = points((0.0, 1.0), 4096).reshape(64, 64)
    assert np.asarray(module.poly_core(x)).shape == (64, 64)
    assert "@jax.jit" not in core_function(core, "jax", "poly_core")




@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_c_core_functions_are_the_interpreter(tmp_path):
    cores = [_core(family, semantics) for family, semantics in CASES]
    functions = "\n".join(core_function(core, "c", f"core{i}") for i, core in enumerate(cores))
    cases = [f"for (size_t i = 0; i < n; ++i) y[i] = core{i}(x[i] * 0x1.19999ap+0f)"
             " + 0x1.99999ap-4f;" for i in range(len(cores))]
    binary = compile_driver(tmp_path, c_prelude() + functions, cases)
    assert float.fromhex("0x1.19999ap+0") == float(SCALE)
    assert float.fromhex("0x1.99999ap-4") == float(SHIFT)
    for index, ((family, _), core) in enumerate(zip(CASES, cores, strict=True)):
        x = _inputs(family)
        assert same_bits(run_kernel(binary, index, x), _wanted(core, x)).all(), family


def test_load_core_reads_a_repo_relative_path():
    core = load_core("poly", EXP2_CORE)
    assert core.path == EXP2_CORE and core.program_file.target == "exp2"
    assert core_ops(core) == 7  # the 13-op program as XLA runs it: six multiply-adds fuse into FMAs


def test_load_core_names_a_missing_file():
    with pytest.raises(AutonumericsError, match="no/such.json"):
        load_core("poly", "no/such.json")


def test_unknown_language_and_kernel_are_user_errors():
    with pytest.raises(AutonumericsError, match="fortran"):
        core_function(load_core("poly", EXP2_CORE), "fortran", "f")
    with pytest.raises(AutonumericsError, match="sine"):
        build_kernel("sine")
    functions = {"exp2", "exp", "expm1", "log2", "log", "log1p", "erf", "tanh", "sigmoid", "gelu",
                 "gelu_tanh", "silu", "softplus", "log_sigmoid"}
    assert set(KERNELS) == functions | {f"{name}_fast" for name in functions}


def test_core_paths_name_only_known_roles():
    if not Path(__file__).resolve().parents[1].joinpath("autonumerics/kernels/exp2.py").is_file():
        pytest.skip("exp2 kernel not built yet")
    with pytest.raises(AutonumericsError, match="nonsense"):
        build_kernel("exp2", {"nonsense": EXP2_CORE})
