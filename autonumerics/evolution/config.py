"""Search configuration: TOML files parsed strictly into the frozen sections of ``settings``.

Every key has a default, so an empty file is a valid search (2^x on [0, 1], float64, max
relative error). Unknown keys and bad values are errors naming the key and the file.
``--set section.key=value`` overrides use the same parser (the value is read as TOML, or as a
plain string when it is not valid TOML).

The repository's ``search_configs/`` ships inside the package (a link in a checkout, files in
a wheel), so a shipped config is also found by its name: ``exp2_reals`` or ``exp2_reals.toml``.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from autonumerics.errors import AutonumericsError, error_context
from autonumerics.evolution.config_checks import check_config
from autonumerics.evolution.settings import (
    SECTIONS,
    EvaluationConfig,
    MutationSettings,
    SearchConfig,
    SearchSettings,
    TargetConfig,
    parse_duration,
)
from autonumerics.limits import clipped, read_toml, shown

# The sections' classes live in ``settings``; they are named here too, where configs are read.
__all__ = ["EvaluationConfig", "MutationSettings", "SearchConfig", "SearchSettings", "TargetConfig",
           "config_from_dict", "config_to_toml", "find_config", "load_config", "parse_duration",
           "shipped_configs"]


def shipped_configs(folder: str = "") -> dict[str, Traversable]:
    """The shipped configs by name (file name without ``.toml``), sorted.

    Args:
        folder: a sub-folder of ``search_configs/`` (``"quant"``: the integer-kernel searches).
    """
    root = resources.files("autonumerics") / "search_configs"
    for part in filter(None, folder.split("/")):
        root = root / part
    if not root.is_dir():
        return {}
    files = [entry for entry in root.iterdir() if entry.name.endswith(".toml") and entry.is_file()]
    return {entry.name.removesuffix(".toml"): entry
            for entry in sorted(files, key=lambda entry: entry.name)}


def find_config(text: str, folder: str = "") -> tuple[Path | Traversable, str]:
    """A config argument as a file and the name errors give it.

    A file that exists wins; otherwise ``text`` names a shipped config: ``exp2_reals``,
    ``exp2_reals.toml`` or ``search_configs/exp2_reals.toml`` (as the docs spell it, so the
    docs' commands work from any folder).

    Raises:
        AutonumericsError: neither a file nor a shipped config (the message lists the shipped
            names).
    """
    path = Path(text)
    if path.is_file():
        return path, text
    home = ("search_configs", *filter(None, folder.split("/")))
    parents = path.parent.parts
    shipped = shipped_configs(folder)
    name = path.name.removesuffix(".toml")
    if name in shipped and len(parents) <= len(home) and home[len(home) - len(parents):] == parents:
        return shipped[name], "/".join((*home, f"{name}.toml"))
    what = "a folder" if path.is_dir() else "not a file"
    raise AutonumericsError(f"no config {shown(text)}: {what}, and not a shipped config "
                            f"({', '.join(shipped) or 'none shipped'})")


def load_config(path: str | Path | None = None, overrides: list[str] = (), *,
                target: str | None = None, interval: str | None = None) -> SearchConfig:
    """Read a config, then apply ``target`` / ``interval`` and the ``section.key=value`` overrides.

    Args:
        path: a TOML file or a shipped config's name (see ``find_config``); None: the defaults.
        overrides: ``section.key=value`` strings, applied last.
        target: replaces ``target.name``. A target other than the file's is searched on its own
            default interval unless ``interval`` is given (the file's was chosen for another
            function).
        interval: replaces ``target.interval``: "A,B", bounds may be constant expressions.
    """
    source = "defaults"
    data: dict[str, Any] = {}
    if path is not None:
        file, source = find_config(str(path))
        data = read_toml(file, source)
    _set_target(data, target, interval)
    for override in overrides:
        _apply_override(data, override)
    return config_from_dict(data, source)


def _set_target(data: dict[str, Any], target: str | None, interval: str | None) -> None:
    section = data.setdefault("target", {})
    if not isinstance(section, dict):
        return  # config_from_dict reports the malformed section
    if target is not None:
        if target != section.get("name", TargetConfig.name):
            section.pop("interval", None)
        section["name"] = target
    if interval is not None:
        section["interval"] = interval


def _apply_override(data: dict[str, Any], override: str) -> None:
    key, separator, text = override.partition("=")
    if not separator or "." not in key:
        raise AutonumericsError(f"--set {shown(override)}: use section.key=value, "
                                "e.g. search.population=50")
    section, name = key.strip().split(".", 1)
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    except (RecursionError, ValueError):  # nested thousands deep, a 5 000-digit integer
        raise AutonumericsError(
            f"--set {shown(override)}: the value is not a usable TOML value") from None
    table = data.setdefault(section, {})
    if not isinstance(table, dict):
        raise AutonumericsError(f"--set {shown(override)}: [{section}] in the config is "
                                f"{shown(table, 40)}, not a table")
    table[name] = value


def config_from_dict(data: dict[str, Any], source: str = "config") -> SearchConfig:
    """Build, validate and resolve a config from parsed TOML; errors name ``source`` and the key.

    The resolved config holds the checked interval (the target's default where none is set).
    """
    sections = {}
    for section, values in data.items():
        if section not in SECTIONS:
            known = ", ".join(SECTIONS)
            raise AutonumericsError(
                f"{source}: unknown section [{clipped(section, 40)}]; sections: {known}")
        if not isinstance(values, dict):
            raise AutonumericsError(f"{source}: [{section}] must be a table")
        sections[section] = _build(SECTIONS[section], values, f"{source}: {section}")
    return check_config(SearchConfig(**sections), source)


def _file_fields(cls: type) -> dict[str, dataclasses.Field]:
    """The fields of a section that a config file sets (by name)."""
    return {f.name: f for f in dataclasses.fields(cls) if f.metadata.get("in_files", True)}


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    fields = _file_fields(cls)
    kwargs = {}
    for key, value in values.items():
        if key not in fields:
            raise AutonumericsError(f"{where}.{clipped(key, 40)}: unknown key; known: "
                                    f"{', '.join(fields)}")
        kwargs[key] = _coerce(value, fields[key], f"{where}.{key}")
    try:
        return cls(**kwargs)
    except AutonumericsError as error:  # "<field>: <why>" from the section's own checks
        raise AutonumericsError(f"{where}.{error}") from None


def _coerce(value: Any, spec: dataclasses.Field, where: str) -> Any:
    default = spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()
    if spec.name == "interval":
        return _interval(value, where)
    if isinstance(default, bool) or spec.name == "semantics":
        expected = (bool,) if isinstance(default, bool) else (str,)
    elif isinstance(default, int):
        expected = (int,)
    elif isinstance(default, float):
        expected = (int, float)
    elif isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AutonumericsError(f"{where}: expected a list of strings, got {shown(value)}")
        return tuple(value)
    elif isinstance(default, dict):
        numbers = isinstance(value, dict) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
        if not numbers:
            raise AutonumericsError(f"{where}: expected a table of numbers, got {shown(value)}")
        return {str(k): float(v) for k, v in value.items()}
    else:
        expected = (str,)
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        raise AutonumericsError(f"{where}: expected {expected[0].__name__}, got {shown(value)}")
    return float(value) if float in expected else value


def _interval(value: Any, where: str) -> tuple[float, float]:
    from autonumerics.truth.targets import parse_interval  # mpmath: not for `search --help`

    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float, str)) for v in value)):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        raise AutonumericsError(f"{where}: expected two numbers, got {shown(value)}")
    with error_context(where):
        return parse_interval(value)


def config_to_toml(config: SearchConfig) -> str:
    """The resolved config as TOML (saved in the run folder, readable by ``load_config``)."""
    lines = []
    for section, cls in SECTIONS.items():
        lines.append(f"[{section}]")
        values = getattr(config, section)
        for key in _file_fields(cls):
            value = getattr(values, key)
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, int) or not math.isnan(value) else "nan"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"
