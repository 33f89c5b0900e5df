"""What an export computes: the ``KernelSpec`` every emitter writes, and the exports' shared facts.

``kernel_spec`` fixes which float32 computation an exported kernel performs (see the package
docstring: canonical and contracted for "xla", the pruned program as written for "strict");
``reference_function`` is the interpreter's evaluation of it, which every export reproduces.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib.metadata
import json
import keyword
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.export.text import C_KEYWORDS
from autonumerics.ir.canonical import canonicalize
from autonumerics.ir.contraction import contract_multiply_add
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.program import Instruction, Program, const_ref, prune, value_ref
from autonumerics.ir.programfile import ProgramFile
from autonumerics.limits import clipped, shown
from autonumerics.numerics.context import ArithmeticContext, arithmetic_context

__all__ = ["RESERVED_NAMES", "KernelSpec", "autonumerics_version", "certificate_lines",
           "checked_interval", "checked_target", "float32_constants", "fold_invariants_float32",
           "identifier", "kernel_spec", "program_hash", "reference_function"]

@dataclass(frozen=True)
class KernelSpec:
    """What an exported kernel computes, shared by the emitters.

    Attributes:
        name: the function's identifier (named after the target).
        target: the target name, if known.
        interval: the interval the program was made for, if known.
        arithmetic: float32, its semantics ("xla" or "strict", see the module docstring) and
            whether the JAX code writes the constants as literals.
        program: the program the kernel is the float32 evaluation of (canonical for "xla",
            the pruned program as written for "strict"); the JAX module writes this one.
        ops_program: the same computation with every rounding explicit (the contracted
            program for "xla", ``program`` for "strict"); NumPy and C write this one.
        program_hash: hash of ``program`` with its exact constants.
        metrics: the program file's measured metrics (may be empty).
    """

    name: str
    target: str | None
    interval: tuple[float, float] | None
    arithmetic: ArithmeticContext
    program: Program
    ops_program: Program
    program_hash: str
    metrics: dict = field(default_factory=dict)

    @property
    def expression(self) -> str:
        return self.program.to_infix()

    @property
    def semantics(self) -> str:
        return self.arithmetic.semantics


def autonumerics_version() -> str:
    """The installed autonumerics version (from the package metadata, else the package)."""
    try:
        return importlib.metadata.version("autonumerics")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def program_hash(program: Program) -> str:
    """SHA-256 (first 16 hex digits) of the program's exact JSON form (constants in hex)."""
    text = json.dumps(program.to_json(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Names an exported function must not take: the keywords of Python and C, Python's builtins,
# C's reserved spellings ("_" + capital, "__"), and the names the generated modules and headers
# define or read at module level (a function named ``np`` or ``_fma`` would replace them).
RESERVED_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | C_KEYWORDS | frozenset(
    ["np", "jnp", "jax", "functools", "KERNEL_NAME", "TARGET", "INTERVAL", "SEMANTICS",
     "PROGRAM_HASH", "EXPRESSION", "CORES", "METADATA", "_fma", "_fma32", "_rounded", "_opaque",
     "_bits", "_float", "_pow2", "_float32_kernel", "INFINITY", "NAN", "size_t", "fmaf", "sqrtf"])
_IDENTIFIER = re.compile(r"(?!_[A-Z_])[A-Za-z_][A-Za-z0-9_]*")


def identifier(text: str | None, default: str = "kernel") -> str:
    """``text`` if it can name an exported function, else ``default``.

    ``"exp2"`` → ``"exp2"``, ``"exp(-x**2)"`` → ``"kernel"``.

    A name can if it is an ASCII identifier that is neither reserved by C (a leading "__" or
    "_" + capital) nor in ``RESERVED_NAMES``.
    """
    if not isinstance(text, str) or not _IDENTIFIER.fullmatch(text) or text in RESERVED_NAMES:
        return default
    return text


def kernel_spec(program_file: ProgramFile, name: str | None = None, semantics: str | None = None,
                literal_constants: bool = False) -> KernelSpec:
    """The float32 computation an export of ``program_file`` performs.

    Args:
        program_file: the program and its context.
        name: the function's name (default: the target's name, else "kernel").
        semantics: "xla" or "strict"; default: the file's own, else "xla" (a float64 program,
            which stands for real arithmetic, is exported as float32 code as JAX would run it).
        literal_constants: "xla" only: the JAX code writes the constants as float32 literals
            (kernel cores), so LLVM's contraction sees their signs (``contract_multiply_add``).
    """
    # An export computes float32 whatever format the file was fitted in, so its context is
    # float32's: the default semantics is then float32's, "xla", for a float64 file too.
    arithmetic = arithmetic_context("float32", semantics, program_file.semantics,
                                    literal_constants=literal_constants)
    if name is not None and identifier(name, "") != name:
        raise AutonumericsError(f"kernel name {shown(name, 60)} is not an identifier the export "
                                "can use (ASCII letters, digits and '_', not a keyword, builtin or "
                                "generated name)")
    target, interval = checked_target(program_file.target), checked_interval(program_file.interval)
    if arithmetic.contracts:
        program = canonicalize(program_file.program)
        ops_program = contract_multiply_add(program, arithmetic)
    else:
        program = ops_program = fold_invariants_float32(prune(program_file.program))
    return KernelSpec(
        name=name or identifier(target),
        target=target,
        interval=interval,
        arithmetic=arithmetic,
        program=program,
        ops_program=ops_program,
        program_hash=program_hash(program),
        metrics=dict(program_file.metrics or {}),
    )


def checked_target(target: object) -> str | None:
    """The target name if it is a string (or None); it only reaches generated text escaped."""
    if target is not None and not isinstance(target, str):
        raise AutonumericsError(f"the program's target must be a string, not {shown(target, 60)}")
    return target


def checked_interval(interval: object) -> tuple[float, float] | None:
    """The interval as two finite floats (or None), the only form the exports write as code.

    Raises:
        AutonumericsError: for anything else, e.g. ``[nan, inf]``, naming it.
    """
    if interval is None:
        return None
    try:
        low, high = (float(bound) for bound in interval)
        numbers = not any(isinstance(bound, (bool, str)) for bound in interval)
        finite = numbers and math.isfinite(low) and math.isfinite(high)
    except (TypeError, ValueError, OverflowError):
        finite = False
    if not finite:
        raise AutonumericsError(
            f"the program's interval {shown(interval, 60)} is not two finite numbers")
    return low, high


def fold_invariants_float32(program: Program) -> Program:
    """Replace every instruction that does not depend on x by its float32 value, computed by the
    interpreter exactly as it computes it inside the program (one rounding per op).

    The strict exports then compute nothing at compile time, where XLA (constant folding,
    reciprocals) and C compilers could round differently.
    """
    depends = program.depends_on_input()
    if all(depends):
        return program
    constants = list(float32_constants(program))
    mapping: dict[str, str] = {}
    instructions: list[Instruction] = []
    probe = np.zeros(1, np.float32)
    for index, instruction in enumerate(program.instructions):
        if depends[index]:
            mapping[value_ref(index)] = value_ref(len(instructions))
            args = tuple(mapping.get(a, a) for a in instruction.args)
            instructions.append(Instruction(instruction.op, args))
            continue
        prefix = program.instructions[: index + 1]
        alone = prune(Program(prefix, program.constants, value_ref(index)))
        constants.append(float(evaluate(alone, probe, "float32")[0]))
        mapping[value_ref(index)] = const_ref(len(constants) - 1)
    output = mapping.get(program.output, program.output)
    return prune(Program(tuple(instructions), tuple(constants), output))


def reference_function(spec: KernelSpec) -> Callable[[np.ndarray], np.ndarray]:
    """The interpreter's float32 evaluation that every export of ``spec`` reproduces bit for bit."""
    return lambda x: evaluate(spec.program, np.asarray(x, np.float32).ravel(), spec.arithmetic)


def float32_constants(program: Program) -> list[float]:
    """The program's constants rounded to float32 (as the interpreter rounds them), as floats.

    A constant beyond float32's range rounds to +-inf, which is what the float32 program computes
    with: an expected overflow, not a warning."""
    with np.errstate(over="ignore"):
        return [float(v) for v in np.asarray(program.constants, np.float64).astype(np.float32)]


def certificate_lines(metrics: dict) -> list[str]:
    """Human lines summarising the measured errors in a program file's ``metrics``, if any.

    The values are the file's, as text (each cut to ``MAX_ECHO_CHARS``): foreign, so an emitter
    writes each line through ``python_text`` or ``c_comment_text``.
    """
    report = metrics if "n_points" in metrics else (metrics.get("final") or metrics.get("report")
                                                     or {})
    if not isinstance(report, dict) or "n_points" not in report:
        return ["No measured certificate in the program file: "
                "run `autonumerics verify` on this file."]
    n_points = report["n_points"]
    integer = isinstance(n_points, int) and not isinstance(n_points, bool)
    count = f"{n_points:,}" if integer else _value_text(n_points)
    exhaustive = report.get("exhaustive")
    how = "every float32 of the interval (exhaustive)" if exhaustive else f"sampled, {count} points"
    lines = [f"Measured: {how}, {_value_text(report.get('dtype', '?'))}."]
    for key, label in (("max_ulp", "max ULP error"), ("max_rel_error", "max relative error"),
                       ("n_ge_one_ulp", "inputs >= 1 ULP"),
                       ("frac_correctly_rounded", "correctly rounded"),
                       ("worst_input", "worst input")):
        if report.get(key) is not None:
            lines.append(f"  {label}: {_value_text(report[key])}")
    return lines


def _value_text(value: object) -> str:
    """A metrics value as the text a certificate line shows (``str``, cut to a readable length)."""
    return clipped(str(value))
