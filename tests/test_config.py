"""Config parsing: defaults, overrides, and errors that name the key and the file."""

from pathlib import Path

import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import config_to_toml, load_config, parse_duration

CONFIGS = sorted(Path(__file__).parent.parent.glob("search_configs/*.toml"))


def test_defaults_are_a_valid_search():
    config = load_config()
    assert config.target.name == "exp2" and config.evaluation.dtype == "float64"


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_shipped_configs_parse_and_round_trip(path, tmp_path):
    config = load_config(path)
    resolved = tmp_path / "config.toml"
    resolved.write_text(config_to_toml(config))
    assert load_config(resolved) == config


def test_overrides_apply_typed_values():
    config = load_config(None, ["search.population=20", "target.interval=-1,1", "target.name=tanh",
                                 'mutation.ops=["add","mul"]'])
    assert config.search.population == 20 and config.target.interval == (-1.0, 1.0)
    assert config.mutation.ops == ("add", "mul")


@pytest.mark.parametrize(
    "text, message",
    [
        ("[search]\npopulaton = 5\n", "search.populaton: unknown key"),
        ("[serch]\n", "unknown section [serch]"),
        ("[search]\npopulation = 'many'\n", "search.population: expected int"),
        ("[evaluation]\ndtype = 'float8'\n", "evaluation.dtype"),
        ("[mutation]\nops = ['add', 'exp']\n", "unknown op 'exp'"),
        ("[target]\nname = 'log'\ninterval = [-1, 1]\n", "leaves the domain"),
        ("[search]\ntime_budget = 'soon'\n", "bad duration"),
        ("[search\n", "invalid TOML"),
    ],
)
def test_bad_configs_name_the_key_and_file(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    pattern = message.replace("[", r"\[").replace("]", r"\]")
    with pytest.raises(AutonumericsError, match=pattern) as error:
        load_config(path)
    if "invalid TOML" not in message:
        assert "bad.toml" in str(error.value)


def test_bad_override_is_explained():
    with pytest.raises(AutonumericsError, match="section.key=value"):
        load_config(None, ["population=5"])


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("10m", 600), ("1h30m", 5400), ("45", 45),
                                           ("", None)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds
