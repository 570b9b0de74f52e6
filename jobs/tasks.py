"""Huey task wrappers: take a Task id, move its row through its states, call the job body, retry on failure; which
queue each task type rides on; and the sweep that requeues the tasks of workers that died."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from huey.api import TaskWrapper
from sqlalchemy import select, update

from db.models import Task, utcnow
from db.session import changed_rows, transaction
from jobs import export_job, panels, quota, render_job, work
from jobs.context import JobContext
from jobs.huey_app import JobQueues, take_lease
from jobs.orphans import clean_up_dead_workers
from jobs.outages import outage
from jobs.progress import TERMINAL, TaskReporter, TaskStopped, requeue_if_stale, stale_tasks
from jobs.telemetry import observe_task
from pipeline.errors import PipelineError
from pipeline.tts.base import VoiceProfile, VoiceRequest, wav_duration

logger = logging.getLogger(__name__)

# The seed's queues (jobs.huey_app.QUEUES) and what rides on each; inside a queue, quick interactive work first.
TASK_QUEUES: dict[str, str] = {"nlp": "nlp", "storyboard": "nlp", "tts": "tts", "tts_line": "tts",
                               "image_generation": "image_generation", "video_render": "video_render",
                               "export": "video_render"}  # fmt: skip
TASK_TYPES: dict[str, int] = {"nlp": 30, "storyboard": 25, "tts": 20, "tts_line": 20, "image_generation": 10,
                               "video_render": 0, "export": 0}  # fmt: skip  # priorities
TASK_NAMES = {"nlp": "Parsing the script", "storyboard": "Planning the storyboard", "tts": "Voicing the lines",
              "tts_line": "Voicing a line", "image_generation": "Drawing the panels",
              "video_render": "Rendering the video", "export": "Exporting the comic"}  # fmt: skip
# How long a finished job keeps trying to record its result while the database is unreachable.
COMPLETE_PATIENCE = 120.0

Body = Callable[[JobContext, uuid.UUID, dict[str, Any], Callable[[float, str], None]], dict[str, Any]]


def _images(
    ctx: JobContext, project_id: uuid.UUID, payload: dict[str, Any], progress: Callable[[float, str], None]
) -> dict[str, Any]:
    """The image queue's jobs: a character's reference picture, bringing stale work up to date, or panels."""
    if payload.get("character_id"):
        return panels.draw_reference_image(ctx, project_id, str(payload["character_id"]), progress)
    if payload.get("update_stale"):
        return work.update_stale(ctx, project_id, progress)
    seed = payload.get("seed")
    return panels.draw_panels(ctx, project_id, progress, shot_ids=payload.get("shot_ids"), force=bool(payload.get("force")),
                            prompt_override=payload.get("prompt_override"), seed=None if seed is None else int(seed),
                            quality=payload.get("quality"))  # fmt: skip


def _tts_line(
    ctx: JobContext, project_id: uuid.UUID, payload: dict[str, Any], progress: Callable[[float, str], None]
) -> dict[str, Any]:
    """One line in one voice (POST /audio/tts/generate), kept with the project's voice previews: key, URL, length."""
    request = VoiceRequest(text=str(payload["text"]), language=payload["language"],
                           voice=VoiceProfile(**payload["voice"]), emotion=payload.get("emotion"))  # fmt: skip
    progress(0.1, "generating_voices")
    key = work.voice_preview(ctx, project_id, request)
    duration = wav_duration(ctx.storage.local_path(key))
    return {"audio_key": key, "audio_url": ctx.storage.url(key), "duration": round(duration, 3)}


BODIES: dict[str, Body] = {
    "nlp": lambda ctx, pid, payload, p: work.parse_project_script(ctx, pid, p),
    "storyboard": lambda ctx, pid, payload, p: work.plan_project_storyboard(ctx, pid, payload.get("options", {}), p),
    "image_generation": _images,
    "tts": lambda ctx, pid, payload, p: work.voice_dialogue(
        ctx, pid, p, shot_ids=payload.get("shot_ids"), force=bool(payload.get("force"))
    ),
    "video_render": lambda ctx, pid, payload, p: render_job.render_project(ctx, pid, payload.get("settings", {}), p),
    "export": export_job.export_project,
    "tts_line": _tts_line,
}


def _tolerant(reporter: TaskReporter, task_id: uuid.UUID) -> Callable[[float, str], None]:
    """The job's progress callback: a progress write the database cannot take (it is restarting) is skipped, not
    fatal — the job goes on, and stops only when told to (cancel, shutdown)."""

    def progress(fraction: float, step: str) -> None:
        try:
            reporter.progress(fraction, step)
        except Exception as exc:
            if outage(exc) is None:
                raise
            logger.warning("task %s: progress not recorded (%s unreachable); going on", task_id, outage(exc))

    return progress


def _complete(reporter: TaskReporter, result: dict[str, Any], patience: float = COMPLETE_PATIENCE) -> None:
    """Record the result, waiting out a database restart for up to `patience` seconds."""
    deadline = time.monotonic() + patience
    delay = 0.5
    while True:
        try:
            reporter.complete(result)
            return
        except Exception as exc:
            if outage(exc) is None or time.monotonic() + delay > deadline:
                raise
            logger.warning("task %s: result not recorded yet (database unreachable); retrying", reporter.task_id)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def run_task(ctx: JobContext, task_id: uuid.UUID, attempts_left: int, requeue: Callable[[], None]) -> None:
    """Run one Task by id. Known failures mark it failed at once; unexpected ones are retried while attempts remain.

    What users read in `Task.error` is a message for people; tracebacks and tool output go to the log, with the id.
    """
    with ctx.sessions() as s:
        task = s.get(Task, task_id)
        if task is None or task.status in TERMINAL:
            return  # deleted, cancelled or already done by an earlier delivery: running again would repeat work
        task_type, project_id, payload = task.type, task.project_id, dict(task.payload)
    reporter = TaskReporter(ctx.sessions, task_id, heartbeat_interval=ctx.heartbeat_interval, shutdown=ctx.shutdown)
    if not reporter.start():
        return  # another delivery holds it
    try:
        with observe_task(task_type, task_id) as seen:  # task id in the logs; count, duration, span
            body = BODIES[task_type]
            own = replace(ctx, hold_task=reporter.hold)  # its result is recorded only while the task is its own
            seen.result = body(own, project_id, payload, _tolerant(reporter, task_id))  # type: ignore[arg-type]
            _complete(reporter, seen.result)
    except TaskStopped as exc:
        logger.info("task %s (%s) stopped: %s", task_id, task_type, exc)
        if exc.requeue:
            reporter.requeue("worker shut down")
            requeue()
    except PipelineError as exc:  # bad input or a missing tool: retrying cannot help
        if exc.detail:
            logger.warning("task %s (%s) failed: %s\n%s", task_id, task_type, exc, exc.detail)
        reporter.fail(str(exc), will_retry=False)
    except Exception as exc:  # the edge: a message for people on the Task row, the traceback in the log; Huey retries
        logger.exception("task %s (%s) failed", task_id, task_type)
        service = outage(exc)
        if service is not None:
            message = f"{TASK_NAMES[task_type]} stopped: {service} was unavailable (task {task_id})."
        else:
            message = f"{TASK_NAMES[task_type]} failed unexpectedly; the server log has the details (task {task_id})."
        try:
            reporter.fail(message, will_retry=attempts_left > 0)
        except Exception:  # noqa: BLE001 - the database is still away: the row stays processing, the sweep requeues it
            logger.warning("task %s: could not record the failure; the stale sweep will requeue it", task_id)
        raise
    finally:
        reporter.stop_heartbeat()


@dataclass(frozen=True)
class JobTasks:
    queues: JobQueues
    runs: dict[str, TaskWrapper]  # the run task, registered on every queue's Huey
    requeue_stale: Callable[[], list[uuid.UUID]]  # tasks of dead workers, and queued ones whose message was lost
    sweep: Callable[[], None]  # one round of the stale sweep and the dead workers' clean-up (see sweep_round)

    def enqueue(self, task_id: uuid.UUID, task_type: str) -> None:
        _send(self.queues, self.runs, task_id, task_type)


def _send(queues: JobQueues, runs: dict[str, TaskWrapper], task_id: uuid.UUID, task_type: str) -> None:
    """Put the task's message on its type's queue, at its type's priority."""
    queue = TASK_QUEUES[task_type]
    queues[queue].enqueue(runs[queue].s(str(task_id), priority=TASK_TYPES[task_type]))


def register_tasks(
    queues: JobQueues, ctx: JobContext, *, stale_after: int = 50, sweep_interval: float = 2.0
) -> JobTasks:
    """Register ComicReel's tasks on every queue of `queues`, bound to `ctx` (call once per JobQueues)."""
    runs: dict[str, TaskWrapper] = {}

    def _enqueue(task_id: uuid.UUID) -> None:
        with ctx.sessions() as s:
            task = s.get(Task, task_id)
            if task is not None:
                _send(queues, runs, task_id, task.type)

    for queue, huey in queues.items():

        @huey.task(retries=ctx.retries, retry_delay=ctx.retry_delay, context=True, name="comicreel.run")
        def run(task_id: str, task=None) -> None:  # type: ignore[no-untyped-def]
            tid = uuid.UUID(task_id)
            run_task(ctx, tid, task.retries if task is not None else 0, requeue=lambda: _enqueue(tid))

        runs[queue] = run

    def requeue_stale_tasks() -> list[uuid.UUID]:
        taken_ids = []
        for task_id in stale_tasks(ctx.sessions, stale_after):
            with transaction(ctx.sessions) as s:  # only one sweeper wins each task, whatever the number of workers
                taken = requeue_if_stale(s, task_id, stale_after)
            if taken:
                logger.warning("requeued stale task %s (no heartbeat for %s s)", task_id, stale_after)
                _enqueue(task_id)
                taken_ids.append(task_id)
        return [*taken_ids, *requeue_lost_tasks()]

    def requeue_lost_tasks() -> list[uuid.UUID]:
        """Queued tasks whose message is gone (a Redis restarted without persistence): still queued a stale timeout
        after their last change while their queue holds nothing, now or scheduled. Enqueued again; a second message
        would be harmless anyway, as a task is claimed only once."""
        idle = {name for name, huey in queues.items() if huey.pending_count() == 0 and huey.scheduled_count() == 0}
        types = [t for t, queue in TASK_QUEUES.items() if queue in idle]
        if not types:
            return []
        cutoff = utcnow() - timedelta(seconds=stale_after)
        with transaction(ctx.sessions) as s:
            lost = list(s.scalars(select(Task.id).where(Task.status == "queued", Task.type.in_(types),
                                                        Task.updated_at < cutoff)))  # fmt: skip
            if lost:  # marked (and its updated_at moved), so that the next round waits a stale timeout again
                s.execute(update(Task).where(Task.id.in_(lost), Task.status == "queued").values(
                    current_step="requeued: its queue lost it"))  # fmt: skip
        for task_id in lost:
            logger.warning("requeued task %s: it was queued but its queue no longer held it", task_id)
            _enqueue(task_id)
        return lost

    # Not a periodic Huey task (minute-long cron rounds are too coarse): the worker's Sweeper calls `sweep`.
    def sweep() -> None:
        sweep_round(ctx.work_dir, requeue_stale_tasks, lease=lambda: take_lease(queues["nlp"], sweep_interval))

    return JobTasks(queues=queues, runs=runs, requeue_stale=requeue_stale_tasks, sweep=sweep)


def sweep_round(work_root: Path, requeue_stale_tasks: Callable[[], object], *, lease: Callable[[], bool]) -> None:
    """Kill what dead workers of this machine left running (ffmpeg) and remove their folders, then requeue tasks
    whose worker stopped beating — the latter once per round in the whole deployment (`lease`)."""
    clean_up_dead_workers(work_root)
    if lease():
        requeue_stale_tasks()


def create_task(
    ctx: JobContext, tasks: JobTasks, *, user_id: uuid.UUID, project_id: uuid.UUID | None, task_type: str,
    payload: dict[str, Any] | None = None, charge_quota: bool = False,
) -> uuid.UUID:  # fmt: skip
    """Create the Task row (queued), commit it, then enqueue; if enqueueing fails the row is marked failed. With
    `charge_quota` the row takes one video of the user's quota in the same transaction (QuotaExhausted: no row),
    given back if the task fails or is cancelled."""
    if task_type not in TASK_TYPES:
        raise ValueError(f"unknown task type {task_type!r}; known: {sorted(TASK_TYPES)}")
    with transaction(ctx.sessions) as s:
        task = Task(user_id=user_id, project_id=project_id, type=task_type, priority=TASK_TYPES[task_type],
                    payload=payload or {}, status="queued", current_step="queued",
                    quota_charged=charge_quota and quota.charge(s, user_id))  # fmt: skip
        s.add(task)
        s.flush()
        task_id = task.id
    try:
        tasks.enqueue(task_id, task_type)
    except Exception:
        logger.exception("task %s could not be queued", task_id)
        with transaction(ctx.sessions) as s:  # never claimed, so marked failed here rather than through a reporter
            changed_rows(s, update(Task).where(Task.id == task_id, Task.status == "queued").values(
                status="failed", current_step="failed", error="The job queue is unavailable; try again shortly.",
                completed_at=datetime.now(UTC),
            ))  # fmt: skip
            quota.refund(s, [task_id])
        raise
    return task_id
