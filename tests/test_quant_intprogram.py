"""Tests for autonumerics.quant.intprogram: op semantics, audit, text round trip, JAX == numpy."""

import jax
import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.quant.intprogram import (
    INT32_MAX,
    INT32_MIN,
    Instruction,
    IntProgram,
    audit,
    evaluate,
    evaluate_jax,
    format_program,
    parse_program,
)

EVERY_OP = """
# every op once
input q, k
a = abs(q)
b = add(a, 7)
c = sub(b, q)
d = mul(c, -3)
e = shr(d, k)
f = rshr(d, k)
g = shl(q, k)
h = min(e, f)
i = max(h, g)
j = sel(q, 0, i, f)
l = clamp(j, -1000, 1000)
m = div(l, 7)
return m
"""


def _grid() -> tuple[np.ndarray, np.ndarray]:
    q, k = np.meshgrid(np.arange(-32768, 32768, 37), np.arange(0, 40))
    return q.ravel(), k.ravel()


def test_rounding_shift_is_round_half_up() -> None:
    program = parse_program("input q, k\nr = rshr(q, k)\nreturn r")
    q, k = _grid()
    expected = np.where(np.minimum(k, 31) == 0, q, np.floor(q / 2.0 ** np.minimum(k, 31) + 0.5))
    assert np.array_equal(evaluate(program, q=q, k=k), expected.astype(np.int64))


def test_saturating_left_shift_saturates() -> None:
    program = parse_program("input q, k\nr = shl(q, k)\nreturn r")
    out = evaluate(program, q=np.array([1, -1, 3, 3]), k=np.array([31, 31, 5, 30]))
    assert out.tolist() == [INT32_MAX, INT32_MIN, 96, INT32_MAX]


def test_text_round_trip() -> None:
    program = parse_program(EVERY_OP)
    assert program.n_ops == 12 and program.n_divisions == 1
    assert parse_program(format_program(program, header="hello")) == program


def test_jax_equals_numpy_on_every_grid_point() -> None:
    program = parse_program(EVERY_OP)
    q, k = _grid()
    assert audit(program, q=q, k=k).fits_int32
    jitted = jax.jit(lambda q, k: evaluate_jax(program, q=q, k=k))
    assert np.array_equal(np.asarray(jitted(q, k)), evaluate(program, q=q, k=k))


def test_audit_finds_the_largest_intermediate() -> None:
    program = parse_program("input q\na = mul(q, q)\nb = mul(a, 3)\nc = shr(b, 20)\nreturn c")
    report = audit(program, q=np.arange(-128, 128))
    assert report.max_abs == 3 * 128 * 128 and report.worst_register == "b" and report.bits == 17
    big = audit(program, q=np.arange(-32768, 32768))
    assert big.max_abs == 3 * 2**30 and not big.fits_int32 and big.bits == 33


@pytest.mark.parametrize("text, word", [
    ("input q\nr = pow(q, 2)\nreturn r", "pow"),
    ("input q\nr = add(q)\nreturn r", "add takes 2"),
    ("input q\nr = add(q, z)\nreturn r", "'z'"),
    ("input q\nr = add(q, 99999999999)\nreturn r", "99999999999"),
    ("input q\nr = add(q, 1)\nreturn s", "'s'"),
    ("input q\nr = add q 1\nreturn r", "line 2"),
    ("r = add(q, 1)\nreturn r", "input"),
])
def test_bad_programs_name_the_problem(text: str, word: str) -> None:
    with pytest.raises(AutonumericsError, match=word):
        parse_program(text)


def test_division_by_zero_is_a_user_error() -> None:
    program = IntProgram(("q",), (Instruction("r", "div", (7, "q")),), "r")
    with pytest.raises(AutonumericsError, match="division by zero"):
        evaluate(program, q=np.array([1, 0]))
