"""The classical baselines of one target on one interval as a report: its JSON form (what
``autonumerics baselines --out`` writes), one program file per baseline, and Sollya's fpminimax
polynomials beside the float32 rows."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autonumerics.baselines.baseline import Baseline
from autonumerics.baselines.compute import compute_baselines
from autonumerics.baselines.sollya import fpminimax_float32, sollya_available
from autonumerics.errors import AutonumericsError
from autonumerics.ir.programfile import ProgramFile, save_program_file
from autonumerics.truth.targets import Target

# How the errors of a baseline are measured, as its program file records it.
MEASURED = ("sampled: relative/absolute in {dtype} on 4097 Chebyshev points, float32 ULP on ~65k "
            "float32 inputs, FMA-contracted (xla)")


@dataclass(frozen=True)
class BaselineReport:
    """The baselines of ``target`` on ``interval``, with the warnings raised computing them.

    Attributes:
        sollya: Sollya's fpminimax float32 polynomial at each degree of the plain fp32 rows
            (None: not asked for).
    """

    target: Target
    interval: tuple[float, float]
    dtype: str
    relative: bool
    max_ops: int
    baselines: tuple[Baseline, ...]
    warnings: tuple[str, ...]
    sollya: list[dict] | None = None

    def to_json(self) -> dict:
        data = {"target": self.target.name, "expression": self.target.expression,
                "interval": list(self.interval), "dtype": self.dtype,
                "error": "relative" if self.relative else "absolute", "max_ops": self.max_ops,
                "baselines": [b.to_json() for b in self.baselines], "warnings": list(self.warnings)}
        if self.sollya is not None:
            data["sollya"] = self.sollya
        return data


def baseline_report(target: Target, interval: tuple[float, float], kinds: Sequence[str],
                    max_ops: int, relative: bool = True, dtype: str = "float64",
                    sollya: bool = False) -> BaselineReport:
    """Compute the baselines (``compute_baselines``), keeping each distinct warning once.

    Raises:
        AutonumericsError: ``sollya`` without the ``sollya`` program on PATH, or what
            ``compute_baselines`` raises.
    """
    if sollya and not sollya_available():
        raise AutonumericsError("--sollya needs the 'sollya' program on PATH (Debian package "
                                "'sollya')")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        baselines = compute_baselines(target, interval, kinds, max_ops, relative, dtype)
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    rows = _sollya_rows(target, interval, baselines) if sollya else None
    return BaselineReport(target, interval, dtype, relative, max_ops, tuple(baselines), notes, rows)


def _sollya_rows(target: Target, interval: tuple[float, float],
                 baselines: list[Baseline]) -> list[dict]:
    """Sollya's fpminimax at every degree of the plain fp32 rows."""
    degrees = sorted({b.degree for b in baselines if b.family == "fp32" and b.form == "plain"})
    return [{"degree": d, **fpminimax_float32(target.expression, d, interval)} for d in degrees]


def program_files(report: BaselineReport) -> dict[str, ProgramFile]:
    """Each baseline with a program as a program file, by file name (its label, made safe)."""
    files = {}
    for b in report.baselines:
        if b.program is None:
            continue
        data = b.to_json()
        metrics = {key: data[key] for key in ("max_rel_error", "max_abs_error", "max_ulp_float32")}
        metrics["measured"] = MEASURED.format(dtype=b.dtype)
        keys = ("family", "label", "degree", "form", "certificate")
        provenance = {"baseline": {key: data[key] for key in keys}}
        name = re.sub(r"[^A-Za-z0-9]+", "-", b.label).strip("-")
        files[f"{name}.json"] = ProgramFile(
            program=b.program, target=report.target.name, interval=report.interval,
            dtype="float32" if b.family == "fp32" else b.dtype,
            ops=tuple(sorted({i.op for i in b.program.instructions})),
            metrics=metrics, provenance=provenance,
        )
    return files


def save_program_files(folder: Path, report: BaselineReport) -> None:
    """Write ``program_files(report)`` into ``folder``."""
    for name, program_file in program_files(report).items():
        save_program_file(folder / name, program_file)
