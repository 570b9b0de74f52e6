"""Jobs' scratch folders: one per job, removed on every outcome, and swept after a process that was killed."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

from jobs.context import JobContext


def work_dir(ctx: JobContext) -> tempfile.TemporaryDirectory[str]:
    """A job's scratch folder, removed on every outcome; named `<pid>@<host>%...` so a sweep can tell whose it is
    (the work directory may be a volume that several machines share)."""
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=ctx.work_dir, prefix=f"{os.getpid()}@{socket.gethostname()}%")


def sweep_work_dirs(root: Path) -> list[str]:
    """Remove scratch folders that processes of this machine left when they were killed; return their names."""
    removed = []
    host = socket.gethostname()
    for path in root.glob("*@*%*") if root.is_dir() else ():
        pid, _, rest = path.name.partition("@")
        if path.is_dir() and pid.isdigit() and rest.partition("%")[0] == host and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
