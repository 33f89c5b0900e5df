"""C emitter: a C99 header with ``static inline float NAME(float x)`` and a loop over arrays.

The header evaluates ``KernelSpec.ops_program`` one rounding per op: for "xla" programs the
contracted program, whose fused multiply-adds are explicit ``fmaf`` calls (correctly rounded
by C99), for "strict" programs the program as written. The compiler must not contract
``a*b + c`` on its own: compile with ``-ffp-contract=off`` (GCC's default in ISO mode,
``-std=c99``; GCC ignores ``#pragma STDC FP_CONTRACT``, clang honours it) and without
``-ffast-math`` (the header refuses it). Then the results equal the interpreter's bits.
"""

from __future__ import annotations

import math

from autonumerics.export.spec import (
    KernelSpec,
    autonumerics_version,
    certificate_lines,
    float32_constants,
)
from autonumerics.export.text import c_comment_text, heading
from autonumerics.ir.ops import OPS
from autonumerics.ir.program import ref_kind


def c_literal(value: float) -> str:
    """An exact C float literal of a float32 value (hex, ``f`` suffix; INFINITY / NAN)."""
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INFINITY" if value > 0 else "(-INFINITY)"
    return f"{value.hex()}f"


def c_name(name: str, chosen: bool = False) -> str:
    """The C name of a function named ``name``: ``approx_NAME``, as libm owns the target's name
    (``exp2``, ``erf``), unless the name was ``chosen`` by the user (and is not the target's)."""
    return name if chosen else f"approx_{name}"


# The header's guard against compiler options that would change its float32 arithmetic.
C_ARITHMETIC_GUARD = """#if defined(__FAST_MATH__)
#error "autonumerics kernels need IEEE float32 arithmetic: compile without -ffast-math"
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
"""


def c_block_comment(lines: list[str]) -> str:
    """``lines`` (escaped by ``c_comment_text``) as a C block comment, `` * `` before each."""
    return "/*\n" + "\n".join(f" * {line}".rstrip() for line in lines) + "\n */"


def c_header_text(comment: str, guard: str, body: str) -> str:
    """A C header: the block ``comment``, then ``body`` inside the include guard ``guard``."""
    return f"{comment}\n#ifndef {guard}\n#define {guard}\n\n{body}#endif /* {guard} */\n"


def _operand(ref: str) -> str:
    kind, index = ref_kind(ref)
    return "x" if kind == "x" else f"c{index}" if kind == "c" else f"v{index}"


def _comment(spec: KernelSpec, name: str) -> str:
    """The header's leading comment; the program file's strings pass through ``c_comment_text``."""
    how = ("the float32 rounding of jitted JAX on CPU: each multiply-add XLA fuses is an fmaf here"
           if spec.semantics == "xla"
           else "every op rounded once to float32, fmaf only where written")
    lines = [
        *heading(spec, name, autonumerics_version(), c_comment_text, indent="  "),
        f"{spec.program.n_ops} ops, program hash {spec.program_hash}, semantics {spec.semantics}:",
        f"{how}.",
        *(c_comment_text(line) for line in certificate_lines(spec.metrics)),
        "",
        "Compile with -ffp-contract=off (the default of gcc -std=c99) and without -ffast-math:",
        "then the results equal autonumerics' interpreter bit for bit (subnormals included).",
        f"  float y = {name}(x);   {name}_array(in, out, n);   link with -lm",
    ]
    return c_block_comment(lines)


def function_lines(spec: KernelSpec) -> list[str]:
    """The statements computing ``spec`` from ``float x`` (one rounding each), then ``return``."""
    program = spec.ops_program
    used = {ref for ins in program.instructions for ref in ins.args} | {program.output}
    constants = [f"const float c{i} = {c_literal(v)};"
                 for i, v in enumerate(float32_constants(program))
                 if f"c{i}" in used]  # the contracted program may keep merged duplicates unused
    body = [f"const float v{i} = {OPS[ins.op].c.format(*(_operand(a) for a in ins.args))};"
            for i, ins in enumerate(program.instructions)]
    return ["(void)x;  /* a constant program does not read it */", *constants, *body,
            f"return {_operand(program.output)};"]


def emit_c_function(spec: KernelSpec, name: str) -> str:
    """``static inline float name(float x)`` computing ``spec``, for use inside a kernel header."""
    body = "\n".join(f"    {line}" for line in function_lines(spec))
    return (f"/* {c_comment_text(spec.target or 'custom target')}: {spec.program.n_ops} ops, "
            f"{spec.semantics}, hash {spec.program_hash} */\n"
            f"static inline float {name}(float x) {{\n{body}\n}}\n")


def emit_c(spec: KernelSpec) -> str:
    """The source of a C99 header computing ``spec``."""
    name = c_name(spec.name, chosen=spec.name != (spec.target or "kernel"))
    lines = [
        "#include <math.h>",
        "#include <stddef.h>",
        "",
        C_ARITHMETIC_GUARD,
        f"static inline float {name}(float x) {{",
        *(f"    {line}" for line in function_lines(spec)),
        "}",
        "",
        f"static inline void {name}_array(const float *in, float *out, size_t n) {{",
        "    for (size_t i = 0; i < n; ++i) {",
        f"        out[i] = {name}(in[i]);",
        "    }",
        "}",
    ]
    guard = f"AUTONUMERICS_{name.upper()}_H"
    return c_header_text(_comment(spec, name), guard, "\n".join(lines) + "\n\n")
