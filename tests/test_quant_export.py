"""Tests for autonumerics.quant.codegen: JAX, NumPy and C exports equal the interpreter on every
grid point, and off the grid clamp or reject exactly as their metadata says, for every committed
kernel."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.errors import AutonumericsError
from autonumerics.quant.codegen import export_kernel, export_source
from autonumerics.quant.gridbounds import REJECTED, GridBounds
from autonumerics.quant.intprogram import evaluate, parse_program
from autonumerics.quant.kernel_file import input_grid, load_kernel
from autonumerics.quant.score import reference, score_outputs
from autonumerics.sourcefile import load_module

RESULTS = Path(__file__).resolve().parent.parent / "results" / "quant"
KERNEL_FILES = sorted(RESULTS.glob("*_int*.json"))
HAS_GCC = shutil.which("gcc") is not None

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


def _load_python(source: str, folder: Path, name: str) -> dict:
    path = folder / f"{name}.py"
    path.write_text(source)
    return vars(load_module(path, f"exported_{name}"))  # the generated module, as a user would


def _compile_c(source: str, folder: Path, name: str):
    """The exported header wrapped in a loop over an int32 array, loaded with ctypes."""
    (folder / f"{name}.h").write_text(source)
    (folder / f"{name}.c").write_text(f'#include "{name}.h"\n'
                                      "void run(const int32_t *q, int32_t *out, int n) "
                                      f"{{ for (int i = 0; i < n; i++) out[i] = {name}(q[i]); }}\n")
    library = folder / f"{name}.so"
    subprocess.run(["gcc", "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                    "-o", str(library), str(folder / f"{name}.c")], check=True)
    run = ctypes.CDLL(str(library)).run

    def kernel(q: np.ndarray) -> np.ndarray:
        q = np.ascontiguousarray(q, dtype=np.int32)
        out = np.zeros_like(q)
        run(q.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p),
            ctypes.c_int(len(q)))
        return out

    return kernel


@pytest.mark.parametrize("language", ["jax", "numpy"])
def test_python_exports_are_bit_identical(language: str, tmp_path: Path) -> None:
    source = export_source(PROGRAM, language, GRID, name="kernel", scale_in=2.0**-12,
                           certificate={"symmetric": True, "note": None})
    code = source.split('"""', 2)[2].split("METADATA")[0]
    assert "autonumerics" not in code  # imports only its runtime
    namespace = _load_python(source, tmp_path, language)
    outputs = np.asarray(namespace["kernel"](GRID))
    assert outputs.dtype == np.int32
    assert np.array_equal(outputs, evaluate(PROGRAM, q=GRID))
    meta = namespace["METADATA"]
    assert meta["ops_per_element"] == 12 and meta["divisions"] == 1 and meta["scale_in"] == 2.0**-12
    assert meta["largest_intermediate_bits"] <= 32
    assert meta["certificate"] == {"symmetric": True, "note": None}
    # Without a target to judge by, both sides are rejected.
    assert meta["input_grid"] == [-32768, 32767]
    assert meta["out_of_grid"] == {"below": "reject", "above": "reject"}
    for outside in (-32769, 32768):
        with pytest.raises(ValueError, match=f"input {outside} is"):
            namespace["kernel"](np.array([0, outside]))


@pytest.mark.skipif(not HAS_GCC, reason="no C compiler")
def test_c_export_is_bit_identical(tmp_path: Path) -> None:
    kernel = _compile_c(export_source(PROGRAM, "c", GRID, name="kernel"), tmp_path, "kernel")
    assert np.array_equal(kernel(GRID), evaluate(PROGRAM, q=GRID))
    assert np.all(kernel(np.array([-32769, 32768, -2**31, 2**31 - 1])) == REJECTED)


@pytest.mark.skipif(not HAS_GCC, reason="no C compiler")
def test_c_parameter_type_flags_float_arguments(tmp_path: Path) -> None:
    """The C kernel's parameter is an int32_t: -Wconversion turns a float argument into an error."""
    (tmp_path / "kernel.h").write_text(export_source(PROGRAM, "c", GRID, name="kernel"))
    (tmp_path / "use.c").write_text('#include "kernel.h"\n'
                                    "int32_t use(float x) { return kernel(x); }\n")
    (tmp_path / "ok.c").write_text('#include "kernel.h"\n'
                                   "int32_t use(int16_t x) { return kernel(x); }\n")
    flags = ["gcc", "-std=c99", "-Wconversion", "-Werror", "-c", "-o", str(tmp_path / "o.o")]
    assert subprocess.run(flags + [str(tmp_path / "ok.c")], capture_output=True).returncode == 0
    failed = subprocess.run(flags + [str(tmp_path / "use.c")], capture_output=True, text=True)
    assert failed.returncode != 0 and "conversion" in failed.stderr


def test_overflow_and_bad_arguments_are_errors() -> None:
    squares = parse_program("input q\na = mul(q, q)\nb = mul(a, 4)\nreturn b")
    with pytest.raises(AutonumericsError, match="'b' needs 34 bits"):
        export_source(squares, "jax", GRID)
    with pytest.raises(AutonumericsError, match="'rust'"):
        export_source(PROGRAM, "rust", GRID)
    with pytest.raises(AutonumericsError, match="'my kernel'"):
        export_source(PROGRAM, "c", GRID, name="my kernel")
    with pytest.raises(AutonumericsError, match=r"every integer of \[-4, 4\]"):
        export_source(PROGRAM, "c", np.array([-4, 0, 4]))
    with pytest.raises(AutonumericsError, match="differ from the grid"):
        export_source(PROGRAM, "c", GRID, bounds=GridBounds(-128, 127))
    with pytest.raises(AutonumericsError, match="'sideways'"):
        GridBounds(-128, 127, below="sideways")
    with pytest.raises(AutonumericsError, match="info, rejected"):
        program = parse_program("input q\ninfo = add(q, 1)\nrejected = add(info, 1)\n"
                                "return rejected")
        export_source(program, "jax", GRID)
    with pytest.raises(AutonumericsError, match="-2147483648"):
        export_source(parse_program("input q\na = shl(q, 31)\nreturn a"), "numpy", np.arange(-2, 3))


# --- every committed kernel, in every language, on and off its grid -------------------------------

def _beyond(low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """int32 inputs below and above the grid: next to each edge, and out to the int32 limits."""
    steps = np.array([1, 2, 3, 7, 100, 1000, 2**16, 2**20, 2**30], dtype=np.int64)
    below = np.unique(np.clip(low - steps, -2**31, None))
    above = np.unique(np.clip(high + steps, None, 2**31 - 1))
    return np.append(below, -2**31), np.append(above, 2**31 - 1)


class _Exports:
    """A kernel file's three exports (C when gcc is present), what each side of the grid gives."""

    def __init__(self, path: Path, folder: Path) -> None:
        self.kernel = load_kernel(path)
        self.grid = input_grid(self.kernel)
        self.name = path.stem
        self.modules = {language: _load_python(export_kernel(self.kernel, language, self.name),
                                               folder, f"{self.name}_{language}")
                        for language in ("numpy", "jax")}
        self.meta = self.modules["numpy"]["METADATA"]
        self.c = (_compile_c(export_kernel(self.kernel, "c", self.name), folder, self.name)
                  if HAS_GCC else None)
        self.reference = evaluate(self.kernel.program, **{self.kernel.program.inputs[0]: self.grid})

    def function(self, language: str):
        return self.modules[language][self.name]

    def expected_off_grid(self, side: str) -> int | None:
        """kernel(edge) where the side clamps, None where it rejects."""
        rule = self.meta["out_of_grid"][side]
        return int(self.reference[0 if side == "below" else -1]) if rule == "clamp" else None


@pytest.fixture(scope="module", params=KERNEL_FILES, ids=lambda path: path.stem)
def exports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> _Exports:
    return _Exports(request.param, tmp_path_factory.mktemp("exports"))


def test_committed_kernels_exist() -> None:
    assert {path.stem.split("_")[0] for path in KERNEL_FILES} == {"gelu", "exp", "sigmoid", "tanh"}


def test_every_grid_input_matches_the_interpreter(exports: _Exports) -> None:
    """The certified results: every input of the grid, every language.

    Grid sizes: int8 256, int16 65 536, exp 32 769."""
    grid, reference = exports.grid, exports.reference
    assert exports.meta["input_grid"] == [int(grid[0]), int(grid[-1])]
    for language in ("numpy", "jax"):
        function = exports.function(language)
        assert np.array_equal(np.asarray(function(grid)), reference), language  # int64 numpy input
        as_int32 = jnp.asarray(grid, dtype=jnp.int32)
        assert np.array_equal(np.asarray(function(as_int32)), reference), language
    jitted = jax.jit(exports.function("jax"))
    assert np.array_equal(np.asarray(jitted(jnp.asarray(grid, jnp.int32))), reference)
    storage = np.dtype(exports.kernel.params_in.dtype)
    narrow = grid.astype(storage)  # the storage dtype itself: nothing can be off the grid
    assert np.array_equal(exports.function("numpy")(narrow), reference)
    assert np.array_equal(np.asarray(exports.function("jax")(jnp.asarray(narrow))), reference)
    if exports.c is not None:
        assert np.array_equal(exports.c(grid), reference)


def test_off_grid_inputs_are_clamped_or_rejected(exports: _Exports) -> None:
    """Values beyond the grid, as int32 and int64 (and uint64 above), give kernel(edge) on a
    clamping side, and ValueError (NumPy, eager JAX) or REJECTED (C, JAX under jit and vmap) on a
    rejecting side."""
    below, above = _beyond(int(exports.grid[0]), int(exports.grid[-1]))
    traced = [jax.jit(exports.function("jax")), jax.vmap(exports.function("jax"))]
    for side, values in (("below", below), ("above", above)):
        expected = exports.expected_off_grid(side)
        wide = [values.astype(np.int32), values, values * 2**20]  # int64 beyond int32 too
        if side == "above":
            wide.append(values.astype(np.uint64) + np.uint64(2**63))
        for language in ("numpy", "jax"):
            for array in wide:
                if expected is None:
                    with pytest.raises(ValueError, match=f"is {side} the input grid"):
                        exports.function(language)(array)
                else:
                    got = np.asarray(exports.function(language)(array))
                    assert np.all(got == expected), (language, array.dtype)
        marker = REJECTED if expected is None else expected
        for function in traced:
            assert np.all(np.asarray(function(jnp.asarray(values, dtype=jnp.int32))) == marker)
        if exports.c is not None:
            assert np.all(exports.c(values) == marker)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.bool_])
def test_non_integer_dtypes_are_type_errors(exports: _Exports, dtype: type) -> None:
    values = np.array([0, 1], dtype=dtype)
    for function in (exports.function("numpy"), exports.function("jax")):
        with pytest.raises(TypeError, match=f"got dtype {np.dtype(dtype).name}"):
            function(values)
    # inside jit JAX has made float64 float32 already
    with pytest.raises(TypeError, match="got dtype"):
        jax.jit(exports.function("jax"))(values)
    with pytest.raises(TypeError, match="float32"):
        exports.function("jax")(jnp.asarray([0.0, 1.0], dtype=jnp.float32))


@pytest.mark.parametrize("tag", ["2m4", "2m5", "2m6"])
def test_gelu_exports_reproduce_their_certificates(tag: str, tmp_path: Path) -> None:
    """The exported GELU kernels score on their grid exactly what the kernel file certifies."""
    exports = _Exports(RESULTS / f"gelu_int8_s{tag}.json", tmp_path)
    exact, rounded = reference("gelu", exports.kernel.params_in, exports.kernel.params_out)
    for language in ("numpy", "jax"):
        outputs = np.asarray(exports.function(language)(exports.grid))
        score = score_outputs(outputs, exports.grid, exact, rounded)
        certificate = exports.kernel.metrics
        assert score.max_lsb_error == certificate["max_lsb_error"]
        assert score.correctly_rounded == certificate["correctly_rounded"]
        assert score.bias_lsb == certificate["bias_lsb"]


@pytest.fixture(scope="module")
def two_kernels(tmp_path_factory: pytest.TempPathFactory) -> list[_Exports]:
    """tanh int16 at 2^-12 (clamps on both sides) and GELU int8 at 2^-6 (rejects on both)."""
    folder = tmp_path_factory.mktemp("two")
    names = ("tanh_int16_s2m12.json", "gelu_int8_s2m6.json")
    return [_Exports(RESULTS / name, folder) for name in names]


def test_two_kernels_have_the_expected_rules(two_kernels: list[_Exports]) -> None:
    rules = [exports.meta["out_of_grid"] for exports in two_kernels]
    assert rules == [{"below": "clamp", "above": "clamp"}, {"below": "reject", "above": "reject"}]


@settings(deadline=None)  # JAX compiles once per dtype at the first example
@given(values=st.lists(st.integers(-2**40, 2**40) | st.integers(-40000, 40000),
                       min_size=16, max_size=16))
def test_numpy_and_jax_follow_the_rules_on_mixed_arrays(two_kernels: list[_Exports],
                                                        values: list[int]) -> None:
    """Arbitrary int64 arrays: clamped where the kernel clamps, a ValueError as soon as one
    input is rejected."""
    array = np.array(values, dtype=np.int64)
    for exports in two_kernels:
        low, high = exports.meta["input_grid"]
        outside = (array < low) | (array > high)
        rejects = exports.meta["out_of_grid"]["below"] == "reject"
        clipped = np.clip(array, low, high)
        expected = evaluate(exports.kernel.program, **{exports.kernel.program.inputs[0]: clipped})
        for language in ("numpy", "jax"):
            if rejects and outside.any():
                with pytest.raises(ValueError, match="the input grid"):
                    exports.function(language)(array)
            else:
                assert np.array_equal(np.asarray(exports.function(language)(array)), expected)
