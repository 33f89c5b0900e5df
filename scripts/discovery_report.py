"""The discovery benchmark's analysis (``scripts/bench_discovery.py``): a run folder's event log
read back in time order, the front over time, the time to beat the classical forms, medians
over seeds, the merged results file, its Markdown table and plot.

A run's log: ``events.jsonl`` has one line per fitted child (``id``, ``n_ops``, ``fitness``,
...), ``timings.jsonl`` the run time (``elapsed``, seconds) at which each id was recorded; both
may be gzipped. ``checkpoint.json`` holds the counters, ``pareto.json`` the final front, and
``bench_run.json`` (written by the benchmark) the budget, workers and command of the run.

Errors are in the run's loss (max relative error, float32 ULP or max absolute error); a
classical staircase is {str(n): {"error": e, "label": name}} at the op counts where the best
classical form improves.
"""

from __future__ import annotations

import gzip
import json
import math
import statistics
from pathlib import Path

from autonumerics.errors import AutonumericsError

CHECKPOINTS = ((60, "1m"), (120, "2m"), (300, "5m"), (600, "10m"), (1800, "30m"), (3600, "60m"))
BEAT_OPS = tuple(range(3, 11))
RUN_META = "bench_run.json"  # what the benchmark writes into each run folder
REPORT_OPS = 10  # the op count of the plot and of the table's error columns
METRICS = {"relative": "max_rel_error", "ulp": "max_ulp_float32", "absolute": "max_abs_error"}
NOTES = {
    "error": "an event's error is its search fitness: the max over the training and validation "
             "points of the config's loss (final_front is re-validated on final_points)",
    "classical": "best of autonumerics.baselines.compute_baselines (all families and forms) "
                 "with at most n ops, in the metric matching the loss (best_by_ops)",
    "beat": "first run time (s) at which a fitted child with <= n ops has a strictly lower "
            "error than classical at <= n ops; with no classical form at <= n ops, the first "
            "finite one",
    "front": "{n: best error at <= n ops} up to the largest op count recorded by then (beyond "
             "it the last value holds)",
    "wasted_share": "(skipped + duplicates) / (fitted + skipped)",
}


# -- reading a run -----------------------------------------------------------------------------
def _read_jsonl(folder: Path, name: str) -> list[dict]:
    """A log's lines (plain or gzipped; a half-written last line is dropped)."""
    path = folder / name
    if not path.exists() and (folder / f"{name}.gz").exists():
        with gzip.open(folder / f"{name}.gz", "rt") as stream:
            text = stream.read()
    elif path.exists():
        text = path.read_text()
    else:
        raise AutonumericsError(f"{folder}: no {name} (not a run folder)")
    rows = []
    for line in text.splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def read_run_log(folder: str | Path) -> list[dict]:
    """The run's fitted children in the order recorded: id, n_ops, kind, fitness (inf for a
    failed fit) and ``elapsed``, the run time in seconds at which each was recorded."""
    folder = Path(folder)
    elapsed = {row["id"]: float(row["elapsed"]) for row in _read_jsonl(folder, "timings.jsonl")}
    events = [{"id": e["id"], "n_ops": int(e["n_ops"]), "kind": e.get("kind", ""),
               "fitness": float(e["fitness"]), "elapsed": elapsed[e["id"]]}
              for e in _read_jsonl(folder, "events.jsonl") if e["id"] in elapsed]
    return sorted(events, key=lambda e: (e["elapsed"], e["id"]))


def staircase_at(events: list[dict], seconds: float) -> dict[int, float]:
    """The front at ``seconds``: {n: best error of the children with <= n ops recorded by then},
    for n from the smallest to the largest op count seen with a finite error."""
    best: dict[int, float] = {}
    for event in events:
        if event["elapsed"] <= seconds and math.isfinite(event["fitness"]):
            best[event["n_ops"]] = min(best.get(event["n_ops"], math.inf), event["fitness"])
    stairs, running = {}, math.inf
    for n in range(min(best, default=0), max(best, default=-1) + 1):
        running = min(running, best.get(n, math.inf))
        if math.isfinite(running):
            stairs[n] = running
    return stairs


def up_to(staircase: dict, n_ops: int) -> float | None:
    """A staircase's error at <= ``n_ops`` ops: its value at the largest op count <= ``n_ops``
    (keys are op counts as strings; values errors, or {"error": ...} for a classical one);
    None when nothing is that cheap."""
    affordable = [int(k) for k in staircase if int(k) <= n_ops]
    if not affordable:
        return None
    value = staircase[str(max(affordable))]
    return value["error"] if isinstance(value, dict) else value


def first_beat_times(events: list[dict], classical: dict,
                     op_counts=BEAT_OPS) -> dict[int, float | None]:
    """Per op count n: the first run time at which a child with <= n ops beats classical at n
    (strictly lower error; no classical form that cheap: any finite error); None: never."""
    times = {}
    for n in op_counts:
        bar = up_to(classical, n)
        bar = math.inf if bar is None else bar
        hits = (e["elapsed"] for e in events if e["n_ops"] <= n and e["fitness"] < bar)
        times[n] = next(hits, None)  # events are in time order
    return times


def error_trace(events: list[dict], n_ops: int = REPORT_OPS) -> list[list[float]]:
    """[[run time, best error at <= n_ops ops], ...] at each improvement."""
    trace, best = [], math.inf
    for event in events:
        if event["n_ops"] <= n_ops and event["fitness"] < best:
            best = event["fitness"]
            trace.append([event["elapsed"], best])
    return trace


def analyse_run(folder: str | Path, classical: dict | None) -> dict:
    """One run's figures (see the module docstring); ``classical``: the problem's staircase,
    None to leave out the time-to-beat figures."""
    folder = Path(folder)
    events = read_run_log(folder)
    meta = load_json(folder / RUN_META) or {}
    state = load_json(folder / "checkpoint.json") or {}
    end = float(state.get("elapsed") or max((e["elapsed"] for e in events), default=0.0))
    fitted, skipped = int(state.get("n_evaluated", len(events))), int(state.get("n_skipped", 0))
    duplicates = int(state.get("n_duplicates", 0))
    created = fitted + skipped
    front = (load_json(folder / "pareto.json") or {}).get("front", [])
    points = [(s, label) for s, label in CHECKPOINTS if s <= end] + [(end, "end")]
    result = {
        **{k: meta.get(k) for k in ("budget_s", "workers", "returncode", "date", "command",
                                    "machine")},
        "elapsed_s": round(end, 2), "n_evaluated": fitted, "n_skipped": skipped,
        "n_duplicates": duplicates, "children_per_s": fitted / end if end else None,
        "wasted_share": (skipped + duplicates) / created if created else None,
        "front_over_time": [{"label": label, "seconds": s, "front": _keyed(staircase_at(events, s))}
                            for s, label in points],
        "final_front": _keyed(_best_per_ops(front)),
        "max_ops": max([e["n_ops"] for e in front] or list(staircase_at(events, end)) or [None]),
        "error_at_10_trace": error_trace(events),
    }
    if classical is not None:
        beats = first_beat_times(events, classical)
        result["beat_classical_s"] = _keyed(beats)
        result["beat_all_3_10_s"] = (None if None in beats.values() else max(beats.values()))
    return result


def _best_per_ops(front: list[dict]) -> dict[int, float]:
    """The final front's best re-validated error per op count (a front by measured cost may
    hold several members of one op count)."""
    best: dict[int, float] = {}
    for entry in front:
        n_ops, error = int(entry["n_ops"]), float(entry["final_error"])
        best[n_ops] = min(best.get(n_ops, math.inf), error)
    return dict(sorted(best.items()))


def _keyed(mapping: dict) -> dict:
    return {str(k): v for k, v in mapping.items()}


def load_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


# -- seeds and the results file ---------------------------------------------------------------
def _median(values: list) -> float | None:
    """Median with None read as "never" (infinite); None when the median is never."""
    values = [math.inf if v is None else v for v in values]
    middle = statistics.median(values) if values else math.inf
    return None if math.isinf(middle) else middle


def summarise(seeds: dict) -> dict:
    """Medians over a problem's seeds (checkpoint errors over the seeds that reached them)."""
    runs = list(seeds.values())
    labels = [label for _, label in CHECKPOINTS] + ["end"]
    at_10 = {label: [up_to(p["front"], REPORT_OPS) for r in runs
                     for p in r["front_over_time"] if p["label"] == label] for label in labels}
    return {
        "n_seeds": len(runs), "budgets_s": sorted({r.get("budget_s") or 0 for r in runs}),
        "workers": sorted({r.get("workers") or 0 for r in runs}),
        "error_at_10": {label: _median(v) for label, v in at_10.items() if v},
        "beat_all_3_10_s": _median([r.get("beat_all_3_10_s") for r in runs]),
        "beat_classical_s": {str(n): _median([r.get("beat_classical_s", {}).get(str(n))
                                              for r in runs]) for n in BEAT_OPS},
        **{key: _median([r.get(key) for r in runs])
           for key in ("max_ops", "children_per_s", "wasted_share")},
    }


def merge_results(existing: dict | None, update: dict) -> dict:
    """``existing`` with ``update``'s problems merged in, seed by seed (a seed in both: the
    update's), the medians recomputed; the update's machine, command and protocol on top."""
    merged = {**(existing or {}), **{k: v for k, v in update.items() if k != "problems"}}
    problems = dict((existing or {}).get("problems", {}))
    for name, entry in update.get("problems", {}).items():
        old = problems.get(name, {})
        if old.get("spec") not in (None, entry.get("spec")):  # the problem changed: start anew
            old = {}
        seeds = {**old.get("seeds", {}), **entry.get("seeds", {})}
        problems[name] = {**old, **entry, "seeds": seeds, "median": summarise(seeds)}
    merged["problems"] = problems
    return merged


# -- reporting ---------------------------------------------------------------------------------
def format_number(value) -> str:
    return "—" if value is None else f"{value:.3g}"


def format_budget(seconds: float) -> str:
    return f"{seconds / 60:g}m" if seconds % 60 == 0 else f"{seconds:g}s"


def format_time(seconds) -> str:
    return "never" if seconds is None else f"{seconds:.0f} s"


def markdown_table(results: dict) -> str:
    """Per problem, medians over seeds: error at <= 10 ops at each checkpoint, classical at 10,
    time to beat classical at every op count 3..10, largest op count, children/s, waste."""
    problems = results.get("problems", {})
    labels = [label for _, label in CHECKPOINTS] + ["end"]
    used = [lb for lb in labels if any(lb in p["median"]["error_at_10"] for p in problems.values())]
    head = (["problem", "seeds", "budget"] + [f"≤10 ops @{lb}" for lb in used]
            + ["classical @10", "beats 3..10 at", "max ops", "children/s", "wasted"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, entry in problems.items():
        median = entry["median"]
        classical = up_to(entry.get("classical") or {}, REPORT_OPS)
        row = ([name, str(median["n_seeds"]),
                "/".join(format_budget(b) for b in median["budgets_s"])]
               + [format_number(median["error_at_10"].get(lb)) for lb in used]
               + [format_number(classical), format_time(median["beat_all_3_10_s"]),
                  format_number(median["max_ops"]), format_number(median["children_per_s"]),
                  "—" if median["wasted_share"] is None else f"{median['wasted_share']:.0%}"])
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def ablation_table(variants: dict[str, dict]) -> str:
    """Engine variants side by side (``{name: results}``, each a bench.json): per problem and
    variant, medians over seeds of the error at <= 10 ops at each checkpoint, the largest op
    count, children/s, waste, and the engine settings that define the variant."""
    labels = [label for _, label in CHECKPOINTS] + ["end"]
    problems = dict.fromkeys(name for results in variants.values()
                             for name in results.get("problems", {}))
    medians = [entry["median"] for results in variants.values()
               for entry in results.get("problems", {}).values()]
    used = [lb for lb in labels if any(lb in m["error_at_10"] for m in medians)]
    head = (["problem", "variant", "engine settings", "seeds"]
            + [f"≤10 ops @{lb}" for lb in used] + ["max ops", "children/s", "wasted"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for problem in problems:
        for name, results in variants.items():
            entry = results.get("problems", {}).get(problem)
            if entry is None:
                continue
            median = entry["median"]
            settings = ", ".join(f"`{s}`" for s in results.get("engine", [])) or "(the config's)"
            lines.append("| " + " | ".join(
                [problem, name, settings, str(median["n_seeds"])]
                + [format_number(median["error_at_10"].get(lb)) for lb in used]
                + [format_number(median["max_ops"]), format_number(median["children_per_s"]),
                   "—" if median["wasted_share"] is None else f"{median['wasted_share']:.0%}"])
                + " |")
    return "\n".join(lines)


def plot_error_at_10(results: dict, path: str | Path) -> None:
    """One panel per problem: best error at <= 10 ops against run time, one line per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = results.get("problems", {})
    columns = min(4, max(1, len(problems)))
    rows = math.ceil(len(problems) / columns) or 1
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis, (name, entry) in zip(axes.flat, problems.items(), strict=False):
        for seed, run in sorted(entry["seeds"].items()):
            trace = [p for p in run["error_at_10_trace"] if p[1] > 0]
            if trace:
                end = max(run["elapsed_s"], trace[-1][0])
                axis.step([t / 60 for t, _ in trace] + [end / 60],
                          [e for _, e in trace] + [trace[-1][1]], where="post",
                          label=f"seed {seed}")
        classical = up_to(entry.get("classical") or {}, REPORT_OPS)
        if classical:
            axis.axhline(classical, linestyle="--", color="gray", label="classical ≤10 ops")
        axis.set_yscale("log")
        axis.set_title(f"{name} ({METRICS[entry['spec']['loss']]})", fontsize=9)
        axis.set_xlabel("minutes")
        axis.grid(True, which="both", alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=7)
    for axis in list(axes.flat)[len(problems):]:
        axis.set_visible(False)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)

