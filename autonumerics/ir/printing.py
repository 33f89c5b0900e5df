"""Print programs as infix math (readable back by ``parse_expr``) and as Python source.

Constants print with ``repr``, which round-trips a float64 exactly. Values and constants used
more than once print as assignments (``t0 = x * x; t0 * t0``, ``k0 = 1.5; k0 / (x + k0)``) so
that sharing survives a round trip.
"""

from __future__ import annotations

from autonumerics.ir.ops import OPS
from autonumerics.ir.ssa import INPUT, Code, live_instructions, ref_kind

# Binding strength: sums < products < unary minus < atoms (names, numbers, calls).
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3}
_ATOM = 4


def _use_counts(program: Code) -> dict[str, int]:
    counts: dict[str, int] = {}
    live = live_instructions(program)
    for index, instruction in enumerate(program.instructions):
        if live[index]:
            for ref in instruction.args:
                counts[ref] = counts.get(ref, 0) + 1
    return counts


# A text under construction: strings and nested tuples of them, joined once at the end, so that
# printing a chain of n instructions costs O(n) and not O(n^2) string copies.
Rope = str | tuple


def _joined(rope: Rope) -> str:
    parts: list[str] = []
    stack = [rope]
    while stack:  # depth-first without recursion: a chain of 10 000 ops nests 10 000 deep
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        else:
            stack.extend(reversed(item))
    return "".join(parts)


def to_infix(program: Code) -> str:
    """The program as infix math, e.g. ``1.0 + x * (0.693 + x * 0.24)``.

    Values are printed in program order, each from its operands' texts, so no recursion is
    needed however deep the program is.
    """
    counts = _use_counts(program)
    names: dict[str, str] = {}
    statements: list[Rope] = []
    printed: dict[int, tuple[Rope, int]] = {}  # instruction -> (text, precedence), inlined once

    def text(ref: str, min_precedence: int) -> Rope:
        kind, index = ref_kind(ref)
        if kind == INPUT:
            return "x"
        if ref in names:
            return names[ref]
        if kind == "c":
            return repr(program.constants[index])
        body, precedence = printed.pop(index)
        return ("(", body, ")") if precedence < min_precedence else body

    def expression(index: int) -> tuple[Rope, int]:
        instruction = program.instructions[index]
        op, args = instruction.op, instruction.args
        if op in ("add", "sub", "mul", "div"):
            level = _PRECEDENCE[op]
            return (text(args[0], level), f" {OPS[op].infix} ", text(args[1], level + 1)), level
        if op == "neg":
            operand = args[0]
            if ref_kind(operand)[0] == "c":  # keep -(c) an op: "-0.5" would read back as a constant
                return ("-(", text(operand, _ATOM), ")"), 3
            return ("-", text(operand, 3)), 3
        parts: list[Rope] = [f"{op}("]
        for position, arg in enumerate(args):
            parts.extend((", ", text(arg, 0)) if position else (text(arg, 0),))
        return (*parts, ")"), _ATOM

    for index, value in enumerate(program.constants):  # a shared parameter is named once
        if counts.get(f"c{index}", 0) > 1:
            names[f"c{index}"] = f"k{index}"
            statements.append(f"k{index} = {value!r}")
    live = live_instructions(program)
    for index in range(len(program.instructions)):
        ref = f"v{index}"
        if not live[index]:
            continue
        body, precedence = expression(index)
        if counts.get(ref, 0) > 1 and ref != program.output:
            names[ref] = f"t{len(names)}"
            statements.append((names[ref], " = ", body))
        else:
            printed[index] = body, precedence
    statements.append(text(program.output, 0))
    return "; ".join(_joined(statement) for statement in statements)


def to_python(program: Code, name: str = "f") -> str:
    """The program as a standalone Python function on numpy arrays or floats."""
    lines = ["import numpy as np", "", "", f"def {name}(x):"]

    def operand(ref: str) -> str:
        kind, index = ref_kind(ref)
        return repr(program.constants[index]) if kind == "c" else ref

    for index, instruction in enumerate(program.instructions):
        a = [operand(r) for r in instruction.args]
        op = instruction.op
        if op in ("add", "sub", "mul", "div"):
            body = f"{a[0]} {OPS[op].infix} {a[1]}"
        elif op == "neg":
            body = f"-{a[0]}"
        elif op == "square":
            body = f"{a[0]} * {a[0]}"
        elif op == "sqrt":
            body = f"np.sqrt({a[0]})"
        else:  # fma
            body = f"{a[0]} * {a[1]} + {a[2]}  # fused multiply-add: rounded once"
        lines.append(f"    v{index} = {body}")
    lines.append(f"    return {operand(program.output)}")
    return "\n".join(lines) + "\n"
