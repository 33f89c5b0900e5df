"""One process per run folder: an exclusive ``flock`` on the folder's ``.lock`` file.

``search`` and ``resume`` hold the lock for the whole run, the front's validation included; a
second process gets a one-line error naming the holder's pid (which the holder writes into
the file). The operating system drops the lock when its process dies, even by ``kill -9``, so
a killed run can be resumed at once and no stale lock needs removing by hand.

A start that fails removes its folder, lock file included. A process that opened that lock
file just before it went would lock a removed file: after locking, the lock is checked to be
the file the folder still names, and is taken again otherwise.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from autonumerics.errors import AutonumericsError

LOCK_NAME = ".lock"
LOCK_ATTEMPTS = 3  # a lock file removed under us (a failed start cleaning up) is taken again


@dataclass(frozen=True)
class FolderLock:
    """A held lock on a folder.

    Attributes:
        folder: the locked folder.
        stream: the open lock file (closing it releases the lock).
        created: this lock created the lock file (a failed start removes it again).
    """

    folder: Path
    stream: IO[bytes]
    created: bool

    @classmethod
    def try_acquire(cls, folder: Path) -> FolderLock | None:
        """The lock, or None when the lock file was removed meanwhile (the caller tries again).

        Raises:
            AutonumericsError: another process holds it (naming its pid), or the lock file
                cannot be opened (a read-only file system...).
        """
        path = folder / LOCK_NAME
        try:
            handle, created = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            handle, created = _open_existing(path, folder), False
        except OSError as error:
            raise _cannot_lock(folder, error) from None
        stream = os.fdopen(handle, "r+b")
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = stream.read().decode(errors="replace").strip()
            stream.close()
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise _cannot_lock(folder, error) from None
            pid = f" (pid {holder})" if holder.isdigit() else ""
            raise AutonumericsError(f"{folder} is in use by another autonumerics process{pid}: "
                                    "one search or resume at a time per run folder") from None
        if not _same_file(stream, path):
            stream.close()
            return None
        with contextlib.suppress(OSError):  # the pid only serves the message above
            stream.truncate(0)
            stream.write(str(os.getpid()).encode())
            stream.flush()
        return cls(folder, stream, created)

    @classmethod
    def acquire(cls, folder: Path) -> FolderLock:
        """The lock on an existing folder (errors as ``try_acquire``)."""
        for _ in range(LOCK_ATTEMPTS):
            lock = cls.try_acquire(folder)
            if lock is not None:
                return lock
        raise AutonumericsError(f"{folder}: could not lock the folder "
                                "(its lock file keeps disappearing)")

    def release(self) -> None:
        self.stream.close()


def _open_existing(path: Path, folder: Path) -> int:
    try:
        return os.open(path, os.O_RDWR)
    except OSError as error:
        raise _cannot_lock(folder, error) from None


def _cannot_lock(folder: Path, error: OSError) -> AutonumericsError:
    where = f" ({error.filename})" if error.filename else ""
    return AutonumericsError(f"cannot lock the run folder {folder}: "
                             f"{error.strerror or error}{where}")


def _same_file(stream: IO[bytes], path: Path) -> bool:
    """True when ``path`` still names the open file (it was not removed or replaced)."""
    try:
        named, opened = os.stat(path), os.fstat(stream.fileno())
    except FileNotFoundError:
        return False
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
