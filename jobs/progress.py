"""Task-row state: queued -> processing -> completed/failed/cancelled, progress 0-100, current_step, heartbeat.

A running job sends a heartbeat every few seconds from a thread of its own, so a long step with no progress to report
still shows its worker is alive; the same beat notices a cancel (or a deleted project) and a worker shutting down, and
the job stops at its next progress report.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.models import Task
from db.session import changed_rows, transaction
from pipeline.errors import PipelineError

TERMINAL = ("completed", "failed", "cancelled")
ACTIVE = ("queued", "processing")


class TaskStopped(PipelineError):
    """The job must stop: its task was cancelled or deleted (`requeue` False), or its worker is shutting down."""

    def __init__(self, message: str, *, requeue: bool) -> None:
        super().__init__(message)
        self.requeue = requeue


def _now() -> datetime:
    return datetime.now(UTC)


class TaskReporter:
    """Writes a job's state to its Task row, each update in its own short transaction."""

    def __init__(
        self, sessions: sessionmaker[Session], task_id: uuid.UUID, *, heartbeat_interval: float = 10.0,
        shutdown: threading.Event | None = None,
    ) -> None:  # fmt: skip
        self.sessions = sessions
        self.task_id = task_id
        self.heartbeat_interval = heartbeat_interval
        self.shutdown = shutdown or threading.Event()
        self._last_progress = -1
        self._stopped: TaskStopped | None = None
        self._done = threading.Event()
        self._beat: threading.Thread | None = None

    # -- the job's side ----------------------------------------------------------------------------------

    def start(self) -> bool:
        """Claim the task (queued -> processing) and start the heartbeat; False if it is not queued any more
        (another delivery runs or ran it, or it was cancelled)."""
        with transaction(self.sessions) as s:
            claimed = changed_rows(s, update(Task).where(Task.id == self.task_id, Task.status == "queued").values(
                status="processing", started_at=_now(), heartbeat_at=_now(), error=None, progress=0,
                current_step="starting",
            ))  # fmt: skip
        if not claimed:
            return False
        self._beat = threading.Thread(target=self._heartbeat, name=f"heartbeat-{self.task_id}", daemon=True)
        self._beat.start()
        return True

    def check(self) -> None:
        """Raise TaskStopped if the job must stop (called before every progress write, and free to call often)."""
        if self.shutdown.is_set():
            raise TaskStopped("the worker is shutting down", requeue=True)
        if self._stopped is not None:
            raise self._stopped

    def progress(self, fraction: float, step: str) -> None:
        self.check()
        percent = max(0, min(99, int(fraction * 100)))
        if percent != self._last_progress:  # avoid a write per ffmpeg progress line
            self._last_progress = percent
            self._update(progress=percent, current_step=step)

    def complete(self, result: dict[str, Any]) -> None:
        self.stop_heartbeat()
        self._update(status="completed", progress=100, current_step="completed", result=result, completed_at=_now())

    def fail(self, error: str, *, will_retry: bool) -> None:
        self.stop_heartbeat()
        with transaction(self.sessions) as s:
            task = s.get(Task, self.task_id)
            if task is None or task.status == "cancelled":
                return
            task.error = error[:4000]
            task.heartbeat_at = _now()
            if will_retry:
                task.status, task.current_step = "queued", "retrying"
                task.retry_count += 1
            else:
                task.status, task.current_step, task.completed_at = "failed", "failed", _now()

    def requeue(self, why: str) -> None:
        """Put the task back in the queue (its worker is stopping); the caller enqueues it again."""
        self.stop_heartbeat()
        with transaction(self.sessions) as s:
            task = s.get(Task, self.task_id)
            if task is not None and task.status == "processing":
                task.status, task.current_step, task.progress = "queued", f"requeued: {why}"[:50], 0
                task.retry_count += 1

    # -- internals ---------------------------------------------------------------------------------------

    def stop_heartbeat(self) -> None:
        self._done.set()

    def _heartbeat(self) -> None:
        while not self._done.wait(self.heartbeat_interval):
            try:
                with transaction(self.sessions) as s:
                    task = s.get(Task, self.task_id)
                    if task is None:
                        self._stopped = TaskStopped("the task was deleted", requeue=False)
                    elif task.status == "cancelled":
                        self._stopped = TaskStopped("the task was cancelled", requeue=False)
                    else:
                        task.heartbeat_at = _now()
            except Exception:  # noqa: BLE001 - a missed beat is retried; a dead database fails the job elsewhere
                continue

    def _update(self, **values: Any) -> None:
        with transaction(self.sessions) as s:
            task = s.get(Task, self.task_id)
            if task is None:
                self._stopped = TaskStopped("the task was deleted", requeue=False)
                raise self._stopped
            if task.status == "cancelled":
                self._stopped = TaskStopped("the task was cancelled", requeue=False)
                raise self._stopped
            for key, value in values.items():
                setattr(task, key, value)
            task.heartbeat_at = _now()


def stale_tasks(sessions: sessionmaker[Session], stale_after: int) -> list[uuid.UUID]:
    """Tasks marked processing whose worker stopped sending heartbeats (it died mid-task)."""
    cutoff = _now() - timedelta(seconds=stale_after)
    with sessions() as s:
        rows = s.scalars(select(Task).where(Task.status == "processing")).all()
        return [t.id for t in rows if t.heartbeat_at is None or _aware(t.heartbeat_at) < cutoff]


def cancel_tasks(session: Session, task_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Mark the active ones among `task_ids` cancelled (in the caller's transaction); return those changed."""
    changed = []
    for task in session.scalars(select(Task).where(Task.id.in_(task_ids), Task.status.in_(ACTIVE))):
        task.status, task.current_step, task.completed_at = "cancelled", "cancelled", _now()
        changed.append(task.id)
    return changed


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
