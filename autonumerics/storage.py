"""Run folders: resolved config, append-only event log, atomic checkpoint, Pareto front.

Layout of a run folder::

    config.toml        the resolved config (what `resume` reads)
    events.jsonl       one line per fitted child: program, parent, kind, losses, cost
                       (deterministic content: two `--workers 0` runs with one seed match)
    timings.jsonl      one line per fitted child: worker seconds, run time when it arrived
    checkpoint.json    population, archive, RNG state, counters, log offsets (atomic)
    pareto.json        the front, re-validated on more points; front/ holds each member
                       as a program file

A run killed at any moment (even ``kill -9``) resumes from its checkpoint plus the events
logged after it: only children still being fitted are lost.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from autonumerics.config import SearchConfig, config_to_toml, load_config
from autonumerics.errors import AutonumericsError
from autonumerics.programfile import write_json_atomic


class RunFolder:
    """Reading and writing one run folder."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    @property
    def events_path(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def timings_path(self) -> Path:
        return self.path / "timings.jsonl"

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoint.json"

    @classmethod
    def create(cls, path: str | os.PathLike, config: SearchConfig) -> RunFolder:
        """A new run folder; refuses to overwrite a folder that already holds a run."""
        run = cls(path)
        if (run.path / "config.toml").exists():
            raise AutonumericsError(f"{run.path} already holds a run: `autonumerics resume {run.path}` "
                                    "continues it, or choose another --out")
        run.path.mkdir(parents=True, exist_ok=True)
        (run.path / "config.toml").write_text(config_to_toml(config))
        run.events_path.touch()
        run.timings_path.touch()
        return run

    @classmethod
    def open(cls, path: str | os.PathLike) -> RunFolder:
        run = cls(path)
        if not (run.path / "config.toml").is_file():
            raise AutonumericsError(f"{run.path} is not a run folder (no config.toml)")
        return run

    def config(self, overrides: list[str] = ()) -> SearchConfig:
        return load_config(self.path / "config.toml", overrides)

    # -- logs -----------------------------------------------------------------------------
    def open_logs(self) -> tuple:
        """Append handles for the two logs (line-buffered: a killed run loses no whole line)."""
        return (self.events_path.open("a", buffering=1), self.timings_path.open("a", buffering=1))

    def truncate_partial_lines(self) -> None:
        """Drop a half-written last line (a kill in the middle of a write)."""
        for path in (self.events_path, self.timings_path):
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                path.write_bytes(data[: data.rfind(b"\n") + 1])

    def events_after(self, offset: int) -> Iterator[dict]:
        """The events logged after byte ``offset`` (those the checkpoint does not hold)."""
        with self.events_path.open("rb") as stream:
            stream.seek(offset)
            for line in stream:
                if line.strip():
                    yield json.loads(line)

    def log_sizes(self) -> tuple[int, int]:
        return self.events_path.stat().st_size, self.timings_path.stat().st_size

    # -- checkpoint and front -----------------------------------------------------------------
    def write_checkpoint(self, state: dict) -> None:
        write_json_atomic(self.checkpoint_path, state)

    def read_checkpoint(self) -> dict | None:
        if not self.checkpoint_path.exists():
            return None
        try:
            return json.loads(self.checkpoint_path.read_text())
        except json.JSONDecodeError as error:
            raise AutonumericsError(f"{self.checkpoint_path}: corrupt checkpoint ({error.msg})") from None

    def write_front(self, front: list[dict], program_files: list[tuple[str, dict]]) -> None:
        write_json_atomic(self.path / "pareto.json", {"front": front})
        for name, data in program_files:
            write_json_atomic(self.path / "front" / name, data)

    def read_front(self) -> list[dict]:
        path = self.path / "pareto.json"
        if not path.exists():
            raise AutonumericsError(f"{self.path} has no pareto.json yet (the run has not checkpointed a front)")
        try:
            return json.loads(path.read_text())["front"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise AutonumericsError(f"{path}: not a front written by autonumerics (no \"front\" list)") from None
