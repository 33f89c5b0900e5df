"""Hostile searches: every search ends, one process per run folder, no half-made folders, one line per failure.

Each repro that is a CLI run is run as one (a subprocess): exit status 2, exactly one line on
stderr, no traceback, no folder left behind, within a time bound.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.evolution import evolve, storage
from autonumerics.evolution.config import load_config
from autonumerics.errors import AutonumericsError
from autonumerics.api.runs import resume_search, start_search
from autonumerics.evolution.search_limits import checkpoint_interval
from autonumerics.evolution.state import SearchState
from autonumerics.evolution.storage import LOCK_NAME, RunFolder

SMALL = [
    "evaluation.train_points=128", "evaluation.validation_points=256", "evaluation.final_points=512",
    "search.fit_budget=300", "search.population=30", "search.checkpoint_seconds=0.2",
]
CLI_SECONDS = 120  # a bound for one CLI run on a busy machine (imports alone take seconds there)
ERROR_SECONDS = 60  # a bound for a CLI run that fails before it searches


def small_config(*extra: str):
    return load_config(None, SMALL + list(extra))


def sets(*extra: str) -> list[str]:
    return [argument for setting in SMALL + list(extra) for argument in ("--set", setting)]


def cli(*args: str, timeout: float = CLI_SECONDS) -> subprocess.CompletedProcess:
    """``autonumerics ARGS`` in a subprocess; fails the test if it outlives ``timeout``."""
    return subprocess.run([sys.executable, "-m", "autonumerics", *args], capture_output=True, text=True,
                          timeout=timeout)


def assert_one_line_error(run: subprocess.CompletedProcess, *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def events(path: Path) -> list[dict]:
    log = path / "events.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def base_run(tmp_path_factory) -> Path:
    """A finished 30-child inline run (copy it before damaging it)."""
    path = tmp_path_factory.mktemp("base") / "run"
    start_search(small_config("search.max_evals=30"), path, workers=0, compare=False)
    return path


def copy_run(base: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(base, tmp_path / "run"))


# -- every search ends ---------------------------------------------------------------------------

@pytest.mark.parametrize("override", ["mutation.max_ops=1", 'mutation.ops=["neg"]'])
def test_a_search_with_nothing_new_to_try_stops_and_says_why(tmp_path, override):
    run = cli("search", "--out", str(tmp_path / "run"), "--workers", "0", "--time-budget", "300s", "--json",
              *sets(override))
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert summary["stop_reason"].startswith("nothing new to try") and summary["seconds"] < 60
    assert summary["front"] and (tmp_path / "run" / "checkpoint.json").exists()


def test_looking_for_a_new_child_observes_the_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(evolve, "EXHAUSTED_AFTER", 10**9)  # never concludes: only the budget can end it
    summary = start_search(small_config("mutation.max_ops=1", 'search.time_budget="3s"'), tmp_path / "run",
                           workers=0, compare=False)
    assert summary.n_skipped > 100 and summary.stop_reason == ""  # it was looking, then the budget ended it
    assert 3.0 <= summary.elapsed < 20  # stopped by the budget, not spinning on (a loaded CI machine is slow)


def test_looking_for_a_new_child_observes_sigterm(tmp_path, monkeypatch):
    monkeypatch.setattr(evolve, "EXHAUSTED_AFTER", 10**9)
    original = signal.getsignal(signal.SIGTERM)
    sent = []

    def terminate_once_the_search_catches_it():
        wait_for(lambda: signal.getsignal(signal.SIGTERM) is not original, 120)
        time.sleep(1.5)  # the 9 programs within one op are fitted by now: the search is looking
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_once_the_search_catches_it, daemon=True).start()
    summary = start_search(small_config("mutation.max_ops=1", 'search.time_budget="300s"'), tmp_path / "run",
                           workers=0, compare=False)
    assert sent and time.monotonic() - sent[0] < 20 and summary.elapsed < 60
    assert signal.getsignal(signal.SIGTERM) is original


def test_a_spent_budget_still_fits_the_seeds(tmp_path):
    summary = start_search(small_config('search.time_budget="1s"', 'search.seeds=["x", "1 + x"]'), tmp_path / "run",
                           workers=0, compare=False, started_at=time.monotonic() - 10)
    assert summary.n_evaluated == 2 and summary.front


def test_a_search_that_ends_before_its_first_child_leaves_no_folder(tmp_path):
    with pytest.raises(AutonumericsError, match="stopped before its first child was fitted"):
        start_search(small_config('search.time_budget="1s"'), tmp_path / "run", workers=0, compare=False,
                     started_at=time.monotonic() - 1000)  # past the seeds' grace too
    assert list(tmp_path.iterdir()) == []


def test_the_search_stops_within_two_seconds_of_its_budget(tmp_path):
    run = cli("search", "--out", str(tmp_path / "run"), "--workers", "0", "--time-budget", "4s", "--json", *sets())
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert summary["n_evaluated"] > 0 and 4.0 <= summary["seconds"] <= 6.0


@pytest.mark.slow
def test_a_ten_second_budget_with_workers_is_ten_seconds_of_search(tmp_path):
    started = time.monotonic()
    run = cli("search", "--out", str(tmp_path / "run"), "--time-budget", "10s", "--json", *sets())
    wall = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert 10.0 <= summary["seconds"] <= 12.0
    # what is left: the interpreter's start and the front's validation and comparison (reported)
    assert wall - summary["finish_seconds"] < summary["seconds"] + 10


def test_a_checkpoint_interval_that_is_not_a_number_falls_back_to_the_default():
    config = small_config()
    for value, expected in ((float("nan"), 5.0), (-1.0, 5.0), (float("inf"), 5.0), (0.2, 0.2)):
        bad = dataclasses.replace(config, search=dataclasses.replace(config.search, checkpoint_seconds=value))
        assert checkpoint_interval(bad) == expected


# -- bad starts: one line, nothing written ----------------------------------------------------------

BAD_STARTS = [
    (["--time-budget", "0", "--max-evals", "5", "--set", "search.seeds=[]"], "search.seeds"),
    (["--set", 'search.seeds=["x +"]'], "search.seeds[0]"),
    (["--set", "mutation.max_ops=0"], "max_ops"),
    (["--set", "mutation.max_constants=-1"], "max_constants"),
    (["--set", "mutation.weights={insert=-1}"], "insert"),
    (["--set", "mutation.ops=[]"], "mutation"),
    (["--set", "evaluation.digits=-5"], "digits"),
    (["--seed", "-3"], "search.seed"),
    (["--workers", "-1"], "--workers"),
    (["--interval", "1e-50,2e-50", "--set", 'evaluation.dtype="float32"'], "float32"),
]


@pytest.mark.parametrize("arguments, named", BAD_STARTS, ids=[named for _, named in BAD_STARTS])
def test_a_bad_start_is_one_line_and_leaves_no_folder(tmp_path, arguments, named):
    out = tmp_path / "a" / "run"
    run = cli("search", "--out", str(out), "--workers", "0", "--max-evals", "5", "--json", *sets(), *arguments,
              timeout=ERROR_SECONDS)
    assert_one_line_error(run, named)
    assert not (tmp_path / "a").exists()


def test_a_bad_start_into_an_existing_folder_leaves_it_as_it_was(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = cli("search", "--out", str(tmp_path), "--workers", "0", "--json", *sets('search.seeds=["x +"]'),
              timeout=ERROR_SECONDS)
    assert_one_line_error(run, "search.seeds[0]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("nested", [False, True])
def test_a_start_that_fails_before_its_first_child_removes_what_it_made(tmp_path, monkeypatch, nested):
    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.run.events_path))

    monkeypatch.setattr(evolve.Search, "run_loop", disk_full)
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "a" / "b" / "run" if nested else tmp_path
    with pytest.raises(AutonumericsError, match=r"No space left on device \(.*events\.jsonl\)$"):
        start_search(small_config("search.max_evals=5"), out, workers=0, compare=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_leaves_no_folder(tmp_path):
    pytest.importorskip("distributed")
    run = cli("search", "--out", str(tmp_path / "run"), "--dask", "tcp://127.0.0.1:1", "--max-evals", "5", *sets())
    assert_one_line_error(run, "--dask tcp://127.0.0.1:1")
    assert not (tmp_path / "run").exists()


# -- one process per run folder ---------------------------------------------------------------------

def test_a_locked_run_folder_refuses_a_second_holder(tmp_path):
    config = small_config()
    run = RunFolder.create(tmp_path / "run", config)
    with pytest.raises(AutonumericsError, match=rf"in use by another autonumerics process \(pid {os.getpid()}\)"):
        RunFolder.open(tmp_path / "run").lock()
    with pytest.raises(AutonumericsError, match="in use by another autonumerics process"):
        RunFolder.create(tmp_path / "run", config)
    run.release()
    with pytest.raises(AutonumericsError, match="already holds a run"):
        RunFolder.create(tmp_path / "run", config)
    again = RunFolder.open(tmp_path / "run")
    again.lock()
    again.release()


def test_concurrent_starts_into_one_folder_make_one_run(tmp_path, monkeypatch):
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
    assert all("in use by another" in o or "already holds a run" in o for o in outcomes if isinstance(o, str))
    assert sorted(p.name for p in path.iterdir()) == sorted([LOCK_NAME, "config.toml", "events.jsonl",
                                                             "timings.jsonl"])
    created[0].release()


@pytest.mark.slow
def test_resume_while_the_search_runs_is_refused(tmp_path):
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "autonumerics", "search", "--out", str(run), "--workers", "0",
            "--time-budget", "300s", "--json", *sets()]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: len(events(run)) >= 5, CLI_SECONDS)
        assert_one_line_error(cli("resume", str(run), "--workers", "0", "--max-evals", "5"),
                              "in use by another autonumerics process", f"(pid {process.pid})")
        assert_one_line_error(cli("search", "--out", str(run), "--workers", "0", "--max-evals", "5", *sets()),
                              "already holds a run")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    ids = [event["id"] for event in events(run)]
    assert len(ids) == len(set(ids))


def session_processes(session: int) -> list[int]:
    """Live (not zombie) processes of a session, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_driver_leaves_no_process_and_the_folder_resumes(tmp_path):
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "autonumerics", "search", "--out", str(run), "--workers", "2",
            "--time-budget", "300s", "--json", *sets()]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: len(events(run)) >= 10, CLI_SECONDS)
        assert len(session_processes(process.pid)) >= 4  # driver, fork server, resource tracker, workers
        os.kill(process.pid, signal.SIGKILL)  # the driver alone, as the OS would
        process.wait()
        deadline = time.monotonic() + 10
        while session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session_processes(process.pid) == [], "a worker, the fork server or the resource tracker survived"
    finally:
        with_leftovers = session_processes(process.pid)
        for pid in with_leftovers:
            os.kill(pid, signal.SIGKILL)
    before = len(events(run))
    summary = resume_search(run, workers=0, max_evals=before + 5, compare=False)  # the OS dropped the lock
    ids = [event["id"] for event in events(run)]
    assert len(ids) == len(set(ids)) == summary.n_evaluated == before + 5


# -- damaged run folders on resume ------------------------------------------------------------------

def cut_checkpoint_at_line(run: Path, line: int) -> None:
    """Point the checkpoint at the end of ``line`` (the events after it are replayed)."""
    data = (run / "events.jsonl").read_bytes()
    offset = sum(len(item) for item in data.splitlines(keepends=True)[:line])
    checkpoint = json.loads((run / "checkpoint.json").read_text())
    (run / "checkpoint.json").write_text(json.dumps({**checkpoint, "events_offset": offset}))


def corrupt_line_25(run: Path) -> None:
    cut_checkpoint_at_line(run, 20)
    lines = (run / "events.jsonl").read_text().splitlines(keepends=True)
    lines[24] = '{"id": 24, garbage\n'
    (run / "events.jsonl").write_text("".join(lines))


def drop_rng(run: Path) -> None:
    checkpoint = json.loads((run / "checkpoint.json").read_text())
    del checkpoint["rng"]
    (run / "checkpoint.json").write_text(json.dumps(checkpoint))


def truncate_log(run: Path) -> None:
    lines = (run / "events.jsonl").read_text().splitlines(keepends=True)
    (run / "events.jsonl").write_text("".join(lines[:10]))


DAMAGES = [
    (corrupt_line_25, ["events.jsonl, line 25: not an event"]),
    (drop_rng, ["checkpoint.json: not a checkpoint autonumerics wrote (missing key 'rng')"]),
    (lambda run: (run / "events.jsonl").unlink(), ["events.jsonl is missing"]),
    (truncate_log, ["events_offset", "remove checkpoint.json"]),
    (lambda run: (run / "checkpoint.json").write_text("{"), ["corrupt checkpoint"]),
    (lambda run: (run / "checkpoint.json").write_text("[1, 2]"), ["corrupt checkpoint"]),
]


@pytest.mark.parametrize("damage, words", DAMAGES, ids=["corrupt-line", "no-rng", "no-events", "truncated-log",
                                                        "bad-json", "not-an-object"])
def test_resuming_a_damaged_folder_is_one_line(base_run, tmp_path, damage, words):
    run = copy_run(base_run, tmp_path)
    damage(run)
    assert_one_line_error(cli("resume", str(run), "--workers", "0", "--max-evals", "40", "--json",
                              timeout=ERROR_SECONDS), *words)


def test_a_truncated_log_resumes_without_its_checkpoint(base_run, tmp_path):
    run = copy_run(base_run, tmp_path)
    truncate_log(run)
    (run / "checkpoint.json").unlink()  # what the error above advises
    summary = resume_search(run, workers=0, max_evals=15, compare=False)
    ids = [event["id"] for event in events(run)]
    assert len(ids) == len(set(ids)) == summary.n_evaluated == 15


ALWAYS_READ = ["id", "fit", "fingerprint", "structure"]  # keys every replayed event is read by


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 29), st.integers(0, 29), st.sampled_from(["cut", "drop", "not-an-object"]),
       st.sampled_from(ALWAYS_READ), st.integers(1, 200))
def test_a_damaged_event_line_is_named_by_its_number(base_run, tmp_path_factory, damaged, first, how, key, cut):
    first = min(first, damaged)  # the checkpoint ends at line `first`: line `damaged` is replayed
    run = copy_run(base_run, tmp_path_factory.mktemp("damaged"))
    lines = (run / "events.jsonl").read_text().splitlines()
    if how == "cut":
        lines[damaged] = lines[damaged][: min(cut, len(lines[damaged]) - 1)]
    elif how == "drop":
        lines[damaged] = json.dumps({k: v for k, v in json.loads(lines[damaged]).items() if k != key})
    else:
        lines[damaged] = "[1, 2]"
    (run / "events.jsonl").write_text("\n".join(lines) + "\n")
    offset = sum(len(line) + 1 for line in lines[:first])
    with pytest.raises(AutonumericsError, match=rf"events\.jsonl, line {damaged + 1}: not an event"):
        RunFolder(run).replay_events(offset, SearchState.fresh(30, 0).record)


# -- durability and the front --------------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names open files through /proc")
def test_the_log_is_on_disk_before_a_checkpoint_names_its_length(tmp_path, monkeypatch):
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


# -- read-only and full file systems (a tmpfs in a private mount namespace) -------------------------

def can_mount_tmpfs() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


needs_tmpfs = pytest.mark.skipif(not can_mount_tmpfs(), reason="needs unshare -m and mount (root in a container)")


def in_tmpfs(script: str, size: str, tmp_path: Path, timeout: float = 2 * CLI_SECONDS) -> None:
    """Run ``script`` (sh) with $M a fresh tmpfs of ``size``, $OUT a folder outside it, $AN autonumerics."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    (tmp_path / "out").mkdir()
    environment = {**os.environ, "M": str(mount), "OUT": str(tmp_path / "out"),
                   "AN": f"{sys.executable} -m autonumerics"}
    subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size={size} tmpfs \"$M\" && {script}"],
                   env=environment, check=True, timeout=timeout)


def recorded(out: Path, name: str) -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess([], int((out / f"{name}.rc").read_text()), "", (out / f"{name}.err").read_text())


@needs_tmpfs
def test_a_full_file_system_is_one_line_and_the_run_resumes(tmp_path):
    settings_text = " ".join(f"--set '{setting}'" for setting in SMALL)
    in_tmpfs(f'$AN search --out "$M/run" --workers 0 --max-evals 3000 --time-budget 300s --json {settings_text} '
             '>/dev/null 2>"$OUT/full.err"; echo $? >"$OUT/full.rc"; cp -a "$M/run" "$OUT/run"', "48k", tmp_path)
    out = tmp_path / "out"
    assert_one_line_error(recorded(out, "full"), "No space left on device")
    run = out / "run"
    before = len(events(run))
    assert before > 0
    summary = resume_search(run, workers=0, max_evals=before + 5, compare=False)
    ids = [event["id"] for event in events(run)]
    assert len(ids) == len(set(ids)) == summary.n_evaluated == before + 5


@needs_tmpfs
def test_a_read_only_file_system_is_one_line(base_run, tmp_path):
    settings_text = " ".join(f"--set '{setting}'" for setting in SMALL)
    in_tmpfs(f'cp -a "{base_run}" "$M/run" && mount -o remount,ro "$M" && '
             '{ $AN resume "$M/run" --workers 0 --max-evals 40 --json >/dev/null 2>"$OUT/resume.err"; '
             'echo $? >"$OUT/resume.rc"; '
             f'$AN search --out "$M/new" --workers 0 --max-evals 5 --json {settings_text} '
             '>/dev/null 2>"$OUT/search.err"; '
             'echo $? >"$OUT/search.rc"; }', "1m", tmp_path)
    out = tmp_path / "out"
    assert_one_line_error(recorded(out, "resume"), "Read-only file system")
    assert_one_line_error(recorded(out, "search"), "Read-only file system")
