"""JAX emitter: a standalone module (imports only ``jax``) defining one jitted float32 kernel.

How the generated code keeps the interpreter's bits (``contraction.py`` has the rules):

* "xla" programs are written as canonical programs exactly as ``tests/test_contraction.py``
  checks them: all constants in one array behind ``lax.optimization_barrier`` (else XLA folds
  and reassociates them), every square root behind a barrier (else ``a / sqrt(b)`` becomes an
  approximate reciprocal square root), and the rest left to XLA, whose multiply-add fusion the
  interpreter models (``evaluate(..., contract=True)``).
* "strict" programs must not be fused, and a barrier does not stop LLVM's fusion (XLA drops
  barriers before code generation; measured). A select does: every product or quotient that
  another op reads is read through ``jnp.where(p == p, p, p + p)``, and every constant through
  ``jnp.where(x == x, c, x)`` (per element, so nothing is folded, no division becomes a
  multiplication by a hoisted reciprocal, no ``a + 0`` is dropped). An explicit fma is
  written ``a*b + c``, and being the only visible product, it is the one XLA fuses; if another
  instruction computes the same product, XLA would compute it once for both and fuse neither,
  so the fma's first factor is then read through a select of its own.
  Instructions independent of x are computed at export time, by the interpreter.
* Inside a caller's own ``jax.jit``, XLA may fuse a product of the caller's into the kernel's
  first addition (or the kernel's last product into the caller's next one); the certified bits
  are those of the kernel called on a materialised float32 array.
"""

from __future__ import annotations

from autonumerics.export.spec import (
    KernelSpec,
    autonumerics_version,
    certificate_lines,
    float32_constants,
)
from autonumerics.export.text import heading, python_metadata, python_text, python_value
from autonumerics.ir.ops import OPS
from autonumerics.ir.program import Program, ref_kind

BARRIER = "jax.lax.optimization_barrier"
_PRODUCTS = ("mul", "square")


def _operand(ref: str) -> str:
    kind, index = ref_kind(ref)
    return "x" if kind == "x" else f"c[{index}]" if kind == "c" else f"v{index}"


def _product_key(instruction) -> tuple[str, str]:
    """The product an instruction computes (mul, square, fma's a*b), factors in sorted order."""
    a, b = ((instruction.args[0], instruction.args[0]) if instruction.op == "square"
            else instruction.args[:2])
    return tuple(sorted((a, b)))


def _product_counts(program: Program) -> dict[tuple[str, str], int]:
    """How many instructions compute each product (XLA computes equal ones once)."""
    counts: dict[tuple[str, str], int] = {}
    for instruction in program.instructions:
        if instruction.op in (*_PRODUCTS, "fma"):
            key = _product_key(instruction)
            counts[key] = counts.get(key, 0) + 1
    return counts


def _use_counts(program: Program) -> list[int]:
    counts = [0] * len(program.instructions)
    for instruction in program.instructions:
        for ref in instruction.args:
            kind, index = ref_kind(ref)
            if kind == "v":
                counts[index] += 1
    return counts


def _xla_body(program: Program) -> list[str]:
    """The canonical program as written; only square roots are hidden from XLA.

    Constants equal in float32 are read from one slot: the contraction model lets XLA share
    them (and the products that use them), and XLA only does so when they are one slice.
    """
    first_slot: dict[float, int] = {}
    slot = [first_slot.setdefault(value, index)
            for index, value in enumerate(float32_constants(program))]

    def operand(ref: str) -> str:
        kind, index = ref_kind(ref)
        return f"c[{slot[index]}]" if kind == "c" else _operand(ref)

    lines = []
    for index, instruction in enumerate(program.instructions):
        expression = OPS[instruction.op].jax.format(*(operand(a) for a in instruction.args))
        if instruction.op == "sqrt":
            expression = f"{BARRIER}({expression})"
        lines.append(f"v{index} = {expression}")
    return lines


def _strict_body(program: Program) -> list[str]:
    """Every op rounded once: nothing XLA or LLVM could fuse or rewrite is left visible.

    ``program`` has no instruction independent of x (``fold_invariants_float32``). Barriers
    do not survive XLA's CPU pipeline, but a select does: ``_rounded(p)`` is p, read through
    a select, so LLVM cannot fuse the product into the next addition or rewrite a quotient;
    constants are read the same way (``_opaque``), so XLA and LLVM cannot fold them, multiply
    by a hoisted reciprocal instead of dividing, or drop ``a + 0``.
    """
    uses = _use_counts(program)
    products = _product_counts(program)
    lines = [f"k{i} = _opaque(c[{i}], x)" for i in range(len(program.constants))]
    for index, instruction in enumerate(program.instructions):
        op = instruction.op
        args = [_operand(a).replace("c[", "k").replace("]", "") for a in instruction.args]
        if op == "div" and instruction.args[0] == instruction.args[1]:
            args[1] = f"_rounded({args[1]})"  # XLA replaces a / a by 1
        if op == "fma" and products[_product_key(instruction)] > 1:
            # XLA merges equal products (CSE); a product with two readers is not fused, so this
            # fma's first factor is read through a select of its own (the constant makes it unique)
            a = args[0]
            args[0] = f"jnp.where({a} == {a}, {a}, {a} + jnp.float32({index + 1}))"
        expression = OPS[op].jax.format(*args)
        if op == "sqrt" or (op in (*_PRODUCTS, "div") and uses[index]):
            expression = f"_rounded({expression})"
        lines.append(f"v{index} = {expression}")
    return lines


STRICT_HELPERS = '''

def _rounded(value):
    """value itself, read through a select: XLA and LLVM then cannot fuse or rewrite it."""
    return jnp.where(value == value, value, value + value)


def _opaque(constant, x):
    """The constant, per element (NaN where x is NaN, where the result is NaN anyway)."""
    return jnp.where(x == x, constant, x)
'''


def function_lines(spec: KernelSpec) -> list[str]:
    """The body of a function computing ``spec`` from a float32 array ``x``, ending in ``out``.

    The constants are read from ``c``: one array behind ``lax.optimization_barrier``, or where
    the spec's arithmetic has ``literal_constants`` ("xla" programs only) a tuple of float32
    literals, which LLVM keeps as immediate operands (fewer registers held, so it interleaves
    more loop iterations) but which XLA may then fold: the caller must show bit-exactness for
    its program. "strict" bodies also need ``_rounded`` and ``_opaque`` (``STRICT_HELPERS``).
    """
    program = spec.program
    values = ", ".join(f'float.fromhex("{v.hex()}")' for v in float32_constants(program))
    comma = "," if len(program.constants) == 1 else ""
    if spec.arithmetic.literal_constants and spec.semantics == "xla":
        literals = ", ".join(f'jnp.float32(float.fromhex("{v.hex()}"))'
                             for v in float32_constants(program))
        lines = [f"c = ({literals}{comma})"]
    else:
        lines = [f"c = {BARRIER}(jnp.array(({values}{comma}), jnp.float32))"]
    if not program.constants:
        lines = []
    lines += _xla_body(program) if spec.semantics == "xla" else _strict_body(program)
    lines.append(f"out = jnp.broadcast_to({_operand(program.output)}, x.shape)")
    return lines


def emit_jax_function(spec: KernelSpec, name: str, argument: str = "r", fenced: bool = True) -> str:
    """A plain (un-jitted) function ``name(argument)`` computing ``spec``, for use inside a kernel.

    Fenced (the default), its input and output are read through a select (``_rounded``, from
    ``STRICT_HELPERS``), so XLA cannot fuse a product of the caller into the function's first
    addition, nor the function's last product into the caller's next addition: the function
    computes the interpreter's bits for the float32 value it is given, wherever it is called.
    Unfenced, it saves those two selects; the caller must then show bit-exactness itself (as with
    ``literal_constants``, see ``function_lines``).
    """
    body = "\n".join(f"    {line}" for line in function_lines(spec))
    read = (f"_rounded(jnp.asarray({argument}, jnp.float32))" if fenced
            else f"jnp.asarray({argument}, jnp.float32)")
    summary = python_text(f"{spec.target or 'custom target'}: {spec.expression}")
    return f'''def {name}({argument}):
    """{summary} ({spec.program.n_ops} ops, {spec.semantics}, hash {spec.program_hash})."""
    x = {read}
{body}
    return {"_rounded(out)" if fenced else "out"}
'''


def _docstring(spec: KernelSpec) -> str:
    """The module docstring; the program file's strings pass through ``python_text``."""
    # The docstring's lines, emitted verbatim into the export: one source line per output line.
    semantics = (
        "xla: the float32 rounding of jitted JAX on CPU, multiply-adds fused into FMAs exactly as the\n"  # noqa: E501
        "autonumerics interpreter models them (constants and square roots sit behind\n"
        "lax.optimization_barrier so that XLA performs no other rewrite)."
        if spec.semantics == "xla" else
        "strict: every op rounded once to float32 (an fma only where the program has one). XLA would\n"  # noqa: E501
        "fuse a*b + c and fold constants, so products and constants are read through selects\n"
        "(_rounded, _opaque) that it cannot see through: exact, but slower than an 'xla' export."
    )
    return "\n".join([
        *heading(spec, spec.name, autonumerics_version(), python_text),
        f"{spec.program.n_ops} ops, program hash {spec.program_hash}.",
        *(python_text(line) for line in certificate_lines(spec.metrics)),
        "Accuracy is certified on the interval only; outside it the program is just evaluated.",
        "",
        f"Semantics: {semantics}",
        "The result equals autonumerics' interpreter bit for bit (evaluate(program, x, 'float32',",
        f"contract={spec.semantics == 'xla'})) on x86-64 CPU, jitted. XLA on CPU flushes subnormal",
        "results to zero; the interpreter does not, so they agree where no value is subnormal.",
        "Called inside your own jax.jit, XLA may fuse your code's products with the kernel's first",
        "or last op (a last-bit change); the certified bits are those of a call on an array.",
        "",
        "Usage (only jax is needed):",
        f"    from this_module import {spec.name}",
        f"    y = {spec.name}(x)        # any shape; float32 in, float32 out (other dtypes are cast)",  # noqa: E501
        f"    jax.grad({spec.name})(0.5); jax.vmap({spec.name})(xs)  # differentiable where the program is",  # noqa: E501
        "",
    ])


def emit_jax(spec: KernelSpec) -> str:
    """The source of a standalone JAX module computing ``spec``."""
    program = spec.program
    body = _xla_body(program) if spec.semantics == "xla" else _strict_body(program)
    constants = "".join(f'    float.fromhex("{v.hex()}"),  # c{i}\n'
                        for i, v in enumerate(float32_constants(program)))
    output = _operand(program.output)
    helpers = STRICT_HELPERS if spec.semantics == "strict" else ""
    inner = "\n".join(f"    {line}" for line in body)
    interval = f"({spec.interval[0]!r}, {spec.interval[1]!r})" if spec.interval else "None"
    # the module's source, emitted verbatim: its lines stay as they are
    return f'''"""{_docstring(spec)}"""

import jax
import jax.numpy as jnp

{python_metadata(spec)}EXPRESSION = {python_value(spec.expression)}

# The program's constants, exactly (float32 values written in hex).
_CONSTANTS = (
{constants}){helpers}


@jax.jit
def {spec.name}(x):
    """{python_text(spec.target or 'The target')} approximated in float32 on {interval}; see the module docstring."""
    x = jnp.asarray(x, jnp.float32)
    c = {BARRIER}(jnp.array(_CONSTANTS, jnp.float32))
{inner}
    return jnp.broadcast_to({output}, x.shape)
'''  # noqa: E501
