"""Comic exports of a project's storyboard: queue a webtoon PNG, a comic PDF or a 剪映 draft, and list the latest."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import ExportCreate, ExportList, ExportPublic, TaskQueued

router = APIRouter(tags=["exports"])


@router.post("/projects/{project_id}/exports", status_code=202, response_model=Envelope[TaskQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def create_export(
    project_id: uuid.UUID, body: ExportCreate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[TaskQueued]:
    """Draw and voice what is missing, then make the export in the background; follow it with GET /tasks/{task_id}.
    404 when the project has no storyboard yet."""
    task_id = projects.start_export(svc, user_id=user, project_id=str(project_id), kind=body.kind)
    return ok(request, TaskQueued(task_id=task_id, status="queued"))


@router.get("/projects/{project_id}/exports", response_model=Envelope[ExportList], responses=errors(404, 503))
def list_exports(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[ExportList]:
    exports = projects.latest_exports(svc, user_id=user, project_id=str(project_id))
    return ok(request, ExportList(exports=[ExportPublic.model_validate(e) for e in exports]))
