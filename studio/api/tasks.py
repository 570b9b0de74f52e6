"""Task status (seed §3.4): progress, current step, result, error; and cancel.

Status is what clients poll, so its read is the fast path: an async handler (no thread hop) answering from the
read cache (studio/read_cache.py), with the database read in the thread pool only on a miss.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from db.models import Task
from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.reads import cached, envelope_json
from studio.api.schemas import TaskPublic
from studio.errors import NotFound
from studio.services import Services

router = APIRouter(tags=["tasks"])


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


@router.post("/tasks/{task_id}/cancel", response_model=Envelope[TaskPublic], responses=errors(404, 409, unsafe=True))
def cancel_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[TaskPublic]:
    """Stop a queued or running task (a running render's ffmpeg is killed); 409 if it already ended."""
    return ok(request, TaskPublic.model_validate(projects.cancel_task(svc, user_id=user, task_id=str(task_id))))
