"""Projects: create, list, read, update, delete (seed §3.2)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from studio import projects
from studio.api import envelope
from studio.api.deps import ServicesDep, UserDep

router = APIRouter(tags=["projects"])


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = None
    style: Literal["anime", "chinese", "comic", "chibi"] = "comic"
    aspect_ratio: Literal["9:16", "16:9", "1:1"] = "9:16"
    target_duration: int = Field(60, ge=5, le=3600)


class ProjectUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = None
    style: Literal["anime", "chinese", "comic", "chibi"] | None = None
    aspect_ratio: Literal["9:16", "16:9", "1:1"] | None = None
    target_duration: int | None = Field(None, ge=5, le=3600)


@router.post("/projects", status_code=201)
def create_project(body: ProjectCreate, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    project = projects.create_project(svc, user_id=user, **body.model_dump())
    return envelope(request, {"project_id": project["id"], "status": project["status"]}, status=201)


@router.get("/projects")
def list_projects(request: Request, svc: ServicesDep, user: UserDep, page: int = 1, page_size: int = 20,
                  status: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    return envelope(request, projects.list_projects(svc, user_id=user, page=page, page_size=page_size, status=status))


@router.get("/projects/{project_id}")
def get_project(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(request, projects.get_project(svc, user_id=user, project_id=project_id))


@router.patch("/projects/{project_id}")
def update_project(project_id: str, body: ProjectUpdate, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    changes = body.model_dump(exclude_unset=True)
    return envelope(request, projects.update_project(svc, user_id=user, project_id=project_id, changes=changes))


@router.delete("/projects/{project_id}")
def delete_project(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    projects.delete_project(svc, user_id=user, project_id=project_id)
    return envelope(request, None)
