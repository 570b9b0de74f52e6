"""Task status (seed §3.4): progress, current step, result, error; the same pushed as Server-Sent Events; and cancel.

Status is what clients poll, so its read is the fast path: an async handler (no thread hop) answering from the
read cache (studio/read_cache.py), with the database read in the thread pool only on a miss. An event stream polls
that same read every POLL_S seconds in the event loop: no thread per client.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from db.models import Task
from jobs.progress import TERMINAL
from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.reads import cached, envelope_json
from studio.api.schemas import TaskPublic
from studio.errors import NotFound
from studio.services import Services

router = APIRouter(tags=["tasks"])
POLL_S = 0.5
HEARTBEAT_S = 15.0


def _remaining(task: dict[str, Any], started_at: datetime | None) -> int | None:
    """`estimated_remaining` as of now (a cached task's pace goes on while it sits in the cache)."""
    if task["status"] != "processing" or started_at is None or task["progress"] <= 0:
        return None
    elapsed = (datetime.now(UTC) - started_at).total_seconds()
    return max(0, round(elapsed * (100 - task["progress"]) / task["progress"]))


def _load_task(svc: Services, user: uuid.UUID, task_id: uuid.UUID) -> tuple[dict[str, Any], datetime | None]:
    with svc.sessions() as s:
        task = s.get(Task, task_id)
        if task is None or task.user_id != user:
            raise NotFound(f"task {task_id} does not exist")
        public = TaskPublic.model_validate(projects.task_public(task)).model_dump(mode="json")
        started = task.started_at
        return public, (started.replace(tzinfo=started.tzinfo or UTC) if started else None)


@router.get("/tasks/{task_id}", response_model=Envelope[TaskPublic], responses=errors(404))
async def get_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> JSONResponse:
    task, started_at = await cached(svc, ("task", user, task_id), _load_task, svc, user, task_id)
    return envelope_json(request, {**task, "estimated_remaining": _remaining(task, started_at)})


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


# Each event as OpenAPI 3.2 describes Server-Sent Events: `data` is TaskPublic as JSON (the body itself is a string).
_EVENT = {"type": "object", "required": ["data"], "properties": {
    "data": {"type": "string", "contentMediaType": "application/json",
             "contentSchema": {"$ref": "#/components/schemas/TaskPublic"}},
    "event": {"type": "string", "description": "Absent for the task's state; `gone` when it was deleted."},
}}  # fmt: skip
_EVENTS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Server-Sent Events: the task's state whenever it changes, until it ends.",
          "content": {EventStream.media_type: {"itemSchema": _EVENT}}},
}  # fmt: skip


# Its errors are JSON envelopes (FastAPI would list them under the route's text/event-stream).
_EVENT_ERRORS = {code: {"description": doc["description"], "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}} for code, doc in errors(404).items()}  # fmt: skip


@router.get("/tasks/{task_id}/events", response_class=EventStream, responses={**_EVENTS, **_EVENT_ERRORS})
async def task_events(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> EventStream:
    """The task pushed as Server-Sent Events: an event (`data:` the task as GET /tasks/{task_id} answers it) at once
    and whenever its status, progress or current step changes, a `: heartbeat` comment after 15 s without one, and
    the end of the stream after completed, failed or cancelled (close the EventSource then, or it reconnects).
    `event: gone` ends it when the task is deleted with its project."""
    loaded = await cached(svc, ("task", user, task_id), _load_task, svc, user, task_id)  # 404 before the stream
    return EventStream(_task_events(svc, user, task_id, loaded),
                       headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})  # fmt: skip


async def _task_events(
    svc: Services, user: uuid.UUID, task_id: uuid.UUID, loaded: tuple[dict[str, Any], datetime | None]
) -> AsyncIterator[str]:
    sent: tuple[Any, ...] | None = None
    quiet_since = time.monotonic()
    while True:
        task, started_at = loaded
        state = (task["status"], task["progress"], task["current_step"])
        if state != sent:
            sent, quiet_since = state, time.monotonic()
            data = {**task, "estimated_remaining": _remaining(task, started_at)}
            yield f"data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
            if task["status"] in TERMINAL:
                return
        elif time.monotonic() - quiet_since >= HEARTBEAT_S:  # keeps proxies from closing a quiet stream
            quiet_since = time.monotonic()
            yield ": heartbeat\n\n"
        await asyncio.sleep(POLL_S)
        try:
            loaded = await cached(svc, ("task", user, task_id), _load_task, svc, user, task_id)
        except NotFound:
            yield "event: gone\ndata: {}\n\n"
            return


@router.post("/tasks/{task_id}/cancel", response_model=Envelope[TaskPublic], responses=errors(404, 409, unsafe=True))
def cancel_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[TaskPublic]:
    """Stop a queued or running task (a running render's ffmpeg is killed); 409 if it already ended."""
    return ok(request, TaskPublic.model_validate(projects.cancel_task(svc, user_id=user, task_id=str(task_id))))
