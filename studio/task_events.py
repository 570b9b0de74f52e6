"""A task as it changes, for the user who started it: the one source of the REST event stream
(GET /api/v1/tasks/{id}/events, Server-Sent Events) and of the studio's live status line (pushed to the browser over
Gradio's own event stream). Nobody's browser polls: this reads the task through the read cache every POLL_S seconds
in the event loop (no thread per watcher; a worker's writes in this process empty the cache at once).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from db.models import Task
from jobs.progress import TERMINAL
from studio import projects
from studio.errors import NotFound
from studio.services import Services

POLL_S = 0.5


def _load(svc: Services, user: uuid.UUID, task_id: uuid.UUID) -> tuple[dict[str, Any], datetime | None]:
    with svc.sessions() as s:
        task = s.get(Task, task_id)
        if task is None or task.user_id != user:
            raise NotFound(f"task {task_id} does not exist")
        return projects.task_public(task), task.started_at


async def read_task(svc: Services, user: uuid.UUID, task_id: uuid.UUID) -> dict[str, Any]:
    """The task as GET /tasks/{id} answers it, with `estimated_remaining`; NotFound unless `user` started it."""
    task, started_at = await svc.reads.load(("task", user, task_id), _load, svc, user, task_id)
    # a cached task's pace goes on while it sits in the cache
    return {**task, "estimated_remaining": projects.remaining_seconds(task["status"], task["progress"], started_at)}


async def task_changes(
    svc: Services, user: uuid.UUID, task_id: uuid.UUID, *, quiet: float | None = None
) -> AsyncIterator[dict[str, Any] | None]:
    """The task now, then again whenever its status, progress or current step changes, ending with its completed,
    failed or cancelled state; None after each `quiet` seconds without a change (a heartbeat's cue). NotFound when
    the task is not `user`'s, or as soon as it is gone (deleted with its project)."""
    sent: tuple[Any, ...] | None = None
    quiet_since = time.monotonic()
    while True:
        task = await read_task(svc, user, task_id)
        state = (task["status"], task["progress"], task["current_step"])
        if state != sent:
            sent, quiet_since = state, time.monotonic()
            yield task
            if task["status"] in TERMINAL:
                return
        elif quiet is not None and time.monotonic() - quiet_since >= quiet:
            quiet_since = time.monotonic()
            yield None
        await asyncio.sleep(POLL_S)
