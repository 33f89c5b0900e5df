"""The public API's tools around a program: read, measure, verify, classical baselines, kernels.

Each is a thin, checked front to the library call the CLI command of the same name uses, and
resolves its defaults the way that command does (a program file's target, interval, dtype and
semantics, else the target's).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autonumerics.api.args import (
    check_callable,
    check_choice,
    check_count,
    check_flag,
    program_file_of,
    target_and_interval,
)
from autonumerics.baselines import DEFAULT_KINDS, FAMILIES, Baseline, compute_baselines
from autonumerics.errors import AutonumericsError, error_context
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Program
from autonumerics.ir.programfile import ProgramFile, load_program_file
from autonumerics.kernels import KERNELS, KernelSource, build_kernel, resolve_core_path
from autonumerics.kernels.tiers import TIERS, kernel_id
from autonumerics.numerics.context import SEMANTICS, arithmetic_context
from autonumerics.numerics.dtypes import FORMATS
from autonumerics.truth.symmetry import DECLARATIONS, target_with_symmetry
from autonumerics.truth.targets import Target
from autonumerics.verification.evaluation import measure as measure_program
from autonumerics.verification.verify import program_subject
from autonumerics.verification.verify import verify as verify_subject

if TYPE_CHECKING:
    from autonumerics.numerics.reports import ErrorReport
    from autonumerics.verification.verify import Certificate

__all__ = ["baselines", "kernel", "load_program", "measure", "parse_program", "verify"]

ProgramLike = Program | ProgramFile | str | os.PathLike


def load_program(path: str | os.PathLike) -> ProgramFile:
    """Read a program file (a run folder's front member, an export's source, one written by hand).

    Raises:
        AutonumericsError: naming the file, if it cannot be read or is not a program file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise AutonumericsError(f"path: expected a file path, got {path!r}")
    return load_program_file(path)


def parse_program(expression: str) -> Program:
    """A program from an infix expression in x, e.g. ``"1 + x*(0x1.62e42cp-1 + x*0.2402)"``."""
    if not isinstance(expression, str):
        raise AutonumericsError(f"expression: expected a string, got {expression!r}")
    with error_context("expression"):
        return parse_expr(expression)


def _context(program: object, target: object,
             interval: object) -> tuple[ProgramFile, Target, tuple[float, float]]:
    """The program file, target and interval: the arguments', else the file's, else the target's."""
    program_file = program_file_of(program)
    name = target if target is not None else program_file.target
    if name is None:
        raise AutonumericsError("target: the program records no target; pass target=")
    resolved, bounds = target_and_interval(name, interval, program_file.interval)
    return program_file, resolved, bounds


def measure(program: ProgramLike, target: str | None = None,
            interval: tuple[float, float] | str | None = None, *,
            dtype: str | None = None, semantics: str | None = None, points: int = 10_000,
            exhaustive: bool = False, workers: int = 2) -> ErrorReport:
    """The errors of ``program`` against ``target``: sampled (mpmath labels) or on every float32.

    Args:
        program: a Program, a ProgramFile, a search's front member, a path to a program file
            (``os.PathLike`` or a ``str`` ending in ``.json``) or an infix expression in x.
        target: a built-in target or an mpmath expression (default: the program file's).
        interval: ``(a, b)`` or ``"a,b"`` (default: the file's, else the target's).
        dtype: evaluation format (default: the file's, else float64 = real arithmetic).
        semantics: "xla" or "strict" (default: the file's, else "xla" below float64).
        points: sample size when not exhaustive.
        exhaustive: every float32 of the interval, counts exact (dtype float32 only).
        workers: processes for the exhaustive run (0: in this process).

    Returns:
        An ``ErrorReport``: max relative / absolute / ULP error, worst input, counts.
    """
    program_file, resolved, bounds = _context(program, target, interval)
    dtype = check_choice("dtype", dtype or program_file.dtype, tuple(FORMATS))
    semantics = semantics or program_file.semantics
    if semantics:
        check_choice("semantics", semantics, SEMANTICS)
    arithmetic = arithmetic_context(dtype, semantics)
    if exhaustive and dtype != "float32":
        raise AutonumericsError("exhaustive: checks every float32 input, so dtype must be float32 "
                                f"(not {dtype})")
    return measure_program(program_file.program, resolved, bounds, arithmetic,
                           points=check_count("points", points, 2),
                           exhaustive=check_flag("exhaustive", exhaustive),
                           workers=check_count("workers", workers, 0))


def verify(program: ProgramLike, target: str | None = None,
           interval: tuple[float, float] | str | None = None, *,
           exhaustive: bool = False, points: int = 10_000, workers: int = 2,
           semantics: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> Certificate:
    """Check ``program`` as its float32 export computes it, with special values: a certificate.

    Args:
        program: as for :func:`measure`.
        target, interval: as for :func:`measure`.
        exhaustive: every float32 of the interval (about 15 s for [0, 1] on 2 cores); else
            ``points`` samples.
        workers: processes for the exhaustive run (0: in this process).
        semantics: "xla" or "strict" (default: the file's, else "xla"), as ``kernel_spec``.
        progress: ``progress(done, total)`` during the exhaustive run.

    Returns:
        A ``Certificate``; ``.to_json()`` is what ``autonumerics verify -o`` writes.
    """
    program_file, resolved, bounds = _context(program, target, interval)
    if semantics is not None:
        check_choice("semantics", semantics, SEMANTICS)
    check_callable("progress", progress)
    subject = program_subject(program_file, None, semantics)
    return verify_subject(subject, resolved, bounds, check_flag("exhaustive", exhaustive),
                          check_count("points", points, 2), check_count("workers", workers, 0),
                          progress)


def baselines(target: str, interval: tuple[float, float] | str | None = None, *,
              kinds: Sequence[str] | None = None, max_ops: int = 16, relative: bool = True,
              dtype: str = "float64", symmetry: str = "auto") -> list[Baseline]:
    """Classical approximations of ``target`` (Taylor, Padé, Chebyshev, minimax...), each a program.

    Args:
        target: a built-in target or an mpmath expression.
        interval: ``(a, b)`` or ``"a,b"`` (default: the target's).
        kinds: families (default: all of ``autonumerics.baselines.DEFAULT_KINDS``).
        max_ops: op budget.
        relative: minimise relative error (else absolute) in the minimax families.
        dtype: "float64" or "float32", the format of the relative / absolute errors.
        symmetry: "auto" (the built-in's, or detected for an expression), "odd" or "even"
            (adds x*p(x^2) or p(x^2) and their rational forms; refused if f(-x) contradicts
            it), or "none" (plain forms only).

    Returns:
        ``Baseline`` objects (``.label``, ``.n_ops``, ``.max_rel_error``, ``.program``...), by
        family then op count. Entries that fail (a Padé pole) are skipped with a warning.
    """
    resolved, bounds = target_and_interval(target, interval)
    kinds = DEFAULT_KINDS if kinds is None else kinds
    if isinstance(kinds, str) or not isinstance(kinds, Sequence) or not kinds:
        raise AutonumericsError("kinds: expected a list of families such as ['minimax'], got "
                                f"{kinds!r}")
    for kind in kinds:
        check_choice("kinds", kind, tuple(FAMILIES))
    check_choice("dtype", dtype, ("float64", "float32"))
    check_choice("symmetry", symmetry, DECLARATIONS)
    budget, relative = check_count("max_ops", max_ops, 1), check_flag("relative", relative)
    resolved = target_with_symmetry(resolved, symmetry)
    return compute_baselines(resolved, bounds, list(kinds), budget, relative, dtype)


def kernel(name: str, *, tier: str = "accurate",
           cores: Mapping[str, str | os.PathLike] | None = None) -> KernelSource:
    """The full-range float32 kernel ``name`` (range reduction around evolved cores): JAX, NumPy, C.

    Args:
        name: one of ``autonumerics.kernels.KERNELS`` ("exp2", "exp", "log", "erf", "tanh"...).
        tier: "accurate" (<= 1 ULP, the default) or "fast" (<= 3.5 ULP: the kernel
            ``NAME_fast``).
        cores: role -> program file or run folder (its most accurate front member), replacing
            the kernel's default cores; a front member with a ``file`` is accepted too.

    Returns:
        A ``KernelSource``: ``.jax``, ``.numpy`` and ``.c`` sources, ``.cores``, ``.description``.
    """
    check_choice("name", name, tuple(KERNELS))
    check_choice("tier", tier, TIERS)
    if tier != "accurate":
        name = kernel_id(name, tier)
        check_choice("name", name, tuple(KERNELS))
    if cores is not None and not isinstance(cores, Mapping):
        raise AutonumericsError(f"cores: expected a dict of role -> program file, got {cores!r}")
    paths = {}
    for role, core in (cores or {}).items():
        core = getattr(core, "file", core)  # a front member of a run folder
        if not isinstance(core, (str, os.PathLike)):
            raise AutonumericsError(f"cores[{role!r}]: expected a program file or run folder path, "
                                    f"got {core!r}")
        with error_context(f"cores[{role!r}]"):
            paths[str(role)] = resolve_core_path(str(Path(core)))
    return build_kernel(name, paths or None)

