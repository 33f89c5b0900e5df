"""scripts/bench_discovery.py: the front over time, the time to beat the classical forms, the
merged results and the table, on small synthetic run folders; one real run (slow)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

from autonumerics.errors import AutonumericsError

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


report = _load("discovery_report")
bench = _load("bench_discovery")

# classical at <= n ops: nothing below 2 ops, 0.1 at 2..4, 0.01 at 5..9, 0.001 from 10
CLASSICAL = {"2": {"error": 0.1, "label": "a"}, "5": {"error": 0.01, "label": "b"},
             "10": {"error": 0.001, "label": "c"}}


def write_run(folder: Path, events: list[tuple], *, skipped=0, duplicates=0, elapsed=None,
              front=None, gz=False, meta=None) -> Path:
    """A run folder with one event per (id, n_ops, fitness, elapsed)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "n_ops": n, "kind": "insert", "parent": 0,
                         "fitness": "inf" if math.isinf(f) else f}) for i, n, f, _ in events]
    timings = [json.dumps({"id": i, "worker_seconds": 0.01, "elapsed": t}) for i, _, _, t in events]
    for name, rows in (("events.jsonl", lines), ("timings.jsonl", timings)):
        text = "".join(row + "\n" for row in rows)
        if gz:
            with gzip.open(folder / f"{name}.gz", "wt") as stream:
                stream.write(text)
        else:
            (folder / name).write_text(text)
    end = elapsed if elapsed is not None else max(t for *_, t in events)
    (folder / "checkpoint.json").write_text(json.dumps(
        {"elapsed": end, "n_evaluated": len(events), "n_skipped": skipped,
         "n_duplicates": duplicates}))
    if front is not None:
        (folder / "pareto.json").write_text(json.dumps(
            {"front": [{"n_ops": n, "final_error": e} for n, e in front]}))
    if meta is not None:
        (folder / report.RUN_META).write_text(json.dumps(meta))
    return folder


# id, n_ops, fitness, elapsed
EVENTS = [(0, 0, 1.0, 1.0), (1, 1, 0.5, 2.0), (2, 3, 0.05, 10.0), (3, 2, math.inf, 11.0),
          (4, 6, 0.01, 70.0), (5, 6, 0.005, 130.0), (6, 11, 0.0001, 200.0)]


def test_log_is_read_in_time_order_plain_or_gzipped(tmp_path):
    shuffled = [EVENTS[2], EVENTS[0], EVENTS[1]]
    for gz in (False, True):
        folder = write_run(tmp_path / str(gz), shuffled, gz=gz)
        timings = folder / ("timings.jsonl" + (".gz" if gz else ""))
        with (gzip.open if gz else open)(timings, "ab") as stream:
            stream.write(b'{"id": 9, "elap')  # a half-written line (a killed run)
        events = report.read_run_log(folder)
        assert [e["id"] for e in events] == [0, 1, 2]
        assert [e["elapsed"] for e in events] == [1.0, 2.0, 10.0]
    with pytest.raises(AutonumericsError, match="not a run folder"):
        report.read_run_log(tmp_path / "nothing")


def test_log_without_timing_drops_the_event(tmp_path):
    folder = write_run(tmp_path, EVENTS[:3])
    with (folder / "events.jsonl").open("a") as log:
        log.write(json.dumps({"id": 7, "n_ops": 1, "fitness": 0.0}) + "\n")
    assert [e["id"] for e in report.read_run_log(folder)] == [0, 1, 2]


def test_staircase_over_time_fills_missing_op_counts():
    events = [dict(zip(("id", "n_ops", "fitness", "elapsed"), e, strict=True)) for e in EVENTS]
    # at 60 s: no 2-op child with a finite error, none of 4 or 5 ops: the staircase carries on
    assert report.staircase_at(events, 60.0) == {0: 1.0, 1: 0.5, 2: 0.5, 3: 0.05}
    assert report.staircase_at(events, 130.0)[6] == 0.005
    end = report.staircase_at(events, 1e9)
    assert list(end) == list(range(12))
    assert end[5] == 0.05 and end[10] == 0.005 and end[11] == 0.0001
    assert all(end[n + 1] <= end[n] for n in range(11))
    assert report.staircase_at(events, 0.5) == {}
    assert report.up_to({"3": 0.05, "6": 0.01}, 5) == 0.05
    assert report.up_to({"3": 0.05}, 2) is None
    assert report.up_to(CLASSICAL, 9) == 0.01


def test_first_beat_times_strict_never_and_no_classical():
    events = [{"id": i, "n_ops": n, "fitness": f, "elapsed": t} for i, n, f, t in
              [(0, 1, 0.5, 1.0), (1, 2, 0.1, 2.0),  # a tie with classical at 2 ops: no beat
               (2, 3, 0.09, 5.0), (3, 5, 0.02, 6.0), (4, 4, 0.009, 8.0),
               (5, 9, 0.002, 9.0)]]
    times = report.first_beat_times(events, CLASSICAL, op_counts=range(1, 11))
    # 1 op: no classical form that cheap, the first finite child beats it
    assert times[1] == 1.0
    assert times[2] is None  # 0.1 ties 0.1
    assert times[3] == times[4] == 5.0
    assert times[5] == 8.0  # the 4-op child at 8 s is the first under 0.01 at <= 5 ops
    assert times[9] == 8.0
    assert times[10] is None  # 0.002 never beats 0.001


def test_analyse_run_figures(tmp_path):
    meta = {"budget_s": 200.0, "workers": 2, "returncode": 0}
    folder = write_run(tmp_path, EVENTS, skipped=3, duplicates=1, elapsed=200.5,
                       front=[(0, 1.0), (3, 0.06), (11, 0.0002)], meta=meta)
    run = report.analyse_run(folder, CLASSICAL)
    assert run["budget_s"] == 200.0 and run["workers"] == 2
    assert [p["label"] for p in run["front_over_time"]] == ["1m", "2m", "end"]
    at_1m, at_2m = (p["front"] for p in run["front_over_time"][:2])
    assert list(at_1m) == ["0", "1", "2", "3"]  # up to the largest op count seen by then
    assert report.up_to(at_1m, 6) == 0.05 and at_2m["6"] == 0.01
    assert run["max_ops"] == 11
    assert run["children_per_s"] == pytest.approx(7 / 200.5)
    assert run["wasted_share"] == pytest.approx(4 / 10)
    assert run["beat_classical_s"]["3"] == 10.0
    assert run["beat_classical_s"]["6"] == 130.0  # 0.01 at 70 s only ties classical's 0.01
    assert run["beat_classical_s"]["10"] is None  # 0.005 > 0.001 until the 11-op child
    assert run["beat_all_3_10_s"] is None
    assert run["error_at_10_trace"] == [[1.0, 1.0], [2.0, 0.5], [10.0, 0.05], [70.0, 0.01],
                                        [130.0, 0.005]]
    assert "beat_classical_s" not in report.analyse_run(folder, None)


def test_analyse_run_beating_everywhere(tmp_path):
    events = [(0, 3, 0.005, 3.0), (1, 10, 0.0005, 40.0)]
    run = report.analyse_run(write_run(tmp_path, events), CLASSICAL)
    assert run["beat_classical_s"]["9"] == 3.0
    assert run["beat_all_3_10_s"] == 40.0
    assert run["max_ops"] == 10  # no pareto.json: from the events


def _seed(at_10: float | None, beat: float | None, rate: float, budget=600.0) -> dict:
    front = {} if at_10 is None else {"8": at_10}
    return {"budget_s": budget, "workers": 2, "front_over_time": [
        {"label": "1m", "seconds": 60, "front": front}, {"label": "end", "seconds": 600,
                                                          "front": front}],
            "beat_all_3_10_s": beat, "beat_classical_s": {"3": beat}, "max_ops": 12,
            "children_per_s": rate, "wasted_share": 0.5, "error_at_10_trace": []}


def test_medians_read_never_as_infinite():
    median = report.summarise({"0": _seed(1e-6, 100.0, 10.0), "1": _seed(1e-4, None, 12.0),
                               "2": _seed(1e-5, None, 14.0)})
    assert median["n_seeds"] == 3
    assert median["error_at_10"] == {"1m": 1e-5, "end": 1e-5}  # from 8 ops: best at <= 10
    assert median["beat_all_3_10_s"] is None  # two of three never beat classical
    assert median["children_per_s"] == 12.0
    two = report.summarise({"0": _seed(1e-6, 100.0, 10.0), "1": _seed(1e-4, 300.0, 12.0)})
    assert two["beat_all_3_10_s"] == 200.0 and two["beat_classical_s"]["3"] == 200.0


def test_merge_keeps_other_seeds_and_problems():
    spec = {"name": "p", "loss": "relative"}
    existing = {"machine": {"host": "old"}, "problems": {
        "p": {"spec": spec, "classical": CLASSICAL,
              "seeds": {"0": _seed(1e-6, 10.0, 1.0), "1": _seed(1e-6, 10.0, 2.0)}},
        "q": {"spec": {"name": "q"}, "seeds": {"0": _seed(1.0, None, 3.0)}, "median": {}}}}
    update = {"machine": {"host": "new"}, "problems": {
        "p": {"spec": spec, "classical": CLASSICAL,
              "seeds": {"1": _seed(1e-3, None, 5.0), "2": _seed(1e-3, None, 6.0)}}}}
    merged = report.merge_results(existing, update)
    assert merged["machine"] == {"host": "new"}
    p = merged["problems"]["p"]
    assert sorted(p["seeds"]) == ["0", "1", "2"]
    assert p["seeds"]["1"]["children_per_s"] == 5.0  # the new run replaces the old seed 1
    assert p["median"]["n_seeds"] == 3 and p["median"]["children_per_s"] == 5.0
    assert merged["problems"]["q"] == existing["problems"]["q"]
    changed = report.merge_results(merged, {"problems": {"p": {
        "spec": {**spec, "loss": "ulp"}, "seeds": {"5": _seed(1.0, None, 1.0)}}}})
    assert sorted(changed["problems"]["p"]["seeds"]) == ["5"]  # another problem: old seeds go
    assert report.merge_results(None, update)["problems"]["p"]["median"]["n_seeds"] == 2


def test_markdown_table():
    results = report.merge_results(None, {"problems": {
        "exp2_reals": {"spec": {"loss": "relative"}, "classical": CLASSICAL,
                       "seeds": {"0": _seed(2e-6, 95.0, 10.0), "1": _seed(4e-6, 105.0, 20.0)}},
        "tanh_float32": {"spec": {"loss": "ulp"}, "classical": {},
                         "seeds": {"0": _seed(None, None, 3.0, budget=45.0)}}}})
    table = report.markdown_table(results)
    lines = table.splitlines()
    assert lines[0].startswith("| problem | seeds | budget | ≤10 ops @1m | ≤10 ops @end |")
    assert len(lines) == 4 and all(line.count("|") == lines[0].count("|") for line in lines)
    assert "| exp2_reals | 2 | 10m | 3e-06 | 3e-06 | 0.001 | 100 s | 12 | 15 | 50% |" in table
    assert "| tanh_float32 | 1 | 45s | — | — | — | never |" in table


def test_plot_has_a_panel_per_problem(tmp_path):
    pytest.importorskip("matplotlib")
    seed = _seed(1e-6, 10.0, 1.0)
    seed.update(elapsed_s=600.0, error_at_10_trace=[[1.0, 1.0], [50.0, 1e-6]])
    results = {"problems": {name: {"spec": {"loss": "ulp"}, "classical": CLASSICAL,
                                   "seeds": {"0": seed}} for name in ("a", "b", "c")}}
    report.plot_error_at_10(results, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 1000


def test_search_commands_force_the_table_unseeded():
    for problem in bench.PROBLEMS.values():
        command = bench.search_command(problem, 3, 2, "10m", Path("out"))
        assert command[command.index("--seed") + 1] == "3"
        assert "search.seeds=[\"x\"]" in command
        assert any(a.startswith("evaluation.semantics") for a in command) == (
            problem.dtype == "float32")
        config = bench.resolved_config(problem)
        assert config.search.seeds == ("x",)
        assert (config.evaluation.dtype, config.evaluation.loss, config.mutation.max_ops) == (
            problem.dtype, problem.loss, problem.max_ops)
        assert config.mutation.ops == problem.ops
    assert bench.resolved_config(bench.PROBLEMS["sin_reals"]).target.interval[1] == pytest.approx(
        math.pi / 4)


def test_engine_settings_come_last_and_a_results_file_keeps_one_engine(tmp_path):
    problem = bench.PROBLEMS["exp2_reals"]
    engine = ("search.screen_margin=10", "search.selection=niche")
    command = bench.search_command(problem, 0, 2, "10m", Path("out"), engine)
    assert command[-4:] == ["--set", engine[0], "--set", engine[1]]
    assert bench.resolved_config(problem, engine).search.selection == "niche"
    with pytest.raises(AutonumericsError, match="search.selection"):
        bench.resolved_config(problem, ("search.selection=best",))
    (tmp_path / "bench.json").write_text(json.dumps({"engine": [], "problems": {"x": {}}}))
    with pytest.raises(AutonumericsError, match="its own --out"):
        bench.main(["--problems", "exp2_reals", "--out", str(tmp_path), "--analyse-only",
                    "--set", "search.screen_margin=10"])


def test_a_folder_that_is_not_a_run_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(AutonumericsError, match="not a benchmark run"):
        bench.run_search(bench.PROBLEMS["exp2_reals"], 0, 0, "15s", tmp_path)
    assert (tmp_path / "notes.txt").exists()


def test_bad_budget_is_refused(capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(["--budget", "soon"])
    assert "--budget 'soon'" in capsys.readouterr().err


@pytest.mark.slow
def test_end_to_end_small_run(tmp_path):
    arguments = ["--problems", "exp2_reals", "--seeds", "0", "--budget", "15s", "--workers",
                 "0", "--runs-dir", str(tmp_path / "runs"), "--out", str(tmp_path / "out")]
    results = bench.main(arguments)
    entry = results["problems"]["exp2_reals"]
    run = entry["seeds"]["0"]
    assert run["n_evaluated"] > 10 and run["budget_s"] == 15.0 and run["workers"] == 0
    assert entry["classical"]["10"]["label"]
    assert run["beat_classical_s"]["3"] is not None  # a 3-op program beats the line at once
    assert (tmp_path / "out" / "error_at_10_ops.png").is_file()
    saved = json.loads((tmp_path / "out" / "bench.json").read_text())
    assert saved["problems"]["exp2_reals"]["median"]["n_seeds"] == 1
    again = bench.main([*arguments, "--analyse-only"])  # reads the folder, reuses the classical
    assert again["problems"]["exp2_reals"]["seeds"]["0"]["n_evaluated"] == run["n_evaluated"]


def test_ablation_table_puts_variants_side_by_side(tmp_path):
    def results(rate: float, engine: list[str]) -> dict:
        run = {"front_over_time": [{"label": "end", "seconds": 60, "front": {"10": 1e-9}}],
               "max_ops": 12, "children_per_s": rate, "wasted_share": 0.5,
               "beat_classical_s": {}, "beat_all_3_10_s": None}
        return {"engine": engine, "problems": {"exp2_reals": {
            "seeds": {"0": run}, "median": report.summarise({"0": run})}}}

    table = report.ablation_table({"base": results(15.0, []),
                                   "screen": results(60.0, ["search.screen_margin=10"])})
    rows = table.splitlines()
    assert rows[0].startswith("| problem | variant | engine settings | seeds | ≤10 ops @end")
    assert rows[2] == "| exp2_reals | base | (the config's) | 1 | 1e-09 | 12 | 15 | 50% |"
    assert "`search.screen_margin=10`" in rows[3] and "| 60 |" in rows[3]
    for name, engine in (("base", []), ("screen", ["search.screen_margin=10"])):
        (tmp_path / name).mkdir()
        (tmp_path / name / "bench.json").write_text(json.dumps(results(1.0, engine)))
    printed = bench.main(["--ablation", str(tmp_path / "base"), str(tmp_path / "screen")])
    assert list(printed) == ["base", "screen"]
