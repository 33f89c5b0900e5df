"""Quantized-kernel search configs: a TOML file and command-line values, read strictly.

A config (``search_configs/quant/gelu_int8.toml``) sets fields of ``SearchRequest`` as top-level
keys; every key but ``target`` and ``scales`` has a default. An unknown key, or a value of the
wrong type or out of range, is an error naming the key and where it came from. A scale is a
positive number or a power of two written ``2^-6`` or ``2**-6``.

This module imports no solver (scipy): reading a config stays fast for ``--help``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from autonumerics.errors import AutonumericsError, error_context
from autonumerics.evolution.config import find_config
from autonumerics.limits import read_toml, shown

QUANT_SEARCH_TARGETS = ("gelu", "exp", "sigmoid", "tanh")
# Input storage dtypes a search enumerates in full (int32 is an accumulator's, never a grid).
INPUT_DTYPES = ("int8", "uint8", "int16")
MAX_FRAC_BITS = 31  # a folded constant's fractional bits: a shift amount of the int32 IR


def parse_scale(text: str) -> float:
    """A scale as ``2^-6``, ``2**-6`` or a decimal number (> 0); errors name the text."""
    match = re.fullmatch(r"\s*2\s*(?:\^|\*\*)\s*(-?\d+)\s*", text)
    try:
        value = 2.0 ** int(match.group(1)) if match else float(text)
    except OverflowError:  # 2^5000
        value = math.inf
    except ValueError:
        raise AutonumericsError(
            f"cannot read the scale {shown(text, 60)} (write 2^-6, 2**-6 or 0.015625)") from None
    if not value > 0:
        raise AutonumericsError(f"a scale must be positive, got {shown(text, 60)}")
    if not math.isfinite(value):
        raise AutonumericsError(f"a scale must be finite, got {shown(text, 60)}")
    return value


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(low: int, high: int | None = None) -> Callable[[object], object]:
    def check(value: object) -> object:
        if not isinstance(value, int) or isinstance(value, bool) or value < low or \
                (high is not None and value > high):
            within = f">= {low}" if high is None else f"in [{low}, {high}]"
            raise AutonumericsError(f"expected a whole number {within}, got {shown(value, 60)}")
        return value
    return check


def _real(low: float, inclusive: bool) -> Callable[[object], object]:
    def check(value: object) -> object:
        if not (_number(value) and math.isfinite(value)) or not (
                value >= low if inclusive else value > low):
            bound = f"{'>=' if inclusive else '>'} {low:g}"
            raise AutonumericsError(f"expected a finite number {bound}, got {shown(value, 60)}")
        return float(value)
    return check


def _choice(names: tuple[str, ...]) -> Callable[[object], object]:
    def check(value: object) -> object:
        if value not in names:
            raise AutonumericsError(f"expected one of {', '.join(names)}, got {shown(value, 60)}")
        return value
    return check


def _scales(value: object) -> tuple[float, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise AutonumericsError(f"expected a list of at least one scale, got {shown(value, 60)}")
    for scale in value:
        if not isinstance(scale, str) and not _number(scale):
            raise AutonumericsError(
                f"a scale is a number or a string such as '2^-6', got {shown(scale, 60)}")
    return tuple(parse_scale(str(scale)) for scale in value)


def _degrees(value: object) -> tuple[int, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise AutonumericsError(f"expected a list of at least one degree, got {shown(value, 60)}")
    return tuple(_whole(1)(degree) for degree in value)


def _text(value: object) -> object:
    if not isinstance(value, str):
        raise AutonumericsError(f"expected a string, got {shown(value, 60)}")
    return value


# field -> its check, which returns the value as the request stores it (scales as floats).
_CHECKS: dict[str, Callable[[object], object]] = {
    "target": _choice(QUANT_SEARCH_TARGETS), "scales": _scales, "dtype": _choice(INPUT_DTYPES),
    "max_ops": _whole(1), "degrees": _degrees, "frac_bits": _whole(0, MAX_FRAC_BITS),
    "clips": _whole(1), "time_limit": _real(0.0, inclusive=False),
    "protect": _real(0.0, inclusive=True), "out": _text,
}


@dataclass(frozen=True)
class SearchRequest:
    """What to search; every field is checked (errors name it).

    Attributes:
        target: ``gelu`` (int -> int, equal input and output scales), ``exp`` (d <= 0 -> int32), or
            ``sigmoid`` / ``tanh`` (int16 at 2^-12 -> int16 at 2^-15 only).
        scales: input scales; one kernel per scale.
        dtype: input storage dtype (``int8`` for GELU; ``int16`` for exp).
        max_ops: integer op budget per element (GELU family).
        degrees: polynomial degrees tried (GELU family).
        frac_bits: fractional bits of the folded GELU constants.
        clips: clip points tried per degree (the best of the real fit).
        time_limit: seconds per MILP.
        protect: misses at real inputs with |x| <= protect (and at the two end codes) cost 64
            instead of 1 (GELU).
        out: folder for the kernel files.
    """

    target: str
    scales: tuple[float, ...] | list[float]
    dtype: str = "int8"
    max_ops: int = 12
    degrees: tuple[int, ...] | list[int] = (3, 4)
    frac_bits: int = 26
    clips: int = 3
    time_limit: float = 30.0
    protect: float = 0.5
    out: str = "."

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            with error_context(name):
                object.__setattr__(self, name, check(getattr(self, name)))


CONFIG_KEYS = tuple(f.name for f in fields(SearchRequest))
# command-line option -> the config key it sets
OPTION_KEYS = {"--target": "target", "--dtype": "dtype", "--scale": "scales", "--out": "out",
               "--time-limit": "time_limit"}


def load_request(config: str | None = None, **options: Any) -> SearchRequest:
    """A search request from a config (a TOML file or a shipped config's name) and options.

    Args:
        config: the config; None: the options alone (then ``target`` and ``scales`` are needed).
        **options: config keys given on the command line (None: not given); they replace the
            file's values.

    Raises:
        AutonumericsError: an unreadable config, an unknown key, a bad value (naming the file or
            the option, and the key), or no target or no scale.
    """
    settings: dict[str, Any] = {}
    if config is not None:
        file, source = find_config(config, "quant")
        data = read_toml(file, source)
        for key, value in data.items():
            if key not in _CHECKS:
                raise AutonumericsError(f"{source}: unknown key {shown(key, 40)}; "
                                        f"known: {', '.join(CONFIG_KEYS)}")
            with error_context(f"{source}: {key}"):
                settings[key] = _CHECKS[key](value)
    option_of = {key: option for option, key in OPTION_KEYS.items()}
    for key, value in options.items():
        if value is not None:
            with error_context(option_of.get(key, key)):
                settings[key] = _CHECKS[key](value)
    if "target" not in settings or "scales" not in settings:
        raise AutonumericsError("give a config file, or --target and at least one --scale")
    return SearchRequest(**settings)
