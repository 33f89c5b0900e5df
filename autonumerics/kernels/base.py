"""Cores (evolved programs) inside the full-range kernels: loaded, checked, emitted as functions.

A full-range kernel is a range reduction written by hand around one or more *cores*: evolved
programs, each loaded from a program file, that approximate a function on a reduced interval.
This module turns a core into the source of ONE standalone function in JAX, NumPy or C that
computes exactly the interpreter's float32 bits (``core_reference``), reusing the emitters of
``autonumerics.export``:

* semantics "xla" (a*b + c fused as ``contraction.py`` models XLA): JAX writes the canonical
  program and lets XLA fuse; NumPy writes the contracted program with the exact ``_fma32``; C
  writes it with ``fmaf`` (compiled with ``-ffp-contract=off``).
* semantics "strict" (every op rounded once): the JAX function reads products and constants
  through selects so that XLA cannot fuse or fold; NumPy and C write plain ops.

The JAX function's input and output pass through a select (``_rounded``), so that inside the
kernel's ``jax.jit`` XLA fuses nothing across the call boundary: the reduction's products stay
rounded before the core reads them, and the core's last product stays rounded before the
reconstruction reads it. Integer and bit operations, selects and exact scalings by 2^n are exact
in every language, so a kernel built from these pieces agrees bit for bit across its exports
(except where jitted JAX on CPU flushes subnormals to zero).

Every kernel module ``autonumerics.kernels.<name>`` defines ``DEFAULT_CORES`` (role -> program
file, shipped in ``autonumerics/kernels/cores/``), ``ROLES`` (role -> ``CoreRole``) and
``build(cores: dict[str, Core]) -> KernelSource`` (``assemble.assemble_kernel`` writes the
sources). The certified exports of the default kernels are package modules too
(``autonumerics/kernels/certified/``), so both work from an installed wheel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.export import LANGUAGES, KernelSpec, kernel_spec, reference_function
from autonumerics.export.c import emit_c_function
from autonumerics.export.jax import emit_jax_function
from autonumerics.export.numpy import emit_numpy_function
from autonumerics.ir.programfile import ProgramFile, load_program_file
from autonumerics.limits import shown

__all__ = ["CERTIFIED_DIR", "CORES_DIR", "FULL_RANGE", "Core", "CoreRole", "KernelSource",
           "core_function", "core_ops", "core_reference", "core_spec", "load_core", "packaged_core",
           "write_kernel"]

# Where the package lies: paths of packaged files are shown relative to its parent
# ("autonumerics/kernels/cores/exp_core.json"), the same in a checkout and in an installed wheel.
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
CORES_DIR = Path(__file__).resolve().parent / "cores"
CERTIFIED_DIR = Path(__file__).resolve().parent / "certified"
FLT_MAX = float(np.finfo(np.float32).max)
FULL_RANGE = (-FLT_MAX, FLT_MAX)  # the INTERVAL a full-range kernel module records


@dataclass(frozen=True)
class Core:
    """An evolved program used inside a kernel.

    Attributes:
        role: what it does in the kernel ("poly", "small", "tail", ...).
        path: the program file it came from (``autonumerics/kernels/cores/...`` for a packaged one).
        program_file: the program and its context (target, interval, semantics, metrics).
    """

    role: str
    path: str
    program_file: ProgramFile


@dataclass(frozen=True)
class KernelSource:
    """A full-range kernel's sources in the three languages, and what it is.

    Attributes:
        name: the kernel's name ("exp2"); the JAX and NumPy function names.
        target: its name in ``autonumerics.truth.targets``.
        cores: the cores it uses.
        jax: a standalone module (imports only jax): jitted ``name``, ``KERNEL_NAME = name``.
        numpy: a standalone module (imports only numpy) defining ``name``.
        c: a C99 header defining ``static inline float c_name(name)(float x)`` and
            ``void c_name(name)_loop(const float *in, float *out, size_t n)`` (prefixed:
            ``exp2`` itself would clash with libm).
        ops_per_element: ops per element of the JAX export, counted from its source
            (``opcount.count_ops``: an FMA one op, bit casts free).
        description: the range reduction in one paragraph.
    """

    name: str
    target: str
    cores: tuple[Core, ...]
    jax: str
    numpy: str
    c: str
    ops_per_element: int
    description: str


def packaged_core(file: str) -> Path:
    """The path of a core shipped with the package (``autonumerics/kernels/cores/<file>``)."""
    return CORES_DIR / file


def _display_path(path: Path) -> str:
    """A packaged file relative to the package's parent; any other path as given."""
    try:
        return path.resolve().relative_to(_PACKAGE_PARENT).as_posix()
    except ValueError:
        return str(path)


def load_core(role: str, path: str | Path) -> Core:
    """Load a core's program file (``packaged_core(...)``, or any path: relative to the working
    folder).

    Raises:
        AutonumericsError: if the file is missing or not a valid program file.
    """
    candidate = Path(path)
    if not candidate.is_file():
        raise AutonumericsError(f"core {role!r}: program file {shown(str(path))} does not exist")
    return Core(role=role, path=_display_path(candidate), program_file=load_program_file(candidate))


def core_spec(core: Core, name: str | None = None, literal_constants: bool = False) -> KernelSpec:
    """The float32 computation the core's functions perform (its file's semantics, else "xla";
    ``literal_constants``: the JAX function writes its constants as literals)."""
    return kernel_spec(core.program_file, name=name or "core", literal_constants=literal_constants)


def core_reference(core: Core) -> Callable[[np.ndarray], np.ndarray]:
    """The interpreter's float32 evaluation of the core, which ``core_function`` reproduces."""
    return reference_function(core_spec(core))


def core_ops(core: Core) -> int:
    """Ops the core costs per element as exported (an FMA counts one; constants are free)."""
    return core_spec(core).ops_program.n_ops


def core_function(core: Core, language: str, name: str, fenced: bool = True,
                  literal_constants: bool = False) -> str:
    """The source of one standalone function ``name(r)`` computing the core in float32.

    Args:
        core: the core.
        language: "jax" (a plain, un-jitted function of jnp arrays, its input and output read
            through selects; needs ``jax_prelude()``), "numpy" (needs ``numpy_prelude()``) or
            "c" (``static inline float name(float x)``; needs ``c_prelude()``).
        name: the function's identifier.
        fenced: JAX only. False drops the two selects around the function (2 compares and 2
            selects per element). Safe where XLA has nothing to fuse across the boundary: the
            core's input is not a product nor a sum a product could join (e.g. an exact
            ``x - n``), and its output is not added to (e.g. it is bit cast or multiplied).
            The kernel's JAX-vs-NumPy check over all inputs must then show it.
        literal_constants: "xla" cores: the JAX function writes its constants as float32
            literals instead of an array behind ``lax.optimization_barrier``. LLVM then keeps
            them as immediate operands and interleaves more loop iterations (measured: the
            polynomial's latency chain no longer bounds the loop), and sees their signs, which
            can change which product of a sum it fuses. Pass the same value for the NumPy and C
            twins: they write out the fusions the JAX one gets. XLA may fold literals, so, as
            for ``fenced``, the kernel's JAX-vs-NumPy check must show bit-exactness.

    Raises:
        AutonumericsError: for an unknown language or a name that is not an identifier.
    """
    spec = core_spec(core, name, literal_constants)
    if language == "jax":
        return emit_jax_function(spec, name, fenced=fenced)
    if language == "numpy":
        return emit_numpy_function(spec, name, fma="_fma32")
    if language == "c":
        return emit_c_function(spec, name)
    raise AutonumericsError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")


def write_kernel(source: KernelSource, folder: str | Path) -> dict[str, Path]:
    """Write ``<name>.py`` (JAX), ``<name>_numpy.py`` and ``<name>.h`` into ``folder``.

    Returns:
        The written paths by language.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"jax": folder / f"{source.name}.py", "numpy": folder / f"{source.name}_numpy.py",
             "c": folder / f"{source.name}.h"}
    for language, path in paths.items():
        path.write_text(getattr(source, language))
    return paths


@dataclass(frozen=True)
class CoreRole:
    """What a kernel's range reduction feeds one of its cores, and so what a core must be.

    Attributes:
        target: the function the core approximates ("exp2", "expm1(x) - x").
        interval: the reduced interval the core is evaluated on; the core's own interval must
            cover it (extrapolating a fitted polynomial is not certified).
        dtype: the format the core was fitted and is evaluated in (the kernels are float32).
        semantics: how its float32 arithmetic rounds ("xla": a*b + c fused as jitted JAX does;
            the exports' bit-for-bit agreement is built for it).
    """

    target: str
    interval: tuple[float, float]
    dtype: str = "float32"
    semantics: str = "xla"

    def check(self, core: Core, kernel: str) -> Core:
        """The core, if it fits this role.

        Raises:
            AutonumericsError: naming the first thing that does not match (target, dtype,
                semantics or interval) and what the role needs.
        """
        program_file, where = core.program_file, f"{kernel} core {core.role!r} ({core.path})"
        found = (program_file.target or "").replace(" ", "")
        if found != self.target.replace(" ", ""):
            raise AutonumericsError(f"{where} approximates {program_file.target!r}; the kernel "
                                    f"feeds it for {self.target!r}")
        if program_file.dtype != self.dtype:
            raise AutonumericsError(f"{where} is fitted in {program_file.dtype}; the kernel "
                                    f"evaluates it in {self.dtype}")
        semantics = program_file.semantics or "xla"
        if semantics != self.semantics:
            raise AutonumericsError(f"{where} has {semantics!r} semantics; the kernel needs "
                                    f"{self.semantics!r}")
        low, high = program_file.interval or (None, None)
        if low is None or not (low <= self.interval[0] and high >= self.interval[1]):
            raise AutonumericsError(f"{where} is fitted on {list(program_file.interval or [])}, "
                                    f"which does not cover the reduced interval "
                                    f"{list(self.interval)} the kernel feeds it")
        return core
