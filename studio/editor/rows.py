"""What the editor's use cases share: the project's lock, owned rows, the cast, files of deleted rows."""

from __future__ import annotations

import logging
import uuid
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.mapping import character_from_row
from db.models import CharacterRow, Project, ShotRow, StoryboardRow
from db.queries import latest_parsed_script, latest_storyboard, lock_project
from pipeline.models import Character
from pipeline.parse import detect_language
from storage.base import StorageError
from studio import projects
from studio.errors import NotFound
from studio.services import Services

logger = logging.getLogger(__name__)


def forget_files(svc: Services, keys: list[str]) -> None:
    """Remove files whose rows are gone; a storage outage leaves them behind (disk space, never a broken link)."""
    try:
        for key in keys:
            svc.storage.delete(key)
            svc.forget_ui_file(key)
    except StorageError:
        logger.warning("could not remove %d files of deleted rows; they stay in storage", len(keys), exc_info=True)


def locked_project(session: Session, user_id: uuid.UUID, project_id: str) -> Project:
    """The project, with its write lock held until the transaction ends (edits to one project queue up)."""
    project = projects.owned_project(session, user_id, project_id)
    lock_project(session, project_id=project.id, user_id=user_id)
    return project


def owned_character(session: Session, user_id: uuid.UUID, project_id: str, character_id: str) -> CharacterRow:
    project = projects.owned_project(session, user_id, project_id)
    row = session.get(CharacterRow, projects.parse_uuid(character_id, "character"))
    if row is None or row.project_id != project.id:
        raise NotFound(f"character {character_id} does not exist in this project", field="character_id")
    return row


def owned_shot(session: Session, user_id: uuid.UUID, project_id: str, shot_id: str, field: str = "shot_id") -> ShotRow:
    project = projects.owned_project(session, user_id, project_id)
    row = session.get(ShotRow, projects.parse_uuid(shot_id, "shot"))
    if row is None or row.project_id != project.id:
        raise NotFound(f"shot {shot_id} does not exist in this project", field=field)
    return row


def storyboard_of(session: Session, project_id: uuid.UUID) -> StoryboardRow:
    board = latest_storyboard(session, project_id=project_id)
    if board is None:
        raise NotFound("the project has no storyboard yet: generate it first")
    return board


def cast_rows(session: Session, project_id: uuid.UUID) -> list[CharacterRow]:
    return list(session.scalars(
        select(CharacterRow).where(CharacterRow.project_id == project_id).order_by(CharacterRow.created_at)
    ))  # fmt: skip


def cast_of(session: Session, project_id: uuid.UUID) -> dict[str, Character]:
    return {r.name: character_from_row(r) for r in cast_rows(session, project_id)}


def cast_names(session: Session, project_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(CharacterRow.name).where(CharacterRow.project_id == project_id)))


def language_of(session: Session, project: Project, sample: str) -> Literal["zh", "en"]:
    board = latest_storyboard(session, project_id=project.id)
    parsed = latest_parsed_script(session, project_id=project.id)
    language = board.language if board else (parsed.meta.get("language") if parsed else None)
    return "zh" if language == "zh" else "en" if language == "en" else detect_language(sample or project.name)


def rename_in_storyboard(session: Session, project_id: uuid.UUID, old: str, new: str) -> None:
    board = latest_storyboard(session, project_id=project_id)
    for shot in board.shots if board else ():
        if shot.speaker == old:
            shot.speaker = new
        if old in shot.characters:
            shot.characters = [new if c == old else c for c in shot.characters]
