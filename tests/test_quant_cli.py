"""Tests for `autonumerics quant`: search, eval, export, compare (--json), one-line user errors."""

import json
from pathlib import Path

import numpy as np
import pytest

from autonumerics.cli import main
from autonumerics.quant.config import SearchRequest
from autonumerics.quant.intprogram import evaluate
from autonumerics.quant.kernel_file import load_kernel
from autonumerics.quant.search_driver import run_search
from autonumerics.sourcefile import load_module


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def exp_kernel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("quant")
    assert main(["quant", "search", "--target", "exp", "--scale", "2^-12", "--out", str(out),
                 "--json"]) == 0
    return out / "exp_int8_s2m12.json"


def test_search_writes_a_kernel_that_eval_confirms(exp_kernel: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    row = _json(capsys, ["quant", "eval", str(exp_kernel), "--json"])
    assert row["ops"] == 9 and row["divisions"] == 0 and row["points"] == 129
    assert row["max_relative_error"] < 2**-9
    rows = _json(capsys, ["quant", "compare", str(exp_kernel), "--json"])["rows"]
    assert [r["name"] for r in rows] == ["autonumerics (this kernel)", "I-BERT i-exp"]


def test_export_writes_numpy_that_matches(exp_kernel: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "k.py"
    assert main(["quant", "export", str(exp_kernel), "--to", "numpy", "-o", str(target),
                 "--name", "e"]) == 0
    namespace = vars(load_module(target, "k_exported"))
    d = np.arange(-128, 1)
    assert np.array_equal(namespace["e"](d), evaluate(load_kernel(exp_kernel).program, d=d))


def _import(path: Path):
    return load_module(path, f"exported_{path.stem}")


def test_exported_kernels_clamp_or_reject_beyond_their_grid(tmp_path: Path) -> None:
    """GELU int8 at 2^-4 saturates correctly beyond its grid, so the CLI's export clamps there;
    at 2^-6 it does not, so the export rejects (once returned gelu(-1000) = 25)."""
    results = Path(__file__).resolve().parents[1] / "results" / "quant"
    clamped, rejected = tmp_path / "g4.py", tmp_path / "g6.py"
    assert main(["quant", "export", str(results / "gelu_int8_s2m4.json"), "--to", "numpy",
                 "-o", str(clamped), "--name", "g"]) == 0
    assert main(["quant", "export", str(results / "gelu_int8_s2m6.json"), "--to", "numpy",
                 "-o", str(rejected), "--name", "g"]) == 0
    assert _import(clamped).g(np.array([1000, -1000])).tolist() == [127, 0]
    with pytest.raises(ValueError, match="1000"):
        _import(rejected).g(np.array([-1000]))
    with pytest.raises(TypeError, match="float"):
        _import(clamped).g(np.array([1.5]))


def test_gelu_compare_table_has_the_baselines(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    kernel = {"target": "gelu", "input": {"scale": 0.0625},
              "program": ["input q", "p = max(q, 0)", "return p"]}
    path = tmp_path / "relu.json"
    path.write_text(json.dumps(kernel))
    rows = _json(capsys, ["quant", "compare", str(path), "--json"])["rows"]
    names = [r["name"] for r in rows]
    assert names == ["autonumerics (this kernel)", "I-BERT i-GELU", "256-entry table",
                     "dequantize-float32-requantize"]
    # relu is not GELU; the table is exact
    assert rows[0]["max_lsb_error"] >= 2 and rows[2]["max_lsb_error"] == 0


@pytest.mark.parametrize("argv, message", [
    (["quant", "eval", "missing.json"], "cannot read missing.json"),
    (["quant", "search", "--target", "gelu", "--scale", "two"], "'two'"),
    (["quant", "search", "--target", "gelu"], "--scale"),
    (["quant", "search", "--target", "gelu", "--scale", "-0.5"], "'-0.5'"),
    (["quant", "search", "--target", "tanh", "--scale", "2^-10", "--dtype", "int16"], "2^-12"),
])
def test_user_errors_are_one_line(argv: list[str], message: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_kernel_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for content, message in [("{", "malformed JSON"), ('{"target": "gelu"}', "'input'"),
                             ('{"target": "erf", "input": {"scale": 1}, "program": []}', "'erf'"),
                             ('{"target": "gelu", "input": {"scale": 1, "bits": 8},'
                              ' "program": []}', "bits")]:
        path = tmp_path / "bad.json"
        path.write_text(content)
        assert main(["quant", "eval", str(path)]) == 2
        assert message in capsys.readouterr().err


def test_config_file_errors_name_the_key(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "q.toml"
    config.write_text('target = "gelu"\nscales = ["2^-6"]\npopulation = 3\n')
    assert main(["quant", "search", str(config)]) == 2
    assert "population" in capsys.readouterr().err
    config.write_text('target = "erf"\nscales = ["2^-6"]\n')
    assert main(["quant", "search", str(config)]) == 2
    assert "'erf'" in capsys.readouterr().err


def test_search_reports_progress_before_and_after_each_scale(tmp_path: Path) -> None:
    seen = []
    results = run_search(SearchRequest("exp", [2**-12, 2**-10], out=str(tmp_path)),
                         progress=seen.append)
    assert [(p.n_done, p.n_scales, p.scale, p.kernel is None) for p in seen] == [
        (0, 2, 2**-12, True), (1, 2, 2**-12, False), (1, 2, 2**-10, True), (2, 2, 2**-10, False)]
    assert [p.kernel for p in seen if p.kernel is not None] == results
    assert all(a.elapsed <= b.elapsed for a, b in zip(seen, seen[1:], strict=False))


def test_search_shows_progress_and_each_saved_kernel(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quant", "search", "--target", "exp", "--scale", "2^-12",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'exp_int8_s2m12.json'}: input_scale=" in out
    assert "exp int8, done" in out and "1/1" in out


def test_search_takes_a_shipped_config_by_name(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    kernels = _json(capsys, ["quant", "search", "exp_int16", "--scale", "2^-12",
                             "--out", str(tmp_path), "--json"])
    names = [Path(k["path"]).name for k in kernels["kernels"]]
    assert names == ["exp_int16_s2m12.json"]  # the config's dtype
