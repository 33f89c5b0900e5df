"""Tests for autonumerics.evolution.live_front: which folder a path names, and a run's front from
pareto.json or, while the run goes on, from its checkpoint's archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.live_front import current_front, run_folder_of
from autonumerics.evolution.population import Member
from autonumerics.ir.parse import parse_expr


@pytest.fixture
def run(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text("")
    (tmp_path / "front").mkdir()
    return tmp_path


def test_a_path_names_its_run_folder(run: Path, tmp_path: Path) -> None:
    assert run_folder_of(run) == run
    assert run_folder_of(run / "pareto.json") == run  # whether or not it exists yet
    assert run_folder_of(run / "front") == run
    (run / "p.json").write_text("{}")
    assert run_folder_of(run / "p.json") is None  # a program file
    elsewhere = tmp_path / "other" / "front"
    elsewhere.mkdir(parents=True)
    assert run_folder_of(elsewhere) == elsewhere  # a front/ outside a run is a folder of its own


def _member(id_: int, expression: str, fitness: float, cost: float) -> dict:
    return Member(id_, -1, parse_expr(expression), fitness, cost).to_json()


def test_the_checkpoints_front_while_running(run: Path) -> None:
    archive = [_member(0, "x", 0.5, 1.0), _member(1, "1 + x", 0.1, 1.0),  # 1 dominates 0
               _member(2, "1 + x*(0.7 + x*0.3)", 0.01, 4.0)]
    (run / "checkpoint.json").write_text(json.dumps({"archive": archive}))
    front = current_front(run)
    assert [entry["cost"] for entry in front] == [1.0, 4.0]
    assert front[0] == {"n_ops": 1, "cost": 1.0, "fitness": 0.1, "final_error": 0.1,
                        "expression": front[0]["expression"]}
    assert parse_expr(front[0]["expression"]).n_ops == 1


def test_pareto_json_wins_over_the_checkpoint(run: Path) -> None:
    (run / "checkpoint.json").write_text(json.dumps({"archive": [_member(0, "x", 0.5, 1.0)]}))
    entry = {"n_ops": 2, "cost": 2, "fitness": 0.01, "final_error": 0.02, "expression": "1 + x"}
    (run / "pareto.json").write_text(json.dumps({"front": [entry]}))
    assert current_front(run) == [entry]


def test_a_run_without_a_front_or_checkpoint_and_a_folder_that_is_no_run(run: Path,
                                                                         tmp_path: Path) -> None:
    with pytest.raises(AutonumericsError, match="neither pareto.json nor a checkpoint yet"):
        current_front(run)
    (tmp_path / "plain").mkdir()
    with pytest.raises(AutonumericsError, match="not a run folder"):
        current_front(tmp_path / "plain")
