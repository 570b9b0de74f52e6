"""Storyboard, panels, voices, render and download (seed §3.4-3.6); the slow steps return a task id."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from studio import projects
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import (
    BatchQueued,
    RenderFinal,
    RenderQueued,
    StoryboardGenerate,
    StoryboardPublic,
    TaskQueued,
    VideoPublic,
)
from studio.errors import NotSupported

router = APIRouter(tags=["storyboard"])


@router.post("/projects/{project_id}/storyboard/generate", status_code=202, response_model=Envelope[TaskQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def generate_storyboard(
    project_id: uuid.UUID, body: StoryboardGenerate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[TaskQueued]:
    if body.parsed_script_id is not None:
        projects.check_parse(svc, user_id=user, project_id=str(project_id), parse_id=str(body.parsed_script_id))
    payload = {"options": {**body.options.model_dump(), "parsed_script_id": body.parsed_script_id and str(body.parsed_script_id)}}
    task_id = projects.start_task(svc, user_id=user, project_id=str(project_id), task_type="storyboard",
                                  payload=payload)  # fmt: skip
    return ok(request, TaskQueued(task_id=task_id, status="queued"))


@router.get("/projects/{project_id}/storyboard", response_model=Envelope[StoryboardPublic], responses=errors(404, 503))
def get_storyboard(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[StoryboardPublic]:
    board = projects.get_storyboard(svc, user_id=user, project_id=str(project_id))
    return ok(request, StoryboardPublic.model_validate(board))


@router.post("/projects/{project_id}/storyboard/generate-images", status_code=202,
             response_model=Envelope[BatchQueued], responses=errors(404, unsafe=True))  # fmt: skip
def generate_images(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[BatchQueued]:
    total = projects.count_shots(svc, user_id=user, project_id=str(project_id))
    task_id = projects.start_task(svc, user_id=user, project_id=str(project_id), task_type="image_generation")
    return ok(request, BatchQueued(batch_task_id=task_id, total_shots=total, status="queued"))


@router.post("/projects/{project_id}/audio/generate-dialogues", status_code=202,
             response_model=Envelope[BatchQueued], responses=errors(404, unsafe=True))  # fmt: skip
def generate_dialogues(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[BatchQueued]:
    total = projects.count_shots(svc, user_id=user, project_id=str(project_id), voiced=True)
    task_id = projects.start_task(svc, user_id=user, project_id=str(project_id), task_type="tts")
    return ok(request, BatchQueued(batch_task_id=task_id, total_dialogues=total, status="queued"))


@router.post("/projects/{project_id}/render/final", status_code=202, response_model=Envelope[RenderQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def render_final(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep, body: RenderFinal | None = None
) -> Envelope[RenderQueued]:
    body = body or RenderFinal()
    if body.platform_preset != "custom":
        raise NotSupported(f"platform_preset {body.platform_preset!r} is not supported yet; use 'custom' (the "
                           "project's aspect ratio) for now", field="platform_preset")  # fmt: skip
    if body.subtitle_style != "simple":
        raise NotSupported(f"subtitle_style {body.subtitle_style!r} is not supported yet; use 'simple'",
                           field="subtitle_style")  # fmt: skip
    payload = {"settings": {"type": "final", **body.model_dump()}}
    task_id = projects.start_task(svc, user_id=user, project_id=str(project_id), task_type="video_render",
                                  payload=payload)  # fmt: skip
    return ok(request, RenderQueued(render_task_id=task_id, status="queued"))


@router.get("/projects/{project_id}/video/download", response_model=Envelope[VideoPublic], responses=errors(404, 503))
def download_video(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[VideoPublic]:
    return ok(request, VideoPublic.model_validate(projects.latest_video(svc, user_id=user, project_id=str(project_id))))
