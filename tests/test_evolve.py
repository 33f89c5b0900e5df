"""The evolution loop: seeds checked up front, each result recorded once, the evaluation budget
and a stop request observed, the checkpoint counting what the log holds."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from autonumerics.api.runs import start_search
from autonumerics.errors import AutonumericsError
from autonumerics.evolution import evolve
from autonumerics.evolution.evolve import Search, run_task
from autonumerics.evolution.state import SearchState
from autonumerics.evolution.storage import RunFolder


def test_a_second_result_for_a_recorded_child_is_ignored(inline_search, run_events):
    search = inline_search("search.max_evals=1")
    search.run_loop(None, 1)  # records the identity seed, child 0
    task = search._new_task()
    search._open.add(task.child_id)
    result = run_task(task)
    logs = search.run.open_logs()
    assert search._accept(result, logs) and not search._accept(result, logs)
    for log in logs:
        log.close()
    assert [event["id"] for event in run_events(search.run.path)] == [0, 1]
    assert search.state.n_evaluated == 2


def test_the_loop_stops_at_max_evals_with_a_checkpoint_of_the_whole_log(inline_search, run_events):
    search = inline_search("search.max_evals=7")
    search.run_loop(None, 1)
    events = run_events(search.run.path)
    assert [event["id"] for event in events] == list(range(7)) and search.state.n_evaluated == 7
    checkpoint = json.loads(search.run.checkpoint_path.read_text())
    assert checkpoint["n_evaluated"] == 7
    assert checkpoint["events_offset"] == search.run.events_path.stat().st_size
    assert not search.exhausted and search.stop_reason == ""


def test_a_stop_requested_before_the_loop_records_nothing_but_checkpoints(inline_search):
    search = inline_search()
    search.stop_requested.set()
    search.run_loop(None, 1)
    assert search.state.n_evaluated == 0 and search.run.events_path.read_text() == ""
    assert json.loads(search.run.checkpoint_path.read_text())["n_evaluated"] == 0


def test_a_seed_that_does_not_parse_is_named_before_the_loop(tmp_path, small_config):
    config = small_config('search.seeds=["x", "x +"]')
    with pytest.raises(AutonumericsError, match=r"search\.seeds\[1\]"):
        Search(config, RunFolder(tmp_path / "run"), SearchState.fresh(30, 0))
    assert not (tmp_path / "run").exists()


def test_looking_for_a_new_child_observes_the_budget(tmp_path, monkeypatch, small_config):
    monkeypatch.setattr(evolve, "EXHAUSTED_AFTER", 10**9)  # never concludes: the budget ends it
    config = small_config("mutation.max_ops=1", 'search.time_budget="3s"')
    summary = start_search(config, tmp_path / "run", workers=0, compare=False)
    assert summary.n_skipped > 100 and summary.stop_reason == ""  # looking, then the budget
    assert 3.0 <= summary.elapsed < 20  # stopped by the budget, not spinning on (a busy machine)


def test_looking_for_a_new_child_observes_sigterm(tmp_path, monkeypatch, small_config):
    monkeypatch.setattr(evolve, "EXHAUSTED_AFTER", 10**9)
    original = signal.getsignal(signal.SIGTERM)
    sent = []

    def terminate_once_the_search_catches_it():
        deadline = time.monotonic() + 120
        while signal.getsignal(signal.SIGTERM) is original:  # the search's handler is not set yet
            if time.monotonic() > deadline:
                return  # never set: nothing is sent, and the test fails
            time.sleep(0.2)
        time.sleep(1.5)  # the 9 programs within one op are fitted by now: the search is looking
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_once_the_search_catches_it, daemon=True).start()
    config = small_config("mutation.max_ops=1", 'search.time_budget="300s"')
    summary = start_search(config, tmp_path / "run", workers=0, compare=False)
    assert sent and time.monotonic() - sent[0] < 20 and summary.elapsed < 60
    assert signal.getsignal(signal.SIGTERM) is original
