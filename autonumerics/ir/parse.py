"""Parse infix expressions in ``x`` into programs (the grammar: :mod:`autonumerics.ir.grammar`)."""

from __future__ import annotations

from autonumerics.ir.grammar import read_infix
from autonumerics.ir.program import Program


def parse_expr(text: str) -> Program:
    """Parse an infix expression (see :mod:`autonumerics.ir.grammar`) into a ``Program``.

    Raises:
        AutonumericsError: on a syntax error, an unknown name or op, a wrong number of
            arguments, an exponent other than a power of two, or an expression longer than
            ``MAX_PROGRAM_CHARS`` or of more than ``MAX_INSTRUCTIONS`` instructions.

    Example:
        >>> parse_expr("1 + x*(0x1.62e42cp-1 + x*0.2402)").n_ops
        4
    """
    return Program(*read_infix(text))
