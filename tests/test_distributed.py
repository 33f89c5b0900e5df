"""Searches on Dask distributed: worker loss, a lost scheduler, the workers' environment, CLI
errors."""

import os
import signal
import sys
import threading
import time

import pytest

from autonumerics.api.runs import resume_search, start_search
from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.evolution import distributed as dask_backend
from autonumerics.evolution.child import SearchContext

pytestmark = pytest.mark.usefixtures("no_comparison")
CHECKPOINTS = "search.checkpoint_seconds=0.5"  # fewer checkpoints than the small search's


@pytest.fixture
def event_ids(run_events):
    return lambda path: [event["id"] for event in run_events(path)]


def best_error(summary, max_ops):
    return min(float(e["final_error"]) for e in summary.front if e["n_ops"] <= max_ops)


@pytest.mark.parametrize("text, expected", [
    ("local:2", "local:2"), ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
    (" tls://sched:8786 ", "tls://sched:8786"),
])
def test_dask_addresses_parse(text, expected):
    assert str(dask_backend.parse_dask_address(text)) == expected


@pytest.mark.parametrize("text", ["local:0", "local:two", "8786", "tcp://:8786", "tcp://host",
                                  "http://h:1", ""])
def test_bad_dask_addresses_name_the_value(text):
    with pytest.raises(AutonumericsError, match="--dask"):
        dask_backend.parse_dask_address(text)


def test_bad_dask_value_is_a_one_line_cli_error(tmp_path, capsys):
    assert main(["search", "--dask", "local:x", "--out", str(tmp_path / "run"), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "'local:x'" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_missing_dask_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(AutonumericsError, match=r'pip install "autonumerics\[dask\]"'):
        dask_backend.require_distributed()
    assert main(["search", "--dask", "local:1", "--out", str(tmp_path / "run"), "--json"]) == 2
    assert 'pip install "autonumerics[dask]"' in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import dask

    with (dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}),
          distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40) as local,
          distributed.Client(local, set_as_default=False) as client):
        yield local, client


def test_killing_a_worker_mid_run_loses_no_recorded_child(tmp_path, cluster, small_config,
                                                          event_ids):
    local, client = cluster
    client.wait_for_workers(2, timeout=60)
    pids = list(client.run(os.getpid).values())
    killed = []

    log = tmp_path / "dask" / "events.jsonl"

    def recorded() -> int:
        return log.read_bytes().count(b"\n") if log.exists() else 0

    def kill_one_worker_after_ten_children():  # polls the log: children can finish in ms
        while recorded() < 10:
            time.sleep(0.005)
        os.kill(pids[0], signal.SIGKILL)
        killed.append(recorded())

    killer = threading.Thread(target=kill_one_worker_after_ten_children, daemon=True)
    killer.start()
    summary = start_search(small_config(CHECKPOINTS, "search.max_evals=80"), tmp_path / "dask",
                           dask=local.scheduler_address)
    killer.join(timeout=5)
    assert killed and killed[0] < 80, "the worker was not killed mid-run"
    ids = event_ids(tmp_path / "dask")
    assert len(ids) == len(set(ids)) == 80 == summary.n_evaluated  # finished, each child once
    inline = start_search(small_config(CHECKPOINTS, "search.max_evals=80"), tmp_path / "inline",
                          workers=0)
    # same budget, same quality within noise: both reach the minimax straight line (2.98e-2) or
    # better at <= 4 ops, and neither best is more than 40x the other's there (inline runs of
    # this budget spread from 4.6e-3 to 2.98e-2 over seeds 0-2, and 100 children reach 8.7e-4)
    dask_best, inline_best = best_error(summary, 4), best_error(inline, 4)
    assert dask_best < 0.0299 and inline_best < 0.0299
    assert dask_best < 40 * inline_best and inline_best < 40 * dask_best


@pytest.mark.slow
def test_a_lost_scheduler_stops_with_a_checkpoint_that_resumes_inline(tmp_path, monkeypatch,
                                                                     small_config, event_ids):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(dask_backend, "DISCONNECT_GRACE_SECONDS", 1.0)
    local = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                     protocol="tcp", dashboard_address=":0", silence_logs=50)

    def stop_scheduler(progress):
        if progress.n_evaluated >= 10 and local.status.name == "running":
            local.close()

    summary = start_search(small_config(CHECKPOINTS, 'search.time_budget="60s"'), tmp_path / "run",
                           progress=stop_scheduler, dask=local.scheduler_address)
    assert "scheduler" in summary.stop_reason and summary.elapsed < 50
    recorded = event_ids(tmp_path / "run")
    resumed = resume_search(tmp_path / "run", workers=0, max_evals=len(recorded) + 10)
    ids = event_ids(tmp_path / "run")
    assert len(ids) == len(set(ids)) == resumed.n_evaluated == len(recorded) + 10


def test_local_workers_leave_glibc_malloc_alone_but_keep_one_blas_thread(monkeypatch, small_config):
    pytest.importorskip("distributed")
    # a nanny with Dask's defaults (the fixture's cluster) writes the variable into this process's
    # environment, where it would override the config like a user's own setting
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    context = SearchContext.build(small_config(CHECKPOINTS))
    with dask_backend.DaskPool(dask_backend.parse_dask_address("local:1"), context) as pool:
        keys = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")
        environments = pool.client.run(lambda: {key: os.environ.get(key) for key in keys})
    assert list(environments.values()) == [{"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}]
