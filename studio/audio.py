"""The sound of a project, shared by the REST API and the studio: the built-in music and effects (seeded into the
`bgm` and `sound_effects` tables), recommending and setting the project's music, the effects of each shot, uploads
(checked by decoding them) and voicing one line.

A shot's `sound_effects` (JSON list) holds, in order, the script's cue strings ("心跳", matched to a built-in effect by
`assets_library.match_effect` when mixed; unmatched ones are warnings) and the entries a creator added:
`{"effect_id": <its sound_effects row id>, "volume", "offset"}` for a built-in effect, `{"key": <storage key>,
"upload_id", "name", "volume", "offset"}` for an upload. `volume` is a linear gain (1 = as recorded), `offset` seconds
after the shot starts. The project's music is `project_audio`: `bgm_id`, or with no bgm_id `settings["upload_key"]` (an upload).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import subprocess
import tempfile
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assets_library import (
    MOODS,
    audio_catalog,
    library_item,
    library_url,
    match_effect,
    moods_from_script,
    recommend_music,
)
from db.mapping import character_from_row, characters_of
from db.models import BGM, Asset, CharacterRow, Project, ProjectAudio, ShotRow, SoundEffect
from db.queries import latest_parsed_script, latest_storyboard, lock_project
from db.session import transaction
from pipeline.tts.base import VOICE_SPEED
from pipeline.tts.casting import NARRATOR_KEY, cast_voices
from storage.base import project_key
from studio import projects
from studio.edit_checks import MAX_PREVIEW_TEXT
from studio.editor.rows import forget_files, language_of, owned_character, owned_shot
from studio.errors import InvalidParams, NotFound, NotSupported
from studio.services import Services

logger = logging.getLogger(__name__)

LIBRARY_ROUTE = "/library/audio/"  # where the browser fetches built-in files (studio.api.audio.library_router)
UPLOAD_KINDS = ("effect", "music")
MAX_SECONDS = {"effect": 30.0, "music": 600.0}
MAX_BYTES = {"effect": 2_000_000, "music": 20_000_000}
MAX_SHOT_EFFECTS = 16
MAX_VOLUME, MAX_OFFSET = 2.0, 600.0
MAX_FADE, MAX_START = 60.0, 3600.0
EFFECT_CATEGORIES = ("environment", "action", "emotion", "comic", "household")
# The containers accepted, as ffprobe names them, with the codecs each may hold and the type they are stored as.
FORMATS: dict[str, tuple[tuple[str, ...], str]] = {
    "wav": (("pcm_",), "audio/wav"), "mp3": (("mp3",), "audio/mpeg"),
    "ogg": (("vorbis", "opus", "flac"), "audio/ogg"), "flac": (("flac",), "audio/flac"),
}  # fmt: skip


# -- the library in the database ----------------------------------------------------------------------------------


def seed_audio_library(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Make the `bgm` and `sound_effects` rows match the catalog, keyed by `file_url` (`library:<file>`, stable per
    item id): new items are added, changed ones updated, duplicates (two processes seeding at once) and items gone
    from the catalog removed. Safe to run at every start."""
    catalog = audio_catalog()
    counts = {"added": 0, "updated": 0, "removed": 0}
    with transaction(sessions) as s:
        for model, items in ((BGM, catalog["music"]), (SoundEffect, catalog["effects"])):
            wanted = {library_url(item): item for item in items}
            query = select(model).where(model.file_url.like("library:%")).order_by(model.created_at)
            rows = cast(list[BGM | SoundEffect], list(s.scalars(query)))
            seen: dict[str, BGM | SoundEffect] = {}
            for row in rows:
                if row.file_url not in wanted or row.file_url in seen:
                    if model is BGM and row.file_url in seen:  # keep projects on the surviving copy
                        for audio in s.scalars(select(ProjectAudio).where(ProjectAudio.bgm_id == row.id)):
                            audio.bgm_id = seen[row.file_url].id
                    s.delete(row)
                    counts["removed"] += 1
                    continue
                seen[row.file_url] = row
                if _library_values(model, row) != _item_values(model, wanted[row.file_url]):
                    for name, value in _item_values(model, wanted[row.file_url]).items():
                        setattr(row, name, value)
                    counts["updated"] += 1
            for url, item in wanted.items():
                if url not in seen:
                    s.add(model(file_url=url, **_item_values(model, item)))
                    counts["added"] += 1
    if any(counts.values()):
        logger.info("audio library: %(added)d added, %(updated)d updated, %(removed)d removed", counts)
    return counts


def _item_values(model: type[BGM] | type[SoundEffect], item: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"name": item["name"]["zh"], "category": item["category"],
                              "tags": [*item["tags"]["zh"], *item["tags"]["en"]]}  # fmt: skip
    if model is BGM:
        values |= {"duration": round(item["duration"]), "preview_url": library_url(item),
                   "license_type": item["licence"]["id"]}  # fmt: skip
    else:
        values["duration"] = float(item["duration"])
    return values


def _library_values(model: type[BGM] | type[SoundEffect], row: BGM | SoundEffect) -> dict[str, Any]:
    names = ["name", "category", "tags", "duration"] + (["preview_url", "license_type"] if model is BGM else [])
    return {name: getattr(row, name) for name in names}


def library_route(file_url: str) -> str:
    """The browser's URL for a library file: built-in (`library:music/x.ogg` -> `/library/audio/music/x.ogg`) or
    added by an admin (`library/uploads/bgm_….ogg` -> `/library/audio/uploads/bgm_….ogg`)."""
    if file_url.startswith("library/uploads/"):
        return LIBRARY_ROUTE + "uploads/" + file_url.removeprefix("library/uploads/")
    return LIBRARY_ROUTE + file_url.removeprefix("library:")


def bgm_public(row: BGM) -> dict[str, Any]:
    item = library_item(row.file_url) or {}
    return {
        "id": str(row.id), "key": item.get("id"), "name": row.name, "name_en": item.get("name", {}).get("en", row.name),
        "category": row.category, "duration": row.duration, "url": library_route(row.file_url),
        "preview_url": library_route(row.preview_url or row.file_url), "license_type": row.license_type,
        "tags": list(row.tags),
    }  # fmt: skip


def effect_public(row: SoundEffect) -> dict[str, Any]:
    item = library_item(row.file_url) or {}
    return {"id": str(row.id), "key": item.get("id"), "name": row.name,
            "name_en": item.get("name", {}).get("en", row.name), "category": row.category, "duration": row.duration,
            "url": library_route(row.file_url), "tags": list(row.tags)}  # fmt: skip


def list_bgm(svc: Services, *, category: str | None = None, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    """The music library, a page at a time, by mood (`category`) or all of it."""
    if category is not None and category not in MOODS:
        raise InvalidParams(f"category must be one of {list(MOODS)}", field="category")
    if not 1 <= page <= projects.MAX_PAGE:
        raise InvalidParams(f"page must be between 1 and {projects.MAX_PAGE}", field="page")
    if not 1 <= page_size <= 100:
        raise InvalidParams("page_size must be between 1 and 100", field="page_size")
    with svc.sessions() as s:
        query = select(BGM) if category is None else select(BGM).where(BGM.category == category)
        total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = s.scalars(query.order_by(BGM.category, BGM.file_url).offset((page - 1) * page_size).limit(page_size))
        return {"bgm_list": [bgm_public(r) for r in rows], "total": total, "page": page, "page_size": page_size}


def list_sound_effects(svc: Services, *, category: str | None = None) -> dict[str, Any]:
    """The sound-effect library, by category or all of it."""
    if category is not None and category not in EFFECT_CATEGORIES:
        raise InvalidParams(f"category must be one of {list(EFFECT_CATEGORIES)}", field="category")
    query = select(SoundEffect) if category is None else select(SoundEffect).where(SoundEffect.category == category)
    with svc.sessions() as s:
        rows = s.scalars(query.order_by(SoundEffect.category, SoundEffect.file_url))
        return {"sound_effects": [effect_public(r) for r in rows]}


# -- the project's music ------------------------------------------------------------------------------------------


def recommend_bgm(
    svc: Services, *, user_id: uuid.UUID, project_id: str, script_emotion: str | None = None,
    duration: float | None = None, limit: int = 5,
) -> dict[str, Any]:  # fmt: skip
    """Music for the project, scored 0-1: by `script_emotion` (a mood or an emotion, e.g. "romantic", "害羞") or else
    the emotions and words of its storyboard (or parsed script), and by `duration` or else the storyboard's length."""
    if duration is not None and not 0 < duration <= MAX_START:
        raise InvalidParams(f"duration must be more than 0 and at most {MAX_START:.0f} seconds", field="duration")
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        emotions, texts, length = _script_mood_inputs(s, project)
        if script_emotion is not None:
            moods = moods_from_script([script_emotion])
            if not moods:
                raise InvalidParams(f"script_emotion {script_emotion[:50]!r} names no mood: use one of "
                                    f"{list(MOODS)} or an emotion such as 开心, 紧张, 害羞, nervous",
                                    field="script_emotion")  # fmt: skip
        else:
            moods = moods_from_script(emotions, texts)
            if not emotions and not texts:
                raise InvalidParams("the project has no parsed script yet: parse it, or give script_emotion",
                                    field="script_emotion")  # fmt: skip
        seconds = duration or length or (float(project.target_duration) if project.target_duration else None)
        if not seconds:
            raise InvalidParams("the project has no storyboard to measure yet: give duration", field="duration")
        rows = {r.file_url: r for r in s.scalars(select(BGM).where(BGM.file_url.like("library:%")))}
    picks = []
    for item, score in recommend_music(moods, seconds):
        row = rows.get(library_url(item))
        if row is not None:
            picks.append({"bgm_id": str(row.id), "key": item["id"], "name": item["name"]["zh"],
                          "name_en": item["name"]["en"], "category": item["category"], "duration": item["duration"],
                          "score": score, "url": library_route(row.file_url)})  # fmt: skip
    return {"moods": moods, "duration": round(seconds, 3), "recommendations": picks[:limit]}


def _script_mood_inputs(session: Session, project: Project) -> tuple[list[str | None], list[str], float | None]:
    """The emotions and texts (lines and cues) of the storyboard, else of the parsed script; and the video's length."""
    board = latest_storyboard(session, project_id=project.id)
    if board is not None and board.shots:
        cues = [c for r in board.shots for c in r.sound_effects if isinstance(c, str)]
        texts = [r.text for r in board.shots] + cues
        return [r.emotion for r in board.shots], texts, sum(r.duration for r in board.shots)
    parsed = latest_parsed_script(session, project_id=project.id)
    if parsed is None:
        return [], [], None
    shots = [shot for scene in parsed.scenes for shot in scene.get("shots", [])]
    texts = [str(shot.get("text", "")) for shot in shots]
    texts += [str(cue) for shot in shots for cue in shot.get("sound_effects", [])]
    return [shot.get("emotion") for shot in shots], texts, parsed.meta.get("estimated_duration")


def set_project_bgm(
    svc: Services, *, user_id: uuid.UUID, project_id: str, bgm_id: str | None = None, upload_id: str | None = None,
    volume: float = 0.5, start_time: float = 0.0, fade_in: float = 0.0, fade_out: float = 0.0,
) -> dict[str, Any]:  # fmt: skip
    """Set the project's music (a library track by `bgm_id`, or uploaded music by `upload_id`) with its volume (0-1),
    the second of the video it starts at and its fades; neither id removes the music."""
    _check_range(volume, 0.0, 1.0, "volume")
    _check_range(start_time, 0.0, MAX_START, "start_time")
    _check_range(fade_in, 0.0, MAX_FADE, "fade_in")
    _check_range(fade_out, 0.0, MAX_FADE, "fade_out")
    if bgm_id and upload_id:
        raise InvalidParams("give bgm_id or upload_id, not both", field="upload_id")
    with transaction(svc.sessions) as s:
        project = projects.owned_project(s, user_id, project_id)
        lock_project(s, project_id=project.id, user_id=user_id)
        settings: dict[str, Any] = {}
        track = None
        if bgm_id:
            track = s.get(BGM, projects.parse_uuid(bgm_id, "bgm"))
            if track is None:
                raise NotFound(f"music {bgm_id} does not exist: pick one from GET /api/v1/audio/bgm", field="bgm_id")
        elif upload_id:
            asset = _owned_upload(s, project.id, upload_id, "music", field="upload_id")
            settings = {"upload_id": str(asset.id), "upload_key": asset.file_key, "name": asset.file_name,
                        "duration": asset.meta.get("duration")}  # fmt: skip
        row = s.scalars(select(ProjectAudio).where(ProjectAudio.project_id == project.id)).first()
        if row is None:
            row = ProjectAudio(project_id=project.id)
            s.add(row)
        row.bgm_id = track.id if track else None
        row.bgm_volume, row.bgm_start_time, row.fade_in, row.fade_out = volume, start_time, fade_in, fade_out
        row.settings = {k: v for k, v in (row.settings or {}).items() if k not in _UPLOAD_SETTINGS} | settings
    return get_project_audio(svc, user_id=user_id, project_id=project_id)


_UPLOAD_SETTINGS = ("upload_id", "upload_key", "name", "duration")


def get_project_audio(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any]:
    """The project's music and each shot's effects, with warnings for script cues no built-in effect matches."""
    with svc.sessions() as s:
        project = projects.owned_project(s, user_id, project_id)
        row = s.scalars(select(ProjectAudio).where(ProjectAudio.project_id == project.id)).first()
        music = _music_public(svc, s, row) if row else None
        board = latest_storyboard(s, project_id=project.id)
        shots = [shot_audio_public(svc, s, r) for r in (board.shots if board else [])]
    unmatched = [(shot, e) for shot in shots for e in shot["sound_effects"] if e["type"] == "cue" and not e["matched"]]
    warnings = [{"shot_id": shot["shot_id"], "order": shot["order"], "cue": e["cue"],
                 "message": f"no built-in sound effect matches the cue {e['cue']!r}: add one from the library or "
                            "upload one for this shot"} for shot, e in unmatched]  # fmt: skip
    return {"bgm": music, "shots": shots, "warnings": warnings}


def _music_public(svc: Services, session: Session, row: ProjectAudio) -> dict[str, Any] | None:
    mix = {"volume": row.bgm_volume, "start_time": row.bgm_start_time, "fade_in": row.fade_in, "fade_out": row.fade_out}
    if row.bgm_id is not None:
        track = session.get(BGM, row.bgm_id)
        if track is not None:
            public = bgm_public(track)
            return {"bgm_id": public["id"], "upload_id": None, "key": public["key"], "name": public["name"],
                    "category": public["category"], "duration": float(public["duration"]), "url": public["url"],
                    **mix}  # fmt: skip
    settings = row.settings or {}
    if settings.get("upload_key"):
        return {"bgm_id": None, "upload_id": settings["upload_id"], "key": None, "name": settings.get("name", ""),
                "category": None, "duration": float(settings.get("duration") or 0),
                "url": svc.signed_url(settings["upload_key"]), **mix}  # fmt: skip
    return None


# -- effects on a shot ----------------------------------------------------------------------------------------------


def shot_audio_public(svc: Services, session: Session, row: ShotRow) -> dict[str, Any]:
    effects = {str(e.id): e for e in session.scalars(select(SoundEffect))}
    by_file = {e.file_url: str(e.id) for e in effects.values()}
    return {"shot_id": str(row.id), "order": row.order,
            "sound_effects": [_effect_entry_public(svc, i, e, effects, by_file)
                              for i, e in enumerate(row.sound_effects)]}  # fmt: skip


def _effect_entry_public(
    svc: Services, index: int, entry: Any, effects: dict[str, SoundEffect], by_file: dict[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"index": index, "cue": None, "effect_id": None, "key": None, "upload_id": None,
                           "volume": 1.0, "offset": 0.0, "url": None, "matched": True}  # fmt: skip
    if isinstance(entry, str):
        item = match_effect(entry)
        if item is None:
            return out | {"type": "cue", "cue": entry, "name": entry, "matched": False}
        return out | {"type": "cue", "cue": entry, "name": item["name"]["zh"], "key": item["id"],
                      "effect_id": by_file.get(library_url(item)), "url": LIBRARY_ROUTE + item["file"]}  # fmt: skip
    mix = {"volume": float(entry.get("volume", 1.0)), "offset": float(entry.get("offset", 0.0))}
    if "effect_id" in entry:
        row = effects.get(str(entry["effect_id"]))
        item = library_item(row.file_url) if row is not None else None
        if row is None or item is None:  # an effect the library no longer has: shown, and left out of the mix
            return out | mix | {"type": "library", "effect_id": str(entry["effect_id"]), "name": "?", "matched": False}
        return out | mix | {"type": "library", "effect_id": str(row.id), "key": item["id"], "name": row.name,
                            "url": library_route(row.file_url)}  # fmt: skip
    return out | mix | {"type": "upload", "upload_id": entry.get("upload_id"), "name": entry.get("name", "upload"),
                        "url": svc.signed_url(entry["key"])}  # fmt: skip


def add_shot_effects(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, effect_ids: list[str] | tuple[str, ...] = (),
    volume: float = 1.0, offset: float = 0.0, custom_effects: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:  # fmt: skip
    """Add built-in effects (by id or catalog key, at `volume` and `offset`) and custom ones (a new upload in
    `data_base64`, or an earlier `upload_id`, each with its volume and offset) to a shot. Everything is checked before
    anything is stored: one bad item refuses the whole request."""
    _check_range(volume, 0.0, MAX_VOLUME, "volume")
    _check_range(offset, 0.0, MAX_OFFSET, "offset")
    if not effect_ids and not custom_effects:
        raise InvalidParams("give effect_ids or custom_effects", field="effect_ids")
    added: list[dict[str, Any]] = []
    inline: list[tuple[int, str, dict[str, Any]]] = []  # (place in `added`, field, the item) of new uploads
    with svc.sessions() as s:
        shot = owned_shot(s, user_id, project_id, shot_id)
        pid, count = shot.project_id, len(shot.sound_effects)
        if count + len(effect_ids) + len(custom_effects) > MAX_SHOT_EFFECTS:
            raise InvalidParams(f"a shot holds at most {MAX_SHOT_EFFECTS} sound effects; it has {count}",
                                field="effect_ids")  # fmt: skip
        added += [{"effect_id": _effect_row_id(s, str(e)), "volume": volume, "offset": offset} for e in effect_ids]
        for i, custom in enumerate(custom_effects):
            field = f"custom_effects.{i}"
            mix = {"volume": custom.get("volume", 1.0), "offset": custom.get("offset", 0.0)}
            _check_range(mix["volume"], 0.0, MAX_VOLUME, f"{field}.volume")
            _check_range(mix["offset"], 0.0, MAX_OFFSET, f"{field}.offset")
            if bool(custom.get("upload_id")) == bool(custom.get("data_base64")):
                raise InvalidParams("give either upload_id or data_base64", field=f"{field}.data_base64")
            if custom.get("upload_id"):
                asset = _owned_upload(s, pid, str(custom["upload_id"]), "effect", field=f"{field}.upload_id")
                added.append({"key": asset.file_key, "upload_id": str(asset.id), "name": asset.file_name, **mix})
            else:
                inline.append((len(added), f"{field}.data_base64", custom))
                added.append(mix)
    checked = []
    for index, field, custom in inline:  # decoded outside the session: ffmpeg may take a while
        data = decode_base64(str(custom["data_base64"]), field)
        checked.append((index, data, check_audio_upload(data, "effect", field=field, ffmpeg=svc.settings.ffmpeg),
                        _file_name(custom.get("file_name"))))  # fmt: skip
    stored: list[str] = []
    done = False
    try:
        for index, data, probe, name in checked:
            upload = store_upload(svc, user_id=user_id, project_id=pid, kind="effect", data=data, probe=probe,
                                  file_name=name)  # fmt: skip
            stored.append(upload["key"])
            added[index] |= {"key": upload["key"], "upload_id": upload["upload_id"], "name": name}
        with transaction(svc.sessions) as s:
            lock_project(s, project_id=pid, user_id=user_id)
            shot = owned_shot(s, user_id, project_id, shot_id)
            shot.sound_effects = [*shot.sound_effects, *added]  # a new list: JSON columns see only assignments
            result = shot_audio_public(svc, s, shot)
        done = True
        return result
    finally:
        if not done:  # the shot went away meanwhile, or storage failed: nothing of this request stays
            _forget_uploads(svc, pid, stored)


def remove_shot_effect(
    svc: Services, *, user_id: uuid.UUID, project_id: str, shot_id: str, index: int
) -> dict[str, Any]:
    """Take the effect at `index` (a script cue or an added effect) off the shot; an upload stays reusable."""
    with transaction(svc.sessions) as s:
        shot = owned_shot(s, user_id, project_id, shot_id)
        lock_project(s, project_id=shot.project_id, user_id=user_id)
        if not 0 <= index < len(shot.sound_effects):
            raise NotFound(f"the shot has no sound effect {index} (it has {len(shot.sound_effects)})", field="index")
        shot.sound_effects = [e for i, e in enumerate(shot.sound_effects) if i != index]
        return shot_audio_public(svc, s, shot)


def _effect_row_id(session: Session, effect: str) -> str:
    """A built-in effect's `sound_effects` row id (what a shot stores), from the id or the catalog key."""
    try:
        row = session.get(SoundEffect, uuid.UUID(effect))
    except ValueError:
        key = library_url({"file": f"sfx/{effect}.ogg"}) if re.fullmatch(r"[a-z0-9-]{1,80}", effect) else None
        row = session.scalars(select(SoundEffect).where(SoundEffect.file_url == key)).first() if key else None
    if row is None:
        raise NotFound(f"sound effect {effect[:80]!r} does not exist: pick one from GET /api/v1/audio/sound-effects",
                       field="effect_ids")  # fmt: skip
    return str(row.id)


def _check_range(value: float, low: float, high: float, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidParams(f"{field} must be a number from {low:g} to {high:g}", field=field)


# -- uploads --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioProbe:
    format: str  # wav, mp3, ogg, flac
    codec: str
    duration: float  # seconds, as decoded
    channels: int
    sample_rate: int


def decode_base64(text: str, field: str) -> bytes:
    """Base64 (or a `data:...;base64,` URL) -> bytes; InvalidParams naming `field` otherwise."""
    payload = text.split(",", 1)[1] if text.startswith("data:") and "," in text else text
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParams("is not base64: send the file's bytes base64-encoded", field=field) from None


def _sniff(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def check_audio_upload(data: bytes, kind: str, *, field: str = "data_base64", ffmpeg: str = "ffmpeg") -> AudioProbe:
    """Check an uploaded sound by its content: WAV, MP3, OGG or FLAC that decodes to the end, at most MAX_BYTES and
    MAX_SECONDS for its kind (an effect, or music). Raises InvalidParams naming the problem and the limit."""
    if kind not in UPLOAD_KINDS:
        raise InvalidParams(f"kind must be one of {list(UPLOAD_KINDS)}", field="kind")
    limit = MAX_BYTES[kind]
    if not data:
        raise InvalidParams("the file is empty", field=field)
    if len(data) > limit:
        raise InvalidParams(f"the file is {len(data)} bytes; {kind} uploads may be at most {limit} bytes "
                            f"({limit // 1_000_000} MB): shorten it or send it as OGG or MP3", field=field)  # fmt: skip
    sniffed = _sniff(data)
    if sniffed is None:
        raise InvalidParams("the file is not WAV, MP3, OGG or FLAC audio (judged by its content, not its name)",
                            field=field)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="comicreel-upload-") as tmp:
        path = Path(tmp) / f"upload.{sniffed}"
        path.write_bytes(data)
        info = _ffprobe(path, ffmpeg, field)
        streams = info.get("streams", [])
        audio = [st for st in streams if st.get("codec_type") == "audio"]
        pictures = [st for st in streams if st.get("disposition", {}).get("attached_pic")]
        fmt = next((f for f in str(info.get("format", {}).get("format_name", "")).split(",") if f in FORMATS), None)
        if fmt is None or not audio or len(streams) != len(audio) + len(pictures):
            raise InvalidParams("the file is not WAV, MP3, OGG or FLAC audio with one sound track", field=field)
        codec = str(audio[0].get("codec_name", ""))
        if not codec.startswith(FORMATS[fmt][0]):
            raise InvalidParams(f"{fmt.upper()} holding {codec or 'unknown'} audio is not accepted", field=field)
        duration = _decoded_seconds(path, ffmpeg, field)
    if duration < 0.05:
        raise InvalidParams("the file holds no sound (shorter than 0.05 s)", field=field)
    if duration > MAX_SECONDS[kind]:
        raise InvalidParams(f"the sound lasts {duration:.1f} s; {kind} uploads may last at most "
                            f"{MAX_SECONDS[kind]:.0f} s", field=field)  # fmt: skip
    return AudioProbe(format=fmt, codec=codec, duration=round(duration, 3), channels=int(audio[0].get("channels", 1)),
                      sample_rate=int(audio[0].get("sample_rate", 0) or 0))  # fmt: skip


def _ffprobe(path: Path, ffmpeg: str, field: str) -> dict[str, Any]:
    exe = str(Path(ffmpeg).with_name(Path(ffmpeg).name.replace("ffmpeg", "ffprobe")))
    try:
        result = subprocess.run([exe, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
    except FileNotFoundError:
        raise InvalidParams(f"cannot check audio uploads: {exe} is not installed (Debian: apt-get install ffmpeg)",
                            field=field) from None  # fmt: skip
    except subprocess.TimeoutExpired:
        raise InvalidParams("the file could not be read in time: is it audio?", field=field) from None
    if result.returncode != 0:
        raise InvalidParams("the file is not audio ffmpeg can read (damaged, or another kind of file)", field=field)
    return json.loads(result.stdout or "{}")


def _decoded_seconds(path: Path, ffmpeg: str, field: str) -> float:
    """Decode the whole file (8 kHz mono, 16-bit) and measure it: a truncated or damaged file is refused."""
    try:
        result = subprocess.run([ffmpeg, "-v", "error", "-xerror", "-i", str(path), "-map", "0:a:0", "-ac", "1",
                                 "-ar", "8000", "-f", "s16le", "-"], capture_output=True, timeout=120)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise InvalidParams("the file took too long to decode", field=field) from None
    if result.returncode != 0:
        raise InvalidParams("the file could not be decoded to the end (truncated or damaged)", field=field)
    return len(result.stdout) / 2 / 8000


def _file_name(value: Any) -> str:
    name = Path(str(value or "upload")).name.strip()
    return re.sub(r"[\x00-\x1f]", "", name)[:255] or "upload"


def store_upload(
    svc: Services, *, user_id: uuid.UUID, project_id: uuid.UUID, kind: str, data: bytes, probe: AudioProbe,
    file_name: str,
) -> dict[str, Any]:  # fmt: skip
    """Store checked audio under the project (`projects/<id>/uploads/`) with its `assets` row."""
    key = project_key(project_id, "uploads", f"{kind}_{uuid.uuid4().hex[:16]}.{probe.format}")
    content_type = FORMATS[probe.format][1]
    svc.storage.put_bytes(key, data, content_type)
    done = False
    try:
        with transaction(svc.sessions) as s:
            asset = Asset(project_id=project_id, user_id=user_id, type=f"audio_{kind}", file_name=file_name,
                          file_key=key, file_size=len(data), content_type=content_type, url=key,
                          meta={"kind": kind, **asdict(probe)})  # fmt: skip
            s.add(asset)
            s.flush()
            result = upload_public(svc, asset)
        done = True
        return result
    finally:
        if not done:  # the row was not written (the project went away): the file goes too
            forget_files(svc, [key])


def upload_audio(
    svc: Services, *, user_id: uuid.UUID, project_id: str, kind: str, data_base64: str | None = None,
    file_name: str = "upload", data: bytes | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Check and store an effect or music upload for the project (base64, or the `data` of an asset, checked alike);
    its `upload_id` then goes to a shot or the music."""
    with svc.sessions() as s:
        pid = projects.owned_project(s, user_id, project_id).id
    field = "data_base64" if data is None else "asset_id"
    data = decode_base64(data_base64 or "", field) if data is None else data
    probe = check_audio_upload(data, kind, field=field, ffmpeg=svc.settings.ffmpeg)
    return store_upload(svc, user_id=user_id, project_id=pid, kind=kind, data=data, probe=probe,
                        file_name=_file_name(file_name))  # fmt: skip


def upload_public(svc: Services, asset: Asset) -> dict[str, Any]:
    return {"upload_id": str(asset.id), "kind": asset.meta.get("kind"), "file_name": asset.file_name,
            "format": asset.meta.get("format"), "duration": asset.meta.get("duration"), "file_size": asset.file_size,
            "key": asset.file_key, "url": svc.signed_url(asset.file_key)}  # fmt: skip


def _owned_upload(session: Session, project_id: uuid.UUID, upload_id: str, kind: str, *, field: str) -> Asset:
    asset = session.get(Asset, projects.parse_uuid(upload_id, "upload"))
    if asset is None or asset.project_id != project_id or not asset.type.startswith("audio_"):
        raise NotFound(f"upload {upload_id} does not exist in this project", field=field)
    if asset.type != f"audio_{kind}":
        raise InvalidParams(f"upload {upload_id} is {asset.type.removeprefix('audio_')}; upload it as {kind}",
                            field=field)  # fmt: skip
    return asset


def _forget_uploads(svc: Services, project_id: uuid.UUID, keys: list[str]) -> None:
    """Remove stored uploads (and their rows) of a request that failed after storing them."""
    if keys:
        with transaction(svc.sessions) as s:
            for asset in s.scalars(select(Asset).where(Asset.project_id == project_id, Asset.file_key.in_(keys))):
                s.delete(asset)
        forget_files(svc, keys)


# -- one line, voiced --------------------------------------------------------------------------------------------------


def generate_line(
    svc: Services, *, user_id: uuid.UUID, text: str, project_id: str | None = None, character_id: str | None = None,
    voice_id: str | None = None, emotion: str | None = None, speed: float | None = None,
) -> str:  # fmt: skip
    """Voice one line (a `tts_line` task; its result has the clip's key, URL and length) in a character's voice (its
    project's settings) or the narrator's, at `speed` (0.5-2.0) with `emotion`; returns the task id."""
    if voice_id is not None:
        raise NotSupported("voice_id is not supported yet: the voice follows character_id (its voice settings), "
                           "speed and emotion", field="voice_id")  # fmt: skip
    text = (text or "").strip()
    if not 1 <= len(text) <= MAX_PREVIEW_TEXT:
        raise InvalidParams(f"text must be 1-{MAX_PREVIEW_TEXT} characters", field="text")
    if speed is not None:
        _check_range(speed, VOICE_SPEED[0], VOICE_SPEED[1], "speed")
    if emotion is not None and not 0 < len(emotion.strip()) <= 50:
        raise InvalidParams("emotion must be 1-50 characters", field="emotion")
    with svc.sessions() as s:
        if character_id is not None and project_id is None:
            row = s.get(CharacterRow, projects.parse_uuid(character_id, "character"))
            owner = s.get(Project, row.project_id) if row is not None else None
            if row is None or owner is None or owner.user_id != user_id:
                raise NotFound(f"character {character_id} does not exist", field="character_id")
            project_id = str(row.project_id)
        if project_id is None:
            raise InvalidParams("give project_id or character_id: the line is voiced for a project", field="project_id")
        project = projects.owned_project(s, user_id, project_id)
        character = character_from_row(owned_character(s, user_id, project_id, character_id)) if character_id else None
        language = language_of(s, project, text)
        cast = characters_of(s, project.id)  # the voice as the project's lines have it, apart from the others
    voice = cast_voices(cast)[character.name if character is not None else NARRATOR_KEY]
    if speed is not None:
        voice = replace(voice, speed=float(speed))
    payload = {"text": text, "language": language, "voice": asdict(voice),
               "emotion": emotion.strip() if emotion else None}  # fmt: skip
    return projects.start_task(svc, user_id=user_id, project_id=str(project.id), task_type="tts_line", payload=payload)
