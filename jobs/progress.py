"""Task-row state: queued -> processing -> completed/failed, progress 0-100, current_step, heartbeat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Task
from db.session import transaction

TERMINAL = ("completed", "failed")


def _now() -> datetime:
    return datetime.now(UTC)


class TaskReporter:
    """Writes a job's state to its Task row, each update in its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], task_id: uuid.UUID) -> None:
        self.sessions = sessions
        self.task_id = task_id
        self._last_progress = -1

    def _update(self, **values: Any) -> None:
        with transaction(self.sessions) as s:
            task = s.get(Task, self.task_id)
            if task is None:
                raise LookupError(f"task {self.task_id} does not exist")
            for key, value in values.items():
                setattr(task, key, value)
            task.heartbeat_at = _now()

    def start(self) -> None:
        self._update(status="processing", started_at=_now(), error=None, progress=0, current_step="starting")

    def progress(self, fraction: float, step: str) -> None:
        percent = max(0, min(99, int(fraction * 100)))
        if percent != self._last_progress:  # avoid a write per ffmpeg progress line
            self._last_progress = percent
            self._update(progress=percent, current_step=step)

    def complete(self, result: dict[str, Any]) -> None:
        self._update(status="completed", progress=100, current_step="completed", result=result, completed_at=_now())

    def fail(self, error: str, *, will_retry: bool) -> None:
        with transaction(self.sessions) as s:
            task = s.get(Task, self.task_id)
            if task is None:
                return
            task.error = error[:4000]
            task.heartbeat_at = _now()
            if will_retry:
                task.status, task.current_step = "queued", "retrying"
                task.retry_count += 1
            else:
                task.status, task.current_step, task.completed_at = "failed", "failed", _now()


def stale_tasks(sessions: sessionmaker[Session], stale_after: int) -> list[uuid.UUID]:
    """Tasks marked processing whose worker stopped sending heartbeats (it died mid-task)."""
    cutoff = _now() - timedelta(seconds=stale_after)
    with sessions() as s:
        rows = s.scalars(select(Task).where(Task.status == "processing")).all()
        return [t.id for t in rows if t.heartbeat_at is None or _aware(t.heartbeat_at) < cutoff]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
