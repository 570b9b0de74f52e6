"""What a render hears besides the voices: the project's music (`project_audio` + its `bgm` row) and every shot's
sound effects (script cues matched in the built-in library, effects the creator added), as a pipeline AudioPlan,
with a warning for each one that cannot be played."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import assets_library
from db.models import BGM, ProjectAudio, SoundEffect
from jobs.context import JobContext
from jobs.inputs import storyboard_or_fail
from pipeline.mix import AudioPlan, EffectHit, MusicBed
from pipeline.models import Timeline
from storage.base import StorageError


def build_audio_plan(ctx: JobContext, project_id: uuid.UUID, timeline: Timeline) -> tuple[AudioPlan, list[str]]:
    """The music and effects of the project placed on `timeline` (an effect at its shot's start plus its offset),
    and the warnings for what is left out: a cue no library effect matches, a file that is gone."""
    warnings: list[str] = []
    starts = {shot.order: shot.start for shot in timeline.shots}
    with ctx.sessions() as s:
        music = _music(ctx, s.scalars(select(ProjectAudio).where(ProjectAudio.project_id == project_id)).first(),
                       s, warnings)  # fmt: skip
        board = storyboard_or_fail(s, project_id)
        effects: list[EffectHit] = []
        for row in board.shots:
            if row.order not in starts:
                continue
            for entry in row.sound_effects or []:
                hit = _effect(ctx, entry, starts[row.order], row.order, s, warnings)
                if hit is not None:
                    effects.append(hit)
    return AudioPlan(music=music, effects=tuple(sorted(effects, key=lambda h: h.at))), warnings


def _music(ctx: JobContext, row: ProjectAudio | None, session: Session, warnings: list[str]) -> MusicBed | None:
    if row is None:
        return None
    if row.bgm_id is not None:
        bgm = session.get(BGM, row.bgm_id)
        path = _resolve(ctx, bgm.file_url) if bgm is not None else None
    elif (row.settings or {}).get("upload_key"):  # music the creator uploaded
        path = _resolve(ctx, str(row.settings["upload_key"]))
    else:
        return None
    if path is None:
        warnings.append("The project's music file is missing: choose the music again in the Audio tab.")
        return None
    return MusicBed(path=path, volume=float(row.bgm_volume), start=float(row.bgm_start_time),
                    fade_in=float(row.fade_in), fade_out=float(row.fade_out))  # fmt: skip


def _effect(
    ctx: JobContext, entry: Any, start: float, order: int, session: Session, warnings: list[str]
) -> EffectHit | None:
    """One entry of `shots.sound_effects`: a script cue (a string) or `{"effect_id" | "key", "volume", "offset"}`."""
    if isinstance(entry, str):
        item = assets_library.match_effect(entry)
        if item is None:
            warnings.append(f"shot {order}: no sound effect in the library matches the cue {entry!r}; "
                            "pick one for the shot in the Audio tab.")  # fmt: skip
            return None
        return EffectHit(path=str(assets_library.audio_file(item)), at=start)
    if not isinstance(entry, Mapping):
        warnings.append(f"shot {order}: a sound effect entry {str(entry)[:60]!r} is not a cue or an effect; remove it.")
        return None
    path = None
    if entry.get("effect_id"):
        try:
            effect = session.get(SoundEffect, uuid.UUID(str(entry["effect_id"])))
        except ValueError:
            effect = None
        path = _resolve(ctx, effect.file_url) if effect is not None else None
    elif entry.get("key"):
        path = _resolve(ctx, str(entry["key"]))
    if path is None:
        warnings.append(f"shot {order}: a sound effect's file is missing; add the effect to the shot again.")
        return None
    try:
        volume, offset = float(entry.get("volume", 1.0)), float(entry.get("offset", 0.0))
    except (TypeError, ValueError):
        warnings.append(f"shot {order}: a sound effect's volume or offset is not a number; set them again.")
        return None
    return EffectHit(path=path, at=round(max(0.0, start + offset), 3), volume=min(4.0, max(0.0, volume)))


def _resolve(ctx: JobContext, file_url: str) -> str | None:
    """A local path for `library:<file>` (the built-in library) or a storage key; None when it is gone."""
    if file_url.startswith(assets_library.LIBRARY_SCHEME):
        try:
            path = assets_library.library_path(file_url)
        except KeyError:
            return None
        return str(path) if path.is_file() else None
    try:
        return ctx.storage.local_path(file_url)
    except StorageError:
        return None
