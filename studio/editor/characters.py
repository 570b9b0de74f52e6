"""Edit the cast: characters with their look, voice (and its preview) and reference picture."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections import Counter
from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.mapping import add_reference, character_from_row, reference_image_key, reference_versions, shot_states
from db.models import CharacterRow, utcnow
from db.queries import latest_storyboard
from db.session import transaction
from jobs.work import voice_preview
from pipeline.appearance import appearance_of
from pipeline.errors import VoiceError
from pipeline.models import Character
from pipeline.tts.base import VOICE_KEYS, VoiceProfile, VoiceRequest
from pipeline.tts.casting import NARRATOR_KEY, cast_voices
from storage.base import StorageError, project_key
from studio import projects
from studio.edit_checks import (
    CHARACTER_FIELDS,
    MAX_PREVIEW_TEXT,
    checked_character_fields,
    checked_image,
    checked_voice,
    refuse_unknown,
)
from studio.editor.rows import (
    cast_of,
    cast_rows,
    forget_files,
    language_of,
    locked_project,
    owned_character,
    rename_in_storyboard,
)
from studio.errors import Conflict, InvalidParams, NotFound
from studio.services import Services


def list_characters(svc: Services, *, user_id: uuid.UUID, project_id: str) -> list[dict[str, Any]]:
    """The project's cast in the order it was added, each with its effective voice and how many panels it makes
    stale."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        rows = cast_rows(s, project.id)
        cast = {r.name: character_from_row(r) for r in rows}
        stale, voices = _stale_panels(s, project.id, cast), cast_voices(cast)
        return [character_public(svc, r, stale[r.name], voices[r.name]) for r in rows]


def get_character(svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str) -> dict[str, Any]:
    with svc.sessions() as s:
        row = owned_character(s, user_id, project_id, character_id)
        return _character_dict(svc, s, row)


def create_character(
    svc: Services, *, user_id: uuid.UUID, project_id: str, name: str, description: str | None = None,
    attributes: dict[str, Any] | None = None, appearance: dict[str, Any] | None = None,
    voice: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    values = checked_character_fields({"name": name, "description": description, "attributes": attributes,
                                       "appearance": appearance, "voice": voice})  # fmt: skip
    with transaction(svc.sessions) as s:
        project = locked_project(s, user_id, project_id)
        _check_name_free(s, project.id, values["name"])
        row = CharacterRow(project_id=project.id, **values)
        s.add(row)
        s.flush()
        return character_public(svc, row, 0, cast_voices(cast_of(s, project.id))[row.name])


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
        locked_project(s, user_id, project_id)
        row = owned_character(s, user_id, project_id, character_id)
        old_name = row.name
        if "voice" in values:
            row.voice = values.pop("voice")
        if "name" in values and values["name"] != old_name:
            _check_name_free(s, row.project_id, values["name"])
            # The derived voice comes from the name: keep the one the character has in the cast.
            kept = asdict(cast_voices(cast_of(s, row.project_id))[old_name])
            row.voice = {k: v for k, v in kept.items() if k in VOICE_KEYS and v is not None}
            rename_in_storyboard(s, row.project_id, old_name, values["name"])
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return _character_dict(svc, s, row)


def delete_character(svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str) -> None:
    """Delete a character that has no line in the storyboard (Conflict names the shots where it speaks); it leaves
    every frame it was in. The row goes under the project's lock (so no line is given to it meanwhile), then its
    reference pictures are removed from storage."""
    with transaction(svc.sessions) as s:
        locked_project(s, user_id, project_id)
        row = owned_character(s, user_id, project_id, character_id)
        _check_not_speaking(s, row)
        keys = [str(k) for k in row.reference_images]
        board = latest_storyboard(s, project_id=row.project_id)
        for shot in board.shots if board else ():
            if row.name in shot.characters:
                shot.characters = [c for c in shot.characters if c != row.name]
        s.delete(row)
    forget_files(svc, keys)


def set_reference_image(
    svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str, data: bytes
) -> dict[str, Any]:
    """Make a PNG, JPEG or WebP picture (at most 8 MB and 4096 px a side) the character's reference picture (the one
    before stays as a version)."""
    extension, content_type = checked_image(data)
    with svc.sessions() as s:
        row = owned_character(s, user_id, project_id, character_id)
        pid, cid = row.project_id, row.id
    key = project_key(pid, "references", f"char_{str(cid)[:8]}_{uuid.uuid4().hex[:8]}.{extension}")
    svc.storage.put_bytes(key, data, content_type)
    uploaded = {"source": "uploaded", "sha256": hashlib.sha256(data).hexdigest(), "created_at": utcnow().isoformat()}
    try:
        with transaction(svc.sessions) as s:
            locked_project(s, user_id, project_id)  # one change to a character's pictures at a time
            row = owned_character(s, user_id, project_id, character_id)
            dropped = add_reference(row, key, uploaded)
    except NotFound:  # deleted meanwhile: no file without its row
        svc.storage.delete(key)
        raise
    for old in dropped:
        with contextlib.suppress(StorageError):  # the new picture is in place; a stray file is only disk space
            svc.storage.delete(old)
            svc.forget_ui_file(old)
    return get_character(svc, user_id=user_id, project_id=project_id, character_id=character_id)


def choose_reference_image(
    svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str, key: str
) -> dict[str, Any]:
    """Make one of the character's earlier reference pictures (`key`, from its `reference_versions`) current again;
    panels drawn from now on use it (InvalidParams when it is not one of them)."""
    with transaction(svc.sessions) as s:
        locked_project(s, user_id, project_id)  # one change to a character's pictures at a time
        row = owned_character(s, user_id, project_id, character_id)
        if key not in (str(k) for k in row.reference_images):
            raise InvalidParams("key is not one of the character's reference pictures", field="key")
        add_reference(row, key, row.reference_params.get(key, {}))
    return get_character(svc, user_id=user_id, project_id=project_id, character_id=character_id)


def generate_reference_image(svc: Services, *, user_id: uuid.UUID, project_id: str, character_id: str) -> str:
    """Start drawing the character's reference picture (a character sheet); returns the task id."""
    with svc.sessions() as s:
        row = owned_character(s, user_id, project_id, character_id)
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
        character = character_from_row(owned_character(s, user_id, project_id, character_id)) if character_id else None
        language = language_of(s, project, text or (character.name if character else ""))
        cast = cast_of(s, project.id)
    if character is not None:  # the voice as cast, with the settings being tried in place of the saved ones
        profile = cast_voices({**cast, character.name: replace(character, voice={**character.voice, **chosen})})
        voice_profile = profile[character.name]
    else:
        voice_profile = replace(cast_voices(cast)[NARRATOR_KEY], **chosen)
    name = character.name if character else ("旁白" if language == "zh" else "the narrator")
    line = text or (
        f"你好，我是{name}。很高兴认识你！" if language == "zh" else f"Hello, I'm {name}. Nice to meet you!"
    )
    try:
        return voice_preview(svc.ctx, project.id, VoiceRequest(text=line, language=language, voice=voice_profile))
    except VoiceError as exc:
        raise InvalidParams(str(exc), field="text") from None


def character_public(svc: Services, row: CharacterRow, stale_panels: int, voice: VoiceProfile) -> dict[str, Any]:
    """The character as the API shows it, with `voice`: the one its lines are spoken in (as cast)."""
    reference = reference_image_key(row)
    return {
        "id": str(row.id), "name": row.name, "description": row.description, "attributes": dict(row.attributes),
        "appearance": dict(row.appearance), "profile": appearance_of(character_from_row(row)).to_dict(),
        "voice": _voice_public(voice),
        "voice_id": row.voice_id, "reference_image_key": reference,
        "reference_image_url": svc.signed_url(reference) if reference else None, "stale_panels": stale_panels,
        "reference_versions": [{**v, "url": svc.signed_url(v["key"])} for v in reference_versions(row)],
    }  # fmt: skip


def _character_dict(svc: Services, session: Session, row: CharacterRow) -> dict[str, Any]:
    cast = cast_of(session, row.project_id)
    return character_public(svc, row, _stale_panels(session, row.project_id, cast)[row.name], cast_voices(cast)[row.name])


def _voice_public(voice: VoiceProfile) -> dict[str, Any]:
    return {"gender": voice.gender, "variant": voice.variant, "pitch": voice.pitch, "speed": voice.speed,
            "engine": voice.engine}  # fmt: skip


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
