"""Interpreter: numpy per dtype against mpmath and scalar arithmetic, batches, non-finite values."""

import warnings

import ml_dtypes
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import programs

from autonumerics.ir.interpret import evaluate, evaluate_mp
from autonumerics.ir.parse import parse_expr

POINTS = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, width=32)
NO_FMA = ("add", "sub", "mul", "div", "neg", "square", "sqrt")


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


@given(programs(ops=NO_FMA), POINTS)
@settings(max_examples=200)
def test_float64_equals_mpmath_rounding_every_op_to_53_bits(program, x):
    # mpmath at 53 bits, round-to-nearest per op, is IEEE double arithmetic (in range).
    expected = evaluate_mp(program, x, prec=53)
    value = evaluate(program, np.array([x]))[0]
    in_range = expected == 0 or 1e-300 < abs(expected) < 1e300
    if mpmath.isfinite(expected) and in_range:
        assert value == float(expected)


@given(programs(), POINTS)
@settings(max_examples=200)
def test_float32_equals_scalar_numpy_arithmetic_bit_for_bit(program, x):
    scalar = _scalar_float32(program, np.float32(x))
    assert _same_bits(evaluate(program, np.array([x]), "float32")[0], scalar)


def _scalar_float32(program, x):
    """Op by op with numpy float32 scalars; fma from an exact mpmath sum rounded to 24 bits."""
    values = []
    constants = [np.float32(c) for c in program.constants]

    def get(ref):
        if ref == "x":
            return x
        return constants[int(ref[1:])] if ref[0] == "c" else values[int(ref[1:])]

    with np.errstate(all="ignore"):
        for instruction in program.instructions:
            a = [get(r) for r in instruction.args]
            op = instruction.op
            if op == "fma":
                values.append(_fma32(*a))
            else:
                fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                      "neg": np.negative, "square": np.square, "sqrt": np.sqrt}[op]
                values.append(np.float32(fn(*a)))
    return get(program.output)


def _fma32(a, b, c):
    if not all(np.isfinite(v) for v in (a, b, c)):
        return np.float32(np.float64(a) * np.float64(b) + np.float64(c))
    exact = mpmath.fadd(mpmath.fmul(float(a), float(b), exact=True), float(c), exact=True)
    if exact == 0:
        return np.float32(np.float64(a) * np.float64(b) + np.float64(c))
    rounded = np.float32(float(mpmath.fadd(exact, 0, prec=24)))  # round once to 24 bits
    return rounded if abs(rounded) >= np.finfo(np.float32).tiny else np.float32(float(exact))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@given(program=programs(ops=NO_FMA), x=POINTS)
@settings(max_examples=100)
def test_low_precision_equals_scalar_ml_dtypes_arithmetic(dtype, program, x):
    np_dtype = np.float16 if dtype == "float16" else ml_dtypes.bfloat16
    values, constants = [], [np.array(c).astype(np_dtype) for c in program.constants]
    point = np.array(x).astype(np_dtype)

    def get(ref):
        if ref == "x":
            return point
        return constants[int(ref[1:])] if ref[0] == "c" else values[int(ref[1:])]

    fns = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
           "neg": np.negative, "square": np.square, "sqrt": np.sqrt}
    with np.errstate(all="ignore"):
        for instruction in program.instructions:
            result = fns[instruction.op](*(get(r) for r in instruction.args))
            values.append(np.asarray(result).astype(np_dtype))
    assert _same_bits(evaluate(program, np.array([x]), dtype)[0].astype(np.float64),
                      get(program.output).astype(np.float64))


@given(programs(), st.integers(1, 5))
@settings(max_examples=50)
def test_batch_of_constants_equals_one_vector_at_a_time(program, pop):
    rng = np.random.default_rng(pop)
    x = np.linspace(-2, 2, 17)
    batch = rng.uniform(-3, 3, (pop, program.n_constants))
    out = evaluate(program, x, "float32", constants=batch)
    assert out.shape == (pop, x.size)
    for row in range(pop):
        assert _same_bits(out[row], evaluate(program, x, "float32", constants=batch[row]))


def test_nonfinite_values_are_returned_silently():
    program = parse_expr("1 / (x - 1) + sqrt(x - 2)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = evaluate(program, np.array([1.0, 3.0, 0.0]))
    assert np.isnan(out[0]) or np.isinf(out[0])
    assert np.isfinite(out[1]) and np.isnan(out[2])


def test_constant_and_identity_outputs_broadcast():
    assert evaluate(parse_expr("2.5"), np.zeros(3)).tolist() == [2.5, 2.5, 2.5]
    assert evaluate(parse_expr("x"), np.arange(3.0), constants=np.zeros((2, 0))).shape == (2, 3)


def test_unknown_dtype_is_a_clear_error():
    from autonumerics.errors import AutonumericsError

    with pytest.raises(AutonumericsError, match="unknown dtype 'float8'"):
        evaluate(parse_expr("x"), np.zeros(1), "float8")
