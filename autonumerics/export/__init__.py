"""Export a program as standalone source code: a JAX module, a NumPy module or a C99 header.

Every emitter starts from the same :class:`KernelSpec`, which fixes *which* float32
computation the generated code performs, so that it agrees bit for bit with the interpreter:

* semantics ``"xla"`` (what jitted JAX on CPU computes, ``a*b + c`` fused): the program is
  canonicalised first, and every export computes
  ``evaluate(canonicalize(p), x, "float32", contract=True)``. The JAX module writes the canonical
  program with constants and square roots behind ``lax.optimization_barrier`` and lets XLA
  fuse (``contraction.py`` models exactly what it fuses); NumPy and C evaluate the contracted
  program op by op, with an exact FMA where XLA fuses one (NumPy: inline round-to-odd helper;
  C: ``fmaf``, compiled with ``-ffp-contract=off``).
* semantics ``"strict"`` (every op rounds once, an fma only where written): the program as
  written (pruned), ``evaluate(p, x, "float32")``. NumPy and C write plain float32 ops; the
  JAX module prevents XLA's fusion and rewrites with barriers (correct, slower).

Public API (``KernelSpec`` and its helpers live in ``export.spec``):
    LANGUAGES
    KernelSpec, kernel_spec(program_file, name=None, semantics=None, literal_constants=False)
    export_source(program_file, language, name=None, semantics=None) -> str
    reference_function(spec) -> Callable[[np.ndarray], np.ndarray]
"""

from __future__ import annotations

from autonumerics.errors import AutonumericsError
from autonumerics.export.c import emit_c
from autonumerics.export.jax import emit_jax
from autonumerics.export.numpy import emit_numpy
from autonumerics.export.spec import (
    KernelSpec,
    checked_interval,
    checked_target,
    identifier,
    kernel_spec,
    program_hash,
    reference_function,
)
from autonumerics.ir.programfile import ProgramFile

__all__ = ["LANGUAGES", "KernelSpec", "checked_interval", "checked_target", "export_source",
           "identifier", "kernel_spec", "program_hash", "reference_function"]

LANGUAGES = ("jax", "numpy", "c")
_EMITTERS = {"jax": emit_jax, "numpy": emit_numpy, "c": emit_c}


def export_source(program_file: ProgramFile, language: str, name: str | None = None,
                  semantics: str | None = None) -> str:
    """Standalone source code of the program in ``language`` ("jax", "numpy" or "c").

    Raises:
        AutonumericsError: for an unknown language, semantics or name.
    """
    spec = kernel_spec(program_file, name, semantics)
    if language not in _EMITTERS:
        choices = ", ".join(LANGUAGES)
        raise AutonumericsError(f"unknown export language {language!r}; choose one of {choices}")
    return _EMITTERS[language](spec)
