"""Clearing up after a worker process that was killed (SIGKILL, OOM, a lost machine): the programs it started
(ffmpeg) that still run, and its scratch folders (`<pid>@<host>%...`, see jobs/workdirs.py)."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from jobs.workdirs import dead_work_dirs, sweep_work_dirs

logger = logging.getLogger(__name__)


def processes_using(folders: list[Path]) -> list[int]:
    """Processes (other than this one) whose command line names one of `folders` or whose working directory is
    inside one: the programs a dead worker started there."""
    marks = [str(f.resolve()) for f in folders]
    if not marks:
        return []
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if any(m in args or cwd == m or cwd.startswith(m + "/") for m in marks):
            found.append(pid)
    return found


def clean_up_dead_workers(root: Path) -> tuple[list[int], list[str]]:
    """Kill what dead workers of this machine left running in their scratch folders, then remove the folders.

    Returns:
        The killed process ids and the removed folder names.
    """
    folders = dead_work_dirs(root)
    killed = []
    for pid in processes_using(folders):
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except (ProcessLookupError, PermissionError):
            continue
    if killed:
        logger.warning("killed %d processes left running by dead workers: %s", len(killed), killed)
    removed = sweep_work_dirs(root)
    if removed:
        logger.info("removed %d work folders left by dead workers", len(removed))
    return killed, removed
