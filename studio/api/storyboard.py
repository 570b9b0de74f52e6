"""Storyboard, panels, voices, render and download (seed §3.4-3.6); the slow steps return a task id."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, Request

from studio import projects, videos
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import (
    BatchQueued,
    RenderQueued,
    RenderRequest,
    StoryboardGenerate,
    StoryboardPublic,
    TaskQueued,
    VideoPublic,
)

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


@router.post("/projects/{project_id}/render/preview", status_code=202, response_model=Envelope[RenderQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def render_preview(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep, body: RenderRequest | None = None
) -> Envelope[RenderQueued]:
    """A fast draft: 720p, fastest encoder settings; the same timing, text and moves as the final."""
    settings = (body or RenderRequest()).settings("preview")
    return ok(request, RenderQueued.model_validate(
        videos.start_render(svc, user_id=user, project_id=str(project_id), settings=settings)))  # fmt: skip


@router.post("/projects/{project_id}/render/final", status_code=202, response_model=Envelope[RenderQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def render_final(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep, body: RenderRequest | None = None
) -> Envelope[RenderQueued]:
    settings = (body or RenderRequest()).settings("final")
    return ok(request, RenderQueued.model_validate(
        videos.start_render(svc, user_id=user, project_id=str(project_id), settings=settings)))  # fmt: skip


@router.get("/projects/{project_id}/video/download", response_model=Envelope[VideoPublic], responses=errors(404, 503))
def download_video(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep,
    type: Literal["preview", "final"] | None = Query(None, description="Only this kind (default: the newest)."),
) -> Envelope[VideoPublic]:  # fmt: skip
    video = videos.latest_video(svc, user_id=user, project_id=str(project_id), kind=type)
    return ok(request, VideoPublic.model_validate(video))
