"""The infix grammar of programs, read into SSA parts (instructions, constants, output).

Grammar (statements separated by ``;`` or newlines; the last one is the result)::

    statement := [NAME "="] sum
    sum       := product (("+" | "-") product)*
    product   := unary (("*" | "/") unary)*
    unary     := "-" unary | power
    power     := atom ["**" INTEGER]          # a power of two: repeated squaring
    atom      := NUMBER | "x" | NAME | CALL "(" sum ("," sum)* ")" | "(" sum ")"

NUMBER is decimal or a hex float (``0x1.62e42cp-1``), read exactly. A minus sign directly in
front of a number is part of the literal, so printed negative constants read back as the same
constant. CALL is any op name (``fma(a, b, c)``, ``sqrt(a)``, ``square(a)``, ``add(a, b)``...).

The parser keeps its own stack of pending operators and open parentheses instead of recursing,
so nesting is bounded only by the length of the text (``MAX_PROGRAM_CHARS``): whatever
``to_infix`` prints, however deep, reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autonumerics.errors import AutonumericsError
from autonumerics.ir.ops import OPS
from autonumerics.ir.ssa import INPUT, Instruction, const_ref, value_ref
from autonumerics.limits import MAX_INSTRUCTIONS, MAX_PROGRAM_CHARS, shown

# What the grammar reads: the parts of a program.
Parts = tuple[tuple[Instruction, ...], tuple[float, ...], str]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*(?:[pP][+-]?\d+)?"
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf\b|nan\b)"
    r"|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|[-+*/(),=;\n]))"
)

_BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "div"}
# Binding strength of the pending operators: sums < products < unary minus.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3}
# The largest exponent written out: 2**99 is 99 squarings, more than any program holds anyway.
_MAX_EXPONENT_DIGITS = 30


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            bad = text[position:].strip()[:20]
            raise AutonumericsError(f"cannot read expression at {bad!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class _Open:
    """An open parenthesis on the operator stack: a group, or a call's argument list.

    Attributes:
        call: the op called, or None for a plain group.
        first: where the call's arguments start on the operand stack.
    """

    call: str | None = None
    first: int = 0


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0
        self.instructions: list[Instruction] = []
        self.constants: list[float] = []
        self.names: dict[str, str] = {"x": INPUT}

    # -- token helpers --------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> tuple[str, str] | None:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            found = "end of expression" if token is None else shown(token[1], 40)
            raise AutonumericsError(f"expected {value or 'more input'!r}, found {found}")
        self.position += 1
        return token

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in values

    # -- building -----------------------------------------------------------------------------
    def constant(self, value: float) -> str:
        self.constants.append(value)
        return const_ref(len(self.constants) - 1)

    def instruction(self, op: str, args: tuple[str, ...]) -> str:
        if len(self.instructions) >= MAX_INSTRUCTIONS:
            raise AutonumericsError(f"expression has more than {MAX_INSTRUCTIONS} instructions")
        self.instructions.append(Instruction(op, args))
        return value_ref(len(self.instructions) - 1)

    # -- grammar ------------------------------------------------------------------------------
    def program(self) -> Parts:
        result = None
        while self.peek() is not None:
            if self.at(";", "\n"):
                self.take()
                continue
            result = self.statement()
            if self.peek() is not None:
                self.take(";" if self.at(";") else "\n")
        if result is None:
            raise AutonumericsError("empty expression")
        return tuple(self.instructions), tuple(self.constants), result

    def statement(self) -> str:
        token = self.peek()
        if token and token[0] == "name" and self.peek(1) == ("op", "="):
            if token[1] == "x" or token[1] in OPS:
                raise AutonumericsError(f"cannot assign to {token[1]!r}")
            self.position += 2
            self.names[token[1]] = self.sum()
            return self.names[token[1]]
        return self.sum()

    def sum(self) -> str:
        """One ``sum`` of the grammar, by operator precedence with explicit stacks."""
        operands: list[str] = []
        pending: list[str | _Open] = []  # operators ("+", "neg", ...) and open parentheses
        while True:
            operand = self.operand(pending, len(operands))
            if operand is None:
                continue  # an open parenthesis was pushed: its contents start with an operand
            operands.append(self.power(operand))
            while self.at(")"):
                self.close(operands, pending)
                operands.append(self.power(operands.pop()))
            if self.at("+", "-", "*", "/"):
                symbol = self.take()[1]
                self.reduce(operands, pending, _PRECEDENCE[symbol])
                pending.append(symbol)
            elif self.at(","):
                self.reduce(operands, pending, 0)
                if not pending or not isinstance(pending[-1], _Open) or pending[-1].call is None:
                    raise AutonumericsError("unexpected ',' outside a call's arguments")
                self.take()
            elif self.at("**"):
                raise AutonumericsError("one exponent per power: write x**4, not x**2**2")
            else:
                self.reduce(operands, pending, 0)
                if pending:
                    self.take(")")  # an open parenthesis was never closed: says so
                return operands[-1]

    def operand(self, pending: list[str | _Open], depth: int) -> str | None:
        """Prefix signs, then an atom's reference; None after pushing an open parenthesis."""
        while self.at("-", "+"):
            sign = self.take()[1]
            token = self.peek()
            if sign == "-" and token and token[0] == "number" and self.peek(1) != ("op", "**"):
                self.take()
                return self.constant(-_read_number(token[1]))
            if sign == "-":
                pending.append("neg")
        kind, text = self.take()
        if kind == "number":
            return self.constant(_read_number(text))
        if kind == "op" and text == "(":
            pending.append(_Open())
            return None
        if kind == "name" and self.at("("):
            if text not in OPS:
                raise AutonumericsError(
                    f"unknown function {shown(text)}; known ops: {', '.join(OPS)}")
            self.take("(")
            pending.append(_Open(text, depth))
            return None
        if kind == "name":
            if text not in self.names:
                raise AutonumericsError(f"unknown name {shown(text)} (the variable is x)")
            return self.names[text]
        raise AutonumericsError(f"unexpected {shown(text, 40)}")

    def reduce(self, operands: list[str], pending: list[str | _Open], precedence: int) -> None:
        """Apply the pending operators that bind at least as tightly as ``precedence``."""
        while pending and not isinstance(pending[-1], _Open):
            if _PRECEDENCE[pending[-1]] < precedence:
                break
            symbol = pending.pop()
            if symbol == "neg":
                operands.append(self.instruction("neg", (operands.pop(),)))
            else:
                right = operands.pop()
                operands.append(self.instruction(_BINARY[symbol], (operands.pop(), right)))

    def close(self, operands: list[str], pending: list[str | _Open]) -> None:
        """A ``)``: finish the innermost group (its value stays) or call (replaced by the call)."""
        self.reduce(operands, pending, 0)
        if not pending:
            raise AutonumericsError("unexpected ')' without a matching '('")
        self.take(")")
        opened = pending.pop()
        if opened.call is None:
            return
        args = tuple(operands[opened.first:])
        del operands[opened.first:]
        if len(args) != OPS[opened.call].arity:
            raise AutonumericsError(
                f"{opened.call} takes {OPS[opened.call].arity} arguments, got {len(args)}")
        operands.append(self.instruction(opened.call, args))

    def power(self, base: str) -> str:
        if not self.at("**"):
            return base
        self.take()
        kind, text = self.take()
        digits = kind == "number" and text.isdigit() and len(text) <= _MAX_EXPONENT_DIGITS
        exponent = int(text) if digits else 0
        if exponent < 1 or exponent & (exponent - 1):
            raise AutonumericsError(
                f"exponent {shown(text, 40)}: only powers of two (2, 4, 8, ...) are supported")
        while exponent > 1:
            base = self.instruction("square", (base,))
            exponent //= 2
        return base


def _read_number(text: str) -> float:
    try:
        return float.fromhex(text) if text.lower().startswith("0x") else float(text)
    except ValueError:
        raise AutonumericsError(f"bad number {shown(text, 40)}") from None
    except OverflowError:  # a hex float beyond the float64 range (a decimal one reads as inf)
        raise AutonumericsError(f"number {shown(text, 40)} is beyond the float64 range") from None


def read_infix(text: str) -> Parts:
    """The parts of the program that ``text`` spells (see the module docstring).

    Raises:
        AutonumericsError: on a syntax error, an unknown name or op, a wrong number of
            arguments, an exponent other than a power of two, or an expression longer than
            ``MAX_PROGRAM_CHARS`` or of more than ``MAX_INSTRUCTIONS`` instructions.
    """
    if not isinstance(text, str):
        raise AutonumericsError(f"an expression is a string, not {shown(text)}")
    if len(text) > MAX_PROGRAM_CHARS:
        raise AutonumericsError(
            f"expression of {len(text)} characters: the limit is {MAX_PROGRAM_CHARS}")
    return _Parser(text).program()
