"""The render job: bring panels and voices up to date, render the preview or final video with its subtitle files and
cover, record the Video row and the project's subtitle track. Segments are cached in object storage, so a render
after a small edit encodes only the shots it touches."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from db.mapping import storyboard_from_row
from db.models import Project, ShotRow, Subtitle, Video
from db.session import transaction
from jobs.context import JobContext
from jobs.inputs import JobInputError, Progress, storyboard_or_fail
from jobs.progress import TaskStopped
from jobs.soundtrack import build_audio_plan
from jobs.work import draw_and_voice
from jobs.workdirs import work_dir
from pipeline.errors import PipelineError
from pipeline.models import PanelLayers, PanelSprite, RenderResult, Timeline, VoiceClip
from pipeline.presets import Output, RenderSettings
from pipeline.render import render_video
from pipeline.subtitles import Cue, subtitle_cues
from pipeline.timeline import build_timeline
from storage.base import ObjectNotFound, ObjectStorage, StorageError, project_key

_CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime"}


class StorageSegments:
    """The render's SegmentCache in object storage, shared by every worker: `projects/<id>/segments/<hash>.mp4`."""

    def __init__(self, storage: ObjectStorage, project_id: uuid.UUID) -> None:
        self.storage, self.project_id = storage, project_id

    def key(self, digest: str) -> str:
        return project_key(self.project_id, "segments", f"{digest}.mp4")

    def fetch(self, digest: str) -> str | None:
        try:
            return self.storage.local_path(self.key(digest))
        except ObjectNotFound:
            return None

    def store(self, digest: str, path: str) -> None:
        self.storage.put_file(self.key(digest), path, "video/mp4")


def render_project(
    ctx: JobContext, project_id: uuid.UUID, payload: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    """Draw and voice whatever is missing, render the video the payload's settings ask for (preview or final), and
    record it. The payload is `RenderSettings.to_dict()` (older payloads with `type` and `platform_preset` work)."""
    settings = RenderSettings.from_dict(payload)
    try:
        output = settings.resolve(_project_aspect(ctx, project_id))
    except PipelineError as exc:
        raise JobInputError(str(exc)) from exc
    before = _set_project_status(ctx, project_id, "generating")
    try:
        draw_and_voice(ctx, project_id, lambda f, step: progress(0.3 * f, step),  # what is missing or stale
                       quality="preview" if settings.kind == "preview" else None)
        progress(0.3, "merging_assets")
        timeline, board_id, shot_ids = load_timeline(ctx, project_id, output)
        cues = subtitle_track(ctx, project_id, timeline, shot_ids)
        audio, warnings = build_audio_plan(ctx, project_id, timeline)  # music and effects; what cannot be heard
        with work_dir(ctx) as tmp:
            out = str(Path(tmp) / f"video.{settings.format}")
            result = render_video(timeline, out, str(Path(tmp) / "render"), ctx.render_options,
                                  lambda f, step: progress(0.3 + 0.65 * f, step), output=output, cues=cues,
                                  cache=StorageSegments(ctx.storage, project_id), audio=audio)  # fmt: skip
            progress(0.97, "uploading")
            keys = _upload(ctx, project_id, settings, result)
            try:
                video_id = _record_video(ctx, project_id, board_id, shot_ids, timeline, cues, result, keys, output,
                                         _status_after(settings, before))
            except BaseException:
                for key in keys.values():  # no file without its row
                    with contextlib.suppress(StorageError):
                        ctx.storage.delete(key)
                raise
        _prune_segments(ctx, project_id)
    except TaskStopped as stopped:
        if not stopped.taken_over:  # the worker that took it over is rendering: the status is its own
            _set_project_status(ctx, project_id, before if before != "generating" else "draft", only_from="generating")
        raise
    except BaseException:
        _set_project_status(ctx, project_id, "failed", only_from="generating")
        raise
    return {
        "video_id": video_id, "type": settings.kind, "video_key": keys["video"], "subtitles_key": keys["srt"],
        "ass_key": keys["ass"], "cover_key": keys["cover"], "format": settings.format,
        "duration": round(result.duration, 3), "width": result.width, "height": result.height, "fps": output.fps,
        "file_size": result.file_size, "shot_durations": [sh.duration for sh in timeline.shots],
        "segments": len(result.segments), "reused_segments": result.reused, "warnings": [*warnings, *result.warnings],
    }  # fmt: skip


def load_timeline(
    ctx: JobContext, project_id: uuid.UUID, output: Output
) -> tuple[Timeline, str, dict[int, uuid.UUID]]:
    """The timeline for `output` from the stored panels and voices (fetched to local files when storage is remote),
    with the storyboard's id and each shot's row id by order."""
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        storyboard = storyboard_from_row(board)
        images = {r.order: ctx.storage.local_path(r.image_key) for r in board.shots if r.image_key}
        voices = {
            r.order: VoiceClip(path=ctx.storage.local_path(r.audio_key), duration=r.audio_duration or 0.0)
            for r in board.shots
            if r.audio_key
        }
        panels = {r.order: r.generation_params or {} for r in board.shots}
        layers = {order: found for order, params in panels.items()
                  if output.settings.motion_comic and (found := _panel_layers(ctx, project_id, params))}  # fmt: skip
        shot_ids = {r.order: r.id for r in board.shots}
        timeline = build_timeline(storyboard, images, voices, size=output.size, fps=output.fps, panels=panels, layers=layers,
                                  pacing=ctx.pacing)  # fmt: skip
        return timeline, str(board.id), shot_ids


def _panel_layers(ctx: JobContext, project_id: uuid.UUID, params: dict[str, Any]) -> PanelLayers | None:
    """A panel's stored layers and sprites as local files, or None (drawn before panels came in layers, a layer is
    gone, or a key outside the project's own files: the plain panel is shown)."""
    names = params.get("layers") or {}
    keys = [*names.values(), *(sp.get("key", "") for sp in params.get("sprites", []))]
    own = f"projects/{project_id}/"
    if "background" not in names or not all(isinstance(k, str) and k.startswith(own) for k in keys):
        return None
    try:
        return PanelLayers(
            background=ctx.storage.local_path(names["background"]),
            foreground=tuple(ctx.storage.local_path(key) for name, key in names.items() if name != "background"),
            sprites=tuple(PanelSprite(sp["character"], sp["state"], ctx.storage.local_path(sp["key"]),
                                      tuple(sp["box"])) for sp in params.get("sprites", [])),  # fmt: skip
        )
    except (StorageError, KeyError, TypeError, ValueError):  # a file gone, or params not as the panel job wrote them
        return None


def subtitle_track(
    ctx: JobContext, project_id: uuid.UUID, timeline: Timeline, shot_ids: dict[int, uuid.UUID]
) -> list[Cue]:
    """The cues to show: one per voiced line, with the creator's edits and added subtitles. An edited or added
    subtitle tied to a shot moves with the shot when the shot's start moves (a re-voiced line before it)."""
    order_of = {shot_id: order for order, shot_id in shot_ids.items()}
    starts = {sh.order: sh.start for sh in timeline.shots}
    ends = {sh.order: sh.start + sh.duration for sh in timeline.shots}
    with ctx.sessions() as s:
        rows = list(s.scalars(select(Subtitle).where(Subtitle.project_id == project_id, Subtitle.origin != "auto")))
    edited = {order_of[r.shot_id]: r for r in rows if r.origin == "edited" and r.shot_id in order_of}
    cues: list[Cue] = []
    for cue in subtitle_cues(timeline):
        row = edited.get(cue.shot_order or -1)
        cues.append(_moved(row, cue, starts, ends) if row else cue)
    for row in rows:
        if row.origin != "manual":
            continue
        order = order_of.get(row.shot_id) if row.shot_id else None
        if row.shot_id and order is None:
            continue  # its shot was deleted
        cue = Cue(row.start_time, row.end_time, row.text, None, "caption", order)
        cues.append(_moved(row, cue, starts, ends) if order else _clamped(cue, 0.0, timeline.duration))
    return sorted((c for c in cues if c.end > c.start), key=lambda c: c.start)


def _moved(row: Subtitle, cue: Cue, starts: dict[int, float], ends: dict[int, float]) -> Cue:
    order = cue.shot_order or 0
    delta = starts[order] - row.shot_start if row.shot_start is not None else 0.0
    moved = replace(cue, text=row.text, start=row.start_time + delta, end=row.end_time + delta)
    return _clamped(moved, starts[order], ends[order])


def _clamped(cue: Cue, low: float, high: float) -> Cue:
    return replace(cue, start=round(min(max(cue.start, low), high), 3), end=round(min(max(cue.end, low), high), 3))


def _upload(ctx: JobContext, project_id: uuid.UUID, settings: RenderSettings, result: RenderResult) -> dict[str, str]:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    base = f"{settings.kind}_{stamp}_{uuid.uuid4().hex[:6]}"
    keys = {
        "video": project_key(project_id, "videos", f"{base}.{settings.format}"),
        "srt": project_key(project_id, "videos", f"{base}.srt"),
        "ass": project_key(project_id, "videos", f"{base}.ass"),
        "cover": project_key(project_id, "videos", f"{base}.jpg"),
    }
    files = {"video": (result.path, _CONTENT_TYPES[settings.format]), "srt": (result.subtitles_path, "application/x-subrip"),
             "ass": (result.ass_path, "text/x-ssa"), "cover": (result.cover_path, "image/jpeg")}  # fmt: skip
    try:
        for name, (path, content_type) in files.items():
            ctx.storage.put_file(keys[name], path, content_type)
    except BaseException:
        for key in keys.values():
            with contextlib.suppress(StorageError):
                ctx.storage.delete(key)
        raise
    return keys


def _prune_segments(ctx: JobContext, project_id: uuid.UUID) -> None:
    """Keep the segments of the latest preview and the latest final video; delete the others."""
    with ctx.sessions() as s:
        keep: set[str] = set()
        for kind in ("preview", "final"):
            video = s.scalars(select(Video).where(Video.project_id == project_id, Video.type == kind,
                                                  Video.render_status == "completed")
                              .order_by(Video.created_at.desc())).first()  # fmt: skip
            keep |= set(video.segments if video else [])
    with contextlib.suppress(StorageError):
        for key in ctx.storage.list(project_key(project_id, "segments", "")):
            if key.rsplit("/", 1)[-1].removesuffix(".mp4") not in keep and key.endswith(".mp4"):
                ctx.storage.delete(key)


def _status_after(settings: RenderSettings, before: str) -> str:
    """A final render completes the project; a preview leaves it as it was (a draft, or completed)."""
    if settings.kind == "final":
        return "completed"
    return before if before in ("draft", "completed") else "draft"


def _project_aspect(ctx: JobContext, project_id: uuid.UUID) -> str:
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        return board.aspect_ratio


def _set_project_status(ctx: JobContext, project_id: uuid.UUID, status: str, *, only_from: str | None = None) -> str:
    """Set the project's status (only when it is `only_from`, if given); returns the status it had."""
    with transaction(ctx.sessions) as s:
        project = s.get(Project, project_id)
        if project is None:
            if only_from is not None:  # setting it back after a failure: a deleted project has nothing to set
                return ""
            raise JobInputError("The project no longer exists.")
        previous = project.status
        if only_from is None or project.status == only_from:
            project.status = status
            project.progress = 100 if status == "completed" else 0
        return previous


def _record_video(
    ctx: JobContext, project_id: uuid.UUID, board_id: str, shot_ids: dict[int, uuid.UUID], timeline: Timeline,
    cues: list[Cue], result: RenderResult, keys: dict[str, str], output: Output, status: str,
) -> str:  # fmt: skip
    """The Video row, the project's subtitle track, and the project's new status, in one transaction that holds the
    task (TaskStopped if it is no longer this run's: another worker renders it)."""
    settings = output.settings
    with transaction(ctx.sessions) as s:
        if ctx.hold_task is not None:
            ctx.hold_task(s)
        video = Video(
            project_id=project_id, storyboard_id=board_id, type=settings.kind, output_url=keys["video"],
            subtitles_key=keys["srt"], ass_key=keys["ass"], cover_key=keys["cover"], segments=[*result.segments, result.sound],
            resolution=f"{result.width}x{result.height}", format=settings.format, file_size=result.file_size,
            duration=round(result.duration, 3), render_status="completed", render_progress=100,
            settings={**settings.to_dict(), "fps": output.fps}, completed_at=datetime.now(UTC),
        )  # fmt: skip
        s.add(video)
        # The track as shown: rows the creator made keep their origin and take their new times; the rest is new.
        # A shot deleted while the video rendered keeps its subtitle in the video, without a link to the shot.
        alive = set(s.scalars(select(ShotRow.id).where(ShotRow.id.in_(list(shot_ids.values())))))
        starts = {sh.order: sh.start for sh in timeline.shots}
        edited = {r.shot_id: r for r in s.scalars(select(Subtitle).where(Subtitle.project_id == project_id,
                                                                         Subtitle.origin == "edited"))}  # fmt: skip
        s.execute(delete(Subtitle).where(Subtitle.project_id == project_id, Subtitle.origin == "auto"))
        for cue in cues:
            shot_id = shot_ids.get(cue.shot_order or -1)
            shot_id = shot_id if shot_id in alive else None
            row = edited.get(shot_id) if shot_id else None
            shot_start = starts.get(cue.shot_order or -1)
            if cue.kind == "caption":
                continue  # the creator's own subtitles stay as they are stored (moved with their shot when shown)
            if row is not None:
                row.start_time, row.end_time, row.shot_start = cue.start, cue.end, shot_start
            else:
                s.add(Subtitle(project_id=project_id, shot_id=shot_id, text=cue.text, start_time=cue.start,
                               end_time=cue.end, origin="auto", shot_start=shot_start))  # fmt: skip
        project = s.get(Project, project_id)
        if project is not None and project.status == "generating":
            project.status, project.progress = status or "draft", 100 if status == "completed" else 0
        s.flush()
        return str(video.id)
