"""Tests for autonumerics.quant.intprogram: op semantics, audit, text round trip, JAX == numpy,
register names every export can use."""

import json
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autonumerics.errors import AutonumericsError
from autonumerics.quant.intprogram import (
    INT32_MAX,
    INT32_MIN,
    IntInstruction,
    IntProgram,
    audit,
    check_register_name,
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
    program = IntProgram(("q",), (IntInstruction("r", "div", (7, "q")),), "r")
    with pytest.raises(AutonumericsError, match="division by zero"):
        evaluate(program, q=np.array([1, 0]))


# Each was once accepted and exported (exit 0) as code that does not compile, or compiles to
# something else: keywords of Python or C, <stdint.h> names, C's reserved spellings, Python
# builtins (a register max: the numpy export's own max(...) raised UnboundLocalError), non-ASCII
# and non-identifiers (an input named 'q=print(1)' reached the generated def line verbatim).
BAD_NAMES = ["for", "return", "None", "lambda", "int", "bool", "true", "static", "_Bool", "__x",
             "_Q", "int32_t", "uint8_t", "INT32_MAX", "INT32_C", "max", "isinstance", "1p",
             "\u00e9", "a-b", "q=print(1)", ""]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_register_names_are_named(name: str) -> None:
    programs = [lambda: IntProgram((name,), (), name),
                lambda: IntProgram(("q",), (IntInstruction(name, "abs", ("q",)),), name)]
    if name:  # "input " with no name is not an input line
        programs.append(lambda: parse_program(f"input {name}\nreturn {name}"))
    if name.isidentifier():  # the others do not even parse as an assignment
        programs.append(lambda: parse_program(f"input q\n{name} = add(q, 1)\nreturn {name}"))
    for build in programs:
        with pytest.raises(AutonumericsError, match="register name") as error:
            build()
        assert repr(name) in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("name", ["q", "out", "r0", "_x", "match", "case_", "Int", "integer",
                                  "uint", "maximum"])
def test_ordinary_and_soft_keyword_names_are_accepted(name: str) -> None:
    program = parse_program(f"input v\n{name}1 = add(v, 1)\n{name} = max({name}1, 0)\n"
                            f"return {name}")
    assert evaluate(program, v=np.array([-5, 4])).tolist() == [0, 5]


def test_a_repeated_input_is_named() -> None:
    with pytest.raises(AutonumericsError, match="named twice"):
        parse_program("input q, q\nr = add(q, 1)\nreturn r")


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True))
def test_every_accepted_name_is_a_python_variable(name: str) -> None:
    try:
        check_register_name(name)
    except AutonumericsError:
        return
    compile(f"def f({name}):\n    {name} = {name} + 1\n    return {name}\n", "<register>", "exec")


def test_cli_export_of_a_keyword_register_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    kernel = {"target": "gelu", "input": {"scale": 0.0625},
              "program": ["input q", "for = max(q, 0)", "return for"]}
    source, target = tmp_path / "relu.json", tmp_path / "relu.c"
    source.write_text(json.dumps(kernel))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autonumerics", "quant", "export", str(source),
                           "--to", "c", "-o", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert time.monotonic() - start < 60
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "'for'" in done.stderr and str(source) in done.stderr
    assert not target.exists()
