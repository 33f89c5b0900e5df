"""``pareto.json``: a run's front, re-validated at its end; read strictly (``show``, ``compare``).

The file is ``{"front": [ENTRY, ...]}``; each entry has at least ``n_ops`` (an integer),
``cost``, ``fitness`` and ``final_error`` (numbers; the errors may also be strings such as
``"inf"``) and ``expression`` (the program as infix math). A file that is not that, whatever is
wrong with it (not JSON, nested too deeply, an entry of the wrong shape), is one error naming
the file and the entry.
"""

from __future__ import annotations

from pathlib import Path

from autonumerics.errors import AutonumericsError
from autonumerics.ir.programfile import read_json_file
from autonumerics.limits import MAX_INSTRUCTIONS, shown

FRONT_FILE = "pareto.json"


def read_front(run_path: str | Path) -> list[dict]:
    """The entries of ``run_path``/pareto.json, each checked.

    Raises:
        AutonumericsError: no pareto.json yet, or a file or entry that is not what a run writes.
    """
    run_path = Path(run_path)
    path = run_path / FRONT_FILE
    if not path.exists():
        raise AutonumericsError(f"{run_path} has no {FRONT_FILE} yet "
                                "(the run has not checkpointed a front)")
    try:
        data = read_json_file(path)
    except AutonumericsError as error:  # "PATH: malformed JSON (...)" and the like
        reason = str(error).removeprefix(f"{path}: ")
        raise AutonumericsError(f"{path}: not a front written by autonumerics: {reason}") from None
    if not isinstance(data, dict) or not isinstance(data.get("front"), list):
        raise AutonumericsError(f'{path}: not a front written by autonumerics (no "front" list)')
    return [check_entry(entry, f"{path}: front[{index}]")
            for index, entry in enumerate(data["front"])]


def check_entry(entry: object, where: str) -> dict:
    """``entry`` if a front entry (see the module docstring); else an error naming ``where``."""
    if not isinstance(entry, dict):
        raise AutonumericsError(f"{where} is {shown(entry, 60)}, not an object")
    n_ops = entry.get("n_ops")
    if not isinstance(n_ops, int) or isinstance(n_ops, bool) or not 0 <= n_ops <= MAX_INSTRUCTIONS:
        raise AutonumericsError(f"{where}: n_ops must be a count up to {MAX_INSTRUCTIONS}, not "
                                f"{shown(n_ops, 60)}")
    for key in ("cost", "fitness", "final_error"):
        if not _is_number(entry.get(key), strings=key != "cost"):
            raise AutonumericsError(f"{where}: {key} must be a number, not "
                                    f"{shown(entry.get(key), 60)}")
    if not isinstance(entry.get("expression"), str):
        raise AutonumericsError(f"{where}: expression must be a string, not "
                                f"{shown(entry.get('expression'), 60)}")
    return entry


def _is_number(value: object, strings: bool) -> bool:
    """A JSON number in float range, or (``strings``) a short string float() reads, e.g. "inf"."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    if isinstance(value, str) and (not strings or len(value) > 40):
        return False
    try:
        float(value)
    except (ValueError, OverflowError):
        return False
    return True


def front_file(run_path: str | Path, file: object, where: str) -> Path:
    """The program file a front entry's ``file`` names: a plain relative path inside the run folder.

    Raises:
        AutonumericsError: naming ``where`` and the entry, for anything else: not a string,
            empty, absolute, with a ".." part or a NUL, leading out of the folder through a link,
            or no file.
    """
    if not isinstance(file, str) or not file or "\0" in file or len(file) > 4096:
        raise AutonumericsError(f"{where}: file must be a relative path inside the run folder, not "
                                f"{shown(file, 60)}")
    relative, run_path = Path(file), Path(run_path)
    candidate = run_path / relative
    try:  # no absolute path, no "..", no link out of the folder
        inside = not (relative.is_absolute() or ".." in relative.parts) and \
            candidate.resolve().is_relative_to(run_path.resolve())
    except (OSError, ValueError):  # a name the OS cannot hold (e.g. a lone surrogate), a link loop
        inside = False
    if not inside:
        raise AutonumericsError(f"{where}: file {shown(file, 60)} "
                                "is not a path inside the run folder")
    if not candidate.is_file():
        raise AutonumericsError(f"{where}: file {shown(file, 60)} does not exist")
    return candidate
