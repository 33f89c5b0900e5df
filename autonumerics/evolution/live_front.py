"""A run's front as it stands: its ``pareto.json`` once written, else, while the run goes on, the
non-dominated members of its last checkpoint's archive (not yet re-validated)."""

from __future__ import annotations

from pathlib import Path

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.pareto import FRONT_FILE, read_front
from autonumerics.evolution.population import Member, non_dominated
from autonumerics.evolution.storage import RunFolder


def run_folder_of(path: Path) -> Path | None:
    """The run folder that ``path`` stands for (itself, its pareto.json, its front/), else None.

    A folder that is no run is returned as is: ``current_front`` then says that it is no run
    folder.
    """
    front_folder = path.name == "front" and (path.parent / "config.toml").is_file()
    if path.name == FRONT_FILE or front_folder:
        return path.parent
    return path if path.is_dir() else None


def current_front(path: Path) -> list[dict]:
    """The front of the run folder ``path``, as ``pareto.json``'s entries (``read_front``).

    Raises:
        AutonumericsError: no run folder, neither a front nor a checkpoint yet, or a file that
            autonumerics did not write (naming it).
    """
    run = RunFolder.open(path)
    if (path / FRONT_FILE).exists():
        return read_front(path)
    return _front_from_checkpoint(run)


def _front_from_checkpoint(run: RunFolder) -> list[dict]:
    try:
        checkpoint = run.read_checkpoint()
        if checkpoint is None:
            raise AutonumericsError(f"{run.path} has neither {FRONT_FILE} nor a checkpoint yet")
        members = non_dominated([Member.from_json(m) for m in checkpoint["archive"]])
    except AutonumericsError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        reason = (f"missing key {error}" if isinstance(error, KeyError) else
                  "nested too deeply" if isinstance(error, RecursionError) else
                  "a value of the wrong type")
        raise AutonumericsError(f"{run.checkpoint_path}: not a checkpoint written by autonumerics "
                                f"({reason})") from None
    return [{"n_ops": m.program.n_ops, "cost": m.cost, "fitness": m.fitness,
             "final_error": m.fitness, "expression": m.program.to_infix()} for m in members]
