"""Task-row state: queued -> processing -> completed/failed/cancelled, progress 0-100, current_step, heartbeat.

A worker claims a task with a token; every later write is conditional on that claim (and on the task still being
processing), so a task that was cancelled, deleted or requeued to another worker is never written by the old one,
which stops at its next progress report; a job records its result only in a transaction that holds the claim
(`TaskReporter.hold`). A heartbeat thread keeps the claim fresh while a long step runs.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.models import Task
from db.session import changed_rows, transaction
from jobs import quota
from pipeline.errors import PipelineError

logger = logging.getLogger(__name__)

TERMINAL = ("completed", "failed", "cancelled")
ACTIVE = ("queued", "processing")


class TaskStopped(PipelineError):
    """The job must stop: its task was cancelled, deleted or taken over (`requeue` False), or its worker is
    shutting down (`requeue` True)."""

    def __init__(self, message: str, *, requeue: bool, taken_over: bool = False) -> None:
        super().__init__(message)
        self.requeue = requeue
        self.taken_over = taken_over  # another worker runs it now: what it shares (the project's status) is its


def _now() -> datetime:
    return datetime.now(UTC)


class TaskReporter:
    """Writes a job's state to its Task row, each update in its own short transaction, only while it holds the claim."""

    def __init__(
        self, sessions: sessionmaker[Session], task_id: uuid.UUID, *, heartbeat_interval: float = 10.0,
        shutdown: threading.Event | None = None,
    ) -> None:  # fmt: skip
        self.sessions = sessions
        self.task_id = task_id
        self.heartbeat_interval = heartbeat_interval
        self.shutdown = shutdown or threading.Event()
        self.claim = uuid.uuid4().hex
        self._last_progress = -1
        self._stopped: TaskStopped | None = None
        self._done = threading.Event()

    # -- the job's side ----------------------------------------------------------------------------------

    def start(self) -> bool:
        """Claim the task (queued -> processing) and start the heartbeat; False if it is not queued any more
        (another delivery runs or ran it, or it was cancelled)."""
        with transaction(self.sessions) as s:
            claimed = changed_rows(s, update(Task).where(Task.id == self.task_id, Task.status == "queued").values(
                status="processing", claim=self.claim, started_at=_now(), heartbeat_at=_now(), error=None,
                progress=0, current_step="starting",
            ))  # fmt: skip
        if not claimed:
            return False
        threading.Thread(target=self._heartbeat, name=f"heartbeat-{self.task_id}", daemon=True).start()
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
            self._write(progress=percent, current_step=step)

    def complete(self, result: dict[str, Any]) -> None:
        self.stop_heartbeat()
        self._write(status="completed", progress=100, current_step="completed", result=result, completed_at=_now())

    def fail(self, error: str, *, will_retry: bool) -> None:
        self.stop_heartbeat()
        if will_retry:
            values: dict[str, Any] = {"status": "queued", "current_step": "retrying", "claim": None,
                                      "retry_count": Task.retry_count + 1}  # fmt: skip
        else:
            values = {"status": "failed", "current_step": "failed", "completed_at": _now()}
        try:
            self._write(error=error[:4000], **values)
        except TaskStopped:
            pass  # cancelled, deleted or taken over meanwhile: its state is not ours to write

    def requeue(self, why: str) -> None:
        """Put the task back in the queue (its worker is stopping); the caller enqueues it again."""
        self.stop_heartbeat()
        try:
            self._write(status="queued", current_step=f"requeued: {why}"[:50], progress=0, claim=None,
                        retry_count=Task.retry_count + 1)  # fmt: skip
        except TaskStopped:
            pass

    def hold(self, session: Session) -> None:
        """Hold the claim through the caller's transaction, in which the job records its result: the task row stays
        locked (its heartbeat fresh) until that transaction ends, so no sweep requeues the task meanwhile, and a
        worker whose task was cancelled, deleted or requeued to another one (it went silent past the stale timeout)
        records nothing. Raises TaskStopped then: the caller rolls back and removes the files it made."""
        held = changed_rows(session, update(Task).where(
            Task.id == self.task_id, Task.claim == self.claim, Task.status == "processing",
        ).values(heartbeat_at=_now()))  # fmt: skip
        if not held:
            self._stopped = _stopped_because(session.scalar(select(Task.status).where(Task.id == self.task_id)))
            logger.warning("task %s: its result is dropped, not recorded: %s", self.task_id, self._stopped)
            raise self._stopped

    def stop_heartbeat(self) -> None:
        self._done.set()

    # -- internals ---------------------------------------------------------------------------------------

    def _write(self, **values: Any) -> None:
        """Update the row only while this claim holds it; otherwise find out why and raise TaskStopped. A task
        that fails gives back the quota it took, in the same transaction."""
        with transaction(self.sessions) as s:
            held = changed_rows(s, update(Task).where(
                Task.id == self.task_id, Task.claim == self.claim, Task.status == "processing",
            ).values(heartbeat_at=_now(), **values))  # fmt: skip
            if held:
                if values.get("status") == "failed":
                    quota.refund(s, [self.task_id])
                return
            status = s.scalar(select(Task.status).where(Task.id == self.task_id))
        self._stopped = _stopped_because(status)
        raise self._stopped

    def _heartbeat(self) -> None:
        while not self._done.wait(self.heartbeat_interval):
            try:
                self._write()
            except TaskStopped:
                return  # the job notices at its next progress report
            except Exception:  # noqa: BLE001 - a missed beat is retried; a dead database fails the job elsewhere
                logger.warning("task %s: heartbeat failed; will retry", self.task_id, exc_info=True)


def _stopped_because(status: str | None) -> TaskStopped:
    """Why a claim no longer holds its task, from the task's status (None: the row is gone)."""
    if status is None:
        return TaskStopped("the task was deleted", requeue=False)
    if status == "cancelled":
        return TaskStopped("the task was cancelled", requeue=False)
    return TaskStopped("the task was taken over by another worker", requeue=False, taken_over=True)


def stale_tasks(sessions: sessionmaker[Session], stale_after: int) -> list[uuid.UUID]:
    """Tasks marked processing whose worker stopped sending heartbeats (it died mid-task)."""
    with sessions() as s:
        return list(s.scalars(select(Task.id).where(Task.status == "processing", _stale(stale_after))))


def requeue_if_stale(session: Session, task_id: uuid.UUID, stale_after: int) -> bool:
    """Take a stale task back to the queue (in the caller's transaction); False if another sweeper or a late
    heartbeat got there first. The old worker's claim is dropped, so it can no longer write."""
    return bool(changed_rows(session, update(Task).where(
        Task.id == task_id, Task.status == "processing", _stale(stale_after),
    ).values(status="queued", claim=None, current_step=f"requeued: no heartbeat for {stale_after} s"[:50],
             retry_count=Task.retry_count + 1, progress=0)))  # fmt: skip


def _stale(stale_after: int):  # type: ignore[no-untyped-def]  # a SQL expression
    return or_(Task.heartbeat_at.is_(None), Task.heartbeat_at < _now() - timedelta(seconds=stale_after))


def active_task_ids(session: Session, project_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(select(Task.id).where(Task.project_id == project_id, Task.status.in_(ACTIVE))))


def cancel_tasks(session: Session, task_ids: Sequence[uuid.UUID]) -> int:
    """Cancel the ones among `task_ids` still active, in one conditional UPDATE (a task that completes at the same
    moment stays completed); return how many were cancelled."""
    if not task_ids:
        return 0
    cancelled = changed_rows(session, update(Task).where(Task.id.in_(task_ids), Task.status.in_(ACTIVE)).values(
        status="cancelled", current_step="cancelled", completed_at=_now(), claim=None,
    ))  # fmt: skip
    quota.refund(session, task_ids)
    return cancelled
