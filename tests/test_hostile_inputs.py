"""Hostile inputs through the library: a clear error (or the right result), never a traceback,
a hang or a silently wrong answer. The same inputs on the command line: test_hostile_inputs_cli.py.
"""

from __future__ import annotations

import json
import math
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from autonumerics import limits
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.child import SearchContext
from autonumerics.evolution.config import config_from_dict, load_config
from autonumerics.ir.canonical import canonicalize, structural_hash
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Instruction, Program, prune
from autonumerics.ir.programfile import ProgramFile, read_json_file
from autonumerics.truth.ground_truth import finite_labels, labels
from autonumerics.truth.label_cache import evict_least_recently_used
from autonumerics.truth.targets import get_target, parse_interval
from autonumerics.verification.evaluation import measure


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Labels go to a cache of the test's own, not the user's."""
    monkeypatch.setenv("AUTONUMERICS_CACHE", str(tmp_path / "labels"))
    return tmp_path / "labels"


def horner(degree: int) -> Program:
    """c_0 + x*(c_1 + x*(... + x*c_degree)): 2*degree instructions nested degree deep."""
    instructions, value = [], "c0"
    for index in range(1, degree + 1):
        instructions.append(Instruction("mul", ("x", value)))
        instructions.append(Instruction("add", (f"c{index}", f"v{len(instructions) - 1}")))
        value = f"v{len(instructions) - 1}"
    return Program(tuple(instructions), tuple(1.0 / (k + 1) for k in range(degree + 1)), value)


def short_error(call, *args, **kwargs) -> str:
    """The AutonumericsError ``call`` raises: one line that quotes little of a huge input."""
    with pytest.raises(AutonumericsError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 700, message
    return message


# -- programs: parsing, printing, sizes ----------------------------------------------------------

@pytest.mark.parametrize("depth", [200, 10_000])
def test_deeply_parenthesised_programs_parse(depth: int) -> None:
    assert parse_expr("(" * depth + "x + 1" + ")" * depth) == parse_expr("x + 1")


def test_a_program_of_the_largest_size_prints_parses_and_canonicalises() -> None:
    program = horner(limits.MAX_INSTRUCTIONS // 2)  # printed with 5 000 nested parentheses
    text = program.to_infix()
    assert text.count("(") == limits.MAX_INSTRUCTIONS // 2 - 1
    assert parse_expr(text).to_infix() == text
    x = np.linspace(0, 1, 5)
    assert np.array_equal(evaluate(parse_expr(text), x), evaluate(program, x))
    assert program.n_ops == limits.MAX_INSTRUCTIONS
    assert canonicalize(program).n_ops == limits.MAX_INSTRUCTIONS - 1  # a constant chain merged
    assert structural_hash(program) == structural_hash(parse_expr(text))
    assert program.to_python().count("\n") > limits.MAX_INSTRUCTIONS


def test_programs_beyond_the_size_limit_are_refused() -> None:
    too_many = (Instruction("neg", ("x",)),) * (limits.MAX_INSTRUCTIONS + 1)
    assert "the limit is 10000" in short_error(Program, too_many, (), "x")
    deep = "1+x*(" * 6000 + "1" + ")" * 6000
    assert "more than 10000 instructions" in short_error(parse_expr, deep)
    assert "characters: the limit" in short_error(parse_expr, "x" + " " * limits.MAX_PROGRAM_CHARS)
    long = "x" + " + 1" * (limits.MAX_EXPRESSION_CHARS // 4)
    assert "characters: the limit" in short_error(get_target, long)


@pytest.mark.parametrize("text, message", [
    ("x**" + "1" * 5000, "only powers of two"),
    ("x**2**2", "one exponent per power"),
    ("0x1p99999 + x", "beyond the float64 range"),
    ("x)", "without a matching"),
    ("fma(x, (1, 2), 3)", "outside a call"),
    ("x + " + "y" * 20_000, "unknown name"),
])
def test_bad_programs_are_one_short_line(text: str, message: str) -> None:
    assert message in short_error(parse_expr, text)


def test_dead_code_is_never_run() -> None:
    dead = (Instruction("mul", ("x", "x")),) * 9_000
    program = Program(dead + (Instruction("add", ("x", "c0")),), (1.0,), "v9000")
    x = np.linspace(0.0, 1.0, 10_000)
    tracemalloc.start()
    values = evaluate(program, x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert np.array_equal(values, evaluate(prune(program), x))
    # 8 MB; running the dead code kept 9 000 arrays of x.nbytes: 720 MB
    assert peak < 100 * x.nbytes


# -- program files ----------------------------------------------------------------------------

BASE = {"expression": "1 + x", "target": "exp2", "interval": [0, 1]}


@pytest.mark.parametrize("extra, message", [
    ({"metrics": "abc"}, "metrics must be a JSON object"),
    ({"provenance": [1, 2]}, "provenance must be a JSON object"),
    ({"ops": 5}, "ops must be a list of op names"),
    ({"ops": "add"}, "ops must be a list of op names"),
    ({"interval": "01"}, "interval must be two numbers"),
    ({"interval": [1, 0]}, "empty or reversed"),
    ({"interval": [0, 10**400]}, "non-finite bound"),
    ({"target": 5}, "target must be a string"),
    ({"n_ops": "many"}, "n_ops must be an integer"),
    ({"format": "autonumerics-program/9"}, "is not 'autonumerics-program/1'"),
    ({"expression": ["x"]}, "expression must be a string"),
    ({"instructions": [{"op": "neg", "args": ["v 0"]}], "output": "v0"}, "bad operand 'v 0'"),
    ({"instructions": [{"op": "neg", "args": ["x"]}], "output": "v+0"}, "bad operand 'v+0'"),
    ({"instructions": [{"op": "add", "args": "xx"}], "output": "v0"}, "args must be a list"),
    ({"instructions": [{"op": "add", "args": ["x", "c0"]}], "constants": "12", "output": "v0"},
     "'constants' must be a list"),
    ({"instructions": [{"op": "neg", "args": ["x"], "note": 1}], "output": "v0"}, 'expected {"op"'),
    ({"instructions": [{"op": "e" * 10_000, "args": ["x"]}], "output": "v0"}, "unknown op"),
    ({"instructions": [], "constants": ["0x1p99999"], "output": "c0"}, "is not a number"),
])
def test_wrongly_typed_program_fields_name_the_field(extra: dict, message: str) -> None:
    assert message in short_error(ProgramFile.from_json, {**BASE, **extra}, "f.json")


@pytest.mark.parametrize("content, message", [
    (b'{"expression": "x", "target": "\xe9xp2"}', "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"n_ops": ' + b"1" * 5000 + b"}", "malformed JSON"),
    (b'{"expression": ', "malformed JSON"),
])
def test_unreadable_json_files_are_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "program.json"
    path.write_bytes(content)
    assert message in short_error(read_json_file, path)


def test_json_files_have_a_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"expression": "x" + " " * 2000}))
    assert "too large" in short_error(read_json_file, path, max_bytes=1000)


# -- configs -----------------------------------------------------------------------------------

BEYOND_LIMITS = [  # each refused naming its key
    "evaluation.digits=100000000", "evaluation.digits=5", "evaluation.train_points=1000000000",
    "evaluation.final_points=100000000", "evaluation.label_seconds=-1",
    "search.checkpoint_seconds=nan", "search.checkpoint_seconds=-1", "search.seed=-1",
    "search.fit_budget=100000000000", "mutation.max_ops=100000",
]


@pytest.mark.parametrize("override, message", [
    *((override, override.split("=")[0]) for override in BEYOND_LIMITS),
    ("search.population=100000000", "population"),
    ("mutation.weights={insert = true}", "table of numbers"),
    ("search.seeds=" + "[" * 5000 + "]" * 5000, "not a usable TOML value"),
])
def test_config_values_beyond_their_limits_are_refused(override: str, message: str) -> None:
    assert message in short_error(load_config, None, [override])


def test_a_section_that_is_no_table_takes_no_override(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("search = 5\n")
    message = short_error(load_config, config, ["search.seed=1"])
    assert "[search] in the config is 5, not a table" in message


@pytest.mark.parametrize("content, message", [
    (b'[target]\nname = "\xe9xp2"\n', "not UTF-8"),
    (b"a = " + b"[" * 5000 + b"]" * 5000, "invalid TOML"),
])
def test_unreadable_configs_are_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_bytes(content)
    assert message in short_error(load_config, config)


# -- targets on their domain, labels in time ----------------------------------------------------

@pytest.mark.parametrize("target, interval, message", [
    ("sqrt(x)", (-2, -1), "cannot be evaluated at x = -2.0"),
    ("gamma(x)", (-1, 1), "gamma function pole"),
    ("gamma(x)", (-0.5, 1), "has a pole near x ="),
    ("tan(x)", (1, 2), "has a pole near x = 1.5708"),
    ("1e-10/(x - 0.3)", (0, 1), "has a pole near x = 0.3"),
    ("log(x)", (0, 1), "not a finite float64"),
    ("sin(10**100000*x)", (0, 1), "arguments must stay below 2^65536"),
])
def test_custom_targets_are_checked_on_their_interval(target: str, interval: tuple,
                                                      message: str) -> None:
    started = time.monotonic()
    assert message in short_error(get_target(target).check_interval, *interval)
    # bounded (it once ran without limit), with room for a slow machine
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("target, interval", [("sin(x)", (-3, 3)), ("besselj(0, x)", (0, 20)),
                                              ("(log(1+x) - x)/x**2", (-0.29, 0.41))])
def test_custom_targets_with_zeros_or_removable_points_are_accepted(target: str,
                                                                    interval: tuple) -> None:
    assert get_target(target).check_interval(*interval) == (float(interval[0]), float(interval[1]))


def test_a_bound_without_a_value_says_why() -> None:
    assert short_error(parse_interval, "1/0,1").endswith("division by zero")


def test_labels_name_the_first_point_without_a_finite_value() -> None:
    message = short_error(finite_labels, get_target("sin(x)/x"), np.linspace(-1, 1, 11))
    assert "at x = 0.0 (division by zero; 1 of the 11 points have none)" in message


def test_a_search_refuses_labels_it_cannot_compute_before_fitting_anything() -> None:
    # 257 float32 points with equally spaced bit patterns on [-1, 1] include 0, where sin(x)/x
    # is 0/0
    config = config_from_dict({"target": {"name": "sin(x)/x", "interval": [-1, 1]},
                               "evaluation": {"dtype": "float32", "train_points": 1028}})
    assert "no finite real value at x = 0.0" in short_error(SearchContext.build, config)


def test_measuring_off_the_domain_is_refused() -> None:
    message = short_error(measure, parse_expr("x"), get_target("sqrt(x)"), (-2, -1))
    assert "cannot be evaluated" in message
    message = short_error(measure, parse_expr("x"), get_target("exp2"), (0, 1), points=10**9)
    assert "the limit is 10000000" in message


def test_the_python_api_refuses_the_same_inputs() -> None:
    import autonumerics

    started = time.monotonic()
    message = short_error(autonumerics.search, "sqrt(x)", (-2, -1), time_budget="5s")
    assert "cannot be evaluated" in message
    assert "cannot be evaluated" in short_error(autonumerics.measure, "x", "sqrt(x)", (-2, -1))
    message = short_error(autonumerics.search, settings={"evaluation.digits": 10**8})
    assert "evaluation.digits" in message
    assert time.monotonic() - started < 60


def test_labels_stop_at_their_time_limit_naming_the_point_reached() -> None:
    started = time.monotonic()
    message = short_error(labels, get_target("sin(10**15000*x)"), np.linspace(0.1, 0.9, 5000),
                          cache=False, time_limit=0.5)
    assert time.monotonic() - started < 30
    assert "labels of sin(10**15000*x) on 5000 points" in message and "reached x = " in message


def test_label_digits_are_bounded() -> None:
    assert "digits must be" in short_error(labels, get_target("exp2"), np.zeros(2), digits=10**8)


def test_the_label_cache_evicts_the_least_recently_used(tmp_path: Path) -> None:
    for age, name in enumerate(["newest", "middle", "oldest"]):
        path = tmp_path / f"{name}.npz"
        path.write_bytes(b"\0" * 1000)
        os.utime(path, (1e9 - age * 100, 1e9 - age * 100))
    assert evict_least_recently_used(tmp_path, limit=2000) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["middle.npz", "newest.npz"]


def test_the_label_cache_stays_within_its_bound(private_cache: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # about two files of 1 000 points
    monkeypatch.setenv("AUTONUMERICS_CACHE_MAX_MB", str(30_000 / 2**20))
    for start in range(5):
        labels(get_target("exp2"), np.linspace(start, start + 1, 1000))
    sizes = [path.stat().st_size for path in private_cache.glob("*.npz")]
    assert 1 <= len(sizes) <= 2 and sum(sizes) <= 30_000
    monkeypatch.setenv("AUTONUMERICS_CACHE_MAX_MB", "lots")
    message = short_error(labels, get_target("exp2"), np.linspace(7, 8, 10))
    assert "AUTONUMERICS_CACHE_MAX_MB" in message


def test_shown_values_are_cut() -> None:
    assert len(limits.shown("x" * 100_000)) < limits.MAX_ECHO_CHARS + 40
    assert math.isclose(len(limits.clipped("y" * 500, 100)), 100 + len("... (500 characters)"))
