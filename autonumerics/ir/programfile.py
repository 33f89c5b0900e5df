"""Program files (``*.json``): a program plus what it approximates and how it was measured.

A person can write one by hand; only ``expression`` is required::

    {"expression": "1 + x*(0.6931 + x*0.2402)", "target": "exp2", "interval": [0, 1],
     "dtype": "float32"}

Files written by autonumerics also hold the SSA ``instructions`` with ``constants`` as exact
hex strings (these win over ``expression``, which is then only for reading), the
``semantics``, the op set and the measured ``metrics``.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autonumerics.errors import AutonumericsError
from autonumerics.ir.ops import OPS
from autonumerics.ir.program import Program
from autonumerics.limits import MAX_INPUT_FILE_BYTES, clipped, read_limited_text, shown
from autonumerics.numerics.context import SEMANTICS, default_semantics  # SEMANTICS: the CLI's
from autonumerics.numerics.dtypes import float_format
from autonumerics.truth.target_domain import finite_interval

FORMAT = "autonumerics-program/1"


_KNOWN_KEYS = {"format", "expression", "constants", "instructions", "output", "target", "interval",
               "dtype", "semantics", "ops", "metrics", "n_ops", "provenance"}


@dataclass(frozen=True)
class ProgramFile:
    """A program and its context.

    Attributes:
        program: the program.
        target: target name or mpmath expression, if known.
        interval: the interval it was made for, if known.
        dtype: the evaluation dtype.
        semantics: "xla" or "strict" (see ``SEMANTICS``).
        ops: the op set of the search that produced it, if any.
        metrics: measured metrics (with how they were measured), if any.
        provenance: free-form origin (run folder, seed, baseline family...).
    """

    program: Program
    target: str | None = None
    interval: tuple[float, float] | None = None
    dtype: str = "float64"
    semantics: str | None = None
    ops: tuple[str, ...] | None = None
    metrics: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    @property
    def effective_semantics(self) -> str:
        return self.semantics or default_semantics(self.dtype)

    def to_json(self) -> dict:
        data: dict = {"format": FORMAT, "expression": self.program.to_infix()}
        data.update(self.program.to_json())
        data["n_ops"] = self.program.n_ops
        for key in ("target", "dtype", "ops"):
            if getattr(self, key) is not None:
                data[key] = list(self.ops) if key == "ops" else getattr(self, key)
        if self.interval is not None:
            data["interval"] = [float(v) for v in self.interval]
        data["semantics"] = self.effective_semantics
        if self.metrics:
            data["metrics"] = self.metrics
        if self.provenance:
            data["provenance"] = self.provenance
        return data

    def to_jax(self, semantics: str | None = None, name: str | None = None) -> Callable:
        """The program as a jitted float32 JAX function: ``autonumerics export --to jax``'s kernel.

        Args:
            semantics: "xla" or "strict"; default: the file's own, else "xla" (as the exporter).
            name: the function's name (default: the target's name, else "kernel").

        Returns:
            ``f(x)``: any shape, float32 in and out, bit for bit the exported module's function.
        """
        from autonumerics.export.callables import jax_function  # the one import up the layers

        return jax_function(self, semantics, name)

    def to_numpy(self, semantics: str | None = None, name: str | None = None) -> Callable:
        """The program as the float32 NumPy function of ``autonumerics export --to numpy``."""
        from autonumerics.export.callables import numpy_function  # the one import up the layers

        return numpy_function(self, semantics, name)

    @classmethod
    def from_json(cls, data: object, source: str = "program") -> ProgramFile:
        """A program file from parsed JSON; every key's type is checked.

        Raises:
            AutonumericsError: naming ``source`` and the key, for an unknown key, a wrongly typed
                or bad value, or a bad program.
        """
        if not isinstance(data, dict):
            raise AutonumericsError(f"{source}: a program file holds a JSON object")
        unknown = sorted(set(data) - _KNOWN_KEYS)
        if unknown:
            raise AutonumericsError(f"{source}: unknown key {shown(unknown[0], 40)}")
        if data.get("format", FORMAT) != FORMAT:
            raise AutonumericsError(
                f"{source}: format {shown(data['format'], 40)} is not {FORMAT!r}")
        dtype = _typed(data, "dtype", str, source, "float64")
        float_format(dtype)
        semantics = _typed(data, "semantics", str, source)
        if semantics is not None and semantics not in SEMANTICS:
            raise AutonumericsError(f"{source}: semantics must be one of {SEMANTICS}, not "
                                    f"{shown(semantics, 40)}")
        n_ops = _typed(data, "n_ops", int, source)
        if n_ops is not None and n_ops < 0:
            raise AutonumericsError(f"{source}: n_ops must be a count, not {n_ops!r}")
        _typed(data, "expression", str, source)
        return cls(
            program=Program.from_json(data),
            target=_typed(data, "target", str, source),
            interval=_read_interval(data.get("interval"), source),
            dtype=dtype,
            semantics=semantics,
            ops=_read_ops(data.get("ops"), source),
            metrics=_typed(data, "metrics", dict, source, {}),
            provenance=_typed(data, "provenance", dict, source, {}),
        )


_TYPE_NAMES = {str: "a string", int: "an integer", dict: "a JSON object"}


def _typed(data: dict, key: str, kind: type, source: str, default: object = None) -> Any:
    """``data[key]`` if it has type ``kind`` (a bool is no integer), ``default`` if absent/null."""
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, kind) or isinstance(value, bool):
        raise AutonumericsError(
            f"{source}: {key} must be {_TYPE_NAMES[kind]}, not {shown(value, 60)}")
    return value


def _read_ops(value: object, source: str) -> tuple[str, ...] | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(op, str) and op in OPS for op in value):
        raise AutonumericsError(
            f"{source}: ops must be a list of op names ({', '.join(OPS)}), not {shown(value, 60)}")
    return tuple(value)


def _read_interval(value: object, source: str) -> tuple[float, float] | None:
    """``[a, b]``: two finite numbers, a < b (a string such as "01" is not two numbers)."""
    if value is None:
        return None
    numbers = isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if not numbers:
        raise AutonumericsError(
            f"{source}: interval must be two numbers [a, b], got {shown(value, 60)}")
    try:
        return finite_interval(*value)
    except AutonumericsError as error:
        raise AutonumericsError(f"{source}: {error}") from None


def read_json_file(path: str | os.PathLike, max_bytes: int = MAX_INPUT_FILE_BYTES) -> object:
    """A JSON file's contents; any problem is one ``AutonumericsError`` naming the file.

    Unreadable, larger than ``max_bytes``, not UTF-8, malformed, nested deeper than Python's
    parser recurses, or holding an integer of thousands of digits: each is a clear error.
    """
    path = Path(path)
    text = read_limited_text(path, str(path), "JSON file of ours", max_bytes)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise AutonumericsError(
            f"{path}: malformed JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise AutonumericsError(f"{path}: malformed JSON (nested too deeply)") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise AutonumericsError(f"{path}: malformed JSON ({clipped(str(error), 100)})") from None


def load_program_file(path: str | os.PathLike) -> ProgramFile:
    """Read a program file; any problem is an ``AutonumericsError`` naming the file."""
    path = Path(path)
    data = read_json_file(path)
    try:
        return ProgramFile.from_json(data, source=str(path))
    except AutonumericsError as error:
        message = str(error)
        named = message if message.startswith(str(path)) else f"{path}: {message}"
        raise AutonumericsError(named) from None


def save_program_file(path: str | os.PathLike, program_file: ProgramFile) -> None:
    """Write atomically (a crash never leaves half a file)."""
    write_json_atomic(path, program_file.to_json())


def json_safe(value: object) -> object:
    """Replace non-finite floats by strings ("inf", "nan") so the output is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def write_json_atomic(path: str | os.PathLike, data: object, durable: bool = False) -> None:
    """Write ``data`` as JSON atomically (a crash never leaves half a file).

    The file gets the mode a plain ``open()`` gives (0666 less the umask), not ``mkstemp``'s
    0600: the files of a run folder are alike whichever way they were written.

    Args:
        durable: also fsync the file before the rename and the folder after it, so that the
            new content survives a power loss once this returns (a checkpoint needs that).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream, indent=1, allow_nan=True)
            stream.write("\n")
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if durable:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
