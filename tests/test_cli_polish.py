"""The command line's polish: --version, lazy start-up, descriptions, shipped configs by name,
search --target / --interval, what search says at the start and the end, run-folder file modes,
and one line (exit 2) for every bad input at these boundaries."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from autonumerics.cli import COMMANDS, build_parser, command_module, main
from autonumerics.cli.search import describe_search
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import find_config, load_config, shipped_configs
from autonumerics.truth.targets import get_target

REPOSITORY_CONFIGS = Path(__file__).resolve().parent.parent / "search_configs"
TINY = ["--workers", "0", "--max-evals", "6", "--set", "search.population=6",
        "--set", "search.tournament=2",
        "--set", "evaluation.train_points=64", "--set", "evaluation.validation_points=64",
        "--set", "evaluation.final_points=200", "--set", "search.fit_budget=200"]


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run ``argv``; it must fail with exit status 2 and one line on stderr, no traceback."""
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        status = exit_.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def subparsers_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"autonumerics {metadata.version('autonumerics')}"


def test_top_level_help_lists_every_command_and_imports_no_library() -> None:
    """`autonumerics --help` loads no command module and none of the libraries behind them."""
    code = ("import sys\nfrom autonumerics.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = ('numpy', 'jax', 'scipy', 'mpmath', 'ml_dtypes', 'rich',"
            " 'autonumerics.cli.search')\n"
            "print('LOADED', [name for name in heavy if name in sys.modules])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = run.stdout
    assert out.strip().endswith("LOADED []"), out
    for name in COMMANDS:
        assert f"    {name}" in out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_a_description(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = subparsers_of(build_parser(command))[command]
    assert parser.description and len(parser.description) > 40
    for name, sub in subparsers_of(parser).items():  # quant's subcommands
        assert sub.description and len(sub.description) > 40, name
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0 and parser.description.split()[0] in capsys.readouterr().out


def test_every_command_module_registers_its_commands() -> None:
    for command in COMMANDS:
        sub = subparsers_of(build_parser(command))[command]
        registered = sub.get_default("handler") is not None or subparsers_of(sub)
        assert registered, (command, command_module(command))


def test_shipped_configs_are_the_repositorys() -> None:
    assert set(shipped_configs()) == {path.stem for path in REPOSITORY_CONFIGS.glob("*.toml")}
    quant = {path.stem for path in (REPOSITORY_CONFIGS / "quant").glob("*.toml")}
    assert set(shipped_configs("quant")) == quant


@pytest.mark.parametrize("text",
                         ["exp2_reals", "exp2_reals.toml", "search_configs/exp2_reals.toml"])
def test_a_shipped_config_is_found_by_name_from_any_folder(text: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    file, source = find_config(text)
    assert file.read_text() == (REPOSITORY_CONFIGS / "exp2_reals.toml").read_text()
    assert source == "search_configs/exp2_reals.toml"
    assert load_config(text) == load_config(REPOSITORY_CONFIGS / "exp2_reals.toml")


def test_a_file_that_exists_wins_over_a_name(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("exp2_reals.toml").write_text('[target]\nname = "tanh"\n')
    assert load_config("exp2_reals.toml").target.name == "tanh"
    assert load_config("exp2_reals").target.name == "exp2"  # no such file: the shipped one


@pytest.mark.parametrize("text", ["exp3_reals", "elsewhere/exp2_reals.toml", "quant/gelu_int8"])
def test_an_unknown_config_lists_the_shipped_names(text: str) -> None:
    with pytest.raises(AutonumericsError,
                       match=f"no config '{text}'.*exp2_reals, exp_core") as error:
        find_config(text)
    assert "\n" not in str(error.value)


def test_target_replaces_the_configs_and_its_interval() -> None:
    config = load_config("exp2_float32", target="log2")
    assert config.target == load_config(None, target="log2").target
    assert config.target.interval == get_target("log2").default_intervals[0]  # not the file's
    assert config.evaluation.loss == "ulp"  # the rest of the file stays
    # same target: kept
    assert load_config("log2_reals", target="log2").target.interval == (1.0, 2.0)
    config = load_config("exp2_reals", ["target.interval=0,0.5"], target="tanh", interval="-1,1")
    # --set applies last
    assert config.target.name == "tanh" and config.target.interval == (0.0, 0.5)


@pytest.fixture(scope="module")
def tanh_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A tiny search of a shipped config with --target / --interval: its folder and printout."""
    out = tmp_path_factory.mktemp("cli") / "run"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["search", "exp2_reals", "--target", "tanh", "--interval", "-1,1",
                     "--out", str(out), *TINY]) == 0
    return out, printed.getvalue()


def test_search_target_and_interval_reach_the_run(tanh_run: tuple[Path, str]) -> None:
    out, printed = tanh_run
    config = load_config(out / "config.toml")
    assert config.target.name == "tanh" and config.target.interval == (-1.0, 1.0)
    assert config.mutation == load_config("exp2_reals").mutation  # the rest is the named config's
    assert "searching tanh on [-1, 1] | float64 (strict) | loss: relative" in printed


def test_search_names_its_files_and_the_next_commands(tanh_run: tuple[Path, str]) -> None:
    out, printed = tanh_run
    assert f"{out / 'pareto.json'}" in printed and f"{out / 'compare.png'}" in printed
    best = min(json.loads((out / "pareto.json").read_text())["front"],
               key=lambda e: e["final_error"])["file"]
    assert f"autonumerics show {out / best}" in printed
    assert f"autonumerics export {out / best} --to jax" in printed


def test_run_folder_files_all_get_the_mode_of_open(tanh_run: tuple[Path, str]) -> None:
    out, _ = tanh_run
    files = sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file())
    assert "checkpoint.json" in files and "compare.json" in files
    assert "front/ops_00_cost_0.json" in files
    modes = {name: oct((out / name).stat().st_mode & 0o777) for name in files}
    assert modes == dict.fromkeys(files, oct(0o666 & ~_umask()))


def test_show_takes_the_run_its_pareto_json_or_its_front(
        tanh_run: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = tanh_run
    for path in (out, out / "pareto.json", out / "front"):
        assert main(["show", str(path), "--json"]) == 0
        front = json.loads(capsys.readouterr().out)["front"]
        assert len(front) == len(list((out / "front").iterdir()))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_the_live_header_says_what_is_searched() -> None:
    header = describe_search(load_config("exp2_float32"))
    assert header == "exp2 on [0, 1] | float32 (xla) | loss: ulp | cost: ops, at most 14 ops"
    header = describe_search(load_config(None, target="log", interval="0.5,1"))
    assert header.startswith("log on [0.5, 1] | float64")


@pytest.mark.parametrize("argv, message", [
    (["search", "exp3_reals"], "not a shipped config (cheap_bounded_memory"),
    (["search", "--target", "exq"], "unknown target 'exq'"),
    (["search", "--target", "log", "--interval", "-1,1"], "leaves the domain"),
    (["search", "--interval", "0,abc"], "target.interval: unknown name 'abc'"),
    (["search", "--interval", "1,0"], "target.interval: interval [1.0, 0.0] is empty"),
    (["search", "exp2_reals", "--target", ""], "empty target"),
    (["search", "--workers", "two"], "invalid int value: 'two'"),
    (["serch"], "invalid choice: 'serch'"),
    (["show", "/nonexistent/pareto.json"], "not a run folder"),
    (["quant", "search", "gelu_int9"], "not a shipped config (exp_int16, gelu_int8)"),
    (["quant"], "required: SUBCOMMAND"),
])
def test_bad_input_is_one_line(argv: list[str], message: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert message in one_line_error(capsys, argv)


def test_a_corrupt_front_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config.toml").write_text("")
    (tmp_path / "pareto.json").write_text("{")
    message = one_line_error(capsys, ["show", str(tmp_path / "pareto.json")])
    assert "not a front written by autonumerics" in message
