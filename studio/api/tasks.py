"""Task status (seed §3.4): progress, current step, result, error; the same pushed as Server-Sent Events; and cancel.

Status is what clients poll, so its read is the fast path: an async handler (no thread hop) answering from the
read cache (studio/read_cache.py), with the database read in the thread pool only on a miss. An event stream follows
that same read (studio/task_events.py, shared with the studio): no thread per client.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.reads import envelope_json
from studio.api.schemas import TaskPublic
from studio.errors import AccountSuspended, NotFound, Unauthorized
from studio.task_events import read_task, task_changes

router = APIRouter(tags=["tasks"])
HEARTBEAT_S = 15.0


@router.get("/tasks/{task_id}", response_model=Envelope[TaskPublic], responses=errors(404))
async def get_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> JSONResponse:
    return envelope_json(request, await read_task(svc, user, task_id))


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


# Each event as OpenAPI 3.2 describes Server-Sent Events: `data` is TaskPublic as JSON (the body itself is a string).
_EVENT = {"type": "object", "required": ["data"], "properties": {
    "data": {"type": "string", "contentMediaType": "application/json",
             "contentSchema": {"$ref": "#/components/schemas/TaskPublic"}},
    "event": {"type": "string", "description": "Absent for the task's state; `gone` when it was deleted; "
              "`unauthorized` (data: code and message) when the caller's login ended."},
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
    `event: gone` ends it when the task is deleted with its project; `event: unauthorized` (data: the code, 20001,
    20002 or 20004, and a message) when the caller's login ends meanwhile: logged out, revoked, suspended, or the
    access token expired (reconnect with a fresh one)."""
    changes = task_changes(svc, user, task_id, quiet=HEARTBEAT_S)
    first = await anext(changes)  # 404 before the stream

    def still_allowed() -> None:  # the caller's login, checked again as the stream goes on
        svc.identify(request.headers, request.cookies)

    return EventStream(_task_events(first, changes, still_allowed),
                       headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})  # fmt: skip


async def _task_events(
    first: dict[str, Any] | None, changes: AsyncIterator[dict[str, Any] | None], still_allowed: Callable[[], None]
) -> AsyncIterator[str]:
    task = first
    try:
        while True:
            if task is None:  # keeps proxies from closing a quiet stream
                yield ": heartbeat\n\n"
            else:
                yield f"data: {json.dumps(task, ensure_ascii=False, separators=(',', ':'))}\n\n"
            task = await anext(changes)
            await run_in_threadpool(still_allowed)
    except StopAsyncIteration:
        return
    except NotFound:
        yield "event: gone\ndata: {}\n\n"
    except (Unauthorized, AccountSuspended) as exc:  # logged out, revoked, suspended, or the token expired
        error = {"code": exc.code, "message": exc.message}
        yield f"event: unauthorized\ndata: {json.dumps(error, ensure_ascii=False)}\n\n"


@router.post("/tasks/{task_id}/cancel", response_model=Envelope[TaskPublic], responses=errors(404, 409, unsafe=True))
def cancel_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[TaskPublic]:
    """Stop a queued or running task (a running render's ffmpeg is killed); 409 if it already ended."""
    return ok(request, TaskPublic.model_validate(projects.cancel_task(svc, user_id=user, task_id=str(task_id))))
