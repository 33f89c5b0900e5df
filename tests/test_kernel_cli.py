"""`autonumerics kernel` and `autonumerics export --full-range`.

Files written, cores chosen, one-line errors."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from kernel_checks import REPO_ROOT, same_bits

from autonumerics.cli import main
from autonumerics.kernels import KERNELS, build_kernel, kernel_module, load_core

EXP2_CORE = "autonumerics/kernels/cores/exp2_core.json"


def _write_run_folder(tmp_path):
    """A run folder whose front holds a poor 2-op core and the real one (the most accurate)."""
    run = tmp_path / "run"
    (run / "front").mkdir(parents=True)
    shutil.copy(REPO_ROOT / EXP2_CORE, run / "front" / "ops_12.json")
    rough = {"expression": "1 + x*0.69", "target": "exp2", "interval": [-0.5, 0.5],
             "dtype": "float32"}
    (run / "front" / "ops_02.json").write_text(json.dumps(rough))
    front = [{"file": "front/ops_02.json", "final_error": 5000.0, "n_ops": 2},
             {"file": "front/ops_12.json", "final_error": 0.7, "n_ops": 12}]
    (run / "pareto.json").write_text(json.dumps({"front": front}))
    return run


@pytest.mark.parametrize("language", ["jax", "numpy", "c"])
def test_kernel_writes_the_default_kernel(language, tmp_path, capsys):
    out = tmp_path / "kernel.out"
    assert main(["kernel", "exp2", "--to", language, "-o", str(out)]) == 0
    assert out.read_text() == getattr(build_kernel("exp2"), language)
    assert "wrote" in capsys.readouterr().out


def test_kernel_from_a_run_folder_takes_its_most_accurate_program(tmp_path, capsys):
    run = _write_run_folder(tmp_path)
    out = tmp_path / "exp2.py"
    assert main(["kernel", "exp2", "--from", str(run), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cores"]["poly"].endswith("ops_12.json") and data["function"] == "exp2"
    core = run / "front" / "ops_02.json"
    assert main(["kernel", "exp2", "--from", f"poly={core}", "-o", str(out)]) == 0
    assert "1 + x*0.69" in out.read_text() or "0.69" in out.read_text()


def test_export_full_range_uses_the_program_as_main_core(tmp_path):
    out = tmp_path / "exp2_numpy.py"
    assert main(["export", str(REPO_ROOT / EXP2_CORE), "--full-range", "--to", "numpy",
                 "-o", str(out)]) == 0
    namespace: dict = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)  # noqa: S102 - the generated module
    x = np.float32([0.0, 1.5, -3.25, 127.0, np.inf, -np.inf, np.nan])
    want = np.float32([1.0, 2.8284271, 0.10511205, 2.0**127, np.inf, 0.0, np.nan])
    assert same_bits(namespace["exp2"](x), want).all()


@pytest.mark.parametrize(("argv", "message"), [
    (["kernel", "sine"], "unknown kernel 'sine'"),
    (["kernel", "exp2", "--from", f"tail={EXP2_CORE}"], "no core role 'tail'"),
    (["kernel", "exp2", "--from", "no/such/run"], "neither a program file nor a run folder"),
    (["kernel", "exp2", "--json"], "--json needs -o FILE"),
])
def test_kernel_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_export_full_range_needs_a_kernel_target(tmp_path, capsys):
    program = tmp_path / "p.json"
    program.write_text(json.dumps({"expression": "x*x", "target": "sin", "dtype": "float32"}))
    assert main(["export", str(program), "--full-range", "--to", "jax"]) == 2
    assert "target 'sin' is neither a kernel nor a kernel's core" in capsys.readouterr().err


def test_export_full_range_of_a_core_finds_its_kernel(tmp_path, capsys):
    """erf's tail core names erf(x + c), which only erf uses; sigmoid and expm1 share the
    target of their "expm1" core, so that export must say which kernel to build."""
    out = tmp_path / "erf.py"
    tail = REPO_ROOT / "autonumerics/kernels/cores/erf_tail.json"
    assert main(["export", str(tail), "--full-range", "--to", "jax", "-o", str(out)]) == 0
    assert "def erf(x)" in out.read_text()
    core = REPO_ROOT / "autonumerics/kernels/cores/expm1_core.json"
    assert main(["export", str(core), "--full-range", "--to", "jax"]) == 2
    err = capsys.readouterr().err
    assert "core of several kernels: expm1 (--from expm1=PATH), sigmoid (--from expm1=PATH)" in err
    assert err.count("\n") == 1


def test_a_run_folder_without_front_is_an_error(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    assert main(["kernel", "exp2", "--from", str(tmp_path / "run"),
                 "-o", str(tmp_path / "k.py")]) == 2
    assert "no readable pareto.json" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(KERNELS))
def test_every_role_is_declared_and_its_default_core_fits_it(name):
    module = kernel_module(name)
    assert list(module.ROLES) == list(module.DEFAULT_CORES)
    for role, path in module.DEFAULT_CORES.items():
        module.ROLES[role].check(load_core(role, path), name)


def _core_file(tmp_path, source: str, **changes) -> str:
    shipped = json.loads((REPO_ROOT / "autonumerics/kernels/cores" / source).read_text())
    data = {**shipped, **changes}
    path = tmp_path / f"core_{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize(("source", "changes", "message"), [
    # a float64 core fitted on [0, 1] where exp2's role needs float32 on [-0.5, 0.5]: once gave
    # exp2(-0.3) = 0.755
    ("exp2_core.json", {"dtype": "float64", "semantics": "strict", "interval": [0, 1]},
     "is fitted in float64"),
    ("exp2_core.json", {"interval": [0, 1]},
     "fitted on [0.0, 1.0], which does not cover the reduced interval [-0.5, 0.5]"),
    ("exp2_core.json", {"semantics": "strict"}, "has 'strict' semantics; the kernel needs 'xla'"),
    # a log core given as exp2's polynomial: once gave exp2(2.5) = 2.0
    ("log_core.json", {}, "approximates '(log(1+x) - x)/x**2'; the kernel feeds it for 'exp2'"),
])
def test_kernel_from_refuses_a_core_that_does_not_fit_its_role(source, changes, message,
                                                               tmp_path, capsys):
    """One line naming what does not match, exit 2, nothing written."""
    out = tmp_path / "out" / "exp2.py"
    core = _core_file(tmp_path, source, **changes)
    assert main(["kernel", "exp2", "--from", core, "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "exp2 core 'poly'" in error and message in error, error
    assert not out.exists()
