"""The safe parser of mpmath expressions and their evaluation (truth.expressions, mp_functions)."""

from __future__ import annotations

import mpmath
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH
from autonumerics.truth.expressions import parse_constant_list, parse_expression
from autonumerics.truth.mp_functions import (
    EVALUATION_ERRORS,
    ArgumentTooLarge,
    describe_error,
    evaluate_converged,
)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("__import__('os')", "__import__"),
        ("__import__('os').system('true')", "system"),
        ("x.real", "x.real"),
        ("(lambda: 1)()", "lambda"),
        ("lambda x: x", "lambda"),
        ("[t for t in (1, 2)]", "ListComp"),
        ("(x := 2)", "NamedExpr"),
        ("x[0]", "x[0]"),
        ("f'{x}'", "JoinedStr"),
        ("'x'", "'x'"),
        ("x if x else 1", "x if x else 1"),
        ("x < 1", "Compare"),
        ("foo(x)", "foo"),
        ("y + x", "y"),
        ("exp(x=1)", "positional arguments only"),
        ("exp(*x)", "positional arguments only"),
        ("besselj(x)", "besselj() takes 2 argument(s), got 1"),
        ("log(x, 2, 3)", "log() takes 1 to 2 argument(s), got 3"),
        ("exp", "without arguments"),
        ("x, 1", "a list"),
        ("[x, 1]", "(List)"),
        ("x +", "cannot parse"),
        ("0x1.8p", "cannot parse"),
        ("", "empty"),
        (None, "empty"),
    ],
)
def test_unsafe_or_unknown_input_is_refused_by_name(text, named) -> None:
    with pytest.raises(AutonumericsError) as error:
        parse_expression(text)
    assert named in str(error.value)


def test_the_size_limits_are_errors() -> None:
    with pytest.raises(AutonumericsError, match="characters: the limit is"):
        parse_expression("x" + " " * MAX_EXPRESSION_CHARS)
    with pytest.raises(AutonumericsError, match="nested more than"):
        parse_expression("+".join(["x"] * (MAX_EXPRESSION_DEPTH + 2)))
    parse_expression("+".join(["x"] * (MAX_EXPRESSION_DEPTH - 1)))  # within the limit


def test_decimal_literals_mean_their_decimal_value_at_any_precision() -> None:
    with mpmath.workprec(300):
        assert parse_expression("0.1")() == mpmath.mpf(1) / 10
        assert parse_expression("1_000.5e-3")() == mpmath.mpf("1.0005")
        assert parse_expression("pi/4")() == mpmath.pi / 4


@pytest.mark.parametrize(("text", "value"), [("0x1.8p-3", 0.1875), ("0x.8p1", 1.0), ("0x1p0", 1.0),
                                             ("-0x1.921fb6p1", -3.1415927410125732)])
def test_hex_floats_are_exact(text, value) -> None:
    with mpmath.workprec(200):
        assert parse_expression(text)() == mpmath.mpf(value)


def test_uses_x_says_whether_the_value_depends_on_x() -> None:
    assert parse_expression("sin(pi*x) + 1").uses_x
    assert not parse_expression("sqrt(2) + ln2").uses_x
    with pytest.raises(AutonumericsError, match="unknown name 'x'"):
        parse_expression("x + 1", allow_x=False)


def test_a_complex_value_is_an_error_naming_the_expression() -> None:
    expression = parse_expression("sqrt(x)")
    with pytest.raises(ValueError, match=r"sqrt\(x\) is not real at x = -1"):
        expression(mpmath.mpf(-1))
    assert isinstance(ValueError(), EVALUATION_ERRORS)


def test_huge_arguments_are_refused_before_they_are_reduced() -> None:
    expression = parse_expression("sin(10**100000*x)")
    with pytest.raises(ArgumentTooLarge, match="arguments must stay below"):
        expression(mpmath.mpf(1))
    assert issubclass(ArgumentTooLarge, EVALUATION_ERRORS)


def test_constant_lists_keep_each_bound_text() -> None:
    bounds = parse_constant_list("[-pi/4, 0x1p-2]")
    assert [bound.text for bound in bounds] == ["-pi/4", "0x1p-2"]
    with mpmath.workprec(113):
        assert float(bounds[0]()) == -0.7853981633974483 and float(bounds[1]()) == 0.25


def test_evaluate_converged_survives_cancellation_and_restores_precision() -> None:
    expression = parse_expression("exp(x) - 1")
    mpmath.mp.prec = 53
    value = evaluate_converged(expression, 1e-12, bits=60)
    assert mpmath.mp.prec == 53
    with mpmath.workprec(200):
        exact = mpmath.expm1(mpmath.mpf(1e-12))
        assert abs(value - exact) <= abs(exact) * mpmath.mpf(2) ** -59


def test_describe_error_says_what_mpmath_leaves_blank() -> None:
    assert describe_error(ZeroDivisionError()) == "division by zero"
    assert describe_error(ValueError("math domain error")) == "math domain error"
