"""The on-disk cache of exact labels: a ``.npz`` file per (target, points, digits), bounded in size.

Files live in ``$AUTONUMERICS_CACHE`` (default ``~/.cache/autonumerics/ground_truth``), are keyed
by the target's expression, the exact bytes of the points and the digits, and are written
atomically. The folder is kept under ``$AUTONUMERICS_CACHE_MAX_MB`` megabytes (default
``LABEL_CACHE_BYTES``, 512 MiB): after each write the least recently used files go, a read
counting as a use (it refreshes the file's modification time).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.limits import LABEL_CACHE_BYTES, clipped
from autonumerics.truth.targets import Target

CACHE_ENV = "AUTONUMERICS_CACHE"
CACHE_SIZE_ENV = "AUTONUMERICS_CACHE_MAX_MB"
# Bump when the labelling method changes, so stale caches are never read.
LABELS_VERSION = b"autonumerics-labels-1"


def cache_dir() -> Path:
    """The labels cache: ``$AUTONUMERICS_CACHE`` or ``~/.cache/autonumerics/ground_truth``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "autonumerics" / "ground_truth"


def cache_key(target: Target, points: np.ndarray, digits: int) -> str:
    digest = hashlib.sha256(LABELS_VERSION)
    digest.update(b"\0" + target.expression.encode() + b"\0" + str(digits).encode() + b"\0")
    digest.update(points.astype("<f8").tobytes())
    return digest.hexdigest()[:32]


def read_cached(
    path: Path, target: Target, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached labels, or None if absent, unreadable or not for exactly these points.

    A hit refreshes the file's modification time: eviction removes the least recently used.
    """
    try:
        with np.load(path, allow_pickle=False) as stored:
            hi, lo = stored["hi"], stored["lo"]
            same = (
                str(stored["expression"]) == target.expression
                and stored["points"].tobytes() == points.astype("<f8").tobytes()
                and hi.shape == lo.shape == points.shape and hi.dtype == lo.dtype == np.float64
            )
            labelled = (hi.copy(), lo.copy()) if same else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None
    if labelled is not None:
        with contextlib.suppress(OSError):
            os.utime(path)
    return labelled


def write_cached(
    path: Path, target: Target, points: np.ndarray, digits: int, hi: np.ndarray, lo: np.ndarray
) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, hi=hi, lo=lo, points=points.astype("<f8"),
                     expression=np.array(target.expression), digits=np.array(digits))
        os.replace(temporary, path)
        evict_least_recently_used(path.parent, cache_limit_bytes(), keep=path)
    except OSError as error:
        warnings.warn(f"could not cache labels in {path.parent}: {error}", stacklevel=3)
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def cache_limit_bytes() -> int:
    """The size bound: ``$AUTONUMERICS_CACHE_MAX_MB`` megabytes, else ``LABEL_CACHE_BYTES``."""
    configured = os.environ.get(CACHE_SIZE_ENV, "").strip()
    if not configured:
        return LABEL_CACHE_BYTES
    try:
        megabytes = float(configured)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes >= 0):
        raise AutonumericsError(
            f"${CACHE_SIZE_ENV} must be a number of megabytes >= 0, "
            f"not {clipped(configured, 40)!r}")
    return int(megabytes * (1 << 20))


def evict_least_recently_used(folder: Path, limit: int, keep: Path | None = None) -> int:
    """Remove the label files of ``folder`` used longest ago until the rest fit in ``limit`` bytes.

    Temporary files of writes that died count too, once an hour old (younger ones may be being
    written). ``keep`` (the file just written) stays. Returns how many files were removed.
    """
    entries: list[tuple[float, int, str]] = []
    now = time.time()
    for entry in os.scandir(folder):
        if not entry.name.endswith(".npz") or not entry.is_file(follow_symlinks=False):
            continue
        stat = entry.stat(follow_symlinks=False)
        if entry.name.startswith(".tmp-") and now - stat.st_mtime < 3600:
            continue
        entries.append((stat.st_mtime, stat.st_size, entry.path))
    total, removed = sum(size for _, size, _ in entries), 0
    for _, size, name in sorted(entries):
        if total <= limit:
            break
        if keep is not None and name == str(keep):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
            removed += 1
        total -= size
    return removed
