"""Hostile searches: every search ends, one process per run folder, no half-made folders, one
line per failure.

Each repro that is a CLI run is run as one (a subprocess): exit status 2, exactly one line on
stderr, no traceback, no folder left behind, within a time bound. The same guarantees at the
level of the library are in test_evolve (budgets, SIGTERM), test_runs (failed starts) and
test_storage (the lock, damaged logs, durability).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autonumerics.api.runs import resume_search
from autonumerics.evolution.search_limits import checkpoint_interval

CLI_SECONDS = 120  # a bound for one CLI run on a busy machine (imports alone take seconds there)
ERROR_SECONDS = 60  # a bound for a CLI run that fails before it searches


def cli(*args: str, timeout: float = CLI_SECONDS) -> subprocess.CompletedProcess:
    """``autonumerics ARGS`` in a subprocess; fails the test if it outlives ``timeout``."""
    return subprocess.run([sys.executable, "-m", "autonumerics", *args], capture_output=True,
                          text=True, timeout=timeout)


def assert_one_line_error(run: subprocess.CompletedProcess, *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def search_in_background(run: Path, workers: int, arguments: list[str]) -> subprocess.Popen:
    """``autonumerics search`` into ``run`` with a 300 s budget, in a session of its own."""
    argv = [sys.executable, "-m", "autonumerics", "search", "--out", str(run), "--workers",
            str(workers), "--time-budget", "300s", "--json", *arguments]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


# -- every search ends ---------------------------------------------------------------------------

@pytest.mark.parametrize("override", ["mutation.max_ops=1", 'mutation.ops=["neg"]'])
def test_a_search_with_nothing_new_to_try_stops_and_says_why(tmp_path, override, search_arguments):
    run = cli("search", "--out", str(tmp_path / "run"), "--workers", "0", "--time-budget", "300s",
              "--json", *search_arguments(override))
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert summary["stop_reason"].startswith("nothing new to try") and summary["seconds"] < 60
    assert summary["front"] and (tmp_path / "run" / "checkpoint.json").exists()


def test_the_search_stops_within_two_seconds_of_its_budget(tmp_path, search_arguments):
    run = cli("search", "--out", str(tmp_path / "run"), "--workers", "0", "--time-budget", "4s",
              "--json", *search_arguments())
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert summary["n_evaluated"] > 0 and 4.0 <= summary["seconds"] <= 6.0


@pytest.mark.slow
def test_a_ten_second_budget_with_workers_is_ten_seconds_of_search(tmp_path, search_arguments):
    started = time.monotonic()
    run = cli("search", "--out", str(tmp_path / "run"), "--time-budget", "10s", "--json",
              *search_arguments())
    wall = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert 10.0 <= summary["seconds"] <= 12.0
    # what is left: the interpreter's start and the front's validation and comparison (reported)
    assert wall - summary["finish_seconds"] < summary["seconds"] + 10


def test_a_checkpoint_interval_that_is_not_a_number_falls_back_to_the_default(small_config):
    config = small_config()
    for value, expected in ((float("nan"), 5.0), (-1.0, 5.0), (float("inf"), 5.0), (0.2, 0.2)):
        search = dataclasses.replace(config.search, checkpoint_seconds=value)
        bad = dataclasses.replace(config, search=search)
        assert checkpoint_interval(bad) == expected


# -- bad starts: one line, nothing written ---------------------------------------------------------

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
def test_a_bad_start_is_one_line_and_leaves_no_folder(tmp_path, arguments, named, search_arguments):
    out = tmp_path / "a" / "run"
    run = cli("search", "--out", str(out), "--workers", "0", "--max-evals", "5", "--json",
              *search_arguments(), *arguments, timeout=ERROR_SECONDS)
    assert_one_line_error(run, named)
    assert not (tmp_path / "a").exists()


def test_a_bad_start_into_an_existing_folder_leaves_it_as_it_was(tmp_path, search_arguments):
    (tmp_path / "notes.txt").write_text("mine")
    run = cli("search", "--out", str(tmp_path), "--workers", "0", "--json",
              *search_arguments('search.seeds=["x +"]'), timeout=ERROR_SECONDS)
    assert_one_line_error(run, "search.seeds[0]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_leaves_no_folder(tmp_path, search_arguments):
    pytest.importorskip("distributed")
    run = cli("search", "--out", str(tmp_path / "run"), "--dask", "tcp://127.0.0.1:1",
              "--max-evals", "5", *search_arguments())
    assert_one_line_error(run, "--dask tcp://127.0.0.1:1")
    assert not (tmp_path / "run").exists()


# -- one process per run folder --------------------------------------------------------------------

@pytest.mark.slow
def test_resume_while_the_search_runs_is_refused(tmp_path, search_arguments, run_events):
    run = tmp_path / "run"
    process = search_in_background(run, 0, search_arguments())
    try:
        wait_for(lambda: len(run_events(run)) >= 5, CLI_SECONDS)
        assert_one_line_error(cli("resume", str(run), "--workers", "0", "--max-evals", "5"),
                              "in use by another autonumerics process", f"(pid {process.pid})")
        again = cli("search", "--out", str(run), "--workers", "0", "--max-evals", "5",
                    *search_arguments())
        assert_one_line_error(again, "already holds a run")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    ids = [event["id"] for event in run_events(run)]
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
def test_kill_9_of_the_driver_leaves_no_process_and_the_folder_resumes(tmp_path, search_arguments,
                                                                       run_events):
    run = tmp_path / "run"
    process = search_in_background(run, 2, search_arguments())
    try:
        wait_for(lambda: len(run_events(run)) >= 10, CLI_SECONDS)
        # driver, fork server, resource tracker, workers
        assert len(session_processes(process.pid)) >= 4
        os.kill(process.pid, signal.SIGKILL)  # the driver alone, as the OS would
        process.wait()
        deadline = time.monotonic() + 10
        while session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = session_processes(process.pid)
        assert survivors == [], "a worker, the fork server or the resource tracker survived"
    finally:
        with_leftovers = session_processes(process.pid)
        for pid in with_leftovers:
            os.kill(pid, signal.SIGKILL)
    before = len(run_events(run))
    # the OS dropped the lock
    summary = resume_search(run, workers=0, max_evals=before + 5, compare=False)
    ids = [event["id"] for event in run_events(run)]
    assert len(ids) == len(set(ids)) == summary.n_evaluated == before + 5


# -- damaged run folders on resume -----------------------------------------------------------------

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


@pytest.mark.parametrize("damage, words", DAMAGES, ids=["corrupt-line", "no-rng", "no-events",
                                                        "truncated-log", "bad-json",
                                                        "not-an-object"])
def test_resuming_a_damaged_folder_is_one_line(damage, words, base_run_copy):
    run = base_run_copy()
    damage(run)
    assert_one_line_error(cli("resume", str(run), "--workers", "0", "--max-evals", "40", "--json",
                              timeout=ERROR_SECONDS), *words)


def test_a_truncated_log_resumes_without_its_checkpoint(run_events, base_run_copy):
    run = base_run_copy()
    truncate_log(run)
    (run / "checkpoint.json").unlink()  # what the error above advises
    summary = resume_search(run, workers=0, max_evals=15, compare=False)
    ids = [event["id"] for event in run_events(run)]
    assert len(ids) == len(set(ids)) == summary.n_evaluated == 15


# -- read-only and full file systems (a tmpfs in a private mount namespace) ------------------------

def can_mount_tmpfs() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


needs_tmpfs = pytest.mark.skipif(not can_mount_tmpfs(),
                                 reason="needs unshare -m and mount (root in a container)")


def in_tmpfs(script: str, size: str, tmp_path: Path, timeout: float = 2 * CLI_SECONDS) -> None:
    """Run ``script`` (sh) with $M a fresh tmpfs of ``size``, $OUT a folder outside it.

    $AN runs autonumerics."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    (tmp_path / "out").mkdir()
    environment = {**os.environ, "M": str(mount), "OUT": str(tmp_path / "out"),
                   "AN": f"{sys.executable} -m autonumerics"}
    subprocess.run(["unshare", "-m", "sh", "-c",
                    f"mount -t tmpfs -o size={size} tmpfs \"$M\" && {script}"],
                   env=environment, check=True, timeout=timeout)


def recorded(out: Path, name: str) -> subprocess.CompletedProcess:
    status = int((out / f"{name}.rc").read_text())
    return subprocess.CompletedProcess([], status, "", (out / f"{name}.err").read_text())


@needs_tmpfs
def test_a_full_file_system_is_one_line_and_the_run_resumes(tmp_path, run_events, search_settings):
    settings_text = " ".join(f"--set '{setting}'" for setting in search_settings)
    in_tmpfs('$AN search --out "$M/run" --workers 0 --max-evals 3000 --time-budget 300s --json '
             f'{settings_text} >/dev/null 2>"$OUT/full.err"; echo $? >"$OUT/full.rc"; '
             'cp -a "$M/run" "$OUT/run"', "48k", tmp_path)
    out = tmp_path / "out"
    assert_one_line_error(recorded(out, "full"), "No space left on device")
    run = out / "run"
    before = len(run_events(run))
    assert before > 0
    summary = resume_search(run, workers=0, max_evals=before + 5, compare=False)
    ids = [event["id"] for event in run_events(run)]
    assert len(ids) == len(set(ids)) == summary.n_evaluated == before + 5


@needs_tmpfs
def test_a_read_only_file_system_is_one_line(base_run, tmp_path, search_settings):
    settings_text = " ".join(f"--set '{setting}'" for setting in search_settings)
    in_tmpfs(f'cp -a "{base_run}" "$M/run" && mount -o remount,ro "$M" && '
             '{ $AN resume "$M/run" --workers 0 --max-evals 40 --json >/dev/null'
             ' 2>"$OUT/resume.err"; echo $? >"$OUT/resume.rc"; '
             f'$AN search --out "$M/new" --workers 0 --max-evals 5 --json {settings_text} '
             '>/dev/null 2>"$OUT/search.err"; '
             'echo $? >"$OUT/search.rc"; }', "1m", tmp_path)
    out = tmp_path / "out"
    assert_one_line_error(recorded(out, "resume"), "Read-only file system")
    assert_one_line_error(recorded(out, "search"), "Read-only file system")
