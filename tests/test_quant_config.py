"""Tests for autonumerics.quant.config: scales, and search requests read strictly from a TOML
file and command-line options (errors name the file or option and the key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.quant.config import CONFIG_KEYS, SearchRequest, load_request, parse_scale

SHIPPED = Path(__file__).resolve().parent.parent / "search_configs" / "quant"


def test_parse_scale() -> None:
    assert parse_scale("2^-6") == parse_scale("2**-6") == parse_scale(" 2 ^ -6 ") == 0.015625
    assert parse_scale("0.1") == 0.1 and parse_scale("2^3") == 8.0
    for text, message in [("0", "positive, got '0'"), ("-0.5", "positive"), ("two", "cannot read"),
                          ("nan", "positive"), ("inf", "finite"), ("2^5000", "finite"),
                          ("2^-5000", "positive")]:
        with pytest.raises(AutonumericsError, match=message):
            parse_scale(text)


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.toml")), ids=lambda path: path.stem)
def test_shipped_configs_load(path: Path) -> None:
    request = load_request(str(path))
    assert request.target in ("gelu", "exp") and request.out == "results/quant"
    assert all(isinstance(scale, float) and scale > 0 for scale in request.scales)


def test_a_shipped_config_by_name_and_options_replacing_its_values() -> None:
    request = load_request("gelu_int8", scales=["2^-5"], time_limit=5, out="k")
    assert request == SearchRequest("gelu", (2**-5,), "int8", 12, (3, 4), 26, 3, 5.0, 0.5, "k")
    assert load_request("gelu_int8", target=None, dtype=None).scales == (2**-6, 2**-5, 2**-4)


def test_defaults_and_normal_forms() -> None:
    request = load_request(None, target="exp", scales=["2^-8", 0.5])
    assert request.scales == (2**-8, 0.5) and request.dtype == "int8" and request.degrees == (3, 4)
    assert SearchRequest("gelu", [2**-6], degrees=[3]).degrees == (3,)  # lists become tuples
    assert set(CONFIG_KEYS) == {"target", "scales", "dtype", "max_ops", "degrees", "frac_bits",
                                "clips", "time_limit", "protect", "out"}


@pytest.mark.parametrize("line, message", [
    ("population = 3", "q.toml: unknown key 'population'; known: target, scales"),
    ('target = "erf"', "q.toml: target: expected one of gelu, exp, sigmoid, tanh, got 'erf'"),
    ('scales = "2^-6"', "q.toml: scales: expected a list of at least one scale"),
    ("scales = []", "q.toml: scales: expected a list"),
    ("scales = [true]", "q.toml: scales: a scale is a number or a string"),
    ('scales = ["2^-6", 0]', "q.toml: scales: a scale must be positive, got '0'"),
    ('dtype = "int32"', "q.toml: dtype: expected one of int8, uint8, int16, got 'int32'"),
    ("max_ops = 0", "q.toml: max_ops: expected a whole number >= 1, got 0"),
    ("max_ops = 2.5", "q.toml: max_ops: expected a whole number"),
    ("max_ops = true", "q.toml: max_ops: expected a whole number"),
    ("degrees = [3, 0]", "q.toml: degrees: expected a whole number >= 1, got 0"),
    ("frac_bits = 32", "q.toml: frac_bits: expected a whole number in [0, 31], got 32"),
    ("time_limit = 0", "q.toml: time_limit: expected a finite number > 0, got 0"),
    ("time_limit = nan", "q.toml: time_limit: expected a finite number > 0"),
    ("protect = -1", "q.toml: protect: expected a finite number >= 0, got -1"),
    ("out = 3", "q.toml: out: expected a string, got 3"),
])
def test_bad_values_in_a_file_name_the_file_and_key(tmp_path: Path, line: str,
                                                    message: str) -> None:
    config = tmp_path / "q.toml"
    base = [text for text in ('target = "gelu"', 'scales = ["2^-6"]')
            if text.split()[0] != line.split()[0]]
    config.write_text("\n".join([*base, line]) + "\n")
    with pytest.raises(AutonumericsError) as error:
        load_request(str(config))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_bad_options_name_the_option() -> None:
    with pytest.raises(AutonumericsError, match=r"^--time-limit: expected a finite number > 0"):
        load_request(None, target="exp", scales=["2^-8"], time_limit=-1.0)
    with pytest.raises(AutonumericsError, match=r"^--scale: cannot read the scale 'two'"):
        load_request(None, target="exp", scales=["two"])
    with pytest.raises(AutonumericsError, match="give a config file, or --target and at least one"):
        load_request(None, target="exp")


def test_a_file_that_is_not_toml_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "q.toml"
    for content, message in [(b"target = ", "invalid TOML"), (b"x = \xff", "not UTF-8"),
                             (b"x = " + b"[" * 5000 + b"]" * 5000, "nested too deeply")]:
        config.write_bytes(content)
        with pytest.raises(AutonumericsError, match=message) as error:
            load_request(str(config))
        assert "\n" not in str(error.value)


def test_a_request_made_in_code_is_checked_too() -> None:
    with pytest.raises(AutonumericsError, match="^clips: expected a whole number >= 1"):
        SearchRequest("gelu", (2**-6,), clips=0)
    with pytest.raises(AutonumericsError, match="^target: expected one of"):
        SearchRequest("erf", (2**-6,))
