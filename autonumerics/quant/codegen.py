"""Export an integer program as standalone JAX (int32 only), NumPy or C source with its metadata.

The generated files import only their runtime (jax / numpy / stdint.h). Each op is written with
the interpreter's exact semantics (``intprogram`` module docstring). Where ``audit`` shows that
every intermediate fits int32 over the input grid, the three exports and the interpreter agree
bit for bit on the grid. Off the grid each export applies ``gridbounds``: an input beyond an
edge is clamped to it where that gives the correct saturated output, else rejected (ValueError
in NumPy and eager JAX; ``REJECTED`` = -2**31 in C and inside a JAX trace). The Python exports
refuse non-integer dtypes (TypeError); the C function's parameter is an ``int32_t``.
"""

from __future__ import annotations

import builtins
import json
import keyword
import math
import re
import textwrap

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.export.text import C_KEYWORDS, c_comment_text
from autonumerics.limits import shown
from autonumerics.quant.codegen_python import python_source
from autonumerics.quant.gridbounds import REJECTED, GridBounds, Kernel, grid_bounds
from autonumerics.quant.int_ops import INT_OPS
from autonumerics.quant.intprogram import IntProgram, audit, evaluate
from autonumerics.quant.kernel_file import QuantKernelFile, input_grid

LANGUAGES = ("jax", "numpy", "c")
# Names the generated code defines around the program's registers (and any name starting "_"
# or "an_").
RESERVED = {"np", "jnp", "jax", "LOW", "HIGH", "REJECTED", "METADATA", "rejected", "info"}
# A kernel name: an ASCII identifier (no "_" first: the helpers' names), as C and Python both
# read it.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def metadata(program: IntProgram, grid: np.ndarray, bounds: GridBounds | None = None,
             **extra: object) -> dict[str, object]:
    """What a user of the kernel needs to know: cost, divisions, table bytes, intermediate bits,
    the input grid and what happens off it, plus ``extra``."""
    report = audit(program, **{program.inputs[0]: grid})
    if not report.fits_int32:
        raise AutonumericsError(f"register {report.worst_register!r} needs {report.bits} bits on "
                                "the input grid: the program does not fit int32")
    bounds = bounds or GridBounds(int(grid.min()), int(grid.max()))
    return {"ops_per_element": program.n_ops, "divisions": program.n_divisions, "table_bytes": 0,
            "largest_intermediate_bits": report.bits, "largest_intermediate": report.max_abs,
            **bounds.as_dict(), **extra}


# emitted verbatim into every C export: its lines stay as they are
_C_HELPERS = """#include <stdint.h>

#ifndef AUTONUMERICS_QUANT_HELPERS
#define AUTONUMERICS_QUANT_HELPERS
/* Shifts follow the interpreter: amounts clamped to [0, 31]; >> on a negative int32 is an
   arithmetic shift on every compiler autonumerics supports (gcc, clang, msvc). */
static inline int32_t an_amount(int32_t k) { return k < 0 ? 0 : (k > 31 ? 31 : k); }
static inline int32_t an_shr(int32_t a, int32_t k) { return a >> an_amount(k); }
static inline int32_t an_rshr(int32_t a, int32_t k) {
    k = an_amount(k);
    return k == 0 ? a : (a >> k) + ((a >> (k - 1)) & 1);
}
static inline int32_t an_shl(int32_t a, int32_t k) {
    int64_t v = (int64_t)a * ((int64_t)1 << an_amount(k));
    return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}
static inline int32_t an_clamp(int32_t a, int32_t lo, int32_t hi) { return a < lo ? lo : (a > hi ? hi : a); }
static inline int32_t an_floordiv(int32_t a, int32_t b) {
    int32_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
#endif /* AUTONUMERICS_QUANT_HELPERS */
"""  # noqa: E501


def _c_doc(name: str, bounds: GridBounds) -> str:
    macro = name.upper()
    sides = []
    for side, edge in (("below", bounds.low), ("above", bounds.high)):
        rule = getattr(bounds, side)
        sides.append(f"{side} it, the output at {edge} (their saturated value, within the "
                     "certified error)" if rule == "clamp"
                     else f"{side} it, {macro}_REJECTED (INT32_MIN, never an output on the grid)")
    text = (f"Exact on the input grid [{bounds.low}, {bounds.high}] ({macro}_INPUT_MIN, "
            f"{macro}_INPUT_MAX). Returns, for inputs {sides[0]}; {sides[1]}. The parameter is an "
            "int32_t: C converts a wider integer or a floating-point argument before the call (a "
            "float is truncated), so narrow with saturation first, and compile with -Wconversion "
            "to have such calls flagged.")
    return "\n".join(f" * {line}" for line in textwrap.wrap(text, 96))


def _c_source(program: IntProgram, name: str, meta: dict, bounds: GridBounds) -> str:
    guard, macro, source = f"AUTONUMERICS_{name.upper()}_H", name.upper(), program.inputs[0]
    # the metadata holds the kernel file's certificate: JSON escapes its control and non-ASCII
    # characters, c_comment_text whatever could end the comment ("*/") or splice lines ("??/")
    comment = "\n".join(f" * {c_comment_text(line)}"
                        for line in json.dumps(meta, indent=1).splitlines())
    lines = [f"/* {name}: integer kernel exported by autonumerics.\n{_c_doc(name, bounds)}"
             f"\n *\n{comment}\n */",
             f"#ifndef {guard}", f"#define {guard}", _C_HELPERS,
             f"#define {macro}_INPUT_MIN INT32_C({bounds.low})",
             f"#define {macro}_INPUT_MAX INT32_C({bounds.high})",
             f"#define {macro}_REJECTED INT32_MIN", "",
             f"static inline int32_t {name}(int32_t an_input) {{",
             f"    const int32_t {source} = an_clamp(an_input, {macro}_INPUT_MIN, "
             f"{macro}_INPUT_MAX);"]
    for instruction in program.instructions:
        operands = [f"{a}" if isinstance(a, str) else f"INT32_C({a})" for a in instruction.args]
        lines.append(f"    const int32_t {instruction.dest} = "
                     + INT_OPS[instruction.op].c.format(*operands) + ";")
    rejected = ([f"an_input < {macro}_INPUT_MIN"] if bounds.below == "reject" else []) + \
        ([f"an_input > {macro}_INPUT_MAX"] if bounds.above == "reject" else [])
    result = (f"({' || '.join(rejected)}) ? {macro}_REJECTED : {program.output}" if rejected
              else program.output)
    lines += [f"    return {result};", "}", f"#endif /* {guard} */"]
    return "\n".join(lines) + "\n"


def _check_program(program: IntProgram, grid: np.ndarray, name: str) -> None:
    if len(program.inputs) != 1:
        raise AutonumericsError("an exported kernel takes one input, this program takes "
                                f"{len(program.inputs)}")
    clashes = sorted(r for r in [*program.inputs, *(i.dest for i in program.instructions)]
                     if r in RESERVED or r.startswith(("_", "an_")) or r == name)
    if clashes:
        raise AutonumericsError(f"register name(s) {', '.join(clashes)} clash with the exported "
                                "code's own names")
    low, high = int(grid.min()), int(grid.max())
    if len(np.unique(grid)) != high - low + 1:
        raise AutonumericsError(f"the input grid must be every integer of [{low}, {high}]")
    if np.any(evaluate(program, **{program.inputs[0]: grid}) == REJECTED):
        raise AutonumericsError(f"the program returns {REJECTED} on its grid, the value that marks "
                                "a rejected input")


def export_source(program: IntProgram, language: str, grid: np.ndarray, name: str = "kernel",
                  bounds: GridBounds | None = None, **extra: object) -> str:
    """Standalone source of ``program`` in ``language`` (jax, numpy or c) with its metadata.

    Args:
        program: the integer program, one input (audited on ``grid``; an overflow is an error).
        language: one of ``LANGUAGES``.
        grid: the full input grid (every integer of a range, e.g. every int8) where the export
            is exact.
        name: the function's name (a C / Python identifier).
        bounds: what happens to inputs off the grid (``gridbounds.grid_bounds``); default: both
            sides rejected, the only safe answer without knowing the function.
        **extra: more metadata (scales, valid scale range, certificate) stored in the file.
    """
    if language not in LANGUAGES:
        raise AutonumericsError(f"unknown export language {language!r} (choose from "
                                f"{', '.join(LANGUAGES)})")
    if (not isinstance(name, str) or not _NAME.fullmatch(name) or name in RESERVED
            or name.startswith("an_") or keyword.iskeyword(name) or name in C_KEYWORDS
            or name in dir(builtins)):
        raise AutonumericsError(f"kernel name {shown(name, 60)} is not an identifier the export "
                                "can use (ASCII letters, digits and '_', not a keyword or builtin "
                                "of Python or C)")
    grid = np.asarray(grid, dtype=np.int64)
    _check_program(program, grid, name)
    bounds = bounds or GridBounds(int(grid.min()), int(grid.max()))
    if (bounds.low, bounds.high) != (int(grid.min()), int(grid.max())):
        raise AutonumericsError(f"bounds [{bounds.low}, {bounds.high}] differ from the grid "
                                f"[{int(grid.min())}, {int(grid.max())}]")
    meta = metadata(program, grid, bounds, **extra)
    if language == "c":
        return _c_source(program, name, meta, bounds)
    return python_source(program, name, meta, bounds, language)


def export_kernel(kernel: QuantKernelFile, language: str, name: str | None = None) -> str:
    """A kernel file's export: its grid, the clamp-or-reject rule on each side, and its metadata.

    Clamping is allowed on a side where the kernel's value at the edge is the correct saturated
    value of every input beyond it, within the certificate's ``max_lsb_error`` (0 without one).
    """
    grid = input_grid(kernel)
    tolerance = _tolerance(kernel.metrics.get("max_lsb_error", 0))
    bounds = grid_bounds(Kernel(kernel.target, kernel.program, kernel.params_in, kernel.params_out,
                                tolerance), grid)
    return export_source(kernel.program, language, grid,
                         name=name or f"{kernel.target}_{kernel.params_in.dtype}",
                         bounds=bounds, target=kernel.target, input_scale=kernel.params_in.scale,
                         output_scale=kernel.params_out.scale,
                         valid_scales=[kernel.params_in.scale], certificate=kernel.metrics)


def _tolerance(value: object) -> int:
    """The certificate's ``max_lsb_error`` as a count of steps (an integer or an integral float).

    Raises:
        AutonumericsError: naming the value, for anything else (a string, NaN, a negative number).
    """
    whole = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)
                                       and value.is_integer())
    if isinstance(value, bool) or not whole or value < 0:
        raise AutonumericsError("metrics max_lsb_error must be a whole number of steps >= 0, not "
                                f"{shown(value, 60)}")
    return int(value)
