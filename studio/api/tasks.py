"""Task status (seed §3.4): progress, current step, result, error; and cancel."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import TaskPublic

router = APIRouter(tags=["tasks"])


@router.get("/tasks/{task_id}", response_model=Envelope[TaskPublic], responses=errors(404))
def get_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[TaskPublic]:
    return ok(request, TaskPublic.model_validate(projects.get_task(svc, user_id=user, task_id=str(task_id))))


@router.post("/tasks/{task_id}/cancel", response_model=Envelope[TaskPublic], responses=errors(404, 409, unsafe=True))
def cancel_task(task_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[TaskPublic]:
    """Stop a queued or running task (a running render's ffmpeg is killed); 409 if it already ended."""
    return ok(request, TaskPublic.model_validate(projects.cancel_task(svc, user_id=user, task_id=str(task_id))))
