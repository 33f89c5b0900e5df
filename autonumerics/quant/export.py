"""Export an integer program as standalone JAX (int32 only), NumPy or C source with its metadata.

The generated files import only their runtime (jax / numpy / stdint.h). Each op is written with
the interpreter's exact semantics (``intprogram`` module docstring): shift amounts clamped to
[0, 31], the rounding right shift as ``((a >> (k-1)) + 1) >> 1`` (no overflow), the saturating
left shift by clamping first, and floor division. Where ``audit`` shows that every intermediate
fits int32 over the input grid, the three exports and the interpreter agree bit for bit.
"""

from __future__ import annotations

import json
import pprint

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.quant.intprogram import IntProgram, audit

LANGUAGES = ("jax", "numpy", "c")


def metadata(program: IntProgram, grid: np.ndarray, **extra: object) -> dict[str, object]:
    """What a user of the kernel needs to know: cost, divisions, table bytes, intermediate bits, plus ``extra``."""
    report = audit(program, **{program.inputs[0]: grid})
    if not report.fits_int32:
        raise AutonumericsError(f"register {report.worst_register!r} needs {report.bits} bits on the input grid: "
                                "the program does not fit int32")
    return {"ops_per_element": program.n_ops, "divisions": program.n_divisions, "table_bytes": 0,
            "largest_intermediate_bits": report.bits, "largest_intermediate": report.max_abs,
            "input_grid": [int(grid.min()), int(grid.max())], **extra}


def _operand(arg: str | int, language: str) -> str:
    if isinstance(arg, str):
        return arg
    return f"jnp.int32({arg})" if language == "jax" else (f"np.int64({arg})" if language == "numpy" else f"{arg}")


_PY_OPS = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}",
    "shr": "{0} >> {m}.clip({1}, 0, 31)", "rshr": "_rshr({0}, {1})", "shl": "_shl({0}, {1})",
    "min": "{m}.minimum({0}, {1})", "max": "{m}.maximum({0}, {1})", "abs": "{m}.abs({0})",
    "sel": "{m}.where({0} < {1}, {2}, {3})", "clamp": "{m}.minimum({m}.maximum({0}, {1}), {2})",
    "div": "{m}.floor_divide({0}, {1})",
}

_PY_HELPERS = '''

def _rshr(a, k):
    """Round-half-up right shift floor(a / 2**k + 1/2), k clamped to [0, 31]; never overflows."""
    k = {m}.clip(k, 0, 31)
    return {m}.where(k == 0, a, ((a >> {m}.maximum(k - 1, 0)) + 1) >> 1)


def _shl(a, k):
    """Saturating left shift: clamp a to the range that survives the shift, then shift."""
    k = {m}.clip(k, 0, 31)
    low = {m}.right_shift({int}(-2**31), k)
    high = {m}.right_shift({int}(2**31 - 1), k)
    return {m}.left_shift({m}.clip(a, low, high), k)
'''


def _python_source(program: IntProgram, name: str, meta: dict, language: str) -> str:
    module, int_type = ("jnp", "jnp.int32") if language == "jax" else ("np", "np.int64")
    header = "import jax\nimport jax.numpy as jnp\n" if language == "jax" else "import numpy as np\n"
    lines = [f'"""{name}: integer kernel exported by autonumerics (int32 {language}; see METADATA)."""', "",
             header, f"METADATA = {pprint.pformat(meta, sort_dicts=False)}",
             _PY_HELPERS.format(m=module, int=int_type), ""]
    if language == "jax":
        lines.append("@jax.jit")
    args = ", ".join(program.inputs)
    lines.append(f"def {name}({args}):")
    lines.append(f'    """Integer in, integer out ({language}); exact on the audited input grid."""')
    for arg in program.inputs:
        lines.append(f"    {arg} = {module}.asarray({arg}, dtype={int_type})")
    for instruction in program.instructions:
        operands = [_operand(a, language) for a in instruction.args]
        lines.append(f"    {instruction.dest} = " + _PY_OPS[instruction.op].format(*operands, m=module))
    result = program.output if language == "jax" else f"{program.output}.astype(np.int32)"
    lines.append(f"    return {result}")
    return "\n".join(lines) + "\n"


_C_OPS = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}",
    "shr": "an_shr({0}, {1})", "rshr": "an_rshr({0}, {1})", "shl": "an_shl({0}, {1})",
    "min": "({0} < {1} ? {0} : {1})", "max": "({0} > {1} ? {0} : {1})", "abs": "({0} < 0 ? -{0} : {0})",
    "sel": "({0} < {1} ? {2} : {3})", "clamp": "an_clamp({0}, {1}, {2})", "div": "an_floordiv({0}, {1})",
}

_C_HELPERS = """#include <stdint.h>

/* Shifts follow the interpreter: amounts clamped to [0, 31]; >> on a negative int32 is an
   arithmetic shift on every compiler autonumerics supports (gcc, clang, msvc). */
static inline int32_t an_amount(int32_t k) { return k < 0 ? 0 : (k > 31 ? 31 : k); }
static inline int32_t an_shr(int32_t a, int32_t k) { return a >> an_amount(k); }
static inline int32_t an_rshr(int32_t a, int32_t k) {
    k = an_amount(k);
    return k == 0 ? a : ((a >> (k - 1)) + 1) >> 1;
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
"""


def _c_source(program: IntProgram, name: str, meta: dict) -> str:
    guard = f"AUTONUMERICS_{name.upper()}_H"
    comment = "\n".join(f" * {line}" for line in json.dumps(meta, indent=1).splitlines())
    lines = [f"/* {name}: integer kernel exported by autonumerics.\n{comment}\n */",
             f"#ifndef {guard}", f"#define {guard}", _C_HELPERS]
    args = ", ".join(f"int32_t {a}" for a in program.inputs)
    lines.append(f"static inline int32_t {name}({args}) {{")
    for instruction in program.instructions:
        operands = [f"{a}" if isinstance(a, str) else f"INT32_C({a})" for a in instruction.args]
        lines.append(f"    const int32_t {instruction.dest} = " + _C_OPS[instruction.op].format(*operands) + ";")
    lines += [f"    return {program.output};", "}", f"#endif /* {guard} */"]
    return "\n".join(lines) + "\n"


def export_source(program: IntProgram, language: str, grid: np.ndarray, name: str = "kernel",
                  **extra: object) -> str:
    """Standalone source of ``program`` in ``language`` (jax, numpy or c) with its metadata.

    Args:
        program: the integer program (audited on ``grid``; an overflow is an error).
        language: one of ``LANGUAGES``.
        grid: the full input grid (e.g. every int8) over which the export is exact.
        name: the function's name (a C / Python identifier).
        **extra: more metadata (scales, valid scale range, certificate) stored in the file.
    """
    if language not in LANGUAGES:
        raise AutonumericsError(f"unknown export language {language!r} (choose from {', '.join(LANGUAGES)})")
    if not name.isidentifier():
        raise AutonumericsError(f"kernel name {name!r} is not an identifier")
    meta = metadata(program, grid, **extra)
    if language == "c":
        return _c_source(program, name, meta)
    return _python_source(program, name, meta, language)
