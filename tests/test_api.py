"""The public Python API: search / resume, result, callables, tools, bad arguments, clean starts."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import programs
from test_export_cases import FAMILIES, family_file, load_module, points, same_bits

import autonumerics
from autonumerics import processes
from autonumerics.api import runs
from autonumerics.api.result import FrontMember, SearchResult
from autonumerics.errors import AutonumericsError
from autonumerics.evolution import evolve
from autonumerics.evolution.config import load_config
from autonumerics.export import export_source, kernel_spec, reference_function
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile
from autonumerics.truth.targets import get_target
from autonumerics.verification.evaluation import measure as measure_program

SMALL = {"evaluation.train_points": 128, "evaluation.validation_points": 256,
         "evaluation.final_points": 512, "search.fit_budget": 300, "search.population": 30,
         "search.checkpoint_seconds": 0.2}
HORNER2 = "1 + x*(0.6951 + x*0.3049)"


def small_search(**kwargs) -> SearchResult:
    arguments = {"workers": 0, "max_evals": 25, "time_budget": None, "settings": SMALL, **kwargs}
    return autonumerics.search("exp2", (0, 1), **arguments)


# -- the package's face ------------------------------------------------------------------------

def test_import_is_light_and_every_public_name_resolves():
    code = ("import sys, autonumerics; "
            "print(sorted(m for m in ('jax', 'numpy', 'scipy') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout == "[]\n"
    assert len(autonumerics.__all__) <= 15
    for name in autonumerics.__all__:
        assert getattr(autonumerics, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autonumerics.nope  # noqa: B018


def test_verify_and_baselines_stay_functions_when_their_modules_are_imported():
    import autonumerics.baselines
    import autonumerics.verification.verify
    from autonumerics.baselines import compute_baselines

    assert callable(compute_baselines)
    assert autonumerics.verify.__module__ == "autonumerics.api.tools"
    assert autonumerics.baselines.__module__ == "autonumerics.api.tools"


# -- searching -----------------------------------------------------------------------------------

def test_inline_search_in_memory_keeps_the_front_and_leaves_no_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the temporary run folder goes
    result = small_search(seed=3)
    assert result.path is None and list(tmp_path.iterdir()) == []
    assert result.n_evaluated == 25 and result.front
    assert [m.cost for m in result.front] == sorted(m.cost for m in result.front)
    for member in result.front:
        assert member.file is None and member.program_file.target == "exp2"
        assert member.n_ops == member.program.n_ops and "run" not in member.program_file.provenance
    again = small_search(seed=3)  # inline is deterministic for a seed
    assert [m.expression for m in again.front] == [m.expression for m in result.front]
    assert "in memory" in repr(result) and result.front[0].expression[:20] in repr(result)


def test_search_into_a_folder_then_load_and_resume(tmp_path):
    seed = parse_expr("1 + x*0.69")
    result = small_search(out=tmp_path / "run", seeds=["x", seed])
    assert result.path == tmp_path / "run" and result.config.search.seeds == ("x", seed.to_infix())
    for member in result.front:
        assert autonumerics.load_program(member.file).program == member.program
    loaded = SearchResult.load(tmp_path / "run")
    assert [(m.n_ops, m.error) for m in loaded.front] == [(m.n_ops, m.error) for m in result.front]
    assert loaded.n_evaluated == 25
    resumed = autonumerics.resume(tmp_path / "run", workers=0, max_evals=35)
    assert resumed.n_evaluated == 35 and resumed.path == tmp_path / "run"
    with pytest.raises(AutonumericsError,
                       match=r"^out: .* already holds a run: autonumerics.resume"):
        small_search(out=tmp_path / "run")


def test_progress_is_reported_about_once_a_second():
    seen = []
    autonumerics.search("exp2", workers=0, time_budget=2.5, settings=SMALL, progress=seen.append)
    assert seen and all(isinstance(p, evolve.Progress) for p in seen)
    assert seen[-1].n_evaluated > 0 and seen[-1].elapsed >= 1.0


def member(n_ops: int, error: float) -> FrontMember:
    program_file = ProgramFile(parse_expr("x" + " + x" * n_ops))
    return FrontMember(program_file, n_ops, float(n_ops), error, error)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.floats(1e-12, 1.0)), min_size=1, max_size=8),
       st.integers(0, 12))
def test_best_is_the_most_accurate_member_within_the_op_budget(pairs, max_ops):
    result = SearchResult(tuple(member(n, e) for n, e in pairs), load_config())
    fitting = [(e, n) for n, e in pairs if n <= max_ops]
    if not fitting:
        with pytest.raises(AutonumericsError,
                           match=f"^max_ops: no front member has at most {max_ops} ops"):
            result.best(max_ops)
        return
    best = result.best(max_ops)
    assert (best.error, best.n_ops) == min(fitting)
    assert result.best().error == min(e for _, e in pairs)


def test_best_of_an_empty_front_is_an_error():
    with pytest.raises(AutonumericsError, match="front is empty"):
        SearchResult((), load_config()).best()


def test_plot_draws_the_front_without_a_display():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    result = SearchResult((member(1, 0.1), member(3, 1e-3), member(5, 0.0)), load_config())
    figure = result.plot()
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert axes.get_yscale() == "log"
    x, y = axes.lines[0].get_data()
    assert list(x) == [1, 3] and list(y) == [0.1, 1e-3]  # a zero error has no place on a log scale
    figure.savefig(io.BytesIO(), format="png")
    import matplotlib.pyplot as plt

    _, own_axes = plt.subplots()
    assert result.plot(ax=own_axes) is own_axes.figure
    plt.close("all")


# -- worker processes ------------------------------------------------------------------------------

NO_GUARD_SCRIPT = """
    import autonumerics
    print("top level", flush=True)
    result = autonumerics.search("exp2", (0, 1), workers=2, time_budget=3, settings={settings!r})
    print("children", result.n_evaluated, "front", len(result.front), "path", result.path)
"""


def test_a_script_without_main_guard_searches_with_two_workers(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    script = folder / "search_exp2.py"
    script.write_text(textwrap.dedent(NO_GUARD_SCRIPT.format(settings=SMALL)))
    run = subprocess.run([sys.executable, script.name], cwd=folder, capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("top level") == 1, "a worker re-ran the script"
    assert "path None" in run.stdout and int(run.stdout.split("children ")[1].split()[0]) > 0
    assert "could not start" not in run.stderr  # the pool did start
    assert sorted(p.name for p in folder.iterdir()) == [script.name]


def raise_in_worker(*_) -> None:
    raise RuntimeError("this initializer fails")


def test_a_pool_that_cannot_start_is_reported():
    with pytest.raises(processes.PoolStartError, match="BrokenProcessPool"):
        processes.start_pool(1, raise_in_worker)


def test_the_search_runs_inline_with_a_warning_when_no_pool_starts(monkeypatch):
    def no_context():
        raise processes.PoolStartError("no fork server here")

    monkeypatch.setattr(processes, "process_context", no_context)
    with pytest.warns(RuntimeWarning,
                      match=r"could not start 2 worker processes \(no fork server here\)"):
        result = small_search(workers=2, max_evals=5)
    assert result.n_evaluated == 5


def test_the_main_module_is_restored_after_a_launch():
    main = sys.modules["__main__"]
    with processes.main_module_hidden():
        hidden = sys.modules["__main__"]
        assert hidden is not main and not hasattr(hidden, "__file__")
    assert sys.modules["__main__"] is main


# -- callables -------------------------------------------------------------------------------------

@pytest.mark.parametrize("semantics", ["xla", "strict"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_to_jax_and_to_numpy_are_the_exported_modules_bit_for_bit(family, semantics, tmp_path):
    program_file = family_file(family)
    x = points(program_file.interval, 1 << 16)
    expected = reference_function(kernel_spec(program_file, semantics=semantics))(x)
    source = export_source(program_file, "jax", semantics=semantics)
    exported = load_module(source, tmp_path, "k").exp2
    as_jax = program_file.to_jax(semantics)
    assert same_bits(np.asarray(as_jax(x)), expected).all()
    assert same_bits(np.asarray(as_jax(x)), np.asarray(exported(x))).all()
    assert same_bits(program_file.to_numpy(semantics)(x), expected).all()
    assert program_file.to_jax(semantics) is as_jax  # compiled once per source


def test_program_to_jax_defaults_to_xla_semantics():
    program = parse_expr(FAMILIES["horner6"][0])
    x = points((0.0, 1.0), 4096)
    expected = reference_function(kernel_spec(ProgramFile(program), semantics="xla"))(x)
    assert same_bits(np.asarray(program.to_jax()(x)), expected).all()
    assert program.to_jax(name="exp2_poly").__name__ == "exp2_poly"
    with pytest.raises(AutonumericsError, match="semantics must be one of"):
        program.to_jax("fast")


@settings(max_examples=40, deadline=None)
@given(programs(ops=("add", "sub", "mul", "div", "fma", "square", "neg")),
       st.sampled_from(["xla", "strict"]))
def test_to_numpy_matches_the_interpreter_on_random_programs(program, semantics):
    x = points((-2.0, 2.0), 512)
    expected = reference_function(kernel_spec(ProgramFile(program), semantics=semantics))(x)
    assert same_bits(program.to_numpy(semantics)(x), expected).all()


# -- tools -----------------------------------------------------------------------------------------

def test_measure_and_verify_use_the_file_s_context(tmp_path):
    program_file = ProgramFile(parse_expr(HORNER2), "exp2", (0.0, 1.0), "float32")
    direct = measure_program(program_file.program, get_target("exp2"), (0.0, 1.0), "float32",
                             "xla", points=2000)
    assert autonumerics.measure(program_file, points=2000) == direct
    path = tmp_path / "horner2.json"
    from autonumerics.ir.programfile import save_program_file

    save_program_file(path, program_file)
    assert autonumerics.measure(str(path), points=2000) == direct
    assert autonumerics.measure(HORNER2, "exp2", points=2000, dtype="float32") == direct
    certificate = autonumerics.verify(path, points=2000)
    assert certificate.target == "exp2"
    assert certificate.report.max_ulp == pytest.approx(direct.max_ulp)
    assert certificate.special  # special values are part of a certificate


def test_baselines_and_kernel():
    rows = autonumerics.baselines("exp2", kinds=["minimax"], max_ops=4)
    assert rows and all(row.family == "minimax" and row.n_ops <= 4 for row in rows)
    assert all(row.program is not None for row in rows)
    source = autonumerics.kernel("exp2")
    assert source.name == "exp2" and "def exp2" in source.jax


# -- bad arguments: one line naming the argument, nothing written ---------------------------------

BAD_SEARCH_ARGUMENTS = [
    ({"target": 5}, "target"), ({"target": "nope"}, "target"), ({"interval": (1, 0)}, "interval"),
    ({"interval": "a,b"}, "interval"), ({"interval": (0,)}, "interval"),
    ({"dtype": "float8"}, "dtype"), ({"loss": "l2"}, "loss"), ({"ops": "add"}, "ops"),
    ({"ops": ["add", "pow"]}, "ops"),
    ({"time_budget": -1}, "time_budget"), ({"time_budget": "soon"}, "time_budget"),
    ({"workers": -1}, "workers"), ({"workers": True}, "workers"), ({"seeds": []}, "seeds"),
    ({"seeds": ["x +* 1"]}, r"seeds\[0\]"), ({"seeds": ["x", 3]}, r"seeds\[1\]"),
    ({"max_ops": 0}, "max_ops"), ({"max_evals": 0}, "max_evals"), ({"seed": -1}, "seed"),
    ({"semantics": "fast"}, "semantics"), ({"settings": {"search.population": 1}}, "settings"),
    ({"settings": {"evaluation.dtype": "float32"}}, "settings"),
    ({"settings": {"bogus": 1}}, "settings"), ({"settings": {"search.bogus": 1}}, "settings"),
    ({"settings": ["search.population"]}, "settings"), ({"progress": 5}, "progress"),
    ({"compare": "yes"}, "compare"), ({"out": 3}, "out"),
]


@pytest.mark.parametrize("arguments, name", BAD_SEARCH_ARGUMENTS, ids=lambda v: str(v)[:40])
def test_bad_search_arguments_name_the_argument_and_write_nothing(arguments, name, tmp_path):
    arguments = {"target": "exp2", "out": tmp_path / "run", **arguments}
    with pytest.raises(AutonumericsError, match=f"^{name}: ") as error:
        autonumerics.search(arguments.pop("target"), **arguments)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "run").exists()


def test_out_must_be_a_folder_and_compare_needs_one(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(AutonumericsError, match="^out: .* is a file"):
        autonumerics.search(out=tmp_path / "file")
    with pytest.raises(AutonumericsError, match="^compare: "):
        autonumerics.search(compare=True)


@pytest.mark.parametrize("call, name", [
    (lambda: autonumerics.measure(3), "program"),
    (lambda: autonumerics.measure("x +* 1", "exp2"), "program"),
    (lambda: autonumerics.measure("missing.json"), "program"),
    (lambda: autonumerics.measure(HORNER2), "target"),
    (lambda: autonumerics.measure(HORNER2, "exp2", dtype="float8"), "dtype"),
    (lambda: autonumerics.measure(HORNER2, "exp2", points=1), "points"),
    (lambda: autonumerics.measure(HORNER2, "exp2", exhaustive=True), "exhaustive"),
    (lambda: autonumerics.measure(HORNER2, "log", interval=(-1, 1)), "interval"),
    (lambda: autonumerics.verify(HORNER2, "exp2", semantics="fast"), "semantics"),
    (lambda: autonumerics.verify(HORNER2, "exp2", workers=-2), "workers"),
    (lambda: autonumerics.verify(HORNER2, "exp2", exhaustive="yes"), "exhaustive"),
    (lambda: autonumerics.baselines("exp2", kinds="minimax"), "kinds"),
    (lambda: autonumerics.baselines("exp2", kinds=["magic"]), "kinds"),
    (lambda: autonumerics.baselines("exp2", max_ops=0), "max_ops"),
    (lambda: autonumerics.baselines("exp2", dtype="float16"), "dtype"),
    (lambda: autonumerics.kernel("exp3"), "name"),
    (lambda: autonumerics.kernel("exp2", cores={"poly": 5}), r"cores\['poly'\]"),
    (lambda: autonumerics.kernel("exp2", cores={"poly": "missing.json"}), r"cores\['poly'\]"),
    (lambda: autonumerics.load_program(5), "path"),
    (lambda: autonumerics.parse_program("x +"), "expression"),
    (lambda: autonumerics.resume(5), "path"),
    (lambda: autonumerics.resume("no-such-run"), "path"),
    (lambda: autonumerics.resume(".", time_budget="soon"), "time_budget"),
    (lambda: autonumerics.resume(".", workers=-1), "workers"),
])
def test_bad_tool_arguments_name_the_argument(call, name):
    with pytest.raises(AutonumericsError, match=f"^{name}: "):
        call()


# -- a failed start leaves nothing half-written ----------------------------------------------------

def test_bad_seeds_or_mutation_settings_fail_before_the_folder_exists(tmp_path):
    for override in ('search.seeds=["x +* 1"]', "mutation.weights={insert=-1.0}"):
        with pytest.raises(AutonumericsError):
            runs.start_search(load_config(None, [override]), tmp_path / "a" / "run", workers=0)
        assert not (tmp_path / "a").exists(), override


def fail_to_label(config):
    raise AutonumericsError("labels failed")


def test_a_start_that_fails_after_creating_the_folder_removes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(runs.SearchContext, "build", fail_to_label)
    with pytest.raises(AutonumericsError, match="labels failed"):
        autonumerics.search(workers=0, out=tmp_path / "new" / "nested" / "run")
    assert sorted(tmp_path.iterdir()) == []  # the parents it created went too
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(AutonumericsError, match="labels failed"):
        autonumerics.search(workers=0, out=tmp_path / "mine")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "mine"))
    with pytest.raises(AutonumericsError, match="labels failed"):
        autonumerics.search(workers=0)  # in memory: the temporary folder goes as well
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_exhaustive_verify_without_main_guard(tmp_path):
    """The exhaustive checker's worker pool does not re-run a script that has no main guard."""
    script = tmp_path / "verify_without_guard.py"
    script.write_text('import autonumerics\nprint("top")\n'
                      'c = autonumerics.verify("1 + x*(0.6951 + x*0.3049)", "exp2", (1, 1.01),'
                      ' exhaustive=True, workers=2)\n'
                      'print(c.report.n_points)\n')
    run = subprocess.run([sys.executable, script.name], cwd=tmp_path, capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("top") == 1
