"""compare: a run's front against the classical baselines, by op count, with a plot."""

import json

from autonumerics.api.runs import start_search
from autonumerics.baselines.compare import ComparisonRow, compare_run
from autonumerics.cli import main
from autonumerics.evolution.config import load_config

SMALL = ["evaluation.train_points=128", "evaluation.validation_points=256",
         "evaluation.final_points=512", "search.fit_budget=300", "search.max_evals=25",
         "mutation.max_ops=4"]


def test_compare_table_and_plot(tmp_path, capsys):
    run = tmp_path / "run"
    start_search(load_config(None, SMALL), run, workers=0)
    # written by search
    assert (run / "compare.png").stat().st_size > 0 and (run / "compare.json").exists()
    comparison = compare_run(run, max_ops=4)
    assert [row.n_ops for row in comparison.rows] == [1, 2, 3, 4]
    # with at most 2 ops the best classical form is the degree-1 minimax polynomial: 0.0298
    assert abs(comparison.rows[1].classical - 0.0298) < 1e-3
    assert main(["compare", str(run), "--max-ops", "4", "--plot", str(tmp_path / "p.png"),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rows"]) == 4 and (tmp_path / "p.png").exists()


def test_ratio_is_classical_over_evolved():
    assert ComparisonRow(3, 1e-4, "x", 1e-3, "minimax").ratio == 10.0
    assert ComparisonRow(3, None, None, 1e-3, "minimax").ratio is None
