"""Run folders: one holder at a time, clean failed starts, the logs and their replay, the
checkpoint on disk before it counts, the front's files."""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.api.runs import start_search
from autonumerics.errors import AutonumericsError
from autonumerics.evolution import storage
from autonumerics.evolution.state import SearchState
from autonumerics.evolution.storage import LOCK_NAME, RunFolder, check_new_run_folder

# -- one process per run folder -------------------------------------------------------------


def test_a_locked_run_folder_refuses_a_second_holder(tmp_path, small_config):
    config = small_config()
    run = RunFolder.create(tmp_path / "run", config)
    held = rf"in use by another autonumerics process \(pid {os.getpid()}\)"
    with pytest.raises(AutonumericsError, match=held):
        RunFolder.open(tmp_path / "run").lock()
    with pytest.raises(AutonumericsError, match="in use by another autonumerics process"):
        RunFolder.create(tmp_path / "run", config)
    run.release()
    with pytest.raises(AutonumericsError, match="already holds a run"):
        RunFolder.create(tmp_path / "run", config)
    again = RunFolder.open(tmp_path / "run")
    again.lock()
    again.release()


def test_concurrent_starts_into_one_folder_make_one_run(tmp_path, monkeypatch, small_config):
    config, path, outcomes = small_config(), tmp_path / "new" / "run", []
    real_config_to_toml = storage.config_to_toml

    def slow_config_to_toml(*args):  # widens the window between "no run here yet" and writing one
        time.sleep(0.3)
        return real_config_to_toml(*args)

    monkeypatch.setattr(storage, "config_to_toml", slow_config_to_toml)
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            outcomes.append(RunFolder.create(path, config))
        except AutonumericsError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = [o for o in outcomes if isinstance(o, RunFolder)]
    assert len(created) == 1 and len(outcomes) == 8
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert all("in use by another" in o or "already holds a run" in o for o in refusals)
    made = [LOCK_NAME, "config.toml", "events.jsonl", "timings.jsonl"]
    assert sorted(p.name for p in path.iterdir()) == sorted(made)
    created[0].release()


def test_a_discarded_start_removes_the_folders_it_made_and_only_what_it_wrote(tmp_path,
                                                                               small_config):
    config = small_config()
    nested = RunFolder.create(tmp_path / "a" / "b" / "run", config)
    nested.discard()
    assert list(tmp_path.iterdir()) == []  # the run folder and the two parents it made
    (tmp_path / "notes.txt").write_text("mine")
    existing = RunFolder.create(tmp_path, config)
    (tmp_path / "front").mkdir()
    existing.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    again = RunFolder.create(tmp_path, config)  # the lock went with it
    again.release()


def test_a_file_or_a_folder_with_a_run_cannot_become_a_new_run(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(AutonumericsError, match="is not a folder"):
        check_new_run_folder(tmp_path / "file")
    (tmp_path / "config.toml").write_text("")
    with pytest.raises(AutonumericsError, match=f"`autonumerics resume {tmp_path}` continues it"):
        check_new_run_folder(tmp_path)
    check_new_run_folder(tmp_path / "missing")  # a new folder is fine
    with pytest.raises(AutonumericsError, match=r"is not a run folder \(no config.toml\)"):
        RunFolder.open(tmp_path / "missing")


# -- the logs -----------------------------------------------------------------------------------

ALWAYS_READ = ["id", "fit", "fingerprint", "structure"]  # keys every replayed event is read by


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 29), st.integers(0, 29), st.sampled_from(["cut", "drop", "not-an-object"]),
       st.sampled_from(ALWAYS_READ), st.integers(1, 200))
def test_a_damaged_event_line_is_named_by_its_number(base_run_copy, damaged, first, how, key, cut):
    first = min(first, damaged)  # the checkpoint ends at line `first`: line `damaged` is replayed
    run = base_run_copy()
    lines = (run / "events.jsonl").read_text().splitlines()
    if how == "cut":
        lines[damaged] = lines[damaged][: min(cut, len(lines[damaged]) - 1)]
    elif how == "drop":
        event = json.loads(lines[damaged])
        lines[damaged] = json.dumps({k: v for k, v in event.items() if k != key})
    else:
        lines[damaged] = "[1, 2]"
    (run / "events.jsonl").write_text("\n".join(lines) + "\n")
    offset = sum(len(line) + 1 for line in lines[:first])
    named = rf"events\.jsonl, line {damaged + 1}: not an event"
    with pytest.raises(AutonumericsError, match=named):
        RunFolder(run).replay_events(offset, SearchState.fresh(30, 0).record)


def test_replay_applies_exactly_the_events_after_the_offset(base_run_copy, run_events):
    run = base_run_copy()
    events = run_events(run)
    lines = (run / "events.jsonl").read_bytes().splitlines(keepends=True)
    offset = sum(len(line) for line in lines[:12])
    replayed = []
    RunFolder(run).replay_events(offset, replayed.append)
    assert replayed == events[12:] and len(events) == 30
    with pytest.raises(AutonumericsError, match="events_offset 5 does not end a line"):
        RunFolder(run).replay_events(5, replayed.append)
    with pytest.raises(AutonumericsError, match="remove checkpoint.json"):
        RunFolder(run).replay_events(10**9, replayed.append)


def test_a_half_written_last_line_is_dropped_and_a_missing_log_is_named(base_run_copy):
    run = base_run_copy()
    whole = (run / "events.jsonl").read_bytes()
    (run / "events.jsonl").write_bytes(whole + b'{"id": 30, "par')
    (run / "timings.jsonl").write_bytes((run / "timings.jsonl").read_bytes()[:-3])
    RunFolder(run).truncate_partial_lines()
    assert (run / "events.jsonl").read_bytes() == whole
    assert (run / "timings.jsonl").read_text().count("\n") == 29
    (run / "timings.jsonl").unlink()
    with pytest.raises(AutonumericsError, match="timings.jsonl is missing"):
        RunFolder(run).truncate_partial_lines()


@pytest.mark.parametrize("text, named", [("{", "corrupt checkpoint"),
                                         ("[1, 2]", "not a JSON object")])
def test_a_corrupt_checkpoint_is_one_error(tmp_path, text, named):
    run = RunFolder(tmp_path)
    assert run.read_checkpoint() is None  # no checkpoint yet: resume from the log
    run.checkpoint_path.write_text(text)
    with pytest.raises(AutonumericsError, match=named):
        run.read_checkpoint()


# -- durability and the front -------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names open files through /proc")
def test_the_log_is_on_disk_before_a_checkpoint_names_its_length(tmp_path, monkeypatch,
                                                                 small_config):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append(("fsync", os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def replace(source, target):
        calls.append(("replace", os.path.basename(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    start_search(small_config("search.max_evals=5"), tmp_path / "run", workers=0, compare=False)
    checkpoints = [i for i, call in enumerate(calls) if call == ("replace", "checkpoint.json")]
    assert checkpoints
    for index in checkpoints:
        synced = {name for kind, name in calls[:index] if kind == "fsync"}
        assert {"events.jsonl", "timings.jsonl"} <= synced
        assert calls[index - 1][0] == "fsync"  # the checkpoint's own data, before its rename


def test_front_files_that_leave_the_front_are_removed(tmp_path):
    run = RunFolder(tmp_path)
    (tmp_path / "front").mkdir()
    (tmp_path / "front" / "notes.txt").write_text("mine")
    run.write_front([{"n": 1}, {"n": 2}], [("ops_01_cost_1.json", {}), ("ops_02_cost_2.json", {})])
    run.write_front([{"n": 2}, {"n": 3}], [("ops_02_cost_2.json", {}), ("ops_03_cost_3.json", {})])
    assert sorted(p.name for p in (tmp_path / "front").iterdir()) == [
        "notes.txt", "ops_02_cost_2.json", "ops_03_cost_3.json"]
    assert json.loads((tmp_path / "pareto.json").read_text())["front"] == [{"n": 2}, {"n": 3}]
