"""Huey task wrappers: take a Task id, move its row through its states, call the job body, retry on failure."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import Huey, crontab
from huey.api import TaskWrapper

from db.models import Task
from db.session import transaction
from jobs import export_job, render_job, work
from jobs.context import JobContext
from jobs.progress import TERMINAL, TaskReporter, TaskStopped, requeue_if_stale, stale_tasks
from pipeline.errors import PipelineError
from pipeline.tts.base import VoiceProfile, VoiceRequest, wav_duration

logger = logging.getLogger(__name__)

# The seed's queues, as priorities on one Huey queue: quick interactive work first, long renders last.
TASK_TYPES: dict[str, int] = {"nlp": 30, "storyboard": 25, "tts": 20, "tts_line": 20, "image_generation": 10,
                               "video_render": 0, "export": 0}  # exports wait in the video_render queue
TASK_NAMES = {"nlp": "Parsing the script", "storyboard": "Planning the storyboard", "tts": "Voicing the lines",
              "tts_line": "Voicing a line", "image_generation": "Drawing the panels",
              "video_render": "Rendering the video", "export": "Exporting the comic"}  # fmt: skip

Body = Callable[[JobContext, uuid.UUID, dict[str, Any], Callable[[float, str], None]], dict[str, Any]]


def _images(
    ctx: JobContext, project_id: uuid.UUID, payload: dict[str, Any], progress: Callable[[float, str], None]
) -> dict[str, Any]:
    """The image queue's jobs: a character's reference picture, bringing stale work up to date, or panels."""
    if payload.get("character_id"):
        return work.draw_reference_image(ctx, project_id, str(payload["character_id"]), progress)
    if payload.get("update_stale"):
        return work.update_stale(ctx, project_id, progress)
    seed = payload.get("seed")
    return work.draw_panels(ctx, project_id, progress, shot_ids=payload.get("shot_ids"), force=bool(payload.get("force")),
                            prompt_override=payload.get("prompt_override"), seed=None if seed is None else int(seed))  # fmt: skip


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
        result = BODIES[task_type](ctx, project_id, payload, reporter.progress)  # type: ignore[arg-type]
        reporter.complete(result)
    except TaskStopped as exc:
        logger.info("task %s (%s) stopped: %s", task_id, task_type, exc)
        if exc.requeue:
            reporter.requeue("worker shut down")
            requeue()
    except PipelineError as exc:  # bad input or a missing tool: retrying cannot help
        if exc.detail:
            logger.warning("task %s (%s) failed: %s\n%s", task_id, task_type, exc, exc.detail)
        reporter.fail(str(exc), will_retry=False)
    except Exception:  # the edge: a message for people on the Task row, the traceback in the log; Huey retries
        logger.exception("task %s (%s) failed", task_id, task_type)
        message = f"{TASK_NAMES[task_type]} failed unexpectedly; the server log has the details (task {task_id})."
        reporter.fail(message, will_retry=attempts_left > 0)
        raise
    finally:
        reporter.stop_heartbeat()


@dataclass(frozen=True)
class JobTasks:
    huey: Huey
    run: TaskWrapper
    requeue_stale: TaskWrapper

    def enqueue(self, task_id: uuid.UUID, task_type: str) -> None:
        self.huey.enqueue(self.run.s(str(task_id), priority=TASK_TYPES[task_type]))


def register_tasks(huey: Huey, ctx: JobContext, *, stale_after: int = 60) -> JobTasks:
    """Register ComicReel's tasks on `huey`, bound to `ctx` (call once per Huey instance)."""

    @huey.task(retries=ctx.retries, retry_delay=ctx.retry_delay, context=True, name="comicreel.run")
    def run(task_id: str, task=None) -> None:  # type: ignore[no-untyped-def]
        tid = uuid.UUID(task_id)
        run_task(ctx, tid, task.retries if task is not None else 0, requeue=lambda: _enqueue(tid))

    def _enqueue(task_id: uuid.UUID) -> None:
        with ctx.sessions() as s:
            task = s.get(Task, task_id)
            if task is not None:
                huey.enqueue(run.s(str(task_id), priority=TASK_TYPES[task.type]))

    @huey.periodic_task(crontab(minute="*"), name="comicreel.requeue_stale")
    def requeue_stale() -> None:
        for task_id in stale_tasks(ctx.sessions, stale_after):
            with transaction(ctx.sessions) as s:  # only one sweeper wins each task, whatever the number of workers
                taken = requeue_if_stale(s, task_id, stale_after)
            if taken:
                logger.warning("requeued stale task %s (no heartbeat for %s s)", task_id, stale_after)
                _enqueue(task_id)

    return JobTasks(huey=huey, run=run, requeue_stale=requeue_stale)


def create_task(
    ctx: JobContext, tasks: JobTasks, *, user_id: uuid.UUID, project_id: uuid.UUID | None, task_type: str,
    payload: dict[str, Any] | None = None,
) -> uuid.UUID:  # fmt: skip
    """Create the Task row (queued), commit it, then enqueue; if enqueueing fails the row is marked failed."""
    if task_type not in TASK_TYPES:
        raise ValueError(f"unknown task type {task_type!r}; known: {sorted(TASK_TYPES)}")
    with transaction(ctx.sessions) as s:
        task = Task(user_id=user_id, project_id=project_id, type=task_type, priority=TASK_TYPES[task_type],
                    payload=payload or {}, status="queued", current_step="queued")  # fmt: skip
        s.add(task)
        s.flush()
        task_id = task.id
    try:
        tasks.enqueue(task_id, task_type)
    except Exception:
        logger.exception("task %s could not be queued", task_id)
        TaskReporter(ctx.sessions, task_id).fail("The job queue is unavailable; try again shortly.", will_retry=False)
        raise
    return task_id
