"""Export front end: kernel specs, names, semantics defaults and the `export` command."""

from __future__ import annotations

import numpy as np
import pytest
from test_export_cases import family_file, points, same_bits

from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.export import LANGUAGES, export_source, kernel_spec, reference_function
from autonumerics.export.spec import fold_invariants_float32
from autonumerics.ir.canonical import canonicalize
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile, save_program_file


def test_xla_spec_is_canonical_and_strict_spec_is_the_program_as_written():
    program_file = ProgramFile(parse_expr("(x + 0.5) / 3.0 + 1.0"), "exp2", (0.0, 1.0), "float32")
    xla = kernel_spec(program_file)
    assert xla.semantics == "xla" and xla.program == canonicalize(program_file.program)
    assert any(i.op == "fma" for i in xla.ops_program.instructions)  # the contracted program
    strict = kernel_spec(program_file, semantics="strict")
    assert strict.program == strict.ops_program == program_file.program
    assert xla.program_hash != strict.program_hash


def test_float64_files_export_with_xla_rounding_unless_told():
    program_file = ProgramFile(parse_expr("1 + x*(0.69 + x*0.24)"), "exp2", (0.0, 1.0), "float64")
    assert kernel_spec(program_file).semantics == "xla"
    assert kernel_spec(program_file, semantics="strict").semantics == "strict"


def test_invariant_instructions_fold_to_their_float32_values():
    program = parse_expr("x * (fma(2.3, 0.7, 0.1) / 3.0) + sqrt(2.0)")
    folded = fold_invariants_float32(program)
    assert folded.n_ops == program.n_ops and len(folded.instructions) == 2
    x = points((-2.0, 2.0), 4096)
    assert same_bits(evaluate(folded, x, "float32"), evaluate(program, x, "float32")).all()


def test_reference_function_is_the_interpreter():
    program_file = family_file("horner6")
    x = points((0.0, 1.0), 4096)
    reference = reference_function(kernel_spec(program_file))(x)
    interpreted = evaluate(canonicalize(program_file.program), x, "float32", contract=True)
    assert same_bits(reference, interpreted).all()


def test_names_follow_the_target_and_bad_names_are_errors():
    program_file = ProgramFile(parse_expr("x + 1"), "exp(-x**2)", (0.0, 1.0), "float32")
    assert "def kernel(x)" in export_source(program_file, "jax")
    assert "def gauss(x)" in export_source(program_file, "numpy", name="gauss")
    assert "static inline float approx_exp2(float x)" in export_source(family_file("horner6"), "c")
    with pytest.raises(AutonumericsError, match="not an identifier"):
        export_source(program_file, "jax", name="two words")
    with pytest.raises(AutonumericsError, match="unknown export language"):
        export_source(program_file, "fortran")
    with pytest.raises(AutonumericsError, match="semantics"):
        export_source(program_file, "c", semantics="fast")


def test_docstring_carries_the_certificate_from_the_file():
    metrics = {"final": {"n_points": 10000, "exhaustive": False, "dtype": "float32",
                         "max_ulp": 0.8956, "max_rel_error": 5.3e-8, "n_ge_one_ulp": 0}}
    program_file = ProgramFile(family_file("horner6").program, "exp2", (0.0, 1.0), "float32",
                               metrics=metrics)
    for language in LANGUAGES:
        source = export_source(program_file, language)
        assert "max ULP error: 0.8956" in source and "sampled, 10,000 points" in source, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_cli_export_writes_the_file(language, tmp_path, capsys):
    program = tmp_path / "p.json"
    save_program_file(program, family_file("rational"))
    out = tmp_path / f"kernel.{ 'h' if language == 'c' else 'py'}"
    assert main(["export", str(program), "--to", language, "-o", str(out)]) == 0
    assert out.read_text() == export_source(family_file("rational"), language)
    assert main(["export", str(program), "--to", language]) == 0
    assert capsys.readouterr().out.endswith(out.read_text())


def test_cli_export_errors_are_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.json"), "--to", "jax"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_numpy_module_computes_what_the_reference_says(tmp_path):
    from test_export_cases import load_module

    program_file = family_file("deep")
    module = load_module(export_source(program_file, "numpy"), tmp_path, "deep_np")
    x = points(program_file.interval, 1 << 14)
    assert same_bits(module.exp2(x), reference_function(kernel_spec(program_file))(x)).all()
    assert np.isfinite(module.exp2(x)).all()
