"""Optional cross-check with Sollya's ``fpminimax`` and ``supnorm``, when ``sollya`` is installed.

A thin seam: it writes a Sollya script, runs it, and reads back the coefficients and the
certified sup norm of the relative error. Nothing else in autonumerics depends on it.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from autonumerics.errors import AutonumericsError

TIMEOUT_S = 120


def sollya_available() -> bool:
    """Whether the ``sollya`` program is on PATH."""
    return shutil.which("sollya") is not None


def sollya_expression(mpmath_expression: str) -> str:
    """A target's mpmath expression in Sollya syntax (``**`` is ``^``; the names agree for
    exp, log, log2, erf, erfc, tanh, sin, cos, sqrt)."""
    return mpmath_expression.replace("**", "^")


def fpminimax_float32(expression: str, degree: int, interval: tuple[float, float]) -> dict:
    """Sollya's float32-coefficient minimax polynomial (relative error) and its certified error.

    Returns:
        {"coefficients": [hex strings, lowest degree first], "supnorm": [lower, upper]}.

    Raises:
        AutonumericsError: Sollya is missing, fails, or prints something unexpected.
    """
    if not sollya_available():
        raise AutonumericsError("--sollya needs the 'sollya' program on PATH "
                                "(Debian package 'sollya')")
    a, b = (float(v).hex() for v in interval)
    script = (
        f'f = {sollya_expression(expression)}; d = [{a}; {b}];\n'
        f'p = fpminimax(f, {degree}, [|SG...|], d, relative, floating);\n'
        'display = hexadecimal!;\n'
        f'for i from 0 to {degree} do print(coeff(p, i));\n'
        'display = decimal!;\n'
        'print(supnorm(p, f, d, relative, 2^-40));\n'
        'quit;\n'
    )
    try:
        run = subprocess.run(["sollya", "--warnonstderr"], input=script, capture_output=True,
                             text=True, timeout=TIMEOUT_S, check=True)
    except (subprocess.SubprocessError, OSError) as error:
        raise AutonumericsError(f"sollya failed: {error}") from None
    lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
    if len(lines) < degree + 2:
        raise AutonumericsError(f"unexpected sollya output: {run.stdout[:200]!r}")
    bounds = re.findall(r"[-+0-9.eE]+", lines[degree + 1])
    return {"coefficients": lines[: degree + 1], "supnorm": [float(v) for v in bounds[:2]]}
