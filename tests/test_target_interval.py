"""The interval a target is approximated on: the first given, else the default, always checked."""

import math

import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import config_from_dict, config_to_toml, load_config
from autonumerics.truth.target_interval import target_interval
from autonumerics.truth.targets import get_target

LOG = get_target("log")


def test_the_first_interval_given_wins_else_the_targets_default():
    assert target_interval(LOG) == LOG.default_intervals[0]
    assert target_interval(LOG, None, (0.5, 3)) == (0.5, 3.0)
    assert target_interval(LOG, "1,e", (0.5, 3)) == (1.0, math.e)
    assert target_interval(LOG, "", [], None) == LOG.default_intervals[0]  # empty: not given
    half = math.log(2) / 2
    assert target_interval(get_target("exp"), "-ln2/2, ln2/2") == (-half, half)


@pytest.mark.parametrize("choice, message", [
    ("-1,1", r"interval \[-1.0, 1.0\] leaves the domain \(0, inf\) of log"),
    ((2.0, 1.0), "empty or reversed"),
    ("1", "must be two bounds"),
    ((0.5, math.inf), "non-finite bound"),
])
def test_every_choice_is_checked(choice, message):
    with pytest.raises(AutonumericsError, match=message):
        target_interval(LOG, choice, (1.0, 2.0))


def test_a_resolved_config_stores_the_checked_interval():
    config = load_config(None, ["target.name=log"])
    assert config.target.interval == LOG.default_intervals[0]
    config = load_config(None, ["target.name=log", "target.interval=1,e"])
    assert config.target.interval == (1.0, math.e)
    with pytest.raises(AutonumericsError, match="settings: target: interval .* leaves the domain"):
        config_from_dict({"target": {"name": "log", "interval": [-1, 1]}}, "settings")


def test_the_saved_config_reads_back_to_the_same_interval(tmp_path):
    config = load_config(None, ["target.name=exp"])
    saved = tmp_path / "config.toml"
    saved.write_text(config_to_toml(config))
    assert "interval = [" in saved.read_text()
    assert load_config(saved) == config
