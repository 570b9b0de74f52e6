"""Storyboard, panels, voices, render and download (seed §3.4-3.6); the slow steps return a task id."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from studio import projects
from studio.api import envelope
from studio.api.deps import ServicesDep, UserDep
from studio.errors import NotFound

router = APIRouter(tags=["storyboard"])


class StoryboardOptions(BaseModel):
    max_shots: int = Field(200, ge=1, le=1000)
    shot_duration_range: tuple[float, float] = (2.0, 8.0)


class StoryboardGenerate(BaseModel):
    parsed_script_id: str | None = None
    options: StoryboardOptions = StoryboardOptions()


class ShotRegenerate(BaseModel):
    prompt_override: str | None = Field(None, max_length=2000)


class RenderFinal(BaseModel):
    resolution: Literal["720p", "1080p"] = "1080p"
    format: Literal["mp4"] = "mp4"
    platform_preset: Literal["douyin", "bilibili", "kuaishou", "youtube", "custom"] = "custom"
    subtitle_style: str = "simple"


def _queued(request: Request, task_id: str, **extra):  # type: ignore[no-untyped-def]
    return envelope(request, {"task_id": task_id, "status": "queued", **extra}, status=202)


@router.post("/projects/{project_id}/storyboard/generate", status_code=202)
def generate_storyboard(project_id: str, body: StoryboardGenerate, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    payload = {"options": body.options.model_dump()}
    return _queued(
        request, projects.start_task(svc, user_id=user, project_id=project_id, task_type="storyboard", payload=payload)
    )


@router.get("/projects/{project_id}/storyboard")
def get_storyboard(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(request, projects.get_storyboard(svc, user_id=user, project_id=project_id))


@router.post("/projects/{project_id}/storyboard/generate-images", status_code=202)
def generate_images(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    total = len(projects.get_storyboard(svc, user_id=user, project_id=project_id)["shots"])
    task_id = projects.start_task(svc, user_id=user, project_id=project_id, task_type="image_generation")
    return envelope(request, {"batch_task_id": task_id, "total_shots": total, "status": "queued"}, status=202)


@router.post("/projects/{project_id}/shots/{shot_id}/regenerate", status_code=202)
def regenerate_shot(
    project_id: str, shot_id: str, body: ShotRegenerate, request: Request, svc: ServicesDep, user: UserDep
):  # type: ignore[no-untyped-def]
    shots = projects.get_storyboard(svc, user_id=user, project_id=project_id)["shots"]
    if not any(s["shot_id"] == shot_id for s in shots):
        raise NotFound(f"shot {shot_id} does not exist in this project")
    payload = {"shot_ids": [shot_id], "force": True, "prompt_override": body.prompt_override}
    return _queued(
        request,
        projects.start_task(svc, user_id=user, project_id=project_id, task_type="image_generation", payload=payload),
    )


@router.post("/projects/{project_id}/audio/generate-dialogues", status_code=202)
def generate_dialogues(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    shots = projects.get_storyboard(svc, user_id=user, project_id=project_id)["shots"]
    task_id = projects.start_task(svc, user_id=user, project_id=project_id, task_type="tts")
    return envelope(
        request, {"batch_task_id": task_id, "total_dialogues": sum(1 for s in shots if s["dialogue"])}, status=202
    )


@router.post("/projects/{project_id}/render/final", status_code=202)
def render_final(project_id: str, body: RenderFinal, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    payload = {"settings": {"type": "final", **body.model_dump()}}
    task_id = projects.start_task(svc, user_id=user, project_id=project_id, task_type="video_render", payload=payload)
    return envelope(request, {"render_task_id": task_id, "status": "queued"}, status=202)


@router.get("/projects/{project_id}/video/download")
def download_video(project_id: str, request: Request, svc: ServicesDep, user: UserDep):  # type: ignore[no-untyped-def]
    return envelope(request, projects.latest_video(svc, user_id=user, project_id=project_id))
