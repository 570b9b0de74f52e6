"""Shots (seed §3.4 and the editor): edit, insert, delete, reorder; pick an earlier panel; draw or voice one shot
again; bring every stale panel and voice up to date."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from studio import editor
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import (
    ShotImageList,
    ShotInsert,
    ShotPublic,
    ShotRegenerate,
    ShotReorder,
    ShotUpdate,
    StaleQueued,
    StoryboardPublic,
    TaskQueued,
)

router = APIRouter(tags=["shots"])
ONE = "/projects/{project_id}/shots/{shot_id}"


@router.patch(ONE, response_model=Envelope[ShotPublic], responses=errors(404, 503, unsafe=True))
def update_shot(
    project_id: uuid.UUID, shot_id: uuid.UUID, body: ShotUpdate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ShotPublic]:
    shot = editor.update_shot(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id),
                              changes=body.model_dump(exclude_unset=True))  # fmt: skip
    return ok(request, ShotPublic.model_validate(shot))


@router.post("/projects/{project_id}/shots", status_code=201, response_model=Envelope[ShotPublic],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def insert_shot(
    project_id: uuid.UUID, body: ShotInsert, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ShotPublic]:
    """Insert a shot (it has no panel or voice yet: update stale or render draws and voices it)."""
    after = str(body.after_shot_id) if body.after_shot_id else None
    shot = editor.insert_shot(svc, user_id=user, project_id=str(project_id), after_shot_id=after,
                              fields=body.model_dump(exclude={"after_shot_id"}, exclude_none=True))  # fmt: skip
    return ok(request, ShotPublic.model_validate(shot))


@router.delete(ONE, response_model=Envelope[None], responses=errors(404, 409, 503, unsafe=True))
def delete_shot(
    project_id: uuid.UUID, shot_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[None]:
    """Delete a shot, its panels and its voice; 409 for the storyboard's only shot."""
    editor.delete_shot(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id))
    return ok(request, None)


@router.post("/projects/{project_id}/storyboard/reorder", response_model=Envelope[StoryboardPublic],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def reorder_shots(
    project_id: uuid.UUID, body: ShotReorder, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[StoryboardPublic]:
    board = editor.reorder_shots(svc, user_id=user, project_id=str(project_id), shot_ids=[str(i) for i in body.shot_ids])
    return ok(request, StoryboardPublic.model_validate(board))


@router.get(ONE + "/images", response_model=Envelope[ShotImageList], responses=errors(404, 503))
def list_shot_images(
    project_id: uuid.UUID, shot_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ShotImageList]:
    """Every panel drawn for the shot, oldest first."""
    images = editor.list_shot_images(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id))
    return ok(request, ShotImageList.model_validate({"images": images}))


@router.post(ONE + "/images/{image_id}/select", response_model=Envelope[ShotPublic],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def select_shot_image(
    project_id: uuid.UUID, shot_id: uuid.UUID, image_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ShotPublic]:
    """Make an earlier panel current again."""
    shot = editor.select_shot_image(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id),
                                    image_id=str(image_id))  # fmt: skip
    return ok(request, ShotPublic.model_validate(shot))


@router.post(ONE + "/regenerate", status_code=202, response_model=Envelope[TaskQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def regenerate_shot(
    project_id: uuid.UUID, shot_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep,
    body: ShotRegenerate | None = None,
) -> Envelope[TaskQueued]:  # fmt: skip
    """Draw the shot again (every earlier panel is kept), with `seed` or a new random one; `prompt_override` steers
    the new panel and stays the shot's prompt. No other panel is touched."""
    body = body or ShotRegenerate()
    task_id = editor.regenerate_shot(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id),
                                     prompt_override=body.prompt_override, seed=body.seed)  # fmt: skip
    return ok(request, TaskQueued(task_id=task_id, status="queued"))


@router.post(ONE + "/revoice", status_code=202, response_model=Envelope[TaskQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def revoice_shot(
    project_id: uuid.UUID, shot_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[TaskQueued]:
    """Voice the shot's line again (400 for an action shot, which has none)."""
    task_id = editor.revoice_shot(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id))
    return ok(request, TaskQueued(task_id=task_id, status="queued"))


@router.post("/projects/{project_id}/storyboard/update-stale", status_code=202, response_model=Envelope[StaleQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def update_stale(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[StaleQueued]:
    """Redraw exactly the stale or missing panels (each with its seed) and revoice exactly the stale or missing
    lines; `panels` and `voices` say how many."""
    counts = editor.count_stale(svc, user_id=user, project_id=str(project_id))
    task_id = editor.update_stale(svc, user_id=user, project_id=str(project_id))
    return ok(request, StaleQueued(task_id=task_id, status="queued", **counts))
