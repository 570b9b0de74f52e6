"""Task status (seed §3.4): progress, current step, result, error."""

from __future__ import annotations

from fastapi import APIRouter, Request

from studio import projects
from studio.api import envelope
from studio.api.deps import ServicesDep, UserDep

router = APIRouter(tags=["tasks"])


@router.get("/tasks/{task_id}")
def get_task(task_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(request, projects.get_task(svc, user_id=user, task_id=task_id))
