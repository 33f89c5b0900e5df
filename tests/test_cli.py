"""Command line: evaluate and show, JSON output, and one-line errors for bad input."""

import json
import subprocess
import sys

import pytest

from autonumerics.cli import main

HORNER = "1 + x*(0.6951 + x*0.3049)"


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_evaluate_expression_json(capsys):
    result = run_json(capsys, "evaluate", "--expr", HORNER, "--target", "exp2", "--interval", "0,1",
                      "--points", "200", "--json")
    assert result["n_ops"] == 4 and result["n_points"] == 200 and result["dtype"] == "float64"
    assert 1e-3 < result["max_rel_error"] < 1e-2


def test_evaluate_program_file_takes_its_context(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"expression": HORNER, "target": "exp2", "interval": [0, 0.5],
                                "dtype": "float32"}))
    result = run_json(capsys, "evaluate", str(path), "--points", "100", "--json")
    assert result["interval"] == [0.0, 0.5]
    assert result["dtype"] == "float32" and result["semantics"] == "xla"


def test_negative_interval_bounds_are_read(capsys):
    result = run_json(capsys, "evaluate", "--expr", "x", "--target", "tanh", "--interval", "-1,1",
                      "--points", "50", "--json")
    assert result["interval"] == [-1.0, 1.0]


def test_show_prints_math_and_python(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"expression": HORNER}))
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "def f(x):" in out and "0.6951" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["evaluate", "--expr", "x", "--target", "exq"], "unknown target 'exq'"),
        (["evaluate", "--expr", "sqr(x)", "--target", "exp2"], "unknown function 'sqr'"),
        (["evaluate", "--expr", "x", "--target", "exp2", "--interval", "0,abc"], "'abc'"),
        (["evaluate", "--expr", "x", "--target", "log", "--interval", "-1,1"], "leaves the domain"),
        (["evaluate", "--expr", "x", "--target", "exp2", "--interval", "1,0"], "1"),
        (["evaluate", "--expr", "x", "--target", "exp2", "--exhaustive", "--dtype", "float64"],
         "float32"),
        (["evaluate", "--expr", "x"], "no target"),
        (["show", "/nonexistent/p.json"], "cannot read"),
    ],
)
def test_bad_input_is_one_line_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_malformed_json_file(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"expression": ')
    assert main(["show", str(path)]) == 2
    assert "malformed JSON" in capsys.readouterr().err


def test_unknown_key_in_program_file(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"expresion": "x"}))
    assert main(["show", str(path)]) == 2
    assert "unknown key 'expresion'" in capsys.readouterr().err


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "autonumerics", "targets", "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert any(t["name"] == "exp2" for t in json.loads(out)["targets"])
