"""The project's subtitle track (seed §3.6): list, add, edit and remove lines; renders use it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from studio import videos
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import SubtitleCreate, SubtitlePublic, SubtitleUpdate

router = APIRouter(tags=["subtitles"])


@router.get("/projects/{project_id}/subtitles", response_model=Envelope[list[SubtitlePublic]], responses=errors(404))
def list_subtitles(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[list[SubtitlePublic]]:
    rows = videos.list_subtitles(svc, user_id=user, project_id=str(project_id))
    return ok(request, [SubtitlePublic.model_validate(r) for r in rows])


@router.post("/projects/{project_id}/subtitles", status_code=201, response_model=Envelope[SubtitlePublic],
             responses=errors(404, unsafe=True))  # fmt: skip
def create_subtitle(
    project_id: uuid.UUID, body: SubtitleCreate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[SubtitlePublic]:
    row = videos.create_subtitle(svc, user_id=user, project_id=str(project_id), text=body.text,
                                 start_time=body.start_time, end_time=body.end_time,
                                 shot_id=str(body.shot_id) if body.shot_id else None)  # fmt: skip
    return ok(request, SubtitlePublic.model_validate(row))


@router.patch("/projects/{project_id}/subtitles/{subtitle_id}", response_model=Envelope[SubtitlePublic],
              responses=errors(404, unsafe=True))  # fmt: skip
def update_subtitle(
    project_id: uuid.UUID, subtitle_id: uuid.UUID, body: SubtitleUpdate, request: Request, svc: ServicesDep,
    user: UserDep,
) -> Envelope[SubtitlePublic]:  # fmt: skip
    row = videos.update_subtitle(svc, user_id=user, project_id=str(project_id), subtitle_id=str(subtitle_id),
                                 changes=body.model_dump(exclude_unset=True))  # fmt: skip
    return ok(request, SubtitlePublic.model_validate(row))


@router.delete("/projects/{project_id}/subtitles/{subtitle_id}", response_model=Envelope[None],
               responses=errors(404, unsafe=True))  # fmt: skip
def delete_subtitle(
    project_id: uuid.UUID, subtitle_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[None]:
    videos.delete_subtitle(svc, user_id=user, project_id=str(project_id), subtitle_id=str(subtitle_id))
    return ok(request, None)
