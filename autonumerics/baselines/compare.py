"""A run's Pareto front against the classical baselines: a table by op count and a plot."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from autonumerics.baselines import Baseline, best_by_ops, compute_baselines
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.pareto import read_front
from autonumerics.evolution.storage import RunFolder
from autonumerics.limits import MAX_BASELINE_OPS, MAX_INSTRUCTIONS, shown
from autonumerics.truth.symmetry import target_with_symmetry
from autonumerics.truth.targets import get_target

# the run's loss -> the baseline's matching metric
_METRICS = {"relative": "max_rel_error", "absolute": "max_abs_error", "ulp": "max_ulp_float32"}


@dataclass(frozen=True)
class ComparisonRow:
    """At most ``n_ops`` ops: the best evolved and the best classical error, and their ratio."""

    n_ops: int
    evolved: float | None
    evolved_expression: str | None
    classical: float | None
    classical_label: str | None

    @property
    def ratio(self) -> float | None:
        """classical / evolved: above 1 the evolved program is better."""
        if self.evolved is None or self.classical is None or self.evolved == 0:
            return None
        return self.classical / self.evolved

    def to_json(self) -> dict:
        return {"n_ops": self.n_ops, "evolved": self.evolved,
                "evolved_expression": self.evolved_expression, "classical": self.classical,
                "classical_label": self.classical_label, "ratio": self.ratio}


@dataclass(frozen=True)
class Comparison:
    target: str
    interval: tuple[float, float]
    metric: str
    rows: list[ComparisonRow]
    front: list[dict]
    baselines: list[Baseline]


def compare_run(path: str | Path, max_ops: int | None = None) -> Comparison:
    """Compare the front in ``path``/pareto.json with every baseline family of ≤ ``max_ops`` ops.

    The classical forms include the symmetric ones (x*p(x^2), p(x^2)) when the target is odd or
    even: the registry's or detected symmetry, or the config's ``target.symmetry``.
    """
    run = RunFolder.open(path)
    config = run.config()
    front = read_front(run.path)
    target = target_with_symmetry(get_target(config.target.name), config.target.symmetry)
    interval = config.target.interval  # resolved, checked
    metric = _METRICS[config.evaluation.loss]
    if max_ops is not None and (isinstance(max_ops, bool) or not isinstance(max_ops, int)
                                or not 1 <= max_ops <= MAX_INSTRUCTIONS):
        raise AutonumericsError(f"max_ops must be an integer from 1 to {MAX_INSTRUCTIONS}, not "
                                f"{shown(max_ops, 40)}")
    budget = max_ops or max([e["n_ops"] for e in front] + [config.mutation.max_ops])
    dtype = "float32" if config.evaluation.dtype == "float32" else "float64"
    with warnings.catch_warnings():
        # a degenerate Padé or an unconverged Remez is not the point here
        warnings.simplefilter("ignore")
        # classical forms beyond MAX_BASELINE_OPS take hours in mpmath; rows past them show the last
        baselines = compute_baselines(target, interval, max_ops=min(budget, MAX_BASELINE_OPS),
                                      relative=config.evaluation.loss != "absolute", dtype=dtype)
    staircase = best_by_ops(baselines, metric)
    rows = []
    for n_ops in range(1, budget + 1):
        evolved = [e for e in front if e["n_ops"] <= n_ops]
        best_evolved = min(evolved, key=lambda e: float(e["final_error"])) if evolved else None
        classical = [b for k, b in staircase.items() if k <= n_ops]
        best_classical = classical[-1] if classical else None
        rows.append(ComparisonRow(
            n_ops,
            float(best_evolved["final_error"]) if best_evolved else None,
            best_evolved["expression"] if best_evolved else None,
            getattr(best_classical, metric) if best_classical else None,
            best_classical.label if best_classical else None,
        ))
    return Comparison(target.name, interval, metric, rows, front, baselines)


def plot_comparison(comparison: Comparison, path: str | Path) -> None:
    """Log-scale error against op count: the evolved front and each classical family."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = comparison.metric
    figure, axes = plt.subplots(figsize=(7, 4.5))
    markers = iter("osD^v<>pPX*h")
    families: dict[str, list[Baseline]] = {}
    for baseline in comparison.baselines:
        if baseline.n_ops is not None and getattr(baseline, metric) is not None:
            families.setdefault(baseline.family, []).append(baseline)
    for family, members in sorted(families.items()):
        members.sort(key=lambda b: b.n_ops)
        axes.plot([b.n_ops for b in members], [getattr(b, metric) for b in members],
                  linestyle="none", marker=next(markers), alpha=0.6, label=family)
    front = sorted(comparison.front, key=lambda e: e["n_ops"])
    front = [e for e in front if float(e["final_error"]) > 0]
    axes.step([e["n_ops"] for e in front], [float(e["final_error"]) for e in front], where="post",
              color="black", marker="o", linewidth=2, label="evolved (this run)")
    axes.set_yscale("log")
    axes.set_xlabel("ops (that depend on x)")
    axes.set_ylabel(metric.replace("_", " "))
    axes.set_title(f"{comparison.target} on [{comparison.interval[0]:g}, "
                   f"{comparison.interval[1]:g}]")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
