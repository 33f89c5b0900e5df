"""Verification of a program, an exported JAX kernel file or a JAX built-in, with a certificate.

Exhaustive mode scores every float32 of the interval with :func:`exhaustive_float32` (exact
counts: float64 references where they provably decide, mpmath near rounding boundaries);
sampled mode uses cached mpmath labels. Special inputs (±0, ±inf, NaN, subnormals, the normal
threshold, the largest float) are evaluated and reported separately. The result is a JSON
certificate: what was checked (program hash, semantics, file hash), on which inputs, the
counts and worst case, and the versions and date.

The functions checked are picklable callables (top-level classes holding a path or a name):
worker processes (``forkserver``) import the kernel file or JAX themselves.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import importlib.metadata
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.export import kernel_spec
from autonumerics.ir.programfile import ProgramFile, json_safe
from autonumerics.numerics.reports import ErrorReport, error_report
from autonumerics.sourcefile import load_module
from autonumerics.truth.ground_truth import labels
from autonumerics.truth.targets import Target
from autonumerics.verification.all_floats import verify_all_floats
from autonumerics.verification.builtins import JAX_BUILTINS
from autonumerics.verification.evaluation import ProgramFunction, sample_points
from autonumerics.verification.exhaustive import exhaustive_float32
from autonumerics.verification.special import special_values

FORMAT = "autonumerics-certificate/1"
XLA_SUBNORMALS = "XLA on CPU flushes subnormal inputs and results to zero (FTZ/DAZ)"
IEEE_SUBNORMALS = "IEEE gradual underflow (interpreter, NumPy and C exports)"
_PAD = 1024  # JAX calls are padded to a power of two >= this: few shapes, few compilations


def load_kernel_module(path: str | Path) -> ModuleType:
    """Import a generated kernel file by path (a fresh module, not registered in sys.modules)."""
    path = Path(path)
    if not path.is_file():
        raise AutonumericsError(f"kernel file {path} does not exist")
    try:
        return load_module(path, f"autonumerics_kernel_{path.stem}")
    except Exception as error:  # noqa: BLE001 - a user's file: any failure is reported as one line
        raise AutonumericsError(f"cannot import {path}: {type(error).__name__}: {error}") from None


class _JaxFunction:
    """Base of the picklable JAX callables: jit once per process, pad to few shapes."""

    def _resolve(self) -> Callable:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_jitted"}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if getattr(self, "_jitted", None) is None:
            import jax

            self._jitted = jax.jit(self._resolve())
        x = np.asarray(x, np.float32)
        flat = x.ravel()
        size = max(_PAD, 1 << max(flat.size - 1, 0).bit_length())
        padded = np.zeros(size, np.float32)
        padded[: flat.size] = flat
        out = np.asarray(self._jitted(padded), dtype=np.float32)
        return out[: flat.size].reshape(x.shape)


class KernelFunction(_JaxFunction):
    """The function ``name`` of the kernel file at ``path``, jitted (picklable)."""

    def __init__(self, path: str | Path, name: str) -> None:
        self.path, self.name = str(Path(path).resolve()), name

    def _resolve(self) -> Callable:
        return getattr(load_kernel_module(self.path), self.name)


class NumpyKernelFunction:
    """The function ``name`` of a NumPy kernel file at ``path``, called as is (picklable)."""

    def __init__(self, path: str | Path, name: str) -> None:
        self.path, self.name = str(Path(path).resolve()), name

    def __getstate__(self) -> dict:
        return {"path": self.path, "name": self.name}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if getattr(self, "_function", None) is None:
            self._function = getattr(load_kernel_module(self.path), self.name)
        return np.asarray(self._function(x), dtype=np.float32)


class BuiltinFunction(_JaxFunction):
    """A JAX function by dotted name (``"jnp.exp2"``, ``"jax.scipy.special.erf"``), jitted."""

    def __init__(self, dotted: str) -> None:
        self.dotted = dotted

    def _resolve(self) -> Callable:
        module_name, _, attribute = self.dotted.replace("jnp.", "jax.numpy.", 1).rpartition(".")
        try:
            return getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError, ValueError):
            raise AutonumericsError(f"no JAX function {self.dotted!r} (try jnp.exp2 or "
                                    "jax.scipy.special.erf)") from None


@dataclass(frozen=True)
class Subject:
    """What is verified: a callable on float32 arrays and how to describe it in a certificate."""

    kind: str  # "program", "kernel" or "builtin"
    function: Callable[[np.ndarray], np.ndarray]
    description: dict
    subnormals: str


def program_subject(program_file: ProgramFile, path: str | None = None,
                    semantics: str | None = None) -> Subject:
    """The program as its export computes it (canonical for "xla"), run by the interpreter."""
    spec = kernel_spec(program_file, semantics=semantics)
    description = {"path": path, "expression": spec.expression, "n_ops": spec.program.n_ops,
                   "semantics": spec.semantics, "program_hash": spec.program_hash}
    function = ProgramFunction(spec.program, spec.arithmetic)
    return Subject("program", function, description, IEEE_SUBNORMALS)


def kernel_subject(path: str | Path, name: str | None = None) -> tuple[Subject, ModuleType]:
    """An exported kernel file (and its module, for its TARGET / INTERVAL defaults).

    A module that imports ``jax`` runs jitted under JAX; otherwise (a NumPy export) as is.
    """
    module = load_kernel_module(path)
    name = name or getattr(module, "KERNEL_NAME", None)
    if not name or not callable(getattr(module, name, None)):
        raise AutonumericsError(f"{path}: no kernel function (give --function NAME)")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    description = {"path": str(path), "function": name, "file_sha256": digest,
                   "program_hash": getattr(module, "PROGRAM_HASH", None),
                   "semantics": getattr(module, "SEMANTICS", None),
                   "expression": getattr(module, "EXPRESSION", None)}
    if hasattr(module, "jax"):
        return Subject("kernel", KernelFunction(path, name), description, XLA_SUBNORMALS), module
    return Subject("kernel", NumpyKernelFunction(path, name), description, IEEE_SUBNORMALS), module


def builtin_target(dotted: str) -> str | None:
    """The target a JAX built-in computes ("jnp.exp2" -> "exp2"), if it is a known one."""
    full = dotted.replace("jnp.", "jax.numpy.", 1)
    return next((target for target, (module, name, keywords) in JAX_BUILTINS.items()
                 if f"{module}.{name}" == full and not keywords), None)


def builtin_subject(dotted: str) -> Subject:
    function = BuiltinFunction(dotted)
    function._resolve()  # fail now, in this process, on a bad name
    return Subject("builtin", function, {"function": dotted}, XLA_SUBNORMALS)


def _versions() -> dict:
    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "mpmath": mpmath.__version__, "machine": platform.machine(),
                "processor": platform.processor() or None}
    for package in ("autonumerics", "jax", "jaxlib"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


@dataclass(frozen=True)
class Certificate:
    """The outcome of a verification; ``to_json()`` is the certificate file's content."""

    subject: dict
    target: str
    interval: tuple[float, float]
    report: ErrorReport
    special: list = field(default_factory=list)
    subnormals: str = IEEE_SUBNORMALS
    seconds: float = 0.0
    date: str = ""
    versions: dict = field(default_factory=dict)
    all_floats: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """Strict JSON (non-finite numbers as the strings "inf", "-inf", "nan")."""
        return json_safe({"format": FORMAT, "subject": self.subject, "target": self.target,
                "interval": [float(v) for v in self.interval], "dtype": "float32",
                "inputs": ("every float32 bit pattern" if self.all_floats else
                           "every float32 in the interval" if self.report.exhaustive
                           else f"sampled, {self.report.n_points} points"),
                "report": self.report.to_dict(), "special_values": self.special,
                "subnormals": self.subnormals, "seconds": round(self.seconds, 3), "date": self.date,
                "versions": self.versions,
                **({"all_floats": self.all_floats} if self.all_floats else {})})


def verify(subject: Subject, target: Target, interval: tuple[float, float], exhaustive: bool = True,
           points: int = 10_000, workers: int = 2,
           progress: Callable[[int, int], None] | None = None) -> Certificate:
    """Check ``subject`` against ``target`` on ``interval`` and return the certificate.

    Args:
        subject: from ``program_subject``, ``kernel_subject`` or ``builtin_subject``.
        target: the exact function.
        interval: closed interval, inside the target's domain.
        exhaustive: every float32 in the interval (exact counts); else ``points`` samples.
        points: sample size when not exhaustive.
        workers: processes for the exhaustive run (0: in this process).
        progress: ``progress(done, total)`` during the exhaustive run.
    """
    interval = target.check_interval(*interval)
    started = time.perf_counter()
    if exhaustive:
        report = exhaustive_float32(subject.function, target, interval, workers=workers,
                                    progress=progress)
    else:
        x = sample_points(interval, points, "float32")
        hi, lo = labels(target, x)
        report = error_report(x, subject.function(x.astype(np.float32)), hi, lo, "float32")
    special = special_values(subject.function, target, interval)
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return Certificate({"kind": subject.kind, **subject.description}, target.name, interval,
                       report, special, subject.subnormals, time.perf_counter() - started, date,
                       _versions())


def verify_every_float(subject: Subject, target: Target, workers: int = 2,
                       progress: Callable[[int, int], None] | None = None,
                       max_per_part: int | None = None) -> Certificate:
    """Check ``subject`` on all 2^32 float32 bit patterns (see ``all_floats``); the certificate's
    report covers the inputs with normal results, ``all_floats`` the other parts."""
    started = time.perf_counter()
    report, details = verify_all_floats(subject.function, target, workers, progress=progress,
                                        max_per_part=max_per_part)
    largest = float(np.finfo(np.float32).max)
    special = special_values(subject.function, target, (-largest, largest))
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return Certificate({"kind": subject.kind, **subject.description}, target.name,
                       (-largest, largest), report, special, subject.subnormals,
                       time.perf_counter() - started, date, _versions(), details)
