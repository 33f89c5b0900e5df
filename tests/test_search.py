"""Whole searches: determinism, quality, an existing run folder, kill -9 and resume.

The parts have their own modules: test_population, test_state, test_storage, test_child,
test_evolve and test_runs.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from autonumerics.api.runs import resume_search, start_search
from autonumerics.cli import main


def test_inline_runs_with_one_seed_log_identical_events(tmp_path, small_config, run_events):
    for name in ("a", "b"):
        start_search(small_config("search.max_evals=40", "search.seed=7"), tmp_path / name,
                     workers=0)
    events = [(tmp_path / name / "events.jsonl").read_bytes() for name in ("a", "b")]
    assert events[0] == events[1]
    assert len(run_events(tmp_path / "a")) == 40


@pytest.mark.slow
def test_search_from_identity_improves_on_the_straight_line(tmp_path, small_config):
    config = small_config("search.max_evals=500", "search.seed=1")
    summary = start_search(config, tmp_path / "run", workers=0)
    best = min(float(entry["final_error"]) for entry in summary.front)
    assert best < 0.02  # the best line has 0.0298; a 3-op rational has 8.7e-4


def test_run_folder_is_not_overwritten(tmp_path, capsys, small_config):
    start_search(small_config("search.max_evals=3"), tmp_path / "run", workers=0)
    assert main(["search", "--out", str(tmp_path / "run"), "--max-evals", "3", "--json"]) == 2
    assert "already holds a run" in capsys.readouterr().err


def test_sigkill_then_resume_loses_only_children_in_flight(tmp_path, search_settings, run_events):
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "autonumerics", "search", "--out", str(run), "--workers", "1",
            "--time-budget", "120s", "--json"] + [a for s in search_settings for a in ("--set", s)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if (run / "checkpoint.json").exists() and len(run_events(run)) >= 25:
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = run_events(run)
    assert len(before) >= 25, "the search did not get going"
    checkpoint = json.loads((run / "checkpoint.json").read_text())
    front_before = [(m["cost"], float(m["fitness"])) for m in checkpoint["archive"]]
    summary = resume_search(run, workers=0, max_evals=len(before) + 15)
    after = run_events(run)
    ids = [e["id"] for e in after]
    assert len(ids) == len(set(ids)), "a child was recorded twice"
    assert after[: len(before)] == before, "the resume rewrote history"
    assert summary.n_evaluated == len(after)
    # ids are given out in order; at most the 2 children in flight at the kill are missing
    missing = set(range(max(ids) + 1)) - set(ids)
    assert len(missing) <= 2
    front_after = [(e["cost"], float(e["fitness"])) for e in summary.front]
    for cost, fitness in front_before:  # the front is at least as good
        assert any(c <= cost and f <= fitness for c, f in front_after)
