"""The arithmetic context: one function owns every default, and every consumer follows it."""

import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import load_config
from autonumerics.export import kernel_spec, reference_function
from autonumerics.ir.canonical import canonicalize
from autonumerics.ir.contraction import contract_multiply_add
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile
from autonumerics.numerics.context import SEMANTICS, arithmetic_context, as_context
from autonumerics.numerics.dtypes import FORMATS
from autonumerics.verification.evaluation import ProgramFunction

# -2*x + x/3: whether LLVM sees the constants' signs decides which product is fused
SIGNED = canonicalize(parse_expr("x/3.0 + x/(-0.5)"))
POINTS = np.linspace(-1.0, 1.0, 257)


@pytest.mark.parametrize("dtype", list(FORMATS))
def test_the_default_semantics_is_strict_for_reals_and_xla_below(dtype):
    context = arithmetic_context(dtype)
    assert context.format is FORMATS[dtype] and context.dtype == dtype
    assert context.semantics == ("strict" if dtype == "float64" else "xla")
    assert context.contracts == (context.semantics == "xla") and not context.literal_constants


def test_the_first_semantics_given_wins():
    assert arithmetic_context("float32", None, "strict").semantics == "strict"
    assert arithmetic_context("float32", "xla", "strict").semantics == "xla"
    assert arithmetic_context("float64", "", None, "xla").semantics == "xla"  # "" sets nothing
    assert arithmetic_context(FORMATS["float16"]).format is FORMATS["float16"]


def test_bad_values_are_refused_naming_the_choices():
    with pytest.raises(AutonumericsError,
                       match=r"semantics must be one of \('xla', 'strict'\), not 'fast'"):
        arithmetic_context("float32", "fast")
    with pytest.raises(AutonumericsError, match="unknown dtype 'float8'"):
        arithmetic_context("float8")
    with pytest.raises(AutonumericsError, match="not both"):
        as_context(arithmetic_context("float32"), "strict")
    assert as_context("float32", "strict") == arithmetic_context("float32", "strict")
    assert SEMANTICS == ("xla", "strict")


def test_the_interpreter_follows_the_context():
    x = np.linspace(0.0, 1.0, 101)
    program = canonicalize(parse_expr("(x + 0.1)*0.3 + x*0.7"))
    for semantics in SEMANTICS:
        context = arithmetic_context("float32", semantics)
        expected = evaluate(program, x, "float32", contract=semantics == "xla")
        assert np.array_equal(evaluate(program, x, context), expected)
    with pytest.raises(ValueError, match="contract"):
        evaluate(program, x, arithmetic_context("float32"), contract=True)


def test_literal_constants_reach_the_contraction_model_from_the_context():
    literal = arithmetic_context("float32", "xla", literal_constants=True)
    hidden = evaluate(contract_multiply_add(SIGNED, "float32"), POINTS, "float32")
    seen = evaluate(contract_multiply_add(SIGNED, literal), POINTS, "float32")
    assert np.array_equal(evaluate(SIGNED, POINTS, literal), seen)
    assert not np.array_equal(hidden, seen)


def test_an_export_computes_float32_with_xla_by_default_whatever_the_file_was_fitted_in():
    for dtype in ("float64", "float32"):
        spec = kernel_spec(ProgramFile(SIGNED, dtype=dtype))
        assert spec.arithmetic == arithmetic_context("float32", "xla") and spec.semantics == "xla"
    strict_file = ProgramFile(SIGNED, dtype="float32", semantics="strict")
    assert kernel_spec(strict_file).semantics == "strict"
    assert kernel_spec(strict_file, semantics="xla").semantics == "xla"  # the argument wins
    literal = kernel_spec(ProgramFile(SIGNED), literal_constants=True)
    assert np.array_equal(reference_function(literal)(POINTS),
                          evaluate(SIGNED, POINTS, literal.arithmetic))


def test_a_measurement_and_a_search_score_in_the_same_context():
    config = load_config(None, ['evaluation.dtype="float32"'])
    assert config.arithmetic == arithmetic_context("float32", "xla")
    function = ProgramFunction(SIGNED, config.arithmetic)
    assert function.semantics == "xla" and function.dtype == "float32"
    assert np.array_equal(function(POINTS), evaluate(SIGNED, POINTS, config.arithmetic))
    settings = ['evaluation.dtype="float32"', 'evaluation.semantics="strict"']
    strict = load_config(None, settings).arithmetic
    assert not strict.contracts
    assert ProgramFunction(SIGNED, "float32", "strict").arithmetic == strict
