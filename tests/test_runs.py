"""Starting and resuming runs (api/runs.py): the arguments checked first, the front written as
program files, a resume that continues the log, and no folder left by a start that failed."""

from __future__ import annotations

import errno
import json
import re
import time
from pathlib import Path

import pytest

from autonumerics.api.runs import check_workers, default_out_dir, resume_search, start_search
from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.evolution import evolve
from autonumerics.ir.programfile import load_program_file


def test_front_members_are_program_files(tmp_path, capsys, small_config):
    summary = start_search(small_config("search.max_evals=20"), tmp_path / "run", workers=0)
    assert (tmp_path / "run" / "pareto.json").exists()
    for entry in summary.front:
        file = str(tmp_path / "run" / entry["file"])
        assert main(["evaluate", file, "--points", "64", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["n_ops"] == entry["n_ops"]


def test_the_summary_front_is_what_the_folder_holds(tmp_path, small_config):
    summary = start_search(small_config("search.max_evals=25", "search.seed=3"), tmp_path / "run",
                           workers=0, compare=False)
    pareto = json.loads((tmp_path / "run" / "pareto.json").read_text())["front"]
    assert json.loads(json.dumps(summary.front)) == pareto and summary.n_evaluated == 25
    assert [entry["n_ops"] for entry in summary.front] == sorted(e["n_ops"] for e in summary.front)
    for entry, program_file in zip(summary.front, summary.program_files, strict=True):
        on_disk = load_program_file(tmp_path / "run" / entry["file"])
        assert on_disk.program == program_file.program and on_disk.target == "exp2"
        assert on_disk.metrics["final_error"] == entry["final_error"]
    assert summary.resumable and summary.stop_reason == ""


def test_resume_continues_an_inline_run_without_repeating_children(tmp_path, small_config,
                                                                   run_events):
    start_search(small_config("search.max_evals=30"), tmp_path / "run", workers=0)
    resume_search(tmp_path / "run", workers=0, max_evals=50)
    ids = [e["id"] for e in run_events(tmp_path / "run")]
    assert len(ids) == 50 and len(set(ids)) == 50


def test_a_resume_with_its_budget_spent_adds_no_child(base_run_copy, run_events):
    run = base_run_copy()
    summary = resume_search(run, workers=0, max_evals=30, compare=False)
    assert summary.n_evaluated == 30 == len(run_events(run)) and summary.front


def test_a_spent_budget_still_fits_the_seeds(tmp_path, small_config):
    config = small_config('search.time_budget="1s"', 'search.seeds=["x", "1 + x"]')
    summary = start_search(config, tmp_path / "run", workers=0, compare=False,
                           started_at=time.monotonic() - 10)
    assert summary.n_evaluated == 2 and summary.front


def test_a_search_that_ends_before_its_first_child_leaves_no_folder(tmp_path, small_config):
    with pytest.raises(AutonumericsError, match="stopped before its first child was fitted"):
        start_search(small_config('search.time_budget="1s"'), tmp_path / "run", workers=0,
                     compare=False, started_at=time.monotonic() - 1000)  # past the seeds' grace too
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("nested", [False, True])
def test_a_start_that_fails_before_its_first_child_removes_what_it_made(tmp_path, monkeypatch,
                                                                        nested, small_config):
    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.run.events_path))

    monkeypatch.setattr(evolve.Search, "run_loop", disk_full)
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "a" / "b" / "run" if nested else tmp_path
    with pytest.raises(AutonumericsError, match=r"No space left on device \(.*events\.jsonl\)$"):
        start_search(small_config("search.max_evals=5"), out, workers=0, compare=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("workers", [-1, True, 1.0, "2", None])
def test_a_worker_count_is_an_integer_of_zero_or_more(workers):
    with pytest.raises(AutonumericsError, match=re.escape(f"workers: expected an integer >= 0, "
                                                          f"got {workers!r}")):
        check_workers(workers)
    assert check_workers(0) == 0 and check_workers(3) == 3


def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, small_config):
    config = small_config("search.max_evals=5")
    with pytest.raises(AutonumericsError, match="workers"):
        start_search(config, tmp_path / "run", workers=-2)
    with pytest.raises(AutonumericsError, match="an external executor needs workers >= 1"):
        start_search(config, tmp_path / "run", workers=0, executor=object())
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(AutonumericsError, match=r"is not a run folder \(no config.toml\)"):
        resume_search(tmp_path / "run", workers=0)
    assert list(tmp_path.iterdir()) == []


def test_the_default_run_folder_is_a_timestamp_under_runs():
    out = default_out_dir()
    assert out.parent == Path("runs") and re.fullmatch(r"\d{8}-\d{6}", out.name)
