"""Safe parser for real mpmath expressions in ``x``: an ``ast`` whitelist compiled to closures.

Nothing is ever passed to ``eval``. The source is parsed with :func:`ast.parse`, every node is
checked against a whitelist (numbers, ``x``, ``pi``, ``e``, ``ln2``, ``+ - * / **``, unary
signs, calls to the functions in ``mp_functions.EXPRESSION_FUNCTIONS``) and compiled into nested
Python closures that call mpmath. Literals keep their decimal meaning (``0.1`` is the real number
1/10 at the working precision, not the float64 nearest to it); hex floats (``0x1.8p-3``) are exact.

Limits (``autonumerics.limits``): an expression has at most ``MAX_EXPRESSION_CHARS`` characters
and ``MAX_EXPRESSION_DEPTH`` levels of nesting (it is evaluated by nested closures), and a
function or a power refuses an argument of magnitude ``2**MAX_ARGUMENT_BITS`` or more, whose
evaluation would take unbounded time (``mp_functions.ArgumentTooLarge``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath

from autonumerics.errors import AutonumericsError
from autonumerics.limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH, clipped, shown
from autonumerics.truth.mp_functions import (
    EXPRESSION_CONSTANTS,
    EXPRESSION_FUNCTIONS,
    MpValue,
    bounded_call,
)

Compiled = Callable[[MpValue], MpValue]

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: bounded_call("power", mpmath.power, [a, b]),
}

# A C99 hex float: 0x1.8p-3, 0x.8p1, 0x1p0 (the binary exponent is required, as in float.hex).
_HEX_FLOAT = re.compile(r"(?<![\w.])0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)")

@dataclass(frozen=True)
class Expression:
    """A compiled expression; calling it evaluates at the current mpmath precision.

    Attributes:
        text: the source as the user wrote it.
        uses_x: whether the value depends on ``x``.
    """

    text: str
    uses_x: bool
    function: Compiled = field(repr=False, compare=False)

    def __call__(self, x: MpValue = None) -> MpValue:
        """The real value at ``x``; ``ValueError`` if the value is complex (outside the domain)."""
        value = self.function(x)
        if isinstance(value, mpmath.mpc):
            if value.imag != 0:
                where = mpmath.nstr(x, 17) if isinstance(x, mpmath.mpf) else x
                raise ValueError(f"{clipped(self.text, 60)} is not real at x = {where}")
            value = value.real
        return value


def parse_expression(text: str, allow_x: bool = True) -> Expression:
    """Compile one expression (in ``x`` when ``allow_x``) after checking it against the whitelist.

    Raises:
        AutonumericsError: on a syntax error, a name or function outside the whitelist, a wrong
            number of arguments, or any Python construct other than arithmetic and calls.
    """
    node, context = _parse(text, allow_x)
    if isinstance(node, ast.Tuple):
        raise AutonumericsError(f"expected one expression, got a list in {shown(text)}")
    function, uses_x = _compile(node, context)
    return Expression(text, uses_x, function)


def parse_constant_list(text: str) -> tuple[Expression, ...]:
    """Compile a comma-separated list of constant expressions (``"-ln2/2, pi/4"``, ``"[0, 1]"``)."""
    node, context = _parse(text, allow_x=False)
    items = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
    compiled = []
    for item in items:
        function, _ = _compile(item, context)
        compiled.append(Expression(context.written(item), False, function))
    return tuple(compiled)


@dataclass(frozen=True)
class _Context:
    """What compiling needs besides the node: the texts, whether x is allowed, hex literals."""

    text: str  # as the user wrote it, for error messages
    source: str  # with hex floats replaced by names; the AST's offsets point into this
    allow_x: bool
    hex_values: dict[str, tuple[int, int]]  # name -> (integer significand, binary exponent)
    hex_texts: dict[str, str]  # name -> the hex float as written

    def written(self, node: ast.expr) -> str:
        """The text of ``node`` as the user wrote it (hex floats and all)."""
        segment = ast.get_source_segment(self.source, node) or ast.unparse(node)
        return re.sub(r"\w+", lambda word: self.hex_texts.get(word[0], word[0]), segment)


def _parse(text: str, allow_x: bool) -> tuple[ast.expr, _Context]:
    """Parse ``text`` to an AST, first replacing hex floats (Python cannot parse them) by names."""
    if not isinstance(text, str) or not text.strip():
        raise AutonumericsError(f"empty expression {shown(text)}")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise AutonumericsError(
            f"expression of {len(text)} characters: the limit is {MAX_EXPRESSION_CHARS}")
    prefix = "_hex"
    while prefix in text:
        prefix += "_"
    hex_values: dict[str, tuple[int, int]] = {}
    hex_texts: dict[str, str] = {}

    def substitute(match: re.Match[str]) -> str:
        whole, fraction, exponent = match.group(1), match.group(2) or "", match.group(3)
        # an exponent of 13 digits or more (2^(10^12)) is past any use, and past int()'s limits
        if (not whole and not fraction) or len(exponent) > 12:
            raise AutonumericsError(f"bad hex float {shown(match.group(0), 40)} in {shown(text)}")
        # value = hexdigits * 16**-len(fraction) * 2**exponent, exactly
        name = f"{prefix}{len(hex_values)}"
        hex_values[name] = (int(whole + fraction, 16), int(exponent) - 4 * len(fraction))
        hex_texts[name] = match.group(0)
        return name

    source = _HEX_FLOAT.sub(substitute, text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise AutonumericsError(f"cannot parse expression {shown(text)}: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise AutonumericsError(f"expression nested too deeply: {shown(text, 60)}") from None
    if _depth(tree.body) > MAX_EXPRESSION_DEPTH:
        raise AutonumericsError(
            f"expression nested more than {MAX_EXPRESSION_DEPTH} levels deep: {shown(text, 60)}")
    return tree.body, _Context(text, source, allow_x, hex_values, hex_texts)


def _depth(node: ast.expr) -> int:
    """Nesting depth of the expression nodes, counted without recursion (stops past the limit)."""
    deepest, stack = 0, [(node, 1)]
    while stack and deepest <= MAX_EXPRESSION_DEPTH:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        children = (child for child in ast.iter_child_nodes(current) if isinstance(child, ast.expr))
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _compile(node: ast.expr, context: _Context) -> tuple[Compiled, bool]:
    """Compile ``node`` into a closure ``x -> value``; also say whether it depends on ``x``."""
    try:
        function, uses_x = _compile_node(node, context)
    except RecursionError:
        raise AutonumericsError(
            f"expression nested too deeply: {shown(context.text, 60)}") from None
    # Constant subexpressions (sqrt(2), pi/4) are computed once per precision.
    return (function if uses_x else _per_precision(function)), uses_x


def _compile_node(node: ast.expr, context: _Context) -> tuple[Compiled, bool]:
    if isinstance(node, ast.Constant):
        return _literal(node, context), False
    if isinstance(node, ast.Name):
        return _name(node.id, context)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand, uses_x = _compile(node.operand, context)
        if isinstance(node.op, ast.USub):
            return (lambda x: -operand(x)), uses_x
        return (lambda x: +operand(x)), uses_x
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, left_x = _compile(node.left, context)
        right, right_x = _compile(node.right, context)
        operator = _BINARY[type(node.op)]
        return (lambda x: operator(left(x), right(x))), left_x or right_x
    if isinstance(node, ast.Call):
        return _call(node, context)
    raise AutonumericsError(
        f"unsupported syntax {shown(context.written(node), 60)} ({type(node).__name__}) in "
        f"{shown(context.text)}; "
        "use numbers, x, pi, e, ln2, + - * / ** and calls to mpmath functions"
    )


def _literal(node: ast.Constant, context: _Context) -> Compiled:
    """A numeric literal, read from its source text so ``0.1`` means one tenth at any precision."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AutonumericsError(f"unsupported literal {shown(value, 40)} in {shown(context.text)}")
    if isinstance(value, int):
        return lambda x: mpmath.mpf(value)
    digits = (ast.get_source_segment(context.source, node) or repr(value)).replace("_", "")
    return lambda x: mpmath.mpf(digits)


def _name(name: str, context: _Context) -> tuple[Compiled, bool]:
    if name == "x" and context.allow_x:
        return (lambda x: x), True
    if name in EXPRESSION_CONSTANTS:
        constant = EXPRESSION_CONSTANTS[name]
        return (lambda x: constant()), False
    if name in context.hex_values:
        significand, exponent = context.hex_values[name]
        return (lambda x: mpmath.ldexp(mpmath.mpf(significand), exponent)), False
    if name in EXPRESSION_FUNCTIONS:
        raise AutonumericsError(
            f"function {name!r} used without arguments in {shown(context.text)}")
    allowed = ("x, " if context.allow_x else "") + ", ".join(EXPRESSION_CONSTANTS)
    raise AutonumericsError(
        f"unknown name {shown(name, 40)} in {shown(context.text)}; allowed names: {allowed}")


def _call(node: ast.Call, context: _Context) -> tuple[Compiled, bool]:
    text = context.text
    if not isinstance(node.func, ast.Name):
        raise AutonumericsError(
            f"unsupported call {shown(context.written(node.func), 60)} in {shown(text)}")
    name = node.func.id
    if name not in EXPRESSION_FUNCTIONS:
        raise AutonumericsError(
            f"unknown function {shown(name, 40)} in {shown(text)}; "
            f"allowed: {', '.join(sorted(EXPRESSION_FUNCTIONS))}"
        )
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise AutonumericsError(f"{name}() takes positional arguments only, in {shown(text)}")
    function, least, most = EXPRESSION_FUNCTIONS[name]
    if not least <= len(node.args) <= most:
        expected = str(least) if least == most else f"{least} to {most}"
        raise AutonumericsError(
            f"{name}() takes {expected} argument(s), got {len(node.args)} in {shown(text)}"
        )
    compiled = [_compile(arg, context) for arg in node.args]
    arguments = [argument for argument, _ in compiled]
    uses_x = any(depends for _, depends in compiled)
    return (lambda x: bounded_call(name, function, [argument(x) for argument in arguments])), uses_x


def _per_precision(function: Compiled) -> Compiled:
    """Memoise a constant closure by working precision (a constant is the same at every x)."""
    cache: dict[int, MpValue] = {}

    def constant(x: MpValue) -> MpValue:
        prec = mpmath.mp.prec
        if prec not in cache:
            cache[prec] = function(None)
        return cache[prec]

    return constant
