"""Script: save, parse (a task), read the parsed result (seed §3.3); the cast is in characters.py."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import ParsedPublic, ParseQueued, ScriptCreate, ScriptSaved

router = APIRouter(tags=["script"])


@router.post("/projects/{project_id}/script", response_model=Envelope[ScriptSaved], responses=errors(404, unsafe=True))
def save_script(
    project_id: uuid.UUID, body: ScriptCreate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ScriptSaved]:
    saved = projects.save_script(svc, user_id=user, project_id=str(project_id), content=body.content,
                                 format=body.format)  # fmt: skip
    return ok(request, ScriptSaved.model_validate(saved))


@router.post("/projects/{project_id}/script/parse", status_code=202, response_model=Envelope[ParseQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def parse_script(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[ParseQueued]:
    task_id = projects.start_task(svc, user_id=user, project_id=str(project_id), task_type="nlp")
    return ok(request, ParseQueued(task_id=task_id, status="queued"))


@router.get("/projects/{project_id}/script/parsed", response_model=Envelope[ParsedPublic], responses=errors(404))
def get_parsed(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[ParsedPublic]:
    return ok(request, ParsedPublic.model_validate(projects.get_parsed(svc, user_id=user, project_id=str(project_id))))
