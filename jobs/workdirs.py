"""Jobs' scratch folders: one per job, removed on every outcome, and swept after a process that was killed.

A folder is named `<pid>.<start>@<host>%...`: its process, when that process started (so a new process that got
the same pid, e.g. PID 1 of a restarted container on a volume that outlived it, is not taken for the dead one)
and the machine (the work directory may be a volume that several machines share).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

from jobs.context import JobContext


def work_dir(ctx: JobContext) -> tempfile.TemporaryDirectory[str]:
    """A job's scratch folder, removed on every outcome; named after this process so a sweep can tell whose it is."""
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    return tempfile.TemporaryDirectory(dir=ctx.work_dir, prefix=f"{pid}.{_started(pid)}@{socket.gethostname()}%")


def dead_work_dirs(root: Path) -> list[Path]:
    """Scratch folders under `root` of processes of this machine that no longer run."""
    host = socket.gethostname()
    found = []
    for path in root.glob("*@*%*") if root.is_dir() else ():
        owner, _, rest = path.name.partition("@")
        pid, _, started = owner.partition(".")
        if path.is_dir() and pid.isdigit() and rest.partition("%")[0] == host and not _alive(int(pid), started):
            found.append(path)
    return found


def sweep_work_dirs(root: Path) -> list[str]:
    """Remove scratch folders that processes of this machine left when they were killed; return their names."""
    removed = []
    for path in dead_work_dirs(root):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def _alive(pid: int, started: str = "") -> bool:
    """Whether process `pid` runs and, when its start is known, is the one that started then."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = _started(pid)
    return not started or now in (started, "0")  # "0": its start could not be read, so it may be the one


def _started(pid: int) -> str:
    """When process `pid` started, in clock ticks since boot (Linux's /proc); "0" where that cannot be read."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"
