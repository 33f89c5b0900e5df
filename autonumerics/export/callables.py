"""Programs as Python callables, built from the exporters' own source.

``to_jax`` and ``to_numpy`` compile the module that ``autonumerics export --to jax`` (or
``--to numpy``) would write, into a fresh namespace, and return its kernel function: the
callable computes the exported module's bits because it *is* that module's code (the JAX one
jitted, constants and square roots behind ``lax.optimization_barrier``, float32 in and out).
The source is registered with ``linecache`` so tracebacks and JAX errors show its lines.
Compiled modules are cached by their source, so calling ``to_jax`` twice on one program
returns the same jitted function (no second compilation).
"""

from __future__ import annotations

import functools
import hashlib
import linecache
from collections.abc import Callable

from autonumerics.export import export_source
from autonumerics.ir.program import Program
from autonumerics.ir.programfile import ProgramFile

__all__ = ["jax_function", "numpy_function"]


def jax_function(program_file: ProgramFile | Program, semantics: str | None = None,
                 name: str | None = None) -> Callable:
    """The jitted float32 JAX kernel of ``program_file``, as ``export --to jax`` writes it.

    Args:
        program_file: the program and its context (a bare ``Program``: no context).
        semantics: "xla" or "strict"; default: the file's, else "xla" (as the exporter).
        name: the function's ``__name__`` (default: the target's name, else "kernel").

    Raises:
        AutonumericsError: for a bad semantics or name.
    """
    return _kernel(export_source(_as_file(program_file), "jax", name, semantics))


def numpy_function(program_file: ProgramFile | Program, semantics: str | None = None,
                   name: str | None = None) -> Callable:
    """The float32 NumPy kernel of ``program_file``, as ``export --to numpy`` writes it."""
    return _kernel(export_source(_as_file(program_file), "numpy", name, semantics))


def _as_file(program: ProgramFile | Program) -> ProgramFile:
    return program if isinstance(program, ProgramFile) else ProgramFile(program)


@functools.lru_cache(maxsize=256)
def _kernel(source: str) -> Callable:
    """Run a generated module's source in a fresh namespace; its ``KERNEL_NAME`` function."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    filename = f"<autonumerics kernel {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"__name__": f"autonumerics_kernel_{digest}"}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own exporter's output
    return namespace[namespace["KERNEL_NAME"]]
