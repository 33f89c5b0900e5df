"""Parse infix expressions in ``x`` into programs.

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
"""

from __future__ import annotations

import re

from autonumerics.errors import AutonumericsError
from autonumerics.ops import OPS
from autonumerics.program import INPUT, Instruction, Program, const_ref, value_ref

_TOKEN = re.compile(
    r"\s*(?:(?P<number>0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*(?:[pP][+-]?\d+)?"
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf\b|nan\b)"
    r"|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|[-+*/(),=;\n]))"
)

_BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


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


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0
        self.instructions: list[Instruction] = []
        self.constants: list[float] = []
        self.names: dict[str, str] = {"x": INPUT}

    # -- token helpers --------------------------------------------------------------------
    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            found = "end of expression" if token is None else repr(token[1])
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
        self.instructions.append(Instruction(op, args))
        return value_ref(len(self.instructions) - 1)

    # -- grammar ------------------------------------------------------------------------------
    def program(self) -> Program:
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
        return Program(tuple(self.instructions), tuple(self.constants), result)

    def statement(self) -> str:
        token = self.peek()
        following = self.tokens[self.position + 1] if self.position + 1 < len(self.tokens) else None
        if token and token[0] == "name" and following == ("op", "="):
            if token[1] == "x" or token[1] in OPS:
                raise AutonumericsError(f"cannot assign to {token[1]!r}")
            self.position += 2
            self.names[token[1]] = self.sum()
            return self.names[token[1]]
        return self.sum()

    def sum(self) -> str:
        left = self.product()
        while self.at("+", "-"):
            op = _BINARY[self.take()[1]]
            left = self.instruction(op, (left, self.product()))
        return left

    def product(self) -> str:
        left = self.unary()
        while self.at("*", "/"):
            op = _BINARY[self.take()[1]]
            left = self.instruction(op, (left, self.unary()))
        return left

    def unary(self) -> str:
        if self.at("-"):
            self.take()
            token = self.peek()
            if token and token[0] == "number" and not self._followed_by_power():
                self.take()
                return self.constant(-_read_number(token[1]))
            return self.instruction("neg", (self.unary(),))
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def _followed_by_power(self) -> bool:
        following = self.tokens[self.position + 1] if self.position + 1 < len(self.tokens) else None
        return following == ("op", "**")

    def power(self) -> str:
        base = self.atom()
        if not self.at("**"):
            return base
        self.take()
        kind, text = self.take()
        exponent = int(text) if kind == "number" and text.isdigit() else 0
        if exponent < 1 or exponent & (exponent - 1):
            raise AutonumericsError(f"exponent {text!r}: only powers of two (2, 4, 8, ...) are supported")
        while exponent > 1:
            base = self.instruction("square", (base,))
            exponent //= 2
        return base

    def atom(self) -> str:
        kind, text = self.take()
        if kind == "number":
            return self.constant(_read_number(text))
        if kind == "op" and text == "(":
            inner = self.sum()
            self.take(")")
            return inner
        if kind == "name" and self.at("("):
            return self.call(text)
        if kind == "name":
            if text not in self.names:
                raise AutonumericsError(f"unknown name {text!r} (the variable is x)")
            return self.names[text]
        raise AutonumericsError(f"unexpected {text!r}")

    def call(self, name: str) -> str:
        if name not in OPS:
            raise AutonumericsError(f"unknown function {name!r}; known ops: {', '.join(OPS)}")
        self.take("(")
        args = [self.sum()]
        while self.at(","):
            self.take()
            args.append(self.sum())
        self.take(")")
        if len(args) != OPS[name].arity:
            raise AutonumericsError(f"{name} takes {OPS[name].arity} arguments, got {len(args)}")
        return self.instruction(name, tuple(args))


def _read_number(text: str) -> float:
    try:
        return float.fromhex(text) if text.lower().startswith("0x") else float(text)
    except ValueError:
        raise AutonumericsError(f"bad number {text!r}") from None


def parse_expr(text: str) -> Program:
    """Parse an infix expression (see the module docstring) into a ``Program``.

    Example:
        >>> parse_expr("1 + x*(0x1.62e42cp-1 + x*0.2402)").n_ops
        4
    """
    return _Parser(text).program()
