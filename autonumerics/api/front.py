"""Finishing a search: the front re-validated and written, then compared with the baselines."""

from __future__ import annotations

from pathlib import Path

from autonumerics.baselines.compare import compare_run, plot_comparison
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.evolve import Search
from autonumerics.ir.programfile import ProgramFile, write_json_atomic
from autonumerics.truth.targets import get_target
from autonumerics.verification.evaluation import measure


def write_front(search: Search) -> tuple[list[dict], list[ProgramFile]]:
    """Re-validate the archive's front on ``final_points`` and write pareto.json and front/.

    Returns:
        The pareto.json entries and the members as program files (what front/ holds).
    """
    config = search.config
    target, interval = get_target(config.target.name), config.target.interval
    evaluation, arithmetic = config.evaluation, config.arithmetic
    entries, files, program_files = [], [], []
    for member in search.state.archive.front():
        report = measure(member.program, target, interval, arithmetic,
                         points=evaluation.final_points, label_seconds=evaluation.label_seconds)
        final = report.max_ulp if evaluation.loss == "ulp" else (
            report.max_abs_error if evaluation.loss == "absolute" else report.max_rel_error)
        name = f"ops_{member.program.n_ops:02d}_cost_{member.cost:g}.json"
        metrics = {"fitness": member.fitness, "final_error": final, "loss": evaluation.loss,
                   "final": report.to_dict(), "final_points": evaluation.final_points}
        entries.append({"id": member.id, "n_ops": member.program.n_ops, "cost": member.cost,
                        "fitness": member.fitness, "final_error": final,
                        "expression": member.program.to_infix(),
                        "program": member.program.to_json(),
                        "file": f"front/{name}", "final": report.to_dict()})
        program_file = ProgramFile(member.program, config.target.name, interval, arithmetic.dtype,
                                   arithmetic.semantics, tuple(config.mutation.ops), metrics,
                                   {"run": str(search.run.path), "child": member.id,
                                    "seed": config.search.seed})
        files.append((name, program_file.to_json()))
        # exactly what the file holds
        program_files.append(ProgramFile.from_json(files[-1][1], name))
    search.run.write_front(entries, files)
    return entries, program_files


def write_comparison(path: Path) -> None:
    """compare.json and compare.png in the run folder: the front against the classical baselines."""
    try:
        comparison = compare_run(path)
    except AutonumericsError as error:  # e.g. a custom target no classical family can handle
        (path / "compare.txt").write_text(f"no comparison: {error}\n")
        return
    plot_comparison(comparison, path / "compare.png")
    write_json_atomic(path / "compare.json", {"metric": comparison.metric,
                                              "rows": [row.to_json() for row in comparison.rows]})
