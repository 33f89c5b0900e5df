"""Coefficients to programs: Horner forms, rationals, and the odd / even wrappers, as infix text.

Every baseline becomes an ordinary ``Program`` through ``parse_expr``, so it is scored,
exported and verified exactly like an evolved one. Constants are written with ``float.hex``
(exact). Zero coefficients and unit factors are simplified away, so the op count is what a
careful hand-written kernel would cost: a degree-n Horner polynomial is 2n ops (n multiply-add
pairs, one FMA each when contracted), an (m, n) rational 2m + 2n + 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from autonumerics.ir.parse import parse_expr
from autonumerics.ir.program import Program


def literal(value: float) -> str:
    """The exact text of a float constant (hex; a leading minus belongs to the literal)."""
    return float(value).hex()


def horner(coefficients: Sequence[float], variable: str = "x") -> str:
    """``c0 + v*(c1 + v*(... + v*cn))`` with zeros dropped and ``v*1`` written ``v``.

    Trailing zero coefficients lower the degree; an all-zero polynomial is ``0x0.0p+0``.
    """
    values = [float(c) for c in coefficients]
    while len(values) > 1 and values[-1] == 0.0:
        values.pop()
    text = literal(values[-1])
    for c in reversed(values[:-1]):
        product = variable if text == literal(1.0) else f"{variable}*{_group(text)}"
        text = product if c == 0.0 else f"{literal(c)} + {product}"
    return text


def _group(text: str) -> str:
    """Parenthesise a sum used as a factor; a lone literal or name needs nothing."""
    return f"({text})" if (" " in text) else text


def rational(numerator: Sequence[float], denominator: Sequence[float], variable: str = "x") -> str:
    """``(P) / (Q)`` in Horner form; a denominator equal to 1 leaves the polynomial."""
    top, bottom = horner(numerator, variable), horner(denominator, variable)
    if bottom == literal(1.0):
        return top
    return f"{_group(top)} / {_group(bottom)}"


def wrap(inner: str, form: str, root: float = 0.0) -> str:
    """The program in x for an approximation ``inner`` in the form's variable t.

    plain: inner(x); odd: x*r(t); odd1: x + x*r(t); even: r(t), with ``t = x*x`` computed once;
    root: (x - x0)*r(x), or x*r(x) when x0 = 0.
    """
    if form == "plain":
        return inner
    if form == "root":
        factor = "x" if root == 0 else f"(x - {literal(root)})"
        return f"{factor}*{_group(inner)}"
    body = {"odd": f"x*{_group(inner)}", "odd1": f"x + x*{_group(inner)}", "even": inner}[form]
    return f"t = x*x; {body}"


def variable(form: str) -> str:
    """The name of the form's variable in the program text."""
    return "x" if form in ("plain", "root") else "t"


def polynomial_program(coefficients: Sequence[float], form: str = "plain",
                       root: float = 0.0) -> Program:
    """The Horner program of a polynomial (monomials in the form's variable, lowest first)."""
    return parse_expr(wrap(horner(coefficients, variable(form)), form, root))


def rational_program(numerator: Sequence[float], denominator: Sequence[float], form: str = "plain",
                     root: float = 0.0) -> Program:
    """The program of numerator / denominator (monomials in the form's variable, lowest first)."""
    return parse_expr(wrap(rational(numerator, denominator, variable(form)), form, root))


def degree_in_x(degree: int, form: str) -> int:
    """The degree in x of a degree-``degree`` polynomial in the form's variable."""
    return {"plain": degree, "even": 2 * degree, "root": degree + 1}.get(form, 2 * degree + 1)


def predicted_ops(m: int, n: int, form: str) -> int:
    """Op count of an (m, n) rational (n = 0: polynomial) in ``form``, at most (before
    simplification; the root form at 0 saves the subtraction)."""
    core = 2 * m + (2 * n + 1 if n else 0)
    return core + {"plain": 0, "even": 1, "odd": 2, "odd1": 3, "root": 2}[form]


def describe(form: str, root: float = 0.0) -> str:
    """How a form reads in a label."""
    if form == "root":
        return "x*p(x)" if root == 0 else f"(x-{root:g})*p(x)"
    return {"plain": "p(x)", "odd": "x*p(x^2)", "odd1": "x+x*q(x^2)", "even": "p(x^2)"}[form]
