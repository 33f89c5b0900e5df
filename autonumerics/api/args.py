"""Checking the public API's arguments: one ``AutonumericsError`` line naming the argument.

Every check runs before anything is computed or written. The search's arguments become a
``SearchConfig`` through ``config.config_from_dict``, the same strict parser the TOML files go
through, so the API and the CLI accept exactly the same searches.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autonumerics.errors import AutonumericsError, error_context
from autonumerics.evolution.config import SearchConfig, config_from_dict, parse_duration
from autonumerics.ir.ops import OPS
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Program
from autonumerics.ir.programfile import ProgramFile, load_program_file
from autonumerics.numerics.context import SEMANTICS
from autonumerics.numerics.dtypes import FORMATS
from autonumerics.truth.target_interval import target_interval
from autonumerics.truth.targets import Target, get_target, parse_interval

__all__ = ["check_callable", "check_choice", "check_count", "check_duration", "check_flag",
           "check_out", "one_line", "program_file_of", "search_config",
           "target_and_interval"]

# search() arguments and the config keys they set: ``settings`` may not set these twice.
ARGUMENT_KEYS = {
    "target": "target.name", "interval": "target.interval", "dtype": "evaluation.dtype",
    "semantics": "evaluation.semantics", "loss": "evaluation.loss", "ops": "mutation.ops",
    "max_ops": "mutation.max_ops", "seeds": "search.seeds", "seed": "search.seed",
    "max_evals": "search.max_evals", "time_budget": "search.time_budget",
}


@contextmanager
def one_line(errors: type[Exception] | tuple[type[Exception], ...],
             message: Callable[[Exception], str]) -> Iterator[None]:
    """Re-raise ``errors`` from the block as one ``AutonumericsError`` line, ``message(error)``."""
    try:
        yield
    except errors as error:
        raise AutonumericsError(message(error)) from None


def check_choice(argument: str, value: object, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise AutonumericsError(f"{argument}: {value!r} is not one of {', '.join(choices)}")
    return value


def check_count(argument: str, value: object, minimum: int) -> int:
    """An int (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise AutonumericsError(f"{argument}: expected an integer >= {minimum}, got {value!r}")
    return value


def check_flag(argument: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise AutonumericsError(f"{argument}: expected True or False, got {value!r}")
    return value


def check_callable(argument: str, value: object) -> Callable | None:
    if value is not None and not callable(value):
        raise AutonumericsError(f"{argument}: expected a function or None, got {value!r}")
    return value


def check_out(out: object) -> Path | None:
    """None (in memory) or a folder path that is not a file."""
    if out is None:
        return None
    if not isinstance(out, (str, os.PathLike)) or not str(out):
        raise AutonumericsError(f"out: expected a folder path or None, got {out!r}")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise AutonumericsError(f"out: {path} is a file, not a folder")
    return path


def target_and_interval(
    target: object, interval: object, default: tuple[float, float] | None = None,
) -> tuple[Target, tuple[float, float]]:
    """The target and a checked interval (None: ``default``, else the target's first default)."""
    if not isinstance(target, str):
        raise AutonumericsError("target: expected a target name or an mpmath expression in x, got "
                                f"{target!r}")
    with error_context("target"):
        resolved = get_target(target)
    with error_context("interval"):
        given = None if interval is None else _interval(interval)
        return resolved, target_interval(resolved, given, default)


def _interval(value: object) -> tuple[float, float]:
    if isinstance(value, str):
        return parse_interval(value)
    if isinstance(value, Sequence) and len(value) == 2 and all(_bound(v) for v in value):
        return parse_interval(",".join(v if isinstance(v, str) else repr(float(v)) for v in value))
    raise AutonumericsError(f"expected two bounds (a, b) or 'a,b', got {value!r}")


def _bound(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, numbers.Real)
                                      and not isinstance(value, bool))


def _seed_texts(seeds: object) -> tuple[str, ...]:
    """Seeds as expressions (each parsed now, so a typo fails here)."""
    if isinstance(seeds, (str, Program, ProgramFile)):
        seeds = [seeds]
    if not isinstance(seeds, Sequence) or not seeds:
        raise AutonumericsError(f"seeds: expected expressions or programs, got {seeds!r}")
    texts = []
    for index, seed in enumerate(seeds):
        program = seed.program if isinstance(seed, ProgramFile) else seed
        if isinstance(program, Program):
            texts.append(program.to_infix())  # constants print with repr: exact
        elif isinstance(program, str):
            with error_context(f"seeds[{index}]"):
                parse_expr(program)
            texts.append(program)
        else:
            raise AutonumericsError(f"seeds[{index}]: expected an expression or a Program, got "
                                    f"{seed!r}")
    return tuple(texts)


def _ops(ops: object) -> list[str]:
    if (isinstance(ops, str) or not isinstance(ops, Sequence)
            or not all(isinstance(op, str) for op in ops)):
        raise AutonumericsError("ops: expected a list of op names such as ['add', 'mul'], got "
                                f"{ops!r}")
    return list(ops)


def check_duration(argument: str, value: object) -> str:
    """Seconds (> 0), a duration string or None, as a config duration string ("": no limit)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 < value < float("inf"):
            raise AutonumericsError(f"{argument}: expected seconds > 0, a duration such as '10m', "
                                    f"or None, got {value!r}")
        return f"{float(value):f}s"  # fixed point: the duration parser reads no exponent
    if isinstance(value, str):
        with error_context(argument):
            parse_duration(value)
        return value
    raise AutonumericsError(f"{argument}: expected seconds, a duration such as '10m', or None, got "
                            f"{value!r}")


def _settings(settings: object) -> dict[str, dict[str, Any]]:
    """``{"section.key": value}`` as config sections; keys of search() arguments are refused."""
    if settings is None:
        return {}
    if not isinstance(settings, Mapping):
        raise AutonumericsError(f"settings: expected a dict such as {{'search.population': 50}}, "
                                f"got {settings!r}")
    sections: dict[str, dict[str, Any]] = {}
    for key, value in settings.items():
        section, dot, name = str(key).partition(".")
        if not dot or not name:
            raise AutonumericsError(f"settings: key {key!r} is not section.key (e.g. "
                                    "'search.population')")
        argument = next((a for a, k in ARGUMENT_KEYS.items() if k == key), None)
        if argument:
            raise AutonumericsError(f"settings: {key!r} is the argument {argument}= of search()")
        sections.setdefault(section, {})[name] = list(value) if isinstance(value, tuple) else value
    return sections


def search_config(target: object, interval: object, *, dtype: object, semantics: object,
                  loss: object, ops: object, max_ops: object, seeds: object, seed: object,
                  max_evals: object, time_budget: object, settings: object) -> SearchConfig:
    """A checked ``SearchConfig`` from ``search()``'s arguments (see ``api.search``)."""
    resolved, bounds = target_and_interval(target, interval)
    check_choice("dtype", dtype, tuple(FORMATS))
    if semantics is not None:
        check_choice("semantics", semantics, SEMANTICS)
    check_choice("loss", loss, ("relative", "absolute", "ulp"))
    unknown = [op for op in _ops(ops) if op not in OPS]
    if unknown:
        raise AutonumericsError(f"ops: unknown op {unknown[0]!r}; known: {', '.join(OPS)}")
    data = _settings(settings)
    data.setdefault("target", {}).update(name=resolved.name, interval=list(bounds))
    data.setdefault("evaluation", {}).update(dtype=dtype, loss=loss,
                                             **({"semantics": semantics} if semantics else {}))
    data.setdefault("mutation", {}).update(ops=list(ops),
                                           max_ops=check_count("max_ops", max_ops, 1))
    data.setdefault("search", {}).update(
        seeds=list(_seed_texts(seeds)), seed=check_count("seed", seed, 0),
        max_evals=0 if max_evals is None else check_count("max_evals", max_evals, 1),
        time_budget=check_duration("time_budget", time_budget))
    return config_from_dict(data, "settings")  # what is left to check comes from settings


def program_file_of(program: object, argument: str = "program") -> ProgramFile:
    """A ``ProgramFile`` from a ProgramFile, a Program, a front member, a path or an expression.

    A ``str`` ending in ``.json`` and any ``os.PathLike`` are read as program files; any other
    ``str`` is parsed as an expression.
    """
    if isinstance(program, ProgramFile):
        return program
    if isinstance(program, Program):
        return ProgramFile(program)
    if isinstance(getattr(program, "program_file", None), ProgramFile):  # a front member
        return program.program_file
    with error_context(argument):
        if isinstance(program, os.PathLike) or (isinstance(program, str)
                                                and program.strip().endswith(".json")):
            return load_program_file(program)
        if isinstance(program, str):
            return ProgramFile(parse_expr(program))
    raise AutonumericsError(f"{argument}: expected a Program, a ProgramFile, a path or an "
                            f"expression, got {program!r}")
