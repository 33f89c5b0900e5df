"""Search configuration: TOML files parsed strictly into frozen dataclasses.

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
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from autonumerics.errors import AutonumericsError
from autonumerics.limits import LABEL_SECONDS, clipped, read_limited_text, shown


@dataclass(frozen=True)
class TargetConfig:
    """What to approximate.

    Attributes:
        name: a built-in target or an mpmath expression in x.
        interval: the search interval, two numbers or a string such as "-ln2/2, ln2/2".
    """

    name: str = "exp2"
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class EvaluationConfig:
    """How children are scored.

    Attributes:
        dtype: evaluation format: float64 stands for real arithmetic; float32 etc. round per op.
        semantics: "xla" (as jitted JAX computes on CPU) or "strict"; default by dtype.
        loss: "relative", "absolute" or "ulp" (max over the points).
        train_points: points the constants are fitted on.
        validation_points: fresh points every child is also scored on (fitness = the larger).
        final_points: points the Pareto front is re-validated on at the end of a run.
        digits: significant digits of the mpmath labels.
        cost: the cost objective: "ops" (weighted op count) or "wall_clock" (measured time of
            the exported JAX kernel, stacked, in ns per element; see ``cost.py``).
        label_seconds: time limit for computing one set of labels (training, validation,
            final); a target too slow for it stops the run with an error naming the point reached.
    """

    dtype: str = "float64"
    semantics: str | None = None
    loss: str = "relative"
    train_points: int = 1024
    validation_points: int = 4096
    final_points: int = 100_000
    digits: int = 30
    cost: str = "ops"
    label_seconds: float = LABEL_SECONDS


@dataclass(frozen=True)
class MutationSettings:
    """Structural search space (see ``mutate.MutationConfig``).

    Attributes:
        ops: allowed ops.
        max_ops: largest program (ops that depend on x).
        max_constants: most constants in a program.
        weights: relative frequency of each mutation kind. The paper used insert 1, remove 2,
            rewire 3, retrain 3 with thousands of workers for days; with two cores for an hour,
            growing and rewiring more often finds the larger programs sooner.
    """

    ops: tuple[str, ...] = ("add", "sub", "mul", "div")
    max_ops: int = 12
    max_constants: int = 10
    weights: dict[str, float] = field(
        default_factory=lambda: {"insert": 2.0, "remove": 1.0, "rewire": 2.0, "retrain": 1.0, "change_op": 1.0}
    )


@dataclass(frozen=True)
class SearchSettings:
    """The evolutionary loop.

    Attributes:
        population: size of the aging (FIFO) population.
        tournament: members sampled per parent selection.
        archive_parent_rate: probability of taking the parent from the Pareto archive instead.
        seeds: starting programs as infix expressions (the identity "x" searches from zero).
        seed: random seed of the whole run.
        max_evals: stop after this many fitted children (0: no limit).
        time_budget: stop after this long, e.g. "10m", "90s", "1h" ("" : no limit).
        fit_budget: constant vectors evaluated per child fit.
        checkpoint_seconds: how often the checkpoint is rewritten.
    """

    population: int = 100
    tournament: int = 4
    archive_parent_rate: float = 0.25
    seeds: tuple[str, ...] = ("x",)
    seed: int = 0
    max_evals: int = 0
    time_budget: str = "5m"
    fit_budget: int = 4000
    checkpoint_seconds: float = 5.0


@dataclass(frozen=True)
class SearchConfig:
    """A whole search; the resolved config is saved in every run folder."""

    target: TargetConfig = TargetConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    mutation: MutationSettings = MutationSettings()
    search: SearchSettings = SearchSettings()

    @property
    def time_budget_seconds(self) -> float | None:
        return parse_duration(self.search.time_budget)


_SECTIONS = {"target": TargetConfig, "evaluation": EvaluationConfig, "mutation": MutationSettings,
             "search": SearchSettings}


def parse_duration(text: str) -> float | None:
    """Seconds in "90s", "10m", "1.5h", "1h30m" or a bare number of seconds; None for ""."""
    text = str(text).strip().lower()
    if not text or text in ("0", "none"):
        return None
    parts = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?", text)
    if not parts or not any(parts.groups()):
        raise AutonumericsError(f"bad duration {shown(text, 40)}: use e.g. 90s, 10m, 1h30m")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in parts.groups())
    return hours * 3600 + minutes * 60 + seconds


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
    return {entry.name.removesuffix(".toml"): entry for entry in sorted(files, key=lambda entry: entry.name)}


def find_config(text: str, folder: str = "") -> tuple[Path | Traversable, str]:
    """A config argument as a file and the name errors give it.

    A file that exists wins; otherwise ``text`` names a shipped config: ``exp2_reals``,
    ``exp2_reals.toml`` or ``search_configs/exp2_reals.toml`` (as the docs spell it, so the
    docs' commands work from any folder).

    Raises:
        AutonumericsError: neither a file nor a shipped config (the message lists the shipped names).
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


def load_config(path: str | Path | None = None, overrides: list[str] = (), *, target: str | None = None,
                interval: str | None = None) -> SearchConfig:
    """Read a config, then apply ``target`` / ``interval`` and the ``section.key=value`` overrides.

    Args:
        path: a TOML file or a shipped config's name (see ``find_config``); None: the defaults.
        overrides: ``section.key=value`` strings, applied last.
        target: replaces ``target.name``. A target other than the file's is searched on its own
            default interval unless ``interval`` is given (the file's was chosen for another function).
        interval: replaces ``target.interval``: "A,B", bounds may be constant expressions.
    """
    source = "defaults"
    data: dict[str, Any] = {}
    if path is not None:
        file, source = find_config(str(path))
        data = _read_toml(file, source)
    _set_target(data, target, interval)
    for override in overrides:
        _apply_override(data, override)
    return config_from_dict(data, source)


def _read_toml(file: Path | Traversable, source: str) -> dict[str, Any]:
    """A TOML file's tables; unreadable, too large, not UTF-8 or not TOML: one error naming it."""
    text = read_limited_text(file, source, "config")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AutonumericsError(f"{source}: invalid TOML: {error}") from None
    except (RecursionError, ValueError) as error:  # arrays nested thousands deep, a 5 000-digit integer
        reason = "nested too deeply" if isinstance(error, RecursionError) else clipped(str(error), 100)
        raise AutonumericsError(f"{source}: invalid TOML: {reason}") from None


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
        raise AutonumericsError(f"--set {shown(override)}: use section.key=value, e.g. search.population=50")
    section, name = key.strip().split(".", 1)
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    except (RecursionError, ValueError):  # nested thousands deep, a 5 000-digit integer
        raise AutonumericsError(f"--set {shown(override)}: the value is not a usable TOML value") from None
    table = data.setdefault(section, {})
    if not isinstance(table, dict):
        raise AutonumericsError(
            f"--set {shown(override)}: [{section}] in the config is {shown(table, 40)}, not a table")
    table[name] = value


def config_from_dict(data: dict[str, Any], source: str = "config") -> SearchConfig:
    """Build and validate a config from parsed TOML; errors name ``source`` and the key."""
    sections = {}
    for section, values in data.items():
        if section not in _SECTIONS:
            raise AutonumericsError(
                f"{source}: unknown section [{clipped(section, 40)}]; sections: {', '.join(_SECTIONS)}")
        if not isinstance(values, dict):
            raise AutonumericsError(f"{source}: [{section}] must be a table")
        sections[section] = _build(_SECTIONS[section], values, f"{source}: {section}")
    config = SearchConfig(**sections)
    from autonumerics.evolution.config_checks import check_config  # it reads this module's classes

    check_config(config, source)
    return config


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in fields:
            raise AutonumericsError(f"{where}.{clipped(key, 40)}: unknown key; known: {', '.join(fields)}")
        kwargs[key] = _coerce(value, fields[key], f"{where}.{key}")
    return cls(**kwargs)


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
    from autonumerics.truth.targets import parse_interval

    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float, str)) for v in value):
        value = ",".join(str(v) for v in value)
    if not isinstance(value, str):
        raise AutonumericsError(f"{where}: expected two numbers, got {shown(value)}")
    try:
        return parse_interval(value)
    except AutonumericsError as error:
        raise AutonumericsError(f"{where}: {error}") from None


def config_to_toml(config: SearchConfig) -> str:
    """The resolved config as TOML (saved in the run folder, readable by ``load_config``)."""
    lines = []
    for section in _SECTIONS:
        lines.append(f"[{section}]")
        for key, value in dataclasses.asdict(getattr(config, section)).items():
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
