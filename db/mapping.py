"""Rows <-> pipeline dataclasses, in one place: shots, storyboards, parsed scripts and the cast."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CharacterRow, ParsedScriptRow, ShotRow, StoryboardRow
from pipeline.models import Character, ParsedScript, Storyboard, StoryboardShot

# ShotRow column -> StoryboardShot field; the two lists are stored as JSON arrays.
_SHOT_FIELDS = {
    "order": "order", "scene_id": "scene_id", "kind": "kind", "type": "camera", "scene_description": "scene_description",
    "location": "location", "time": "time", "interior": "interior", "characters": "characters", "text": "text",
    "duration": "duration", "transition": "transition", "speaker": "speaker", "emotion": "emotion",
    "sound_effects": "sound_effects", "prompt_used": "prompt",
}  # fmt: skip
_LISTS = ("characters", "sound_effects")


def shot_from_row(row: ShotRow) -> StoryboardShot:
    values: dict[str, Any] = {field: getattr(row, column) for column, field in _SHOT_FIELDS.items()}
    for name in _LISTS:
        values[name] = tuple(values[name])
    return StoryboardShot(**values)


def shot_row_values(shot: StoryboardShot) -> dict[str, Any]:
    values: dict[str, Any] = {column: getattr(shot, field) for column, field in _SHOT_FIELDS.items()}
    for name in _LISTS:
        values[name] = list(values[name])
    return values


def storyboard_from_row(board: StoryboardRow) -> Storyboard:
    return Storyboard(
        aspect_ratio=board.aspect_ratio,  # type: ignore[arg-type]  # a str column holding an AspectRatio
        style=board.style,
        language=board.language,  # type: ignore[arg-type]  # a str column holding "zh" or "en"
        shots=tuple(shot_from_row(r) for r in board.shots),
    )


def parsed_from_row(row: ParsedScriptRow) -> ParsedScript:
    return ParsedScript.from_dict({"scenes": row.scenes, "characters": row.characters, **row.meta})


def parsed_row_values(parsed: ParsedScript) -> dict[str, Any]:
    data = parsed.to_dict()
    meta = {**data["metadata"], "title": parsed.title, "language": parsed.language, "format": parsed.format}
    return {"scenes": data["scenes"], "characters": data["characters"], "meta": meta}


def characters_of(session: Session, project_id: uuid.UUID) -> dict[str, Character]:
    """The project's cast as the pipeline sees it, in the order the characters were added."""
    rows = session.scalars(
        select(CharacterRow).where(CharacterRow.project_id == project_id).order_by(CharacterRow.created_at)
    )
    return {r.name: Character(name=r.name, attributes=dict(r.attributes), appearance=dict(r.appearance)) for r in rows}
