"""What the studio shows when a project opens: one snapshot of everything a creator works on, and the script's
versions. Shared by the Gradio studio and its `/open_project` API step."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from db.models import Script, ScriptVersion, Task
from db.queries import latest_parsed_script
from jobs.progress import ACTIVE
from studio import editor, projects, videos
from studio.errors import NotFound, ProjectNotFound
from studio.services import Services


def open_project(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any]:
    """The project, its script and versions, the parse with warnings, the cast, the storyboard, the last video, the
    subtitle track and the task running now (each None, or empty, when there is none yet)."""
    project = projects.get_project(svc, user_id=user_id, project_id=project_id)
    return {
        "project": {k: v for k, v in project.items() if k != "script"},
        "script": project["script"],
        "versions": script_versions(svc, user_id=user_id, project_id=project_id),
        "parsed": parsed(svc, user_id=user_id, project_id=project_id),
        "characters": editor.list_characters(svc, user_id=user_id, project_id=project_id),
        "storyboard": storyboard(svc, user_id=user_id, project_id=project_id),
        "video": _or_none(videos.latest_video, svc, user_id=user_id, project_id=project_id),
        "subtitles": videos.list_subtitles(svc, user_id=user_id, project_id=project_id),
        "task": running_task(svc, user_id=user_id, project_id=project_id),
    }


def storyboard(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any] | None:
    """The current storyboard with every shot (and its staleness), or None before one is generated."""
    return _or_none(projects.get_storyboard, svc, user_id=user_id, project_id=project_id)


def script_versions(svc: Services, *, user_id: uuid.UUID, project_id: str) -> list[dict[str, Any]]:
    """Every saved version of the script, newest first (without their text)."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        rows = s.scalars(
            select(ScriptVersion)
            .options(defer(ScriptVersion.content))
            .join(Script, Script.id == ScriptVersion.script_id)
            .where(Script.project_id == project.id)
            .order_by(ScriptVersion.version.desc())
        ).all()
        return [_version_public(v) for v in rows]


def script_version(svc: Services, *, user_id: uuid.UUID, project_id: str, version: int) -> dict[str, Any]:
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        row = s.scalars(
            select(ScriptVersion)
            .join(Script, Script.id == ScriptVersion.script_id)
            .where(Script.project_id == project.id, ScriptVersion.version == version)
        ).first()
        if row is None:
            raise NotFound(f"the script has no version {version}", field="version")
        return {**_version_public(row), "content": row.content}


def _version_public(row: ScriptVersion) -> dict[str, Any]:
    return {"version": row.version, "format": row.format, "word_count": row.word_count,
            "estimated_duration": round(row.estimated_duration), "source": row.source,
            "created_at": row.created_at.isoformat()}  # fmt: skip


def restore_script_version(svc: Services, *, user_id: uuid.UUID, project_id: str, version: int) -> dict[str, Any]:
    """Save an earlier version's text as the newest version (nothing is overwritten)."""
    old = script_version(svc, user_id=user_id, project_id=project_id, version=version)
    return projects.save_script(svc, user_id=user_id, project_id=project_id, content=old["content"],
                                format=old["format"])  # fmt: skip


def running_task(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any] | None:
    """The project's newest queued or running task, if any."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        task = s.scalars(
            select(Task).where(Task.project_id == project.id, Task.status.in_(ACTIVE)).order_by(Task.created_at.desc())
        ).first()
        return projects.task_public(task) if task else None


def parsed(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any] | None:
    """The latest parse with its warnings by line (stored when it was parsed), or None before the first parse."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        row = latest_parsed_script(s, project_id=project.id)
        if row is None:
            return None
        return {"parse_id": str(row.id), "scenes": row.scenes, "characters": row.characters, "metadata": row.meta,
                "script_version": row.script_version, "warnings": row.meta.get("warnings", [])}  # fmt: skip


def _or_none(fn, svc: Services, **kwargs: Any) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    try:
        return fn(svc, **kwargs)  # type: ignore[no-any-return]
    except ProjectNotFound:
        raise  # not the caller's project: refused, not shown as "nothing yet"
    except NotFound:
        return None
