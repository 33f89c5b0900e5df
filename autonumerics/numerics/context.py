"""The arithmetic a program is evaluated in: one resolved value, built by one function.

A float format alone does not say which bits a program computes: jitted JAX on CPU fuses
``a*b + c`` into one FMA ("xla", modelled by ``ir.contraction``), numpy and C without
contraction round every op ("strict"), and which product of a sum LLVM fuses depends on
whether it sees the constants (written as literals) or not (an array behind a barrier).
``arithmetic_context`` owns every default of these choices; the interpreter, the search's
scorer, the measurements and the exporters take its result instead of deciding again.
"""

from __future__ import annotations

from dataclasses import dataclass

from autonumerics.errors import AutonumericsError
from autonumerics.limits import shown
from autonumerics.numerics.dtypes import FloatFormat, float_format

# "xla": the float rounding of jitted JAX on CPU (multiply-adds contracted, see contraction.py);
# "strict": every op rounds separately, an fma only where written (numpy, C without contraction).
SEMANTICS = ("xla", "strict")


@dataclass(frozen=True)
class ArithmeticContext:
    """How a program's arithmetic rounds.

    Attributes:
        format: the float format every op rounds to (float64 stands for real arithmetic).
        semantics: "xla" or "strict" (see ``SEMANTICS``).
        literal_constants: the JAX code writes the constants as float32 literals, which LLVM
            sees (a product by a negative one is then a negation, ``contraction`` rule 3);
            False: they sit in an array behind ``lax.optimization_barrier``.
    """

    format: FloatFormat
    semantics: str
    literal_constants: bool = False

    @property
    def dtype(self) -> str:
        """The format's name (``"float32"``)."""
        return self.format.name

    @property
    def contracts(self) -> bool:
        """Whether the evaluation applies the contraction model (``contract_multiply_add``)."""
        return self.semantics == "xla"


def default_semantics(dtype: str) -> str:
    """Low-precision programs are scored as exported JAX computes them; float64 stands for reals."""
    return "strict" if dtype == "float64" else "xla"


def arithmetic_context(dtype: str | FloatFormat = "float64", *semantics: str | None,
                       literal_constants: bool = False) -> ArithmeticContext:
    """The context of ``dtype`` with the first semantics given, else the format's default.

    Args:
        dtype: the format, by name or as a ``FloatFormat``. The exports always compute float32,
            whatever format the program was fitted in, so they pass "float32" (whose default,
            "xla", is then also the export's default for a float64 program file).
        semantics: the choices in order of precedence, None (or "") where a source sets none:
            e.g. the command line's, then the program file's (or the config's).
        literal_constants: see ``ArithmeticContext``.

    Raises:
        AutonumericsError: for an unknown format, or a semantics other than "xla" and "strict".
    """
    fmt = dtype if isinstance(dtype, FloatFormat) else float_format(dtype)
    chosen = next((choice for choice in semantics if choice), None) or default_semantics(fmt.name)
    if chosen not in SEMANTICS:
        raise AutonumericsError(f"semantics must be one of {SEMANTICS}, not {shown(chosen, 40)}")
    return ArithmeticContext(fmt, chosen, bool(literal_constants))


def as_context(arithmetic: ArithmeticContext | str | FloatFormat,
               semantics: str | None = None) -> ArithmeticContext:
    """A context as it is, or the context of a format and a semantics (``arithmetic_context``).

    Raises:
        AutonumericsError: a context together with a semantics (it already has one).
    """
    if isinstance(arithmetic, ArithmeticContext):
        if semantics is not None:
            raise AutonumericsError("pass either an arithmetic context or a semantics, not both")
        return arithmetic
    return arithmetic_context(arithmetic, semantics)
