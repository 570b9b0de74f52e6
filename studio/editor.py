"""The editor's use cases: edit the cast and the storyboard shot by shot, preview voices, pick panels. Shared by the
REST API and the studio; every row is reached through its owner. An edit changes only rows: what it changed shows
as stale panels and voices (db.mapping.shot_states), which "update stale" redraws and revoices."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, replace
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.mapping import character_from_row, reference_image_key, shot_states
from db.models import CharacterRow, Project, ShotImage, ShotRow, StoryboardRow
from db.queries import latest_parsed_script, latest_storyboard, lock_project
from db.session import transaction
from jobs.work import voice_preview
from pipeline.errors import VoiceError
from pipeline.models import SHOT_KINDS, Character
from pipeline.parse import detect_language
from pipeline.tts.base import NARRATOR, VOICE_KEYS, VoiceRequest, voice_for
from storage.base import StorageError, project_key
from studio import projects
from studio.edit_checks import (
    CHARACTER_FIELDS,
    INSERT_FIELDS,
    MAX_PREVIEW_TEXT,
    MAX_SEED,
    MAX_TEXT,
    SHOT_FIELDS,
    checked_character_fields,
    checked_image,
    checked_shot_fields,
    checked_voice,
    refuse_unknown,
)
from studio.errors import Conflict, InvalidParams, NotFound
from studio.services import Services

logger = logging.getLogger(__name__)

# -- characters ------------------------------------------------------------------------------------------------


def list_characters(svc: Services, *, user_id: uuid.UUID, project_id: str) -> list[dict[str, Any]]:
    """The project's cast in the order it was added, each with its effective voice and how many panels it makes
    stale."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        rows = _cast_rows(s, project.id)
        stale = _stale_panels(s, project.id, {r.name: character_from_row(r) for r in rows})
        return [character_public(svc, r, stale[r.name]) for r in rows]


def get_character(svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str) -> dict[str, Any]:
    with svc.sessions() as s:
        row = _owned_character(s, user_id, project_id, character_id)
        return _character_dict(svc, s, row)


def create_character(
    svc: Services, *, user_id: uuid.UUID, project_id: str, name: str, description: str | None = None,
    attributes: dict[str, Any] | None = None, appearance: dict[str, Any] | None = None,
    voice: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    values = checked_character_fields({"name": name, "description": description, "attributes": attributes,
                                       "appearance": appearance, "voice": voice})  # fmt: skip
    with transaction(svc.sessions) as s:
        project = _locked_project(s, user_id, project_id)
        _check_name_free(s, project.id, values["name"])
        row = CharacterRow(project_id=project.id, **values)
        s.add(row)
        s.flush()
        return character_public(svc, row, 0)


def update_character(
    svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change some of a character's fields. A new name follows into the storyboard (speaker, characters in frame)
    and keeps the character's voice; null attributes, appearance or voice mean none (the derived voice)."""
    refuse_unknown(changes, CHARACTER_FIELDS)
    if "name" in changes and changes["name"] is None:
        raise InvalidParams("name cannot be null; leave it out to keep it", field="name")
    values = checked_character_fields(changes)
    with transaction(svc.sessions) as s:
        _locked_project(s, user_id, project_id)
        row = _owned_character(s, user_id, project_id, character_id)
        old_name = row.name
        if "voice" in values:
            row.voice = values.pop("voice")
        if "name" in values and values["name"] != old_name:
            _check_name_free(s, row.project_id, values["name"])
            # The derived voice comes from the name: keep the one the character has.
            row.voice = {k: v for k, v in asdict(voice_for(character_from_row(row))).items() if k in VOICE_KEYS}
            _rename_in_storyboard(s, row.project_id, old_name, values["name"])
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return _character_dict(svc, s, row)


def delete_character(svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str) -> None:
    """Delete a character that has no line in the storyboard (Conflict names the shots where it speaks); it leaves
    every frame it was in. The row goes under the project's lock (so no line is given to it meanwhile), then its
    reference pictures are removed from storage."""
    with transaction(svc.sessions) as s:
        _locked_project(s, user_id, project_id)
        row = _owned_character(s, user_id, project_id, character_id)
        _check_not_speaking(s, row)
        keys = [str(k) for k in row.reference_images]
        board = latest_storyboard(s, project_id=row.project_id)
        for shot in board.shots if board else ():
            if row.name in shot.characters:
                shot.characters = [c for c in shot.characters if c != row.name]
        s.delete(row)
    _forget_files(svc, keys)


def set_reference_image(
    svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str, data: bytes
) -> dict[str, Any]:
    """Make a PNG, JPEG or WebP picture (at most 8 MB and 4096 px a side) the character's reference picture."""
    extension, content_type = checked_image(data)
    with svc.sessions() as s:
        row = _owned_character(s, user_id, project_id, character_id)
        pid, cid = row.project_id, row.id
    key = project_key(pid, "references", f"char_{str(cid)[:8]}_{uuid.uuid4().hex[:8]}.{extension}")
    svc.storage.put_bytes(key, data, content_type)
    try:
        with transaction(svc.sessions) as s:
            row = _owned_character(s, user_id, project_id, character_id)
            replaced, row.reference_images = [str(k) for k in row.reference_images], [key]
    except NotFound:  # deleted meanwhile: no file without its row
        svc.storage.delete(key)
        raise
    for old in replaced:
        with contextlib.suppress(StorageError):  # the new picture is in place; a stray file is only disk space
            svc.storage.delete(old)
            svc.forget_ui_file(old)
    return get_character(svc, user_id=user_id, project_id=project_id, character_id=character_id)


def generate_reference_image(svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str) -> str:
    """Start drawing the character's reference picture (a character sheet); returns the task id."""
    with svc.sessions() as s:
        row = _owned_character(s, user_id, project_id, character_id)
        payload = {"character_id": str(row.id)}
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="image_generation",
                               payload=payload)  # fmt: skip


def preview_voice(
    svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str | None = None,
    voice: dict[str, Any] | None = None, text: str | None = None,
) -> str:  # fmt: skip
    """Voice a sample line (by default a greeting with the character's name, in the project's language) in the
    character's voice, or in `voice` over it (to hear settings before saving them); returns the WAV's storage key."""
    chosen = checked_voice(voice or {})
    if text is not None:
        text = text.strip()
        if not 1 <= len(text) <= MAX_PREVIEW_TEXT:
            raise InvalidParams(f"text must be 1-{MAX_PREVIEW_TEXT} characters", field="text")
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        character = character_from_row(_owned_character(s, user_id, project_id, character_id)) if character_id else None
        language = _language(s, project, text or (character.name if character else ""))
    if character is not None:
        profile = voice_for(replace(character, voice={**character.voice, **chosen}))
    else:
        profile = replace(NARRATOR, **chosen)
    name = character.name if character else ("旁白" if language == "zh" else "the narrator")
    line = text or (f"你好，我是{name}。很高兴认识你！" if language == "zh" else f"Hello, I'm {name}. Nice to meet you!")
    try:
        return voice_preview(svc.ctx, project.id, VoiceRequest(text=line, language=language, voice=profile))
    except VoiceError as exc:
        raise InvalidParams(str(exc), field="text") from None


def character_public(svc: Services, row: CharacterRow, stale_panels: int) -> dict[str, Any]:
    reference = reference_image_key(row)
    return {
        "id": str(row.id), "name": row.name, "description": row.description, "attributes": dict(row.attributes),
        "appearance": dict(row.appearance), "voice": _voice_public(character_from_row(row)),
        "voice_id": row.voice_id, "reference_image_key": reference,
        "reference_image_url": svc.signed_url(reference) if reference else None, "stale_panels": stale_panels,
    }  # fmt: skip


# -- shots -----------------------------------------------------------------------------------------------------


def update_shot(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change some of a shot's fields; its panel and voice become stale where what they show or say changed.
    `prompt` is the creator's words for the panel (null or empty: back to the planned prompt)."""
    refuse_unknown(changes, SHOT_FIELDS)
    with transaction(svc.sessions) as s:
        _locked_project(s, user_id, project_id)
        row = _owned_shot(s, user_id, project_id, shot_id)
        values = checked_shot_fields(changes, kind=row.kind, cast=_cast_names(s, row.project_id), current=row)
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
        project = _locked_project(s, user_id, project_id)
        board = _board(s, project.id)
        shots = list(board.shots)
        position = 0
        if after_shot_id is not None:
            after = _owned_shot(s, user_id, project_id, after_shot_id, field="after_shot_id")
            position = shots.index(after) + 1
        neighbour = shots[position - 1] if position else (shots[0] if shots else None)
        values = checked_shot_fields({k: v for k, v in fields.items() if k != "kind"}, kind=kind,
                                     cast=_cast_names(s, project.id), current=None)  # fmt: skip
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
        _locked_project(s, user_id, project_id)
        row = _owned_shot(s, user_id, project_id, shot_id)
        board = _board(s, row.project_id)
        if len(board.shots) == 1:
            raise Conflict("this is the storyboard's only shot: insert another before deleting it", field="shot_id")
        keys = sorted({img.image_key for img in row.images} | {k for k in (row.image_key, row.audio_key) if k})
        s.delete(row)
        _renumber([r for r in board.shots if r.id != row.id])
    _forget_files(svc, keys)


def _forget_files(svc: Services, keys: list[str]) -> None:
    """Remove files whose rows are gone; a storage outage leaves them behind (disk space, never a broken link)."""
    try:
        for key in keys:
            svc.storage.delete(key)
            svc.forget_ui_file(key)
    except StorageError:
        logger.warning("could not remove %d files of deleted rows; they stay in storage", len(keys), exc_info=True)


def reorder_shots(svc: Services, *, user_id: uuid.UUID, project_id: str, shot_ids: list[str]) -> dict[str, Any]:
    """Put the storyboard's shots in this order (every shot once); returns the storyboard. Panels stay current:
    order is not something a panel shows."""
    with transaction(svc.sessions) as s:
        project = _locked_project(s, user_id, project_id)
        board = _board(s, project.id)
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
        row = _owned_shot(s, user_id, project_id, shot_id)
        images = s.scalars(select(ShotImage).where(ShotImage.shot_id == row.id)
                           .order_by(ShotImage.created_at, ShotImage.id))  # fmt: skip
        return [
            {"image_id": str(i.id), "image_key": i.image_key, "image_url": svc.signed_url(i.image_key), "seed": i.seed,
             "prompt": i.prompt, "created_at": i.created_at.isoformat(), "is_current": i.is_current}
            for i in images
        ]  # fmt: skip


def select_shot_image(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, image_id: str
) -> dict[str, Any]:
    """Make an earlier panel the shot's current one again (with the prompt it was drawn from)."""
    with transaction(svc.sessions) as s:
        _locked_project(s, user_id, project_id)
        row = _owned_shot(s, user_id, project_id, shot_id)
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
        row = _owned_shot(s, user_id, project_id, shot_id)
    payload = {"shot_ids": [str(row.id)], "force": True, "prompt_override": prompt_override, "seed": seed}
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="image_generation",
                               payload=payload)  # fmt: skip


def revoice_shot(svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str) -> str:
    """Start voicing the shot's line again; returns the task id."""
    with svc.sessions() as s:
        row = _owned_shot(s, user_id, project_id, shot_id)
        if row.kind == "action" or not row.text.strip():
            raise InvalidParams(f"shot {row.order} is an action shot: it has no line to voice", field="shot_id")
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="tts",
                               payload={"shot_ids": [str(row.id)], "force": True})  # fmt: skip


def count_stale(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, int]:
    """What "update stale" would redo: panels and lines that are stale or missing."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        board = _board(s, project.id)
        states = shot_states(s, board, _cast(s, project.id))
        voiced = [r for r in board.shots if r.kind != "action" and r.text.strip()]
        return {"panels": sum(1 for r in board.shots if not r.image_key or states[r.id].image_stale),
                "voices": sum(1 for r in voiced if not r.audio_key or states[r.id].voice_stale)}  # fmt: skip


def update_stale(svc: Services, *, user_id: uuid.UUID, project_id: str) -> str:
    """Start redrawing the stale or missing panels and revoicing the stale or missing lines; returns the task id."""
    with svc.sessions() as s:
        _board(s, projects.owned_project(s, user_id, project_id).id)
    return projects.start_task(svc, user_id=user_id, project_id=project_id, task_type="image_generation",
                               payload={"update_stale": True})  # fmt: skip


# -- helpers ---------------------------------------------------------------------------------------------------


def _locked_project(session: Session, user_id: uuid.UUID, project_id: str) -> Project:
    """The project, with its write lock held until the transaction ends (edits to one project queue up)."""
    project = projects.owned_project(session, user_id, project_id)
    lock_project(session, project_id=project.id, user_id=user_id)
    return project


def _owned_character(session: Session, user_id: uuid.UUID, project_id: str, character_id: str) -> CharacterRow:
    project = projects.owned_project(session, user_id, project_id)
    row = session.get(CharacterRow, projects.parse_uuid(character_id, "character"))
    if row is None or row.project_id != project.id:
        raise NotFound(f"character {character_id} does not exist in this project", field="character_id")
    return row


def _owned_shot(
    session: Session, user_id: uuid.UUID, project_id: str, shot_id: str, field: str = "shot_id"
) -> ShotRow:
    project = projects.owned_project(session, user_id, project_id)
    row = session.get(ShotRow, projects.parse_uuid(shot_id, "shot"))
    if row is None or row.project_id != project.id:
        raise NotFound(f"shot {shot_id} does not exist in this project", field=field)
    return row


def _board(session: Session, project_id: uuid.UUID) -> StoryboardRow:
    board = latest_storyboard(session, project_id=project_id)
    if board is None:
        raise NotFound("the project has no storyboard yet: generate it first")
    return board


def _cast_rows(session: Session, project_id: uuid.UUID) -> list[CharacterRow]:
    return list(session.scalars(
        select(CharacterRow).where(CharacterRow.project_id == project_id).order_by(CharacterRow.created_at)
    ))  # fmt: skip


def _cast(session: Session, project_id: uuid.UUID) -> dict[str, Character]:
    return {r.name: character_from_row(r) for r in _cast_rows(session, project_id)}


def _cast_names(session: Session, project_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(CharacterRow.name).where(CharacterRow.project_id == project_id)))


def _stale_panels(session: Session, project_id: uuid.UUID, cast: dict[str, Character]) -> Counter[str]:
    """How many stale panels each character is in."""
    counts: Counter[str] = Counter()
    board = latest_storyboard(session, project_id=project_id)
    if board is not None:
        states = shot_states(session, board, cast)
        for row in board.shots:
            if states[row.id].image_stale:
                counts.update(set(row.characters))
    return counts


def _character_dict(svc: Services, session: Session, row: CharacterRow) -> dict[str, Any]:
    return character_public(svc, row, _stale_panels(session, row.project_id, _cast(session, row.project_id))[row.name])


def _shot_dict(svc: Services, session: Session, row: ShotRow) -> dict[str, Any]:
    session.expire(row.storyboard, ["shots"])  # reloaded in their new order, new ones included
    states = shot_states(session, row.storyboard, _cast(session, row.project_id))
    return projects.shot_public(svc, row, states[row.id])


def _voice_public(character: Character) -> dict[str, Any]:
    voice = voice_for(character)
    return {"gender": voice.gender, "variant": voice.variant, "pitch": voice.pitch, "speed": voice.speed}


def _check_name_free(session: Session, project_id: uuid.UUID, name: str) -> None:
    taken = session.scalars(
        select(CharacterRow.id).where(CharacterRow.project_id == project_id, CharacterRow.name == name)
    ).first()
    if taken is not None:
        raise Conflict(f"the project already has a character named {name!r}", field="name")


def _check_not_speaking(session: Session, row: CharacterRow) -> None:
    board = latest_storyboard(session, project_id=row.project_id)
    lines = [r.order for r in board.shots if r.speaker == row.name] if board else []
    if lines:
        raise Conflict(f"{row.name} speaks in shots {', '.join(map(str, lines))}: give those lines another speaker or "
                       "delete them first", field="character_id", shots=lines)  # fmt: skip


def _rename_in_storyboard(session: Session, project_id: uuid.UUID, old: str, new: str) -> None:
    board = latest_storyboard(session, project_id=project_id)
    for shot in board.shots if board else ():
        if shot.speaker == old:
            shot.speaker = new
        if old in shot.characters:
            shot.characters = [new if c == old else c for c in shot.characters]


def _renumber(rows: Iterable[ShotRow]) -> None:
    for order, row in enumerate(rows, start=1):
        row.order = order


def _language(session: Session, project: Project, sample: str) -> Literal["zh", "en"]:
    board = latest_storyboard(session, project_id=project.id)
    parsed = latest_parsed_script(session, project_id=project.id)
    language = board.language if board else (parsed.meta.get("language") if parsed else None)
    return "zh" if language == "zh" else "en" if language == "en" else detect_language(sample or project.name)


def _planned_prompt(style: str, row: ShotRow) -> str:
    """A prompt for a shot the creator inserted, like the planner's: style, camera, place, time, who, mood."""
    parts = [f"{style} style comic panel", f"{row.type} shot", row.location, row.time, *row.characters,
             f"{row.emotion} expression" if row.emotion else "", row.text if row.kind == "action" else ""]  # fmt: skip
    return ", ".join(p for p in parts if p)


def _apply_shot_fields(row: ShotRow, values: dict[str, Any]) -> None:
    columns = {"camera": "type", "prompt": "prompt_override"}
    for key, value in values.items():
        setattr(row, columns.get(key, key), value)
