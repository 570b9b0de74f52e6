"""Use cases shared by the REST API, the Gradio studio and the CLI: every row is reached through its owner."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.mapping import ShotState, add_script_version, characters_of, script_counts, shot_states
from db.models import ParsedScriptRow, Project, ProjectConfig, Script, ShotRow, Task
from db.queries import latest_parsed_script, latest_storyboard, lock_project
from db.session import transaction
from jobs.progress import TERMINAL, active_task_ids, cancel_tasks
from jobs.tasks import create_task
from pipeline.errors import ScriptParseError
from pipeline.export import EXPORT_KINDS
from pipeline.models import ASPECT_SIZES, STYLES
from pipeline.parse import FORMATS, check_script_text, detect_format
from pipeline.shot_requests import LOCK_KEY, LOCKS, QUALITIES, QUALITY_KEY, SCENE_REFERENCE_KEY, PanelSettings
from storage.base import StorageError
from studio.errors import Conflict, InvalidParams, NotFound, ProjectNotFound
from studio.services import Services

logger = logging.getLogger(__name__)

MAX_NAME_CHARS = 255
MAX_DESCRIPTION_CHARS = 2000
MAX_PAGE = 100_000


def parse_uuid(value: str | uuid.UUID, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except ValueError:
        raise InvalidParams(f"{what} id {str(value)[:60]!r} is not a UUID", field=f"{what}_id") from None


def owned_project(session: Session, user_id: uuid.UUID, project_id: str | uuid.UUID) -> Project:
    """The project, if it belongs to the user; ProjectNotFound otherwise (never "forbidden": ids are not leaked)."""
    project = session.get(Project, parse_uuid(project_id, "project"))
    if project is None or project.user_id != user_id:
        raise ProjectNotFound(f"project {project_id} does not exist")
    return project


def project_public(p: Project) -> dict[str, Any]:
    panels = PanelSettings.from_config(p.config_row.config if p.config_row else None)
    return {
        "id": str(p.id), "name": p.name, "description": p.description, "style": p.style,
        "aspect_ratio": p.aspect_ratio, "target_duration": p.target_duration, "status": p.status,
        "progress": p.progress, "created_at": p.created_at.isoformat(), "updated_at": p.updated_at.isoformat(),
        LOCK_KEY: panels.lock, QUALITY_KEY: panels.quality, SCENE_REFERENCE_KEY: panels.scene_reference,
    }  # fmt: skip


def _set_panel_settings(session: Session, project: Project, values: dict[str, Any]) -> None:
    """Keep the character lock, image quality and scene reference among `values` in the project's config JSON."""
    changes = {k: values.pop(k) for k in _PANEL_KEYS if k in values}
    if not changes:
        return
    if project.config_row is None:
        project.config_row = ProjectConfig(project_id=project.id, config={})
    project.config_row.config = {**project.config_row.config, **changes}


# -- projects ----------------------------------------------------------------------------------------------

_PANEL_KEYS = (LOCK_KEY, QUALITY_KEY, SCENE_REFERENCE_KEY)  # kept in the project's config JSON


def create_project(
    svc: Services, *, user_id: uuid.UUID, name: str, description: str | None = None, style: str = "comic",
    aspect_ratio: str = "9:16", target_duration: int | None = None, character_lock: str = "none",
    image_quality: str = "final", scene_reference: bool = False,
) -> dict[str, Any]:  # fmt: skip
    values = _checked_project_fields({"name": name, "description": description, "style": style,
                                      "aspect_ratio": aspect_ratio, "target_duration": target_duration,
                                      LOCK_KEY: character_lock, QUALITY_KEY: image_quality,
                                      SCENE_REFERENCE_KEY: scene_reference})  # fmt: skip
    with transaction(svc.sessions) as s:
        panels = {k: values.pop(k) for k in _PANEL_KEYS}
        project = Project(user_id=user_id, **values)
        s.add(project)
        s.flush()
        _set_panel_settings(s, project, panels)
        s.flush()
        return project_public(project)


def _checked_project_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The project fields every door accepts, checked the same way (the API's schema says the same)."""
    out = dict(values)
    if "name" in out:
        out["name"] = (out["name"] or "").strip() if isinstance(out["name"], str) or out["name"] is None else None
        if not out["name"] or len(out["name"]) > MAX_NAME_CHARS:
            raise InvalidParams(f"name must be 1-{MAX_NAME_CHARS} characters", field="name")
    if out.get("description") is not None and (
        not isinstance(out["description"], str) or len(out["description"]) > MAX_DESCRIPTION_CHARS
    ):
        raise InvalidParams(f"description must be at most {MAX_DESCRIPTION_CHARS} characters", field="description")
    if "style" in out and out["style"] not in STYLES:
        raise InvalidParams(f"style must be one of {list(STYLES)}", field="style")
    if "aspect_ratio" in out and out["aspect_ratio"] not in ASPECT_SIZES:
        raise InvalidParams(f"aspect_ratio must be one of {list(ASPECT_SIZES)}", field="aspect_ratio")
    target = out.get("target_duration")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int) or not 5 <= target <= 3600):
        raise InvalidParams("target_duration must be whole seconds between 5 and 3600, or null", field="target_duration")
    if LOCK_KEY in out and out[LOCK_KEY] not in LOCKS:
        raise InvalidParams(f"{LOCK_KEY} must be one of {list(LOCKS)}", field=LOCK_KEY)
    if QUALITY_KEY in out and out[QUALITY_KEY] not in QUALITIES:
        raise InvalidParams(f"{QUALITY_KEY} must be one of {list(QUALITIES)}", field=QUALITY_KEY)
    if SCENE_REFERENCE_KEY in out and not isinstance(out[SCENE_REFERENCE_KEY], bool):
        raise InvalidParams(f"{SCENE_REFERENCE_KEY} must be true or false", field=SCENE_REFERENCE_KEY)
    return out


def list_projects(
    svc: Services, *, user_id: uuid.UUID, page: int = 1, page_size: int = 20, status: str | None = None
) -> dict[str, Any]:
    if not 1 <= page <= MAX_PAGE:
        raise InvalidParams(f"page must be between 1 and {MAX_PAGE}", field="page")
    if not 1 <= page_size <= 100:
        raise InvalidParams("page_size must be between 1 and 100", field="page_size")
    with svc.sessions() as s:
        query = select(Project).where(Project.user_id == user_id)
        if status:
            query = query.where(Project.status == status)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.scalars(query.order_by(Project.created_at.desc()).offset((page - 1) * page_size).limit(page_size)
                         .options(selectinload(Project.config_row)))  # fmt: skip
        return {"projects": [project_public(p) for p in rows], "total": total, "page": page, "page_size": page_size}


def get_project(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any]:
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        out = project_public(project)
        script = s.scalars(select(Script).where(Script.project_id == project.id)).first()
        out["script"] = (
            {"content": script.content, "format": script.format, "version": script.version} if script else None
        )
        return out


def update_project(svc: Services, *, user_id: uuid.UUID, project_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change some of a project's fields; a new style or aspect ratio applies from the next storyboard."""
    allowed = {"name", "description", "style", "aspect_ratio", "target_duration", *_PANEL_KEYS}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidParams(f"cannot change {sorted(unknown)}; changeable: {sorted(allowed)}", field=sorted(unknown)[0])
    nulls = [k for k, v in changes.items() if v is None and k not in ("description", "target_duration")]
    if nulls:
        raise InvalidParams(f"{nulls[0]} cannot be null; leave it out to keep it", field=nulls[0])
    values = _checked_project_fields(changes)
    with transaction(svc.sessions) as s:
        project = owned_project(s, user_id, project_id)
        _set_panel_settings(s, project, values)
        for key, value in values.items():
            setattr(project, key, value)
        s.flush()
        return project_public(project)


def delete_project(svc: Services, *, user_id: uuid.UUID, project_id: str) -> None:
    """Cancel the project's tasks, delete its files, then its rows.

    Rows go only after their files are gone: if storage fails, the project stays (its tasks cancelled) and
    deleting it again finishes the job. A job still running notices its task is gone and stops (killing ffmpeg).
    """
    with transaction(svc.sessions) as s:
        project = owned_project(s, user_id, project_id)
        pid = project.id
        cancel_tasks(s, active_task_ids(s, pid))
    prefix = f"projects/{pid}/"
    for key in svc.storage.list(prefix):
        svc.storage.delete(key)
        svc.forget_ui_file(key)
    with transaction(svc.sessions) as s:
        row = s.get(Project, pid)
        if row is not None:
            s.delete(row)
    try:
        for key in svc.storage.list(prefix):  # written by a job that finished meanwhile
            svc.storage.delete(key)
    except StorageError:  # the project is gone; a stray file is only disk space
        logger.warning("project %s deleted; could not remove files written meanwhile", pid, exc_info=True)


# -- script ------------------------------------------------------------------------------------------------


def save_script(
    svc: Services, *, user_id: uuid.UUID, project_id: str, content: str, format: str | None = None
) -> dict[str, Any]:
    """Save a new version of the project's script; the format is detected when not given.

    Versions are assigned under the project's write lock, so parallel saves get 1, 2, 3... with none lost.
    """
    try:
        check_script_text(content)
    except ScriptParseError as exc:
        raise InvalidParams(str(exc), field="content") from None
    fmt = format or detect_format(content)
    if fmt not in FORMATS:
        raise InvalidParams(f"format must be one of {list(FORMATS)}", field="format")
    pid = parse_uuid(project_id, "project")
    counts = script_counts(content, fmt, svc.ctx.pacing)
    with transaction(svc.sessions) as s:
        if not lock_project(s, project_id=pid, user_id=user_id):
            raise ProjectNotFound(f"project {project_id} does not exist")
        script = add_script_version(s, pid, content, fmt, counts)
        return {"script_id": str(script.id), "version": script.version, "word_count": script.word_count,
                "estimated_duration": round(script.estimated_duration), "format": fmt}  # fmt: skip


def get_parsed(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any]:
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        row = latest_parsed_script(s, project_id=project.id)
        if row is None:
            raise NotFound("the script has not been parsed yet: POST .../script/parse first")
        return {"parse_id": str(row.id), "scenes": row.scenes, "characters": row.characters, "metadata": row.meta}


# -- tasks -------------------------------------------------------------------------------------------------


def start_task(
    svc: Services, *, user_id: uuid.UUID, project_id: str, task_type: str, payload: dict[str, Any] | None = None,
    charge_quota: bool = False,
) -> str:
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
    return str(create_task(svc.ctx, svc.tasks, user_id=user_id, project_id=project.id, task_type=task_type,
                           payload=payload, charge_quota=charge_quota))  # fmt: skip


def task_public(t: Task) -> dict[str, Any]:
    return {
        "task_id": str(t.id), "type": t.type, "status": t.status, "progress": t.progress,
        "current_step": t.current_step, "result": t.result, "error": t.error, "retry_count": t.retry_count,
        "project_id": str(t.project_id) if t.project_id else None,
        "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
        "heartbeat_at": t.heartbeat_at.isoformat() if t.heartbeat_at else None,
        "estimated_remaining": _remaining_seconds(t),
    }  # fmt: skip


def _remaining_seconds(t: Task) -> int | None:
    return remaining_seconds(t.status, t.progress, t.started_at)


def remaining_seconds(status: str, progress: int, started_at: datetime | None) -> int | None:
    """Seconds left at the pace so far (seed §3.6 `estimated_remaining`); None until there is a pace to go by."""
    if status != "processing" or not started_at or progress <= 0:
        return None
    started = started_at if started_at.tzinfo else started_at.replace(tzinfo=UTC)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    return max(0, round(elapsed * (100 - progress) / progress))


def _owned_task(session, user_id: uuid.UUID, task_id: str) -> Task:  # type: ignore[no-untyped-def]
    task = session.get(Task, parse_uuid(task_id, "task"))
    if task is None or task.user_id != user_id:
        raise NotFound(f"task {task_id} does not exist")
    return task


def get_task(svc: Services, *, user_id: uuid.UUID, task_id: str) -> dict[str, Any]:
    with svc.sessions() as s:
        return task_public(_owned_task(s, user_id, task_id))


def cancel_task(svc: Services, *, user_id: uuid.UUID, task_id: str) -> dict[str, Any]:
    """Cancel a queued or running task; its job stops at its next progress report (ffmpeg included)."""
    with transaction(svc.sessions) as s:
        task = _owned_task(s, user_id, task_id)
        if not cancel_tasks(s, [task.id]):
            raise Conflict(f"task {task_id} is already {task.status}", field="task_id")
        s.refresh(task)
        return task_public(task)


def cancel_project_tasks(svc: Services, *, user_id: uuid.UUID, project_id: str) -> int:
    """Cancel every queued or running task of the project (the studio's Cancel button); return how many."""
    with transaction(svc.sessions) as s:
        project = owned_project(s, user_id, project_id)
        return cancel_tasks(s, active_task_ids(s, project.id))


def count_shots(svc: Services, *, user_id: uuid.UUID, project_id: str, voiced: bool = False) -> int:
    """Shots of the current storyboard (only those with a line to voice when `voiced`)."""
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        board = latest_storyboard(s, project_id=project.id)
        if board is None:
            raise NotFound("the project has no storyboard yet: generate it first")
        return sum(1 for r in board.shots if not voiced or (r.kind != "action" and r.text.strip()))


def check_parse(svc: Services, *, user_id: uuid.UUID, project_id: str, parse_id: str) -> None:
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        row = s.get(ParsedScriptRow, parse_uuid(parse_id, "parsed_script"))
        if row is None or row.project_id != project.id:
            raise NotFound(f"parsed script {parse_id} does not exist in this project", field="parsed_script_id")


def wait_task(
    svc: Services, *, user_id: uuid.UUID, task_id: str, on_progress: Callable[[dict[str, Any]], None] | None = None,
    timeout: float = 3600, interval: float = 0.25,
) -> dict[str, Any]:  # fmt: skip
    """Poll the Task row until it completes or fails (or `timeout` passes); report each change."""
    deadline = time.monotonic() + timeout
    last: tuple[Any, ...] = ()
    while True:
        task = get_task(svc, user_id=user_id, task_id=task_id)
        state = (task["status"], task["progress"], task["current_step"])
        if state != last and on_progress:
            on_progress(task)
        last = state
        if task["status"] in TERMINAL or time.monotonic() > deadline:
            return task
        time.sleep(interval)


# -- storyboard and video ----------------------------------------------------------------------------------


def get_storyboard(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any]:
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        board = latest_storyboard(s, project_id=project.id)
        if board is None:
            raise NotFound("the project has no storyboard yet: generate it first")
        states = shot_states(s, board, characters_of(s, project.id))
        shots = [shot_public(svc, r, states[r.id]) for r in board.shots]
        return {
            "storyboard_id": str(board.id),
            "aspect_ratio": board.aspect_ratio,
            "style": board.style,
            "shots": shots,
        }


def shot_public(svc: Services, r: ShotRow, state: ShotState | None = None) -> dict[str, Any]:
    """A shot as the API and the studio show it; `state` (from db.mapping.shot_states) says what is stale."""
    state = state or ShotState()
    return {
        "shot_id": str(r.id), "order": r.order, "type": r.type, "kind": r.kind,
        "scene_description": r.scene_description, "characters": r.characters, "duration": r.duration,
        "transition": r.transition, "motion": r.motion, "image_key": r.image_key,
        "image_url": svc.signed_url(r.image_key) if r.image_key else None,
        "prompt_used": r.prompt_override or r.prompt_used, "prompt_override": r.prompt_override,
        "generation_params": r.generation_params, "status": r.status,
        "dialogue": {"character": r.speaker, "text": r.text, "emotion": r.emotion,
                     "audio_key": r.audio_key, "audio_url": svc.signed_url(r.audio_key) if r.audio_key else None,
                     "audio_duration": r.audio_duration} if r.kind != "action" else None,
        "text": r.text, "sound_effects": r.sound_effects,
        "image_stale": state.image_stale, "voice_stale": state.voice_stale, "seed": state.seed,
    }  # fmt: skip


# -- comic exports -----------------------------------------------------------------------------------------


def start_export(svc: Services, *, user_id: uuid.UUID, project_id: str, kind: str) -> str:
    """Queue an export (webtoon PNG, comic PDF or 剪映 draft) of the project's storyboard; return the task id."""
    if kind not in EXPORT_KINDS:
        raise InvalidParams(f"kind must be one of {list(EXPORT_KINDS)}", field="kind")
    count_shots(svc, user_id=user_id, project_id=project_id)  # the project is the user's and has a storyboard
    return start_task(svc, user_id=user_id, project_id=project_id, task_type="export", payload={"kind": kind})


def latest_exports(svc: Services, *, user_id: uuid.UUID, project_id: str) -> list[dict[str, Any]]:
    """The newest completed export of each kind, with a signed download URL (kinds never exported are left out)."""
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        done = s.scalars(select(Task).where(Task.project_id == project.id, Task.type == "export",
                                            Task.status == "completed").order_by(Task.completed_at.desc()))  # fmt: skip
        latest: dict[str, Task] = {}
        for task in done:
            kind = (task.result or {}).get("kind")
            if kind in EXPORT_KINDS and kind not in latest:
                latest[kind] = task
    expires = datetime.now(UTC) + timedelta(seconds=svc.settings.signed_url_ttl)
    out = []
    for kind in EXPORT_KINDS:
        if kind in latest:
            task, result = latest[kind], latest[kind].result or {}
            out.append({
                "kind": kind, "file_name": result["file_name"], "file_size": result["file_size"],
                "download_url": svc.signed_url(result["key"]), "expires_at": expires.isoformat(),
                "created_at": (task.completed_at or task.created_at).isoformat(),
            })  # fmt: skip
    return out
