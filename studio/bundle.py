"""The project bundle: one zip with everything needed to reopen and re-render a project without drawing or voicing
anything again (export), and a new project made from such a zip (import). The format is in studio.bundle_format."""

from __future__ import annotations

import base64
import contextlib
import importlib.metadata
import io
import json
import os
import re
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.mapping import added_effects, characters_of, panel_hashes, shot_row_values, storyboard_from_row
from db.models import (
    BGM,
    CharacterRow,
    ParsedScriptRow,
    Project,
    ProjectAudio,
    ProjectConfig,
    Script,
    ScriptVersion,
    ShotImage,
    ShotRow,
    SoundEffect,
    StoryboardRow,
    Subtitle,
)
from db.queries import latest_storyboard
from db.session import transaction
from jobs.workdirs import work_dir
from pipeline.shot_requests import voice_inputs_hash
from storage.base import ObjectNotFound, StorageError, project_key
from studio.bundle_format import (
    DOCUMENT,
    FOLDERS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    BundleDoc,
    FileKind,
    ShotDoc,
    StoryboardDoc,
    checked_file,
    read_bundle,
    read_member,
    refuse,
)
from studio.editor.rows import cast_rows
from studio.errors import Conflict
from studio.projects import owned_project
from studio.services import Services

STORAGE_FOLDERS = {"panel": "images", "voice": "audio", "reference": "references"}


def app_version() -> str:
    try:
        return importlib.metadata.version("comicreel")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# -- export ----------------------------------------------------------------------------------------------------


def export_bundle(svc: Services, *, user_id: uuid.UUID, project_id: str) -> dict[str, Any]:
    """Write the project's bundle to storage (`projects/<id>/exports/bundle_<stamp>.zip`) and return its key, file
    name, size and a download URL with its expiry. Conflict when a file went away meanwhile (an edit): export again."""
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        doc, files = _document(s, project)
        pid = project.id
    now = datetime.now(UTC)
    file_name = f"bundle_{now.strftime('%Y%m%d%H%M%S')}.zip"
    key = project_key(pid, "exports", file_name)
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "app_version": app_version(),
                "created_at": now.isoformat(), "counts": doc.counts()}  # fmt: skip
    with work_dir(svc.ctx) as tmp:
        path = str(Path(tmp) / file_name)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.writestr(DOCUMENT, json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=1))
            for member, stored in files.items():
                try:
                    data = svc.storage.get_bytes(stored)
                except ObjectNotFound:
                    raise Conflict(f"the file {stored} went away while the project was exported (it was edited "
                                   "meanwhile): export it again", field="project_id") from None  # fmt: skip
                archive.writestr(member, data, zipfile.ZIP_STORED)  # pictures and sound do not deflate
        size = os.path.getsize(path)
        svc.storage.put_file(key, path, "application/zip")
    expires = now + timedelta(seconds=svc.settings.signed_url_ttl)
    return {"key": key, "file_name": file_name, "file_size": size, "download_url": svc.signed_url(key),
            "expires_at": expires.isoformat()}  # fmt: skip


def _document(s: Session, project: Project) -> tuple[BundleDoc, dict[str, str]]:
    """The bundle's document, and its files: zip member -> storage key."""
    files: dict[str, str] = {}
    members: dict[str, str] = {}

    def member(key: str, kind: FileKind) -> str:
        if key not in members:
            name = f"{FOLDERS[kind]}/{Path(key).name}"
            if name in files:  # two keys with one file name: keep both
                name = f"{FOLDERS[kind]}/{len(files)}_{Path(key).name}"
            files[name], members[key] = key, name
        return members[key]

    config = s.scalars(select(ProjectConfig).where(ProjectConfig.project_id == project.id)).first()
    audio = s.scalars(select(ProjectAudio).where(ProjectAudio.project_id == project.id)).first()
    script = s.scalars(select(Script).where(Script.project_id == project.id)).first()
    versions: list[ScriptVersion] = list(s.scalars(select(ScriptVersion).where(ScriptVersion.script_id == script.id)
                                                   .order_by(ScriptVersion.version))) if script else []  # fmt: skip
    parses = s.scalars(select(ParsedScriptRow).where(ParsedScriptRow.project_id == project.id)
                       .order_by(ParsedScriptRow.parsed_at))  # fmt: skip
    board = latest_storyboard(s, project_id=project.id)
    doc = {
        "project": {
            "name": project.name, "description": project.description, "style": project.style,
            "aspect_ratio": project.aspect_ratio, "target_duration": project.target_duration,
            "config": dict(config.config) if config else None,
            "audio": {"bgm_id": audio.bgm_id, "bgm_volume": audio.bgm_volume, "bgm_start_time": audio.bgm_start_time,
                      "fade_in": audio.fade_in, "fade_out": audio.fade_out, "settings": dict(audio.settings)}
            if audio else None,
        },
        "script": {"content": script.content, "format": script.format, "word_count": script.word_count,
                   "estimated_duration": script.estimated_duration, "version": script.version,
                   "versions": [{"version": v.version, "content": v.content, "format": v.format,
                                 "created_at": v.created_at, "word_count": v.word_count,
                                 "estimated_duration": v.estimated_duration, "source": v.source}
                                for v in versions]} if script else None,
        "parses": [{"id": str(p.id), "script_version": p.script_version, "scenes": p.scenes,
                    "characters": p.characters, "metadata": p.meta, "parsed_at": p.parsed_at} for p in parses],
        "characters": [{
            "name": c.name, "description": c.description, "attributes": c.attributes, "appearance": c.appearance,
            "voice": c.voice or {}, "voice_id": c.voice_id,
            "reference_images": [member(str(k), "reference") for k in c.reference_images],
            "reference_params": [c.reference_params.get(str(k), {}) for k in c.reference_images],
            "embedding_data": base64.b64encode(c.embedding_data).decode() if c.embedding_data is not None else None,
            "created_at": c.created_at} for c in cast_rows(s, project.id)],
        "storyboard": _storyboard_doc(s, board, member) if board else None,
        "subtitles": _subtitle_docs(s, project.id, {r.id: r.order for r in board.shots} if board else {}),
    }  # fmt: skip
    return BundleDoc.model_validate(doc), files


def _subtitle_docs(s: Session, project_id: uuid.UUID, orders: dict[uuid.UUID, int]) -> list[dict[str, Any]]:
    rows = s.scalars(select(Subtitle).where(Subtitle.project_id == project_id, Subtitle.origin != "auto"))
    return [{"text": r.text, "start_time": r.start_time, "end_time": r.end_time, "origin": r.origin,
             "shot_order": orders.get(r.shot_id) if r.shot_id else None, "shot_start": r.shot_start}
            for r in rows if r.shot_id is None or r.shot_id in orders]  # fmt: skip


def _effect_docs(s: Session, row: ShotRow) -> list[dict[str, Any]]:
    """The library effects added to a shot, by library file (an uploaded effect stays with its project)."""
    docs = []
    for entry in added_effects(row):
        effect = s.get(SoundEffect, uuid.UUID(str(entry["effect_id"]))) if entry.get("effect_id") else None
        if effect is not None and effect.file_url.startswith("library:"):
            docs.append({"library": effect.file_url, "volume": entry.get("volume", 1.0),
                         "offset": entry.get("offset", 0.0)})  # fmt: skip
    return docs


def _storyboard_doc(s: Session, board: StoryboardRow, member: Callable[[str, FileKind], str]) -> dict[str, Any]:
    """The storyboard with every shot field, its panels (each saying whether it shows the shot as it is now, which
    the importer's own hashes then record) and its voice."""
    storyboard = storyboard_from_row(board)
    cast = characters_of(s, board.project_id)
    shots = []
    for row, shot, panel_hash in zip(board.shots, storyboard.shots, panel_hashes(s, board, storyboard, cast),
                                     strict=True):  # fmt: skip
        images = sorted(row.images, key=lambda i: (i.created_at, str(i.id)))
        voice = {
            "file": member(row.audio_key, "voice"), "duration": row.audio_duration, "inputs_hash": row.voice_hash,
            "up_to_date": row.voice_hash == voice_inputs_hash(shot, cast, storyboard.language),
        } if row.audio_key else None  # fmt: skip
        shots.append({
            "planned": shot, "generation_params": row.generation_params, "status": row.status,
            "effects": _effect_docs(s, row),
            "panel": member(row.image_key, "panel") if row.image_key else None, "voice": voice,
            "images": [{"file": member(i.image_key, "panel"), "seed": i.seed, "prompt": i.prompt, "params": i.params,
                        "is_current": i.is_current, "created_at": i.created_at, "inputs_hash": i.inputs_hash,
                        "up_to_date": i.inputs_hash == panel_hash} for i in images],
        })  # fmt: skip
    return {"aspect_ratio": board.aspect_ratio, "style": board.style, "language": board.language,
            "options": board.options, "shots": shots,
            "parse_id": str(board.parsed_script_id) if board.parsed_script_id else None}  # fmt: skip


# -- import ----------------------------------------------------------------------------------------------------


def import_bundle(svc: Services, *, user_id: uuid.UUID, data: bytes | str | Path) -> str:
    """Make a new project of the user's from a bundle (the zip's bytes or its path); returns the project's id.

    Everything is checked before anything is written (InvalidParams says what is wrong). The files are uploaded
    first, then every row is written in one transaction; if that fails, the uploaded files are deleted again.
    """
    limit = svc.settings.max_import_bytes
    size = len(data) if isinstance(data, bytes) else os.path.getsize(data)
    if size == 0:
        raise refuse("the bundle is empty")
    if size > limit:
        raise refuse(f"the bundle is {size} bytes; at most {limit} are accepted (COMICREEL_MAX_IMPORT_BYTES)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise refuse("the file is not a zip") from None
    with archive:
        members, doc = read_bundle(archive, limit)
        # 1. Every file read and checked for what it claims to be; each gets its key in the new project.
        pid = uuid.uuid4()
        keys: dict[str, tuple[str, str]] = {}  # member -> (storage key, content type)
        for name, kind in doc.files().items():
            extension, content_type = checked_file(read_member(archive, members[name]), kind, name)
            keys[name] = (project_key(pid, STORAGE_FOLDERS[kind], _file_name(name, extension)), content_type)
        # 2. The files, then the rows in one transaction; no rows, no files.
        uploaded: list[str] = []
        try:
            for name, (key, content_type) in keys.items():
                svc.storage.put_bytes(key, read_member(archive, members[name]), content_type)
                uploaded.append(key)
            with transaction(svc.sessions) as s:
                _insert_project(s, user_id, pid, doc, {name: key for name, (key, _) in keys.items()})
        except BaseException:
            for key in uploaded:
                with contextlib.suppress(StorageError):  # a stray file is only disk space; the error matters
                    svc.storage.delete(key)
            raise
    return str(pid)


def _file_name(member: str, extension: str) -> str:
    """A new file name in the app's style (`shot_001_<8 hex>.png`): the member's stem made key-safe, without the
    random suffixes earlier exports and imports gave it."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", Path(member).stem[:80])
    stem = re.sub(r"(_[0-9a-f]{8})+$", "", stem).strip("_-") or "file"
    return f"{stem}_{uuid.uuid4().hex[:8]}.{extension}"


def _insert_project(s: Session, user_id: uuid.UUID, pid: uuid.UUID, doc: BundleDoc, keys: dict[str, str]) -> None:
    """Every row of the new project (new ids everywhere), in the caller's transaction."""
    p = doc.project
    s.add(Project(id=pid, user_id=user_id, name=p.name, description=p.description, style=p.style,
                  aspect_ratio=p.aspect_ratio, target_duration=p.target_duration, status="draft"))  # fmt: skip
    s.flush()
    if p.config is not None:
        s.add(ProjectConfig(project_id=pid, config=p.config))
    if p.audio is not None:
        bgm = p.audio.bgm_id if p.audio.bgm_id and s.get(BGM, p.audio.bgm_id) else None  # the same music here, or none
        s.add(ProjectAudio(project_id=pid, **{**p.audio.model_dump(), "bgm_id": bgm}))
    if doc.script is not None:
        script = Script(project_id=pid, content=doc.script.content, format=doc.script.format,
                        word_count=doc.script.word_count, estimated_duration=doc.script.estimated_duration,
                        version=doc.script.version)  # fmt: skip
        s.add(script)
        s.flush()
        s.add_all(ScriptVersion(script_id=script.id, **v.model_dump()) for v in doc.script.versions)
    parse_ids: dict[str, uuid.UUID] = {}
    for parse in doc.parses:
        row = ParsedScriptRow(project_id=pid, script_version=parse.script_version, scenes=parse.scenes,
                              characters=parse.characters, meta=parse.metadata, parsed_at=parse.parsed_at)  # fmt: skip
        s.add(row)
        s.flush()
        parse_ids[parse.id] = row.id
    for c in doc.characters:
        s.add(CharacterRow(
            project_id=pid, name=c.name, description=c.description, attributes=c.attributes, appearance=c.appearance,
            voice=c.voice, voice_id=c.voice_id, reference_images=[keys[m] for m in c.reference_images],
            reference_params={keys[m]: params for m, params in zip(c.reference_images, c.reference_params, strict=False)},
            embedding_data=base64.b64decode(c.embedding_data) if c.embedding_data is not None else None,
            created_at=c.created_at,
        ))  # fmt: skip
    shot_ids: dict[int, uuid.UUID] = {}
    if doc.storyboard is not None:
        shot_ids = _insert_storyboard(s, pid, doc.storyboard, parse_ids, keys)
    for sub in doc.subtitles:
        s.add(Subtitle(project_id=pid, shot_id=shot_ids.get(sub.shot_order or 0), text=sub.text,
                       start_time=sub.start_time, end_time=sub.end_time, origin=sub.origin, shot_start=sub.shot_start))  # fmt: skip


def _insert_storyboard(
    s: Session, pid: uuid.UUID, doc: StoryboardDoc, parse_ids: dict[str, uuid.UUID], keys: dict[str, str]
) -> dict[int, uuid.UUID]:
    """The storyboard, its shots and their panels. A panel or voice that showed its shot as exported gets this
    project's own inputs hash (its characters' pictures have new keys here), so it is exactly as current as it was."""
    board = StoryboardRow(project_id=pid, parsed_script_id=parse_ids.get(doc.parse_id or ""), style=doc.style,
                          aspect_ratio=doc.aspect_ratio, language=doc.language, options=doc.options)  # fmt: skip
    current: list[tuple[ShotRow, list[ShotImage], ShotDoc]] = []
    for shot in sorted(doc.shots, key=lambda sh: sh.planned.order):
        voice = shot.voice
        values = shot_row_values(shot.planned)
        for effect in shot.effects:  # the library's row for the same file here
            here = s.scalars(select(SoundEffect).where(SoundEffect.file_url == effect.library)).first()
            if here is not None:
                values["sound_effects"].append({"effect_id": str(here.id), "volume": effect.volume,
                                                "offset": effect.offset})  # fmt: skip
        row = ShotRow(
            project_id=pid, **values,
            generation_params=_without_layers(shot.generation_params), status=shot.status,
            image_key=keys[shot.panel] if shot.panel else None, audio_key=keys[voice.file] if voice else None,
            audio_duration=voice.duration if voice else None, voice_hash=voice.inputs_hash if voice else None,
        )  # fmt: skip
        images = [ShotImage(image_key=keys[i.file], seed=i.seed, prompt=i.prompt, params=_without_layers(i.params),
                            is_current=i.is_current, created_at=i.created_at, inputs_hash=i.inputs_hash)
                  for i in shot.images]  # fmt: skip
        row.images = images
        board.shots.append(row)
        current.append((row, images, shot))
    s.add(board)
    s.flush()
    # The hashes as this project computes them, from its rows read back (as staleness reads them).
    storyboard, cast = storyboard_from_row(board), characters_of(s, pid)
    hashes = panel_hashes(s, board, storyboard, cast)
    for (row, images, shot), planned, panel_hash in zip(current, storyboard.shots, hashes, strict=True):
        for image, image_doc in zip(images, shot.images, strict=True):
            if image_doc.up_to_date:
                image.inputs_hash = panel_hash
        if shot.voice is not None and shot.voice.up_to_date:
            row.voice_hash = voice_inputs_hash(planned, cast, storyboard.language)
    return {row.order: row.id for row, _, _ in current}


def _without_layers(params: dict[str, Any]) -> dict[str, Any]:
    """A panel's params without the keys of its layers: a bundle carries the panels, not their layers (the
    imported project's panels show as plain panels until they are redrawn)."""
    return {k: v for k, v in params.items() if k not in ("layers", "sprites")}
