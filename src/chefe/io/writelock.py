"""One writer per SQLite database: an OS-level lock that dies with its holder.

``chefe collect`` holds ``<db>.collect.lock`` (a ``filelock.FileLock``: ``flock`` on Unix,
released by the kernel when the process dies, SIGKILL included) for as long as it writes. A
second collect into the same file waits, saying who holds it (PID, host, start time, from
``<db>.collect.lock.holder``), and gives up after ``wait`` seconds with the reason and the
PostgreSQL alternative; it never waits silently for ever.

ase.db's own lock file (``<db>.lock``, created with O_EXCL and never cleared when its writer is
killed) is not used: a stale one left by an older chefe or ASE process is removed, with a
message, when no process on this host holds it open.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError

#: Age (s) after which an ase.db lock file no process on this host holds is taken as stale
#: (one ase.db write holds it for milliseconds).
STALE_AFTER = 60.0
#: Seconds a collect waits for another one writing the same SQLite file (``--wait``).
DEFAULT_WAIT = 600.0


def _say(message: str) -> None:
    import sys

    print(f"chefe collect: {message}", file=sys.stderr, flush=True)


def is_file_database(db) -> bool:
    """True for an SQLite/JSON file name, False for a server URL (``postgresql://...``)."""
    return isinstance(db, (str, Path)) and "://" not in str(db)


class WriterLock:
    """Context manager: the exclusive right to write ``db`` (a no-op for server URLs)."""

    def __init__(self, db, wait: float = DEFAULT_WAIT, notify: Callable[[str], None] = _say):
        self.db = str(db)
        self.wait = wait
        self.notify = notify
        self.lock = None
        self.holder_file = Path(self.db + ".collect.lock.holder")

    def holder(self) -> str:
        """Who holds the lock, as read from the holder file ('another process' if unknown)."""
        try:
            info = json.loads(self.holder_file.read_text())
            started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["started"]))
            return f"PID {info['pid']} on {info['host']}, since {started}"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    def __enter__(self) -> WriterLock:
        if not is_file_database(self.db):
            return self
        from filelock import FileLock, Timeout

        if not Path(self.db).parent.is_dir():  # filelock would create the folder
            raise InputError(f"{self.db}: the folder {Path(self.db).parent} does not exist")
        self.lock = FileLock(self.db + ".collect.lock")
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            self.notify(f"{self.db} is being written by another collect ({self.holder()}); "
                        f"waiting up to {self.wait:.0f} s for it to finish")
            try:
                self.lock.acquire(timeout=self.wait)
            except Timeout:
                raise InputError(
                    f"{self.db} is still being written by another collect ({self.holder()}) after "
                    f"{self.wait:.0f} s: run again when it has finished (or give --wait SECONDS), or collect "
                    "into a PostgreSQL database (--db postgresql://...) for several writers at once"
                ) from None
            self.notify(f"{self.db}: the other collect has finished; going on")
        self.holder_file.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                                "started": time.time()}))
        clear_stale_ase_lock(self.db, self.notify)
        return self

    def __exit__(self, *exc) -> None:
        if self.lock is not None:
            try:
                self.holder_file.unlink()
            except OSError:
                pass
            self.lock.release()
            self.lock = None


def _held_open(path: Path) -> bool | None:
    """Whether a process on this host holds ``path`` open (None when /proc cannot tell)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    target = os.path.realpath(path)
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir(proc / pid / "fd"):
                try:
                    if os.readlink(proc / pid / "fd" / fd) == target:
                        return True
                except OSError:
                    continue
        except OSError:
            continue  # another user's process: cannot look (its lock would not be ours either)
    return False


def clear_stale_ase_lock(db: str, notify: Callable[[str], None] = _say) -> bool:
    """Remove ``<db>.lock`` (ase.db's lock file) when no process on this host holds it open.

    ase.db writers keep the file open while they hold it; one killed mid-write leaves it behind
    and every later ase.db writer then waits for ever. Returns True when a file was removed.
    """
    path = Path(db + ".lock")
    if not path.is_file():
        return False
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False
    held = _held_open(path)
    if held is False and age < STALE_AFTER:
        return False  # may be a writer on another host in the middle of one write: leave it
    if held:
        notify(f"{path}: held by a running ase.db writer on this host; chefe does not need it and leaves it")
        return False
    if held is None:
        notify(f"{path}: an ase.db lock file that this system cannot check; if no ASE program is "
               "writing the database, delete it")
        return False
    path.unlink()
    notify(f"removed {path}, a lock file left by a killed ase.db writer")
    return True
