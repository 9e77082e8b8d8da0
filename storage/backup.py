"""Consistent copies of a live database through SQLite's online backup API."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path


class BackupError(Exception):
    """The backup could not be made or the copy failed its integrity check."""


def backup_database(source: Path, destination: Path, *, overwrite: bool = False) -> None:
    """Copy source to destination while the bot may be writing, then verify the copy's integrity.

    An existing destination is replaced only with overwrite=True (the CLI's --force), so a mistyped
    path never silently destroys an older backup.
    """
    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise BackupError(f"cannot back up {source}: no such database file")
    if destination.exists() and _same_file(source, destination):
        raise BackupError(f"refusing to back up {source} onto itself")
    if destination.is_dir():
        raise BackupError(f"cannot back up to {destination}: it is a folder")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists; choose another name, or add --force to replace it")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {destination.parent}: {_one_line(exc)}") from exc
    # The copy is built beside the destination and renamed over it only once it checks out, so a
    # failed backup never leaves a half-written or corrupt file under the requested name.
    fd, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        _copy(source, temp)
        _check_integrity(temp)
        os.replace(temp, destination)
    except BaseException:
        _remove_quietly(temp)
        raise


def _copy(source: Path, target: Path) -> None:
    """Run the online backup from a read-only source connection into target."""
    try:
        # mode=ro: a missing or mistyped source must never be created as an empty database.
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {source}: {_one_line(exc)}") from exc
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # The copy is a standalone file; rollback journal mode means no -wal/-shm siblings.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"backup of {source} failed: {_one_line(exc)}") from exc
    finally:
        src.close()


def _check_integrity(path: Path) -> None:
    """Raise BackupError unless PRAGMA integrity_check on path says ok."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"integrity check of the copy failed: {_one_line(exc)}") from exc
    results = [str(row[0]) for row in rows]
    if results != ["ok"]:
        # integrity_check may list up to 100 problems; a few are enough to say what is wrong.
        shown = "; ".join(results[:3]) + (f" (and {len(results) - 3} more)" if len(results) > 3 else "")
        raise BackupError(f"integrity check of the copy failed: {_one_line(shown)}")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two existing paths name the same file."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _remove_quietly(path: Path) -> None:
    """Delete a leftover temporary file, ignoring a file that is already gone."""
    with contextlib.suppress(OSError):
        path.unlink()


def _one_line(exc: BaseException | str) -> str:
    """A message collapsed onto one line."""
    text = exc if isinstance(exc, str) else str(exc) or type(exc).__name__
    return " ".join(text.split())
