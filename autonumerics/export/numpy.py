"""NumPy emitter: a standalone module (imports only ``numpy``) computing the kernel op by op.

The module evaluates ``KernelSpec.ops_program``: for "xla" programs the contracted program
(every FMA that jitted JAX performs written out), for "strict" ones the program as written.
numpy has no FMA, so the module carries a small exact one: the float64 product of two
float32 numbers is exact (48 bits), TwoSum gives the exact remainder of the sum, and rounding
that sum *to odd* in float64 before the final rounding to float32 makes the double rounding
harmless (53 >= 24 + 2; Boldo & Melquiond 2008). The results equal the interpreter's bits.
"""

from __future__ import annotations

from autonumerics.export.spec import (
    KernelSpec,
    autonumerics_version,
    certificate_lines,
    float32_constants,
)
from autonumerics.export.text import heading, python_metadata, python_text
from autonumerics.ir.ops import OPS
from autonumerics.ir.program import ref_kind

# Source of the exact float32 FMA written into modules whose program has one.
FMA_HELPER = '''
def _fma(a, b, c):
    """a*b + c rounded once to float32 (round to odd in float64, then to nearest)."""
    product = np.multiply(a, b, dtype=np.float64)  # exact: at most 48 significant bits
    addend = np.asarray(c, dtype=np.float64)
    total = product + addend
    # TwoSum: total + rest == product + addend exactly.
    addend_part = total - product
    product_part = total - addend_part
    rest = (product - product_part) + (addend - addend_part)
    rest = np.where(np.isfinite(total), rest, 0.0)
    # Round to odd: an inexact total with an even last bit moves one step towards the exact sum.
    bits = np.asarray(total, dtype=np.float64).view(np.int64)
    step = np.where(np.signbit(total) == np.signbit(rest), 1, -1).astype(np.int64)
    odd = np.where((rest != 0) & ((bits & 1) == 0), bits + step, bits).view(np.float64)
    return odd.astype(np.float32)
'''


def fma_helper(name: str) -> str:
    """The exact float32 FMA helper's source, defining it under ``name``."""
    return FMA_HELPER.replace("def _fma(", f"def {name}(", 1)


def _operand(ref: str, constants: str = "_C[{}]") -> str:
    kind, index = ref_kind(ref)
    return "x" if kind == "x" else constants.format(index) if kind == "c" else f"v{index}"


def _expression(op: str, args: list[str], fma: str = "_fma") -> str:
    if op == "fma":
        return f"{fma}({', '.join(args)})"
    return OPS[op].jax.replace("jnp.", "np.").format(*args)


def emit_numpy_function(spec: KernelSpec, name: str, argument: str = "r",
                        fma: str = "_fma32") -> str:
    """A function ``name(argument)`` computing ``spec`` op by op, for use inside a kernel module.

    It needs ``np`` and, where the program has an FMA, the helper ``fma`` (``fma_helper(fma)``).
    """
    program = spec.ops_program
    constants = float32_constants(program)
    used = {ref for ins in program.instructions for ref in ins.args} | {program.output}
    lines = [f'c{i} = np.float32(float.fromhex("{v.hex()}"))'
             for i, v in enumerate(constants) if f"c{i}" in used]
    lines += [f"v{i} = {_expression(ins.op, [_operand(a, 'c{}') for a in ins.args], fma)}"
              for i, ins in enumerate(program.instructions)]
    body = "\n".join(f"        {line}" for line in lines) or "        pass"
    summary = python_text(f"{spec.target or 'custom target'}: {spec.expression}")
    return f'''def {name}({argument}):
    """{summary} ({spec.program.n_ops} ops, {spec.semantics}, hash {spec.program_hash})."""
    x = np.asarray({argument}, dtype=np.float32)
    with np.errstate(all="ignore"):
{body}
    return np.broadcast_to({_operand(program.output, 'c{}')}, x.shape).astype(np.float32, copy=True)
'''


def _docstring(spec: KernelSpec) -> str:
    """The module docstring; the program file's strings pass through ``python_text``."""
    how = ("the float32 rounding of jitted JAX on CPU: each multiply-add XLA fuses "
           "is an exact FMA here" if spec.semantics == "xla"
           else "every op rounded once to float32, an fma only where written")
    return "\n".join([
        *heading(spec, spec.name, autonumerics_version(), python_text),
        f"{spec.program.n_ops} ops, program hash {spec.program_hash}, semantics {spec.semantics}:",
        f"{how}. Equal bit for bit to autonumerics' interpreter (subnormals included).",
        *(python_text(line) for line in certificate_lines(spec.metrics)),
        "",
        f"Usage (only numpy is needed): y = {spec.name}(x)  # any shape, float32 in, float32 out",
        "",
    ])


def emit_numpy(spec: KernelSpec) -> str:
    """The source of a standalone NumPy module computing ``spec``."""
    program = spec.ops_program
    lines = [f"v{i} = {_expression(ins.op, [_operand(a) for a in ins.args])}"
             for i, ins in enumerate(program.instructions)]
    uses_fma = any(ins.op == "fma" for ins in program.instructions)
    constants = "".join(f'    float.fromhex("{v.hex()}"),  # c{i}\n'
                        for i, v in enumerate(float32_constants(program)))
    interval = f"({spec.interval[0]!r}, {spec.interval[1]!r})" if spec.interval else "None"
    body = "\n".join(f"        {line}" for line in lines)
    # the module's source, emitted verbatim: its lines stay as they are
    return f'''"""{_docstring(spec)}"""

import numpy as np

{python_metadata(spec)}
_C = np.array([
{constants}], dtype=np.float32)
{FMA_HELPER if uses_fma else ""}

def {spec.name}(x):
    """{python_text(spec.target or 'The target')} approximated in float32 on {interval}; see the module docstring."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
{body if body else "        pass"}
    return np.broadcast_to({_operand(program.output)}, x.shape).astype(np.float32, copy=True)
'''  # noqa: E501
