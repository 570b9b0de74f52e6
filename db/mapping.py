"""Rows <-> pipeline dataclasses, in one place: shots, storyboards, parsed scripts and the cast; and what the stored
panels and voices say against their shots' current inputs (staleness)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    CharacterRow,
    ParsedScriptRow,
    ProjectConfig,
    Script,
    ScriptVersion,
    ShotImage,
    ShotRow,
    StoryboardRow,
)
from pipeline.estimate import word_count
from pipeline.models import Character, ParsedScript, Storyboard, StoryboardShot
from pipeline.parse import ScriptWarning, parse_result, script_seconds
from pipeline.shot_requests import PanelSettings, panel_digest, panel_inputs_hash, scene_openers, voice_inputs_hash
from pipeline.timeline import Pacing

# ShotRow column -> StoryboardShot field; the two lists are stored as JSON arrays.
_SHOT_FIELDS = {
    "order": "order", "scene_id": "scene_id", "kind": "kind", "type": "camera", "scene_description": "scene_description",
    "location": "location", "time": "time", "interior": "interior", "characters": "characters", "text": "text",
    "duration": "duration", "transition": "transition", "speaker": "speaker", "emotion": "emotion",
    "sound_effects": "sound_effects", "prompt_used": "prompt", "prompt_override": "prompt_override",
    "motion": "motion",
}  # fmt: skip
_LISTS = ("characters", "sound_effects")


def shot_from_row(row: ShotRow) -> StoryboardShot:
    """The shot as planned and edited. Its `sound_effects` are the script's cues; the effects a creator added (dicts
    in the same column, placed by jobs.soundtrack) are not part of the plan."""
    values: dict[str, Any] = {field: getattr(row, column) for column, field in _SHOT_FIELDS.items()}
    for name in _LISTS:
        values[name] = tuple(values[name])
    values["sound_effects"] = tuple(e for e in values["sound_effects"] if isinstance(e, str))
    return StoryboardShot(**values)


def added_effects(row: ShotRow) -> list[dict[str, Any]]:
    """The effects a creator added to a shot (library effects and uploads), in order."""
    return [dict(e) for e in row.sound_effects or [] if isinstance(e, dict)]


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


def parsed_row_values(parsed: ParsedScript, warnings: Sequence[ScriptWarning] = ()) -> dict[str, Any]:
    data = parse_result(parsed, list(warnings))
    return {"scenes": data["scenes"], "characters": data["characters"], "meta": data["metadata"]}


def script_counts(content: str, fmt: str, pace: Pacing) -> tuple[int, float]:
    """A script's word count and estimated length in seconds (a parse: do it before taking the project's lock)."""
    return word_count(content), script_seconds(content, fmt, pace)  # type: ignore[arg-type]  # a checked format


def add_script_version(
    session: Session, project_id: uuid.UUID, content: str, fmt: str, counts: tuple[int, float], *,
    source: str = "creator",
) -> Script:  # fmt: skip
    """Make `content` the project's script, as a new version that keeps its word count and estimated length
    (`counts`, from `script_counts`; `source`: "creator", or "llm" for a script the language model wrote from
    prose). The caller holds the project's write lock."""
    words, seconds = counts
    script = session.scalars(select(Script).where(Script.project_id == project_id)).first()
    if script is None:
        script = Script(project_id=project_id, content=content, format=fmt, version=1)
        session.add(script)
    else:
        script.version += 1
    script.content, script.format, script.word_count, script.estimated_duration = content, fmt, words, seconds
    session.flush()
    session.add(ScriptVersion(script_id=script.id, version=script.version, content=content, format=fmt,
                              word_count=words, estimated_duration=seconds, source=source))  # fmt: skip
    return script


def characters_of(session: Session, project_id: uuid.UUID) -> dict[str, Character]:
    """The project's cast as the pipeline sees it, in the order the characters were added."""
    rows = session.scalars(
        select(CharacterRow).where(CharacterRow.project_id == project_id).order_by(CharacterRow.created_at)
    )
    return {r.name: character_from_row(r) for r in rows}


def character_from_row(row: CharacterRow) -> Character:
    return Character(name=row.name, attributes=dict(row.attributes), appearance=dict(row.appearance),
                     voice=dict(row.voice or {}), reference_image=reference_image_key(row))  # fmt: skip


def reference_image_key(row: CharacterRow) -> str | None:
    return str(row.reference_images[-1]) if row.reference_images else None


MAX_REFERENCE_VERSIONS = 10  # reference pictures kept per character: the current one and the nine latest before it


def add_reference(row: CharacterRow, key: str, params: dict[str, Any]) -> list[str]:
    """Make the picture at `key` the character's current reference, kept with `params` (what it was drawn from, or
    that it was uploaded) after its earlier ones; returns the keys of the oldest ones beyond MAX_REFERENCE_VERSIONS,
    whose files the caller deletes once this is committed."""
    keys = [*(str(k) for k in row.reference_images if str(k) != key), key]
    dropped, row.reference_images = keys[:-MAX_REFERENCE_VERSIONS], keys[-MAX_REFERENCE_VERSIONS:]
    kept = set(row.reference_images)
    row.reference_params = {k: v for k, v in {**row.reference_params, key: params}.items() if k in kept}
    return dropped


def reference_versions(row: CharacterRow) -> list[dict[str, Any]]:
    """The character's reference pictures in the order they were last made current, each with what it was made
    from; the last is current."""
    keys = [str(k) for k in row.reference_images]
    return [{"key": k, "is_current": i == len(keys) - 1, "params": dict(row.reference_params.get(k, {}))}
            for i, k in enumerate(keys)]  # fmt: skip


# -- staleness -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShotState:
    """What a shot's stored panel and voice say against its current inputs.

    `image_stale`: the current panel was drawn from other inputs than the shot has now; `voice_stale`: likewise for
    its voice. Missing ones are not stale (they are missing), and rows stored before hashes were kept count as
    current. `seed` is the current panel's seed.
    """

    image_stale: bool = False
    voice_stale: bool = False
    seed: int | None = None


def shot_states(session: Session, board: StoryboardRow, characters: dict[str, Character]) -> dict[uuid.UUID, ShotState]:
    """Every shot's state by shot id, in one pass (one query for the current panels; the cast loaded by the caller)."""
    ids = [r.id for r in board.shots]
    current: dict[uuid.UUID, tuple[str | None, int]] = {}
    if ids:
        rows = session.execute(
            select(ShotImage.shot_id, ShotImage.inputs_hash, ShotImage.seed).where(
                ShotImage.shot_id.in_(ids), ShotImage.is_current.is_(True)
            )
        )
        current = {shot_id: (inputs_hash, seed) for shot_id, inputs_hash, seed in rows}
    storyboard = storyboard_from_row(board)
    hashes = panel_hashes(session, board, storyboard, characters)
    states = {}
    for row, shot, panel_hash in zip(board.shots, storyboard.shots, hashes, strict=True):
        stored_hash, seed = current.get(row.id, (None, None))
        image_stale = bool(row.image_key and stored_hash and stored_hash != panel_hash)
        voice_stale = bool(
            row.audio_key and row.voice_hash and shot.voiced
            and row.voice_hash != voice_inputs_hash(shot, characters, storyboard.language)
        )  # fmt: skip
        states[row.id] = ShotState(image_stale=image_stale, voice_stale=voice_stale, seed=seed)
    return states


def panel_hashes(session: Session, board: StoryboardRow, storyboard: Storyboard,
                 characters: dict[str, Character]) -> list[str]:  # fmt: skip
    """What each shot's panel should be drawn from now (pipeline.shot_requests.panel_inputs_hash), in shot order:
    with scene references on, a scene's later shots include its first shot's current panel."""
    scenes = scene_reference_digests(session, board, storyboard)
    openers = scene_openers(storyboard)
    return [panel_inputs_hash(storyboard, shot, characters,
                              scenes.get(shot.scene_id) if openers[shot.scene_id] != shot.order else None)
            for shot in storyboard.shots]  # fmt: skip


def scene_reference_digests(session: Session, board: StoryboardRow, storyboard: Storyboard) -> dict[int, str]:
    """With the project's scene references on: the digest of each scene's reference picture (the current panel of
    its first shot; pipeline.shot_requests.panel_digest) by scene id, for scenes whose first shot has one."""
    config = session.scalars(select(ProjectConfig.config).where(ProjectConfig.project_id == board.project_id)).first()
    if not PanelSettings.from_config(config).scene_reference:
        return {}
    openers = scene_openers(storyboard)
    firsts = {row.id: shot.scene_id for row, shot in zip(board.shots, storyboard.shots, strict=True)
              if openers[shot.scene_id] == shot.order}  # fmt: skip
    rows = session.execute(select(ShotImage.shot_id, ShotImage.image_key, ShotImage.params).where(
        ShotImage.shot_id.in_(list(firsts)), ShotImage.is_current.is_(True)))  # fmt: skip
    return {firsts[shot_id]: panel_digest(key, params) for shot_id, key, params in rows}
