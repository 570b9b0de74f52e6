"""Script and characters: save, parse (a task), read the parsed result (seed §3.3)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from studio import projects
from studio.api import envelope
from studio.api.deps import ServicesDep, UserDep

router = APIRouter(tags=["script"])


class ScriptCreate(BaseModel):
    content: str = Field(min_length=1, max_length=projects.MAX_SCRIPT_CHARS)
    format: Literal["text", "markdown", "fountain"] | None = None


@router.post("/projects/{project_id}/script")
def save_script(project_id: str, body: ScriptCreate, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(
        request,
        projects.save_script(svc, user_id=user, project_id=project_id, content=body.content, format=body.format),
    )


@router.post("/projects/{project_id}/script/parse", status_code=202)
def parse_script(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    task_id = projects.start_task(svc, user_id=user, project_id=project_id, task_type="nlp")
    return envelope(request, {"parse_id": None, "status": "processing", "task_id": task_id}, status=202)


@router.get("/projects/{project_id}/script/parsed")
def get_parsed(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(request, projects.get_parsed(svc, user_id=user, project_id=project_id))


@router.get("/projects/{project_id}/characters")
def list_characters(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(request, {"characters": projects.list_characters(svc, user_id=user, project_id=project_id)})
