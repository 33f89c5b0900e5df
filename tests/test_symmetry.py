"""Odd / even targets: detection, declaration, and the symmetric classical forms they unlock."""

import json
import warnings

import pytest

import autonumerics
from autonumerics.api.runs import start_search
from autonumerics.baselines import compute_baselines
from autonumerics.baselines.compare import compare_run
from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import load_config
from autonumerics.truth.symmetry import (
    PROBE_POINTS,
    check_declared_symmetry,
    detect_symmetry,
    target_with_symmetry,
)
from autonumerics.truth.targets import TARGETS, get_target


@pytest.mark.parametrize(("expression", "expected"), [
    ("atan(x)", "odd"), ("x*exp(-x**2)", "odd"), ("sinh(x)", "odd"), ("sin(x) - x", "odd"),
    ("cos(x) + x**2", "even"), ("exp(-x**2)", "even"), ("besselj(0, x)", "even"),
    ("exp(x)", None), ("x + x**2", None),
    ("sqrt(x)", None),  # f(-x) is not real
    ("log(x)", None), ("acosh(x)", None),
    # real on [-1, 1] only: the probes past 1 are skipped, those below decide
    ("asin(x)", "odd"), ("erfinv(x)", "odd"), ("atanh(x)", "odd"), ("sqrt(1 - x**2)", "even"),
    ("sqrt(0.1 - x**2)", None),  # no probe point where it is real: no evidence
    ("0*x", None),  # identically 0: odd and even alike, so neither
    ("x + 1e-30*x**2", None),  # asymmetry 2^-97 relative at x = 2.5: seen
    ("x + 1e-40*x**2", "odd"),  # 2^-130: below the 2^-100 tolerance (the documented limit)
])
def test_detection(expression, expected):
    assert detect_symmetry(expression) == expected
    assert get_target(expression).symmetry == expected


def test_detection_agrees_with_the_registry():
    for target in TARGETS.values():
        assert detect_symmetry(target) == target.symmetry, target.name


def test_declared_symmetry_is_checked_at_the_probe_points():
    with pytest.raises(AutonumericsError, match=r"declared odd, but at x = 0\.318") as error:
        check_declared_symmetry("exp(x)", "odd")
    assert "not -f(x)" in str(error.value)
    with pytest.raises(AutonumericsError, match="declared even"):
        target_with_symmetry(get_target("atan(x)"), "even")
    with pytest.raises(AutonumericsError, match="symmetry: 'sideways' is not one of auto, odd"):
        target_with_symmetry(get_target("atan(x)"), "sideways")
    # asymmetric by 1e-30: below the 2^-60 of a declaration (invisible to every baseline)
    assert target_with_symmetry(get_target("x + 1e-30*x**2"), "odd").symmetry == "odd"
    # f(-x) cannot be evaluated: the declaration is trusted
    assert target_with_symmetry(get_target("sqrt(x)"), "odd").symmetry == "odd"
    assert target_with_symmetry(TARGETS["erf"], "none").symmetry is None
    assert target_with_symmetry(TARGETS["erf"], "auto") is TARGETS["erf"]
    assert len(PROBE_POINTS) >= 4 and all(0 < x <= 3 for x in PROBE_POINTS)


def test_config_key_target_symmetry():
    assert load_config(None, []).target.symmetry == "auto"
    assert load_config(None, ["target.symmetry=none"]).target.symmetry == "none"
    with pytest.raises(AutonumericsError,
                       match=r"defaults: target\.symmetry: 'sideways' is not one of auto, odd, "
                             "even, none"):
        load_config(None, ["target.symmetry=sideways"])
    with pytest.raises(AutonumericsError, match=r"target\.symmetry: expected str"):
        load_config(None, ["target.symmetry=1"])
    with pytest.raises(AutonumericsError,
                       match=r"defaults: target\.symmetry: 2\*\*x is declared even, but at x = "):
        load_config(None, ["target.symmetry=even"])  # the default target, 2^x
    config = load_config(None, ["target.symmetry=odd"], target="tan(x)", interval="0.5,1")
    assert config.target.symmetry == "odd"


def _best(rows, n_ops, symmetric):
    chosen = [b for b in rows if b.n_ops is not None and b.n_ops <= n_ops
              and (b.form in ("odd", "odd1", "even")) == symmetric]
    return min(chosen, key=lambda b: b.max_rel_error)


def test_odd_custom_target_gets_odd_forms_that_win():
    """atan on [0, 1] at 10 ops: the best odd form 1.07e-5 (rational x*r(x^2) (1,2)), the best
    without symmetry 1.42e-4 (minimax x*p(x), degree 5): 13x."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = compute_baselines("atan(x)", (0, 1), max_ops=10)
        plain = compute_baselines(target_with_symmetry(get_target("atan(x)"), "none"), (0, 1),
                                  max_ops=10)
    assert {"odd", "odd1"} <= {b.form for b in rows}
    assert not {"odd", "odd1"} & {b.form for b in plain}
    assert any(b.label == "minimax x*p(x^2) deg 9" and b.n_ops == 10 for b in rows)
    assert _best(plain, 10, False).max_rel_error > 5 * _best(rows, 10, True).max_rel_error


def test_odd_forms_win_by_orders_of_magnitude_on_an_entire_function():
    """sinh on [0, 1] at 10 ops: x*p(x^2) of degree 9 4.6e-11, x*p(x) of degree 5 1.1e-6."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = compute_baselines("sinh(x)", (0, 1), kinds=("minimax",), max_ops=10)
        plain = compute_baselines(target_with_symmetry(get_target("sinh(x)"), "none"), (0, 1),
                                  kinds=("minimax",), max_ops=10)
    assert _best(plain, 10, False).max_rel_error > 1e4 * _best(rows, 10, True).max_rel_error


def test_symmetric_forms_on_an_interval_away_from_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = compute_baselines("erf", (0.5, 1.0), kinds=("minimax",), max_ops=8)
        even = compute_baselines("exp(-x**2)", (-2.0, -1.0), kinds=("minimax",), max_ops=6)
    labels = {b.label for b in rows}
    assert {"minimax x*p(x^2) deg 5", "minimax deg 4"} <= labels
    # [-2, -1] folds onto t = x^2 in [1, 4]: the minimax error in t is the program's on [-2, -1]
    folded = [b for b in even if b.form == "even"]
    odd = [b for b in rows if b.form == "odd"]
    assert [b.label for b in odd] == ["minimax x*p(x^2) deg 3", "minimax x*p(x^2) deg 5",
                                      "minimax x*p(x^2) deg 7"]
    assert [b.label for b in folded] == ["minimax p(x^2) deg 2", "minimax p(x^2) deg 4"]
    for baseline in folded + odd:
        assert baseline.max_rel_error == pytest.approx(baseline.certificate.max_error, rel=1e-6)


def test_cli_and_api_take_a_symmetry(capsys):
    base = ["baselines", "atan(x)", "--interval", "0.25,1", "--kinds", "minimax",
            "--max-ops", "6"]
    assert main(base + ["--json"]) == 0
    forms = {b["form"] for b in json.loads(capsys.readouterr().out)["baselines"]}
    assert forms == {"plain", "odd"}
    assert main(base + ["--symmetry", "none", "--json"]) == 0
    assert {b["form"] for b in json.loads(capsys.readouterr().out)["baselines"]} == {"plain"}
    assert main(base + ["--symmetry", "even"]) == 2
    assert "declared even" in capsys.readouterr().err
    assert main(base) == 0
    assert "x*p(x^2)" in capsys.readouterr().out
    rows = autonumerics.baselines("cosh(x)", (0.5, 1), kinds=["minimax"], max_ops=4)
    assert {b.form for b in rows} == {"plain", "even"}
    rows = autonumerics.baselines("cosh(x)", (0.5, 1), kinds=["minimax"], max_ops=4,
                                  symmetry="none")
    assert {b.form for b in rows} == {"plain"}
    with pytest.raises(AutonumericsError, match="symmetry: 'sideways' is not one of"):
        autonumerics.baselines("exp(x)", (0, 1), symmetry="sideways")


SMALL = ["evaluation.train_points=128", "evaluation.validation_points=256",
         "evaluation.final_points=512", "search.fit_budget=300", "search.max_evals=30",
         "mutation.max_ops=4"]


def test_compare_lists_odd_forms_for_a_custom_odd_target(tmp_path):
    run = tmp_path / "run"
    start_search(load_config(None, SMALL, target="sinh(x)", interval="0.5,1"), run, workers=0)
    comparison = compare_run(run, max_ops=4)
    assert comparison.rows[3].classical_label == "minimax x*p(x^2) deg 3"
    assert "x*p(x^2)" in json.loads((run / "compare.json").read_text())["rows"][3][
        "classical_label"]
