"""Hostile inputs on the command line: exit status 2 and exactly one line on stderr, no traceback
(not even at exit), nothing left behind, within a time bound; or the right result."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autonumerics.cli import main


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Labels go to a cache of the test's own (the processes started inherit it), not the user's."""
    monkeypatch.setenv("AUTONUMERICS_CACHE", str(tmp_path / "labels"))


def cli(args: list[str], cwd: Path, stdout=subprocess.PIPE,
        seconds: float = 60) -> subprocess.CompletedProcess:
    """``autonumerics ARGS`` in a fresh process, which must end within ``seconds``."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autonumerics", *args], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=seconds * 3)
    assert time.monotonic() - started < seconds, args
    return done


def refused(args: list[str], cwd: Path, message: str, **options) -> None:
    done = cli(args, cwd, **options)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert message in done.stderr, done.stderr


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """``main(argv)`` in this process: exit status 2 and one line on stderr."""
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_deeply_parenthesised_expression_is_evaluated(tmp_path: Path) -> None:
    done = cli(["evaluate", "--expr", "(" * 200 + "1 + x" + ")" * 200, "--target", "exp2",
                "--points", "100", "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n_ops"] == 1


def test_a_long_chain_is_shown_and_evaluated(tmp_path: Path) -> None:
    instructions = [{"op": "add", "args": ["x" if i == 0 else f"v{i - 1}", "c0"]}
                    for i in range(600)]
    program = tmp_path / "chain.json"
    program.write_text(json.dumps({"constants": ["0x1p-10"], "instructions": instructions,
                                   "output": "v599", "target": "exp2", "interval": [0, 1]}))
    assert cli(["show", str(program)], tmp_path).returncode == 0
    assert cli(["evaluate", str(program), "--points", "100"], tmp_path).returncode == 0


@pytest.mark.parametrize("args, message", [
    (["evaluate", "--expr", "x", "--target", "sqrt(x)", "--interval=-2,-1"],
     "cannot be evaluated at x = -2.0"),
    (["evaluate", "--expr", "x", "--target", "gamma(x)", "--interval=-1,1"], "gamma function pole"),
    (["evaluate", "--expr", "x", "--target", "sin(10**100000*x)"], "arguments must stay below"),
    (["evaluate", "--expr", "x**" + "1" * 5000, "--target", "exp2"], "only powers of two"),
    (["evaluate", "--expr", "x", "--target", "exp2", "--points", "1000000000"],
     "the limit is 10000000"),
    (["evaluate", "--expr", "x", "--target", "exp2", "--interval", "1/0,1"], "division by zero"),
])
def test_bad_evaluations_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    refused(args, tmp_path, message, seconds=30)


@pytest.mark.parametrize("overrides, message", [
    (["evaluation.digits=100000000"], "evaluation.digits"),
    (["evaluation.train_points=1000000000"], "evaluation.train_points"),
    (["search.checkpoint_seconds=nan"], "search.checkpoint_seconds"),
    (["target.name=\"sqrt(x)\"", "target.interval=[-2, -1]"], "cannot be evaluated at x = -2.0"),
])
def test_bad_searches_stop_before_making_a_folder(tmp_path: Path, overrides: list[str],
                                                  message: str) -> None:
    sets = [part for override in overrides for part in ("--set", override)]
    refused(["search", "--out", str(tmp_path / "run"), "--workers", "0", *sets], tmp_path,
            message, seconds=30)
    assert not (tmp_path / "run").exists()


def test_a_table_replaced_by_a_number_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("search = 5\n")
    refused(["search", "c.toml", "--set", "search.seed=1", "--out", "run"], tmp_path, "not a table")
    assert not (tmp_path / "run").exists()


def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    refused(["baselines", "exp2", "--max-ops", "2", "--out", "/dev/full"], tmp_path,
            "No space left on device")
    # stdout itself: the last-resort handler, and no second error at exit
    with open("/dev/full", "w") as full:
        refused(["targets"], tmp_path, "No space left on device", stdout=full)


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    refused(["baselines", "exp2", "--max-ops", "2", "--programs",
             str(tmp_path / "file" / "programs")], tmp_path, "cannot write")


@pytest.mark.parametrize("content, message", [
    (b'{"expression": "x", "target": "\xe9xp2"}', "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"expression": "x", "metrics": "abc"}', "metrics must be a JSON object"),
    (b'{"expression": "x", "ops": 5}', "ops must be a list"),
    (b'{"expression": "x", "interval": "01"}', "interval must be two numbers"),
])
def test_bad_program_files_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        content: bytes, message: str) -> None:
    (tmp_path / "p.json").write_bytes(content)
    assert message in one_line_error(capsys, ["show", str(tmp_path / "p.json")])
    argv = ["evaluate", str(tmp_path / "p.json"), "--target", "exp2"]
    assert message in one_line_error(capsys, argv)


@pytest.mark.parametrize("front, message", [
    ('{"front": [1]}', "front[0] is 1, not an object"),
    ('{"front": [{"n_ops": "x"}]}', "n_ops must be a count"),
    ('{"front": [{"n_ops": 3, "cost": 3, "fitness": 1, "final_error": "abc", "expression": "x"}]}',
     "final_error must be a number"),
    ('{"front": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
])
def test_malformed_fronts_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       front: str, message: str) -> None:
    (tmp_path / "config.toml").write_text("")
    (tmp_path / "pareto.json").write_text(front)
    assert message in one_line_error(capsys, ["show", str(tmp_path)])
    assert message in one_line_error(capsys, ["compare", str(tmp_path)])
    assert not (tmp_path / "compare.png").exists()


@pytest.mark.parametrize("checkpoint, message", [
    ('{"archive": 5}', "wrong type"),
    ('{"archive": [{"a": 1}]}', "missing key 'id'"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_malformed_checkpoints_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            checkpoint: str, message: str) -> None:
    (tmp_path / "config.toml").write_text("")
    (tmp_path / "checkpoint.json").write_text(checkpoint)
    assert message in one_line_error(capsys, ["show", str(tmp_path)])


def test_compare_bounds_its_op_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config.toml").write_text("")
    entry = {"n_ops": 2, "cost": 2, "fitness": 0.01, "final_error": 0.01, "expression": "1 + x"}
    (tmp_path / "pareto.json").write_text(json.dumps({"front": [entry]}))
    assert "max_ops must be an integer from 1 to 10000" in one_line_error(
        capsys, ["compare", str(tmp_path), "--max-ops", "1000000000"])
