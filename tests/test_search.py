"""The evolutionary search: determinism, kill -9 and resume, population and archive rules."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from autonumerics.cli import main
from autonumerics.evolution.config import load_config
from autonumerics.ir.parse import parse_expr
from autonumerics.evolution.population import Archive, Member, Population, non_dominated
from autonumerics.api.runs import resume_search, start_search

SMALL = [
    "evaluation.train_points=128", "evaluation.validation_points=256", "evaluation.final_points=512",
    "search.fit_budget=300", "search.population=30", "search.checkpoint_seconds=0.2",
]


def small_config(*extra):
    return load_config(None, SMALL + list(extra))


def events(path):
    return [json.loads(line) for line in (path / "events.jsonl").read_text().splitlines()]


def test_inline_runs_with_one_seed_log_identical_events(tmp_path):
    for name in ("a", "b"):
        start_search(small_config("search.max_evals=40", "search.seed=7"), tmp_path / name, workers=0)
    assert (tmp_path / "a" / "events.jsonl").read_bytes() == (tmp_path / "b" / "events.jsonl").read_bytes()
    assert len(events(tmp_path / "a")) == 40


@pytest.mark.slow
def test_search_from_identity_improves_on_the_straight_line(tmp_path):
    summary = start_search(small_config("search.max_evals=500", "search.seed=1"), tmp_path / "run", workers=0)
    best = min(float(entry["final_error"]) for entry in summary.front)
    assert best < 0.02  # the best line has 0.0298; a 3-op rational has 8.7e-4


def test_front_members_are_program_files(tmp_path, capsys):
    summary = start_search(small_config("search.max_evals=20"), tmp_path / "run", workers=0)
    assert (tmp_path / "run" / "pareto.json").exists()
    for entry in summary.front:
        assert main(["evaluate", str(tmp_path / "run" / entry["file"]), "--points", "64", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["n_ops"] == entry["n_ops"]


def test_run_folder_is_not_overwritten(tmp_path, capsys):
    start_search(small_config("search.max_evals=3"), tmp_path / "run", workers=0)
    assert main(["search", "--out", str(tmp_path / "run"), "--max-evals", "3", "--json"]) == 2
    assert "already holds a run" in capsys.readouterr().err


def test_resume_continues_an_inline_run_without_repeating_children(tmp_path):
    start_search(small_config("search.max_evals=30"), tmp_path / "run", workers=0)
    resume_search(tmp_path / "run", workers=0, max_evals=50)
    ids = [e["id"] for e in events(tmp_path / "run")]
    assert len(ids) == 50 and len(set(ids)) == 50


def test_sigkill_then_resume_loses_only_children_in_flight(tmp_path):
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "autonumerics", "search", "--out", str(run), "--workers", "1",
            "--time-budget", "120s", "--json"] + [a for s in SMALL for a in ("--set", s)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if (run / "checkpoint.json").exists() and len(events(run)) >= 25:
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = events(run)
    assert len(before) >= 25, "the search did not get going"
    checkpoint = json.loads((run / "checkpoint.json").read_text())
    front_before = [(m["cost"], float(m["fitness"])) for m in checkpoint["archive"]]
    summary = resume_search(run, workers=0, max_evals=len(before) + 15)
    after = events(run)
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


def member(id, fitness, cost):
    return Member(id, -1, parse_expr("x"), fitness, cost)


def test_dominance_and_front():
    a, b, c = member(0, 0.1, 2), member(1, 0.2, 2), member(2, 0.05, 5)
    assert a.dominates(b) and not a.dominates(c) and not c.dominates(a)
    assert [m.id for m in non_dominated([a, b, c])] == [0, 2]


def test_population_ages_out_the_oldest():
    population = Population(3)
    for i in range(5):
        population.add(member(i, 1.0, 1))
    assert [m.id for m in population.members] == [2, 3, 4]


def test_tournament_picks_a_non_dominated_member_of_its_sample():
    population = Population(10, [member(0, 0.5, 1), member(1, 0.9, 3)])
    rng = np.random.default_rng(0)
    assert {population.tournament(rng, 2).id for _ in range(20)} == {0}


def test_archive_keeps_the_best_per_cost_and_ignores_infinite_errors():
    archive = Archive()
    assert archive.update(member(0, 0.5, 1)) and not archive.update(member(1, 0.6, 1))
    assert archive.update(member(2, 0.4, 1)) and not archive.update(member(3, float("inf"), 2))
    assert [m.id for m in archive.front()] == [2]
