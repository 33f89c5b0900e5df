"""Run folders: resolved config, append-only event log, atomic checkpoint, Pareto front.

Layout of a run folder::

    .lock              held (``flock``) by the one process searching in the folder
    config.toml        the resolved config (what `resume` reads)
    events.jsonl       one line per fitted child: program, parent, kind, losses, cost
                       (deterministic content: two `--workers 0` runs with one seed match)
    timings.jsonl      one line per fitted child: worker seconds, run time when it arrived
    checkpoint.json    population, archive, RNG state, counters, log offsets (atomic)
    pareto.json        the front, re-validated on more points; front/ holds each member
                       as a program file

A run killed at any moment (even ``kill -9``) resumes from its checkpoint plus the events
logged after it: only children still being fitted are lost. The logs are flushed to disk
before each checkpoint names their length, so a crash of the machine cannot leave a checkpoint
that counts events the log lost.

One process at a time: ``create`` and ``lock`` take an exclusive ``flock`` on ``.lock`` and
hold it until ``release`` (the operating system drops it when the process dies, so a folder
whose search was killed can be resumed at once). ``create`` checks for an earlier run only
while it holds the lock, so two searches started into one folder cannot both write it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.config import SearchConfig, config_to_toml, load_config
from autonumerics.evolution.pareto import read_front
from autonumerics.evolution.run_lock import LOCK_ATTEMPTS, LOCK_NAME, FolderLock
from autonumerics.ir.programfile import read_json_file, write_json_atomic

FRONT_PATTERN = "ops_*_cost_*.json"  # the names write_front gives front members


class RunFolder:
    """Reading and writing one run folder."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock: FolderLock | None = None
        self._logs: tuple[IO[str], ...] = ()
        self._created: list[Path] = []  # folders create() made, the run folder first
        self._before: set[str] | None = None  # what an existing folder held when create() locked it

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
        """A new run folder, locked; refuses a folder holding a run or held by another process.

        A failure while writing it removes what it created; ``discard`` does the same later.
        """
        run = cls(path)
        for _ in range(LOCK_ATTEMPTS):
            run._created = _make_folders(run.path)
            run._lock = FolderLock.try_acquire(run.path)
            if run._lock is not None:
                break
        else:
            raise AutonumericsError(f"{run.path}: could not lock the folder "
                                    f"(it was removed {LOCK_ATTEMPTS} times)")
        try:
            check_new_run_folder(run.path)  # again, now that no other process can write a run here
        except AutonumericsError:
            run.release()
            raise
        if not run._created:
            run._before = set(os.listdir(run.path)) - ({LOCK_NAME} if run._lock.created else set())
        try:
            (run.path / "config.toml").write_text(config_to_toml(config))
            run.events_path.touch()
            run.timings_path.touch()
        except BaseException as error:
            run.discard()
            if isinstance(error, OSError):
                message = f"cannot create the run folder {run.path}: {describe_os_error(error)}"
                raise AutonumericsError(message) from None
            raise
        return run

    @classmethod
    def open(cls, path: str | os.PathLike) -> RunFolder:
        run = cls(path)
        if not (run.path / "config.toml").is_file():
            raise AutonumericsError(f"{run.path} is not a run folder (no config.toml)")
        return run

    def config(self, overrides: list[str] = ()) -> SearchConfig:
        return load_config(self.path / "config.toml", overrides)

    # -- the lock -------------------------------------------------------------------------------
    def lock(self) -> None:
        """Lock the folder until ``release`` (a process searching in it: an error naming it)."""
        self._lock = FolderLock.acquire(self.path)

    def release(self) -> None:
        """Close the logs and drop the lock."""
        for log in self._logs:
            with contextlib.suppress(OSError):  # a full disk: the close's flush fails again
                log.close()
        self._logs = ()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def discard(self) -> None:
        """Remove what ``create`` made (a start that failed before its first child), then release.

        A folder it created goes (its parents too, where empty); in a folder that existed, only
        the entries that appeared since it was locked go.
        """
        if self._created:
            shutil.rmtree(self._created[0], ignore_errors=True)
            for parent in self._created[1:]:
                with contextlib.suppress(OSError):
                    parent.rmdir()
        elif self._before is not None:
            for name in set(os.listdir(self.path)) - self._before:
                entry = self.path / name
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        self.release()

    # -- logs -----------------------------------------------------------------------------------
    def open_logs(self) -> tuple:
        """Append handles for the two logs (line-buffered: a killed run loses no whole line)."""
        self._logs = (self.events_path.open("a", buffering=1),
                      self.timings_path.open("a", buffering=1))
        return self._logs

    def sync_logs(self) -> None:
        """The open logs, flushed and on disk (before a checkpoint names their length)."""
        for log in self._logs:
            if not log.closed:
                log.flush()
                os.fsync(log.fileno())

    def truncate_partial_lines(self) -> None:
        """Drop a half-written last line (a kill in the middle of a write)."""
        for path in (self.events_path, self.timings_path):
            if not path.is_file():
                raise AutonumericsError(f"{path} is missing: "
                                        f"{self.path} is not a complete run folder")
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                path.write_bytes(data[: data.rfind(b"\n") + 1])

    def replay_events(self, offset: int, apply: Callable[[dict], object]) -> None:
        """``apply`` each event logged after byte ``offset`` (those the checkpoint does not hold).

        Raises:
            AutonumericsError: the offset is past the log's end or inside a line (the log was
                cut or rewritten), or a line is not an event (naming its line number).
        """
        size = self.events_path.stat().st_size
        with self.events_path.open("rb") as stream:
            if offset > size or (offset > 0 and _byte_before(stream, offset) != b"\n"):
                raise AutonumericsError(
                    f"{self.checkpoint_path}: events_offset {offset} does not end a line of "
                    f"{self.events_path} ({size} bytes): the log lost children the checkpoint "
                    "counts (remove checkpoint.json to resume from the log alone)")
            stream.seek(offset)
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    apply(json.loads(line))
                except (KeyError, TypeError, ValueError, AttributeError) as error:
                    number += _lines_before(self.events_path, offset)
                    raise AutonumericsError(f"{self.events_path}, line {number}: not an event "
                                            f"autonumerics wrote ({_describe(error)})") from None

    def log_sizes(self) -> tuple[int, int]:
        return self.events_path.stat().st_size, self.timings_path.stat().st_size

    # -- checkpoint and front -----------------------------------------------------------------
    def write_checkpoint(self, state: dict) -> None:
        """Atomically and durably: the data reaches the disk before the rename, the rename after."""
        write_json_atomic(self.checkpoint_path, state, durable=True)

    def read_checkpoint(self) -> dict | None:
        if not self.checkpoint_path.exists():
            return None
        try:
            # not UTF-8, too deep, malformed: one line each
            data = read_json_file(self.checkpoint_path)
        except AutonumericsError as error:
            raise AutonumericsError(f"corrupt checkpoint: {error}") from None
        if not isinstance(data, dict):
            raise AutonumericsError(f"{self.checkpoint_path}: "
                                    "corrupt checkpoint (not a JSON object)")
        return data

    def write_front(self, front: list[dict], program_files: list[tuple[str, dict]]) -> None:
        """The members' files, then pareto.json; then member files of an earlier front go."""
        for name, data in program_files:
            write_json_atomic(self.path / "front" / name, data)
        write_json_atomic(self.path / "pareto.json", {"front": front})
        keep = {name for name, _ in program_files}
        for stale in (self.path / "front").glob(FRONT_PATTERN):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)

    def read_front(self) -> list[dict]:
        """pareto.json's entries, each checked (``pareto.read_front``)."""
        return read_front(self.path)


def check_new_run_folder(path: Path) -> None:
    """An error unless ``path`` can become a new run folder: not a file, no run in it."""
    if path.exists() and not path.is_dir():
        raise AutonumericsError(f"{path} is not a folder")
    if (path / "config.toml").exists():
        raise AutonumericsError(f"{path} already holds a run: `autonumerics resume {path}` "
                                "continues it, or choose another --out")


def describe_os_error(error: OSError) -> str:
    """An ``OSError`` in a few words: what failed, on which file."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _describe(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"missing key {error.args[0]!r}" if error.args else "missing key"
    return str(error) or type(error).__name__


def _make_folders(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents; the folders this call made, ``path`` first."""
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    created = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:  # another process made it meanwhile: it is not ours to remove
            continue
        except OSError as error:
            raise AutonumericsError(f"cannot create the run folder {path}: "
                                    f"{describe_os_error(error)}") from None
        created.append(folder)
    if not path.is_dir():
        raise AutonumericsError(f"{path} is not a folder")
    return created[::-1]


def _byte_before(stream: IO[bytes], offset: int) -> bytes:
    stream.seek(offset - 1)
    return stream.read(1)


def _lines_before(path: Path, offset: int) -> int:
    with path.open("rb") as stream:
        return stream.read(offset).count(b"\n")
