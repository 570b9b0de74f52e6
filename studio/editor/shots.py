"""Edit the storyboard shot by shot: fields, insert, delete, reorder, panel versions, redraw and revoice."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.mapping import shot_states
from db.models import ShotImage, ShotRow
from db.session import transaction
from pipeline.models import SHOT_KINDS
from studio import projects
from studio.edit_checks import INSERT_FIELDS, MAX_SEED, MAX_TEXT, SHOT_FIELDS, checked_shot_fields, refuse_unknown
from studio.editor.rows import cast_names, cast_of, forget_files, locked_project, owned_shot, storyboard_of
from studio.errors import Conflict, InvalidParams, NotFound
from studio.services import Services


def update_shot(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change some of a shot's fields; its panel and voice become stale where what they show or say changed.
    `prompt` is the creator's words for the panel (null or empty: back to the planned prompt)."""
    refuse_unknown(changes, SHOT_FIELDS)
    with transaction(svc.sessions) as s:
        locked_project(s, user_id, project_id)
        row = owned_shot(s, user_id, project_id, shot_id)
        values = checked_shot_fields(changes, kind=row.kind, cast=cast_names(s, row.project_id), current=row)
        _apply_shot_fields(row, values)
        s.flush()
        return _shot_dict(svc, s, row)


def insert_shot(
    svc: Services, *, user_id: uuid.UUID, project_id: str, after_shot_id: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """Insert a shot after `after_shot_id` (first when None). `kind` is required; place, time and scene come from
    the neighbouring shot, the rest from defaults (a medium shot with a dissolve, 3 s when silent)."""
    refuse_unknown(fields, INSERT_FIELDS)
    kind = fields.get("kind")
    if kind not in SHOT_KINDS:
        raise InvalidParams(f"kind must be one of {list(SHOT_KINDS)}", field="kind")
    with transaction(svc.sessions) as s:
        project = locked_project(s, user_id, project_id)
        board = storyboard_of(s, project.id)
        shots = list(board.shots)
        position = 0
        if after_shot_id is not None:
            after = owned_shot(s, user_id, project_id, after_shot_id, field="after_shot_id")
            position = shots.index(after) + 1
        neighbour = shots[position - 1] if position else (shots[0] if shots else None)
        values = checked_shot_fields({k: v for k, v in fields.items() if k != "kind"}, kind=kind,
                                     cast=cast_names(s, project.id), current=None)  # fmt: skip
        speaker = values.get("speaker")
        row = ShotRow(
            storyboard_id=board.id, project_id=project.id, order=position + 1, kind=kind, type="medium",
            scene_id=neighbour.scene_id if neighbour else 1, location=neighbour.location if neighbour else "",
            time=neighbour.time if neighbour else "", interior=neighbour.interior if neighbour else None,
            characters=[speaker] if speaker else [], text="", duration=3.0, transition="dissolve",
        )  # fmt: skip
        _apply_shot_fields(row, values)
        row.prompt_used = _planned_prompt(board.style, row)
        s.add(row)
        _renumber([*shots[:position], row, *shots[position:]])
        s.flush()
        return _shot_dict(svc, s, row)


def delete_shot(svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str) -> None:
    """Delete a shot under the project's lock (never the storyboard's only one), then every panel drawn for it and
    its voice from storage."""
    with transaction(svc.sessions) as s:
        locked_project(s, user_id, project_id)
        row = owned_shot(s, user_id, project_id, shot_id)
        board = storyboard_of(s, row.project_id)
        if len(board.shots) == 1:
            raise Conflict("this is the storyboard's only shot: insert another before deleting it", field="shot_id")
        keys = sorted({img.image_key for img in row.images} | {k for k in (row.image_key, row.audio_key) if k})
        s.delete(row)
        _renumber([r for r in board.shots if r.id != row.id])
    forget_files(svc, keys)


def reorder_shots(svc: Services, *, user_id: uuid.UUID, project_id: str, shot_ids: list[str]) -> dict[str, Any]:
    """Put the storyboard's shots in this order (every shot once); returns the storyboard. Panels stay current:
    order is not something a panel shows."""
    with transaction(svc.sessions) as s:
        project = locked_project(s, user_id, project_id)
        board = storyboard_of(s, project.id)
        by_id = {str(r.id): r for r in board.shots}
        wanted = [str(projects.parse_uuid(i, "shot")) for i in shot_ids]
        if len(wanted) != len(set(wanted)) or set(wanted) != set(by_id):
            raise InvalidParams(f"shot_ids must list each of the storyboard's {len(by_id)} shots exactly once",
                                field="shot_ids")  # fmt: skip
        _renumber([by_id[i] for i in wanted])
    return projects.get_storyboard(svc, user_id=user_id, project_id=project_id)


def list_shot_images(svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str) -> list[dict[str, Any]]:
    """Every panel drawn for the shot, oldest first."""
    with svc.sessions() as s:
        row = owned_shot(s, user_id, project_id, shot_id)
        images = s.scalars(select(ShotImage).where(ShotImage.shot_id == row.id)
                           .order_by(ShotImage.created_at, ShotImage.id))  # fmt: skip
        return [
            {"image_id": str(i.id), "image_key": i.image_key, "image_url": svc.signed_url(i.image_key), "seed": i.seed,
             "prompt": i.prompt, "created_at": i.created_at.isoformat(), "is_current": i.is_current, "params": i.params}
            for i in images
        ]  # fmt: skip


def select_shot_image(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, image_id: str
) -> dict[str, Any]:
    """Make an earlier panel the shot's current one again (with the prompt it was drawn from)."""
    with transaction(svc.sessions) as s:
        locked_project(s, user_id, project_id)
        row = owned_shot(s, user_id, project_id, shot_id)
        image = s.get(ShotImage, projects.parse_uuid(image_id, "image"))
        if image is None or image.shot_id != row.id:
            raise NotFound(f"image {image_id} is not a panel of this shot", field="image_id")
        for other in row.images:
            other.is_current = other.id == image.id
        row.image_key, row.status = image.image_key, "completed"
        row.generation_params = {**image.params, "seed": image.seed}
        row.prompt_override = image.prompt if image.prompt != row.prompt_used else None
        s.flush()
        return _shot_dict(svc, s, row)


def regenerate_shot(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, prompt_override: str | None = None,
    seed: int | None = None,
) -> str:  # fmt: skip
    """Start drawing the shot again, with `seed` or a new random one; `prompt_override` becomes the shot's prompt.
    Returns the task id."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise InvalidParams(f"seed must be a whole number from 0 to {MAX_SEED}, or null for a new random one",
                            field="seed")  # fmt: skip
    if prompt_override is not None and not 1 <= len(prompt_override.strip()) <= MAX_TEXT:
        raise InvalidParams(f"prompt_override must be 1-{MAX_TEXT} characters, or null", field="prompt_override")
    with svc.sessions() as s:
        row = owned_shot(s, user_id, project_id, shot_id)
    payload = {"shot_ids": [str(row.id)], "force": True, "prompt_override": prompt_override, "seed": seed}
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="image_generation",
                               payload=payload)  # fmt: skip


def revoice_shot(svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str) -> str:
    """Start voicing the shot's line again; returns the task id."""
    with svc.sessions() as s:
        row = owned_shot(s, user_id, project_id, shot_id)
        if row.kind == "action" or not row.text.strip():
            raise InvalidParams(f"shot {row.order} is an action shot: it has no line to voice", field="shot_id")
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="tts",
                               payload={"shot_ids": [str(row.id)], "force": True})  # fmt: skip


def count_stale(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, int]:
    """What "update stale" would redo: panels and lines that are stale or missing."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        board = storyboard_of(s, project.id)
        states = shot_states(s, board, cast_of(s, project.id))
        voiced = [r for r in board.shots if r.kind != "action" and r.text.strip()]
        return {"panels": sum(1 for r in board.shots if not r.image_key or states[r.id].image_stale),
                "voices": sum(1 for r in voiced if not r.audio_key or states[r.id].voice_stale)}  # fmt: skip


def update_stale(svc: Services, *, user_id: uuid.UUID, project_id: str) -> str:
    """Start redrawing the stale or missing panels and revoicing the stale or missing lines; returns the task id."""
    with svc.sessions() as s:
        storyboard_of(s, projects.owned_project(s, user_id, project_id).id)
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="image_generation",
                               payload={"update_stale": True})  # fmt: skip


def _shot_dict(svc: Services, session: Session, row: ShotRow) -> dict[str, Any]:
    session.expire(row.storyboard, ["shots"])  # reloaded in their new order, new ones included
    states = shot_states(session, row.storyboard, cast_of(session, row.project_id))
    return projects.shot_public(svc, row, states[row.id])


def _renumber(rows: Iterable[ShotRow]) -> None:
    for order, row in enumerate(rows, start=1):
        row.order = order


def _planned_prompt(style: str, row: ShotRow) -> str:
    """A prompt for a shot the creator inserted, like the planner's: style, camera, place, time, who, mood."""
    parts = [f"{style} style comic panel", f"{row.type} shot", row.location, row.time, *row.characters,
             f"{row.emotion} expression" if row.emotion else "", row.text if row.kind == "action" else ""]  # fmt: skip
    return ", ".join(p for p in parts if p)


def _apply_shot_fields(row: ShotRow, values: dict[str, Any]) -> None:
    columns = {"camera": "type", "prompt": "prompt_override"}
    for key, value in values.items():
        setattr(row, columns.get(key, key), value)
