"""Projects: create, list, read, update, delete (seed §3.2)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.reads import cached_envelope
from studio.api.schemas import ProjectCreate, ProjectCreated, ProjectPage, ProjectPublic, ProjectUpdate

router = APIRouter(tags=["projects"])
ProjectStatus = Literal["draft", "generating", "completed", "failed"]


@router.post("/projects", status_code=201, response_model=Envelope[ProjectCreated], responses=errors(unsafe=True))
def create_project(body: ProjectCreate, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[ProjectCreated]:
    project = projects.create_project(svc, user_id=user, **body.model_dump())
    return ok(request, ProjectCreated(project_id=project["id"], status=project["status"]))


@router.get("/projects", response_model=Envelope[ProjectPage], responses=errors())
async def list_projects(
    request: Request, svc: ServicesDep, user: UserDep, page: int = Query(1, ge=1, le=projects.MAX_PAGE),
    page_size: int = Query(20, ge=1, le=100), status: ProjectStatus | None = None,
) -> Response:  # fmt: skip
    def load() -> dict[str, object]:
        listing = projects.list_projects(svc, user_id=user, page=page, page_size=page_size, status=status)
        return ProjectPage.model_validate(listing).model_dump(mode="json")

    return await cached_envelope(request, svc, ("projects", user, page, page_size, status), load)


@router.get("/projects/{project_id}", response_model=Envelope[ProjectPublic], responses=errors(404))
async def get_project(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Response:
    def load() -> dict[str, object]:
        project = projects.get_project(svc, user_id=user, project_id=str(project_id))
        return ProjectPublic.model_validate(project).model_dump(mode="json")

    return await cached_envelope(request, svc, ("project", user, project_id), load)


@router.patch("/projects/{project_id}", response_model=Envelope[ProjectPublic], responses=errors(404, unsafe=True))
def update_project(
    project_id: uuid.UUID, body: ProjectUpdate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ProjectPublic]:
    changes = body.model_dump(exclude_unset=True)
    updated = projects.update_project(svc, user_id=user, project_id=str(project_id), changes=changes)
    return ok(request, ProjectPublic.model_validate(updated))


@router.delete("/projects/{project_id}", response_model=Envelope[None], responses=errors(404, 503, unsafe=True))
def delete_project(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[None]:
    """Cancels the project's tasks, deletes its files, then its rows (storage down: 503 and nothing deleted)."""
    projects.delete_project(svc, user_id=user, project_id=str(project_id))
    return ok(request, None)
