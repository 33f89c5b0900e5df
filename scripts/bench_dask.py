"""Dask backend benchmark: children/s by worker count, the driver's CPU per child, long-run memory.

Throughput (default): one run of the search per backend, in interleaved rounds, each for
``--seconds``: the default process pool (2 workers), ``--dask local:N`` for N = 1, 2, 4, 8
(oversubscribed beyond this machine's cores, to expose the driver's overhead), and ``ext:2``:
a ``dask scheduler`` and 2 ``dask worker`` processes started apart from the driver, as on a
real cluster (the driver then holds only the Dask client). For each run:
children/s over the loop, the driver's CPU time per child (``time.process_time`` of this
process over the loop: population, mutation, logging, checkpoints, and for a local cluster the
Dask scheduler, which runs in the driver process) against the workers' CPU time per child
(psutil, over the same loop) and the mean evaluation (wall) time of a child (``timings.jsonl``).

    python scripts/bench_dask.py [--config search_configs/exp2_reals.toml]
        [--seconds 60] [--rounds 1]

Long run (``--long``): ``--children`` children of a cheap config on ``--dask`` (or the process
pool with ``--dask pool``), sampling the driver's resident memory every second; reports the peak
(``ru_maxrss``), the memory at every tenth of the run, and the checkpoint's size and write time.

    python scripts/bench_dask.py --long [--config search_configs/cheap_bounded_memory.toml]
        [--children 100000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import distributed
import psutil

from autonumerics.evolution.child import SearchContext
from autonumerics.evolution.config import load_config
from autonumerics.evolution.distributed import DaskPool, parse_dask_address
from autonumerics.evolution.evolve import Search, make_executor
from autonumerics.evolution.state import SearchState
from autonumerics.evolution.storage import RunFolder

# What the README tells cluster users: the nannies leave glibc malloc alone (see
# autonumerics.evolution.distributed.worker_environment), as they do for --dask local:N.
WORKER_ENVIRONMENT = {
    "DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON": '{"MALLOC_TRIM_THRESHOLD_": None}'}


@contextlib.contextmanager
def external_cluster(n_workers: int, folder: Path):
    """``dask scheduler`` and ``dask worker`` as separate processes, as on a real cluster: the
    driver then holds only the client. Yields the scheduler's address."""
    scheduler_file = folder / "scheduler.json"
    common = ["--no-dashboard"]
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--port", "0", "--scheduler-file", str(scheduler_file), *common],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = None
    try:
        while not scheduler_file.exists():
            time.sleep(0.2)
        workers = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                    "--scheduler-file", str(scheduler_file),
                                    "--nworkers", str(n_workers), "--nthreads", "1", *common],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, **WORKER_ENVIRONMENT})
        address = json.loads(scheduler_file.read_text())["address"]
        with distributed.Client(address) as client:
            client.wait_for_workers(n_workers, timeout=120)
        yield address
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def run_once(config_path: str, backend: str, folder: Path, overrides: list[str],
             progress=None) -> dict:
    """One search on ``backend`` ("pool:N", "ext:N" or a --dask value); the loop's figures."""
    if backend.startswith("ext:"):
        folder.mkdir(parents=True)
        with external_cluster(int(backend[4:]), folder) as address:
            return dict(run_once(config_path, address, folder / "run", overrides, progress),
                        backend=backend)
    config = load_config(config_path, overrides)
    run = RunFolder.create(folder, config)
    search = Search(config, run, SearchState.fresh(config.search.population, config.search.seed))
    context = SearchContext.build(config)
    if backend.startswith("pool:"):
        workers = int(backend[5:])
        executor = make_executor(workers, context)
        for future in [executor.submit(time.sleep, 1.0) for _ in range(workers)]:
            future.result()  # every worker started before the clock starts
        pids = list(executor._processes)  # a benchmark reading its own pool's workers
        cpu, worker_cpu = time.process_time(), cpu_seconds(pids)
        search.run_loop(executor, 2 * workers, progress)
        cpu, worker_cpu = time.process_time() - cpu, cpu_seconds(pids) - worker_cpu
        executor.shutdown(wait=True)
    else:
        with DaskPool(parse_dask_address(backend), context) as pool:
            pids = list(pool.client.run(os.getpid).values())
            cpu, worker_cpu = time.process_time(), cpu_seconds(pids)
            search.run_loop(pool.executor, pool.in_flight_limit, progress, runner=pool.runner,
                            lost_errors=pool.lost_errors, connected=pool.connected)
            cpu, worker_cpu = time.process_time() - cpu, cpu_seconds(pids) - worker_cpu
    worker = [json.loads(line)["worker_seconds"]
              for line in run.timings_path.read_text().splitlines()]
    n = search.state.n_evaluated
    return {"backend": backend, "children": n, "seconds": search.state.elapsed,
            "rate": n / search.state.elapsed, "driver_cpu_ms": 1e3 * cpu / n,
            "worker_cpu_ms": 1e3 * worker_cpu / n, "child_ms": 1e3 * statistics.fmean(worker),
            "lost": search.state.n_lost}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (a benchmark's own workers) so far."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def throughput(args: argparse.Namespace) -> None:
    backends = (["pool:2"] + [f"local:{n}" for n in args.workers]
                + [f"ext:{n}" for n in args.external])
    results: dict[str, list[dict]] = {b: [] for b in backends}
    with tempfile.TemporaryDirectory() as tmp:
        for round_index in range(args.rounds):
            order = backends if round_index % 2 == 0 else backends[::-1]  # interleaved A/B rounds
            for backend in order:
                folder = Path(tmp) / f"{backend.replace(':', '')}-{round_index}"
                result = run_once(args.config, backend, folder,
                                  [f'search.time_budget="{args.seconds}s"'])
                results[backend].append(result)
                print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                                  for k, v in result.items()}), flush=True)
    pool_rate = statistics.median(r["rate"] for r in results["pool:2"])
    print(f"\n{args.config}, {args.seconds:g} s per run, {args.rounds} round(s), medians:")
    print("driver CPU per child against the workers' CPU per child and the mean child evaluation "
          "(wall) time")
    print(f"{'backend':>8} {'children/s':>11} {'vs pool:2':>10} {'driver CPU':>11} "
          f"{'worker CPU':>11} {'ratio':>7} {'child wall':>11} {'ratio':>7}")
    for backend, runs in results.items():
        keys = ("rate", "driver_cpu_ms", "worker_cpu_ms", "child_ms")
        rate, cpu, worker_cpu, child = (statistics.median(r[key] for r in runs) for key in keys)
        print(f"{backend:>8} {rate:>11.2f} {rate / pool_rate:>9.2f}x {cpu:>8.2f} ms "
              f"{worker_cpu:>8.1f} ms {cpu / worker_cpu:>6.1%} {child:>8.1f} ms "
              f"{cpu / child:>6.1%}")


def long_run(args: argparse.Namespace) -> None:
    me = psutil.Process()
    samples: list[tuple[int, float]] = []

    def sample(progress) -> None:
        samples.append((progress.n_evaluated, me.memory_info().rss / 2**20))
        if len(samples) % 60 == 0:  # a line a minute: a run cut short still says something
            print(f"  {progress.elapsed:7.0f} s {progress.n_evaluated:>7,} children, "
                  f"RSS {samples[-1][1]:.0f} MiB", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "run"
        started = time.monotonic()
        limits = [f"search.max_evals={args.children}", f'search.time_budget="{args.budget}"']
        result = run_once(args.config, args.dask, folder, limits, progress=sample)
        wall = time.monotonic() - started
        checkpoint = folder / "checkpoint.json"
        state = SearchState.from_checkpoint(json.loads(checkpoint.read_text()))
        write = time.perf_counter()
        RunFolder(folder).write_checkpoint(state.to_checkpoint(0, 0))
        write = time.perf_counter() - write
        events_mb = (folder / "events.jsonl").stat().st_size / 2**20
        checkpoint_mb = checkpoint.stat().st_size / 2**20
        caches = (len(state.fingerprints), len(state.structures), len(state.exact))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
    print(f"{args.config} on {args.dask}: {result['children']:,} children in {wall / 60:.1f} min "
          f"({result['rate']:.0f}/s), events.jsonl {events_mb:.0f} MiB")
    print(f"driver peak RSS (ru_maxrss): {peak:.0f} MiB")
    for fraction in (0.1, 0.25, 0.5, 0.75, 1.0):
        target = fraction * result["children"]
        n, rss = min(samples, key=lambda s: abs(s[0] - target)) if samples else (0, 0.0)
        print(f"  RSS at {n:>7,} children: {rss:.0f} MiB")
    print(f"caches (fingerprints, structures, exact): {caches}; "
          f"checkpoint {checkpoint_mb:.1f} MiB, written in {write * 1e3:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config",
                        help="default: exp2_reals.toml, or cheap_bounded_memory.toml with --long")
    parser.add_argument("--seconds", type=float, default=60.0, help="loop time per throughput run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="interleaved rounds over the backends")
    parser.add_argument("--workers", type=lambda s: [int(n) for n in s.split(",")],
                        default=[1, 2, 4, 8])
    parser.add_argument("--external", type=lambda s: [int(n) for n in s.split(",") if n],
                        default=[2], help="worker counts of a scheduler and workers in their own "
                                          "processes (ext:N)")
    parser.add_argument("--long", action="store_true", help="the long bounded-memory run instead")
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--budget", default="",
                        help="also stop the long run after this long (e.g. 70m)")
    parser.add_argument("--dask", default="local:2", help="backend of the long run (or pool:N)")
    args = parser.parse_args()
    if args.long:
        args.config = args.config or "search_configs/cheap_bounded_memory.toml"
        long_run(args)
    else:
        args.config = args.config or "search_configs/exp2_reals.toml"
        throughput(args)


if __name__ == "__main__":
    main()
