"""The render job: bring panels and voices up to date, render the MP4 and its SRT, record the Video row."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from db.mapping import storyboard_from_row
from db.models import Project, ShotRow, Subtitle, Video
from db.session import transaction
from jobs.context import JobContext
from jobs.progress import TaskStopped
from jobs.work import JobInputError, Progress, draw_and_voice, storyboard_or_fail
from jobs.workdirs import work_dir
from pipeline.models import RenderResult, Timeline, VoiceClip, frame_size
from pipeline.render import render_video
from pipeline.subtitles import subtitle_cues
from pipeline.timeline import build_timeline
from storage.base import StorageError, project_key


def render_project(
    ctx: JobContext, project_id: uuid.UUID, settings: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    """Draw and voice whatever is missing, then render the MP4 and its SRT, and record the Video row."""
    size = frame_size(_project_aspect(ctx, project_id), settings.get("resolution", "1080p"))
    _set_project_status(ctx, project_id, "generating")
    try:
        draw_and_voice(ctx, project_id, lambda f, step: progress(0.3 * f, step))  # what is missing or stale
        progress(0.3, "merging_assets")
        timeline, board_id, shot_ids = _load_timeline(ctx, project_id, size)
        with work_dir(ctx) as tmp:
            result = render_video(timeline, str(Path(tmp) / "video.mp4"), str(Path(tmp) / "render"), ctx.render_options,
                                  on_progress=lambda f, step: progress(0.3 + 0.65 * f, step))  # fmt: skip
            progress(0.97, "uploading")
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            video_key = project_key(project_id, "videos", f"final_{stamp}_{uuid.uuid4().hex[:6]}.mp4")
            srt_key = video_key.removesuffix(".mp4") + ".srt"
            try:
                ctx.storage.put_file(video_key, result.path, "video/mp4")
                ctx.storage.put_file(srt_key, result.subtitles_path, "application/x-subrip")
                video_id = _record_video(
                    ctx, project_id, board_id, shot_ids, timeline, result, (video_key, srt_key), settings
                )
            except BaseException:
                for key in (video_key, srt_key):  # no file without its row
                    with contextlib.suppress(StorageError):
                        ctx.storage.delete(key)
                raise
    except TaskStopped:
        _set_project_status(ctx, project_id, "draft", only_from="generating")
        raise
    except BaseException:
        _set_project_status(ctx, project_id, "failed", only_from="generating")
        raise
    return {
        "video_id": video_id, "video_key": video_key, "subtitles_key": srt_key,
        "duration": round(result.duration, 3), "width": result.width, "height": result.height,
        "file_size": result.file_size, "shot_durations": [sh.duration for sh in timeline.shots],
    }  # fmt: skip


def _project_aspect(ctx: JobContext, project_id: uuid.UUID) -> str:
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        return board.aspect_ratio


def _set_project_status(ctx: JobContext, project_id: uuid.UUID, status: str, *, only_from: str | None = None) -> None:
    with transaction(ctx.sessions) as s:
        project = s.get(Project, project_id)
        if project is None:
            if only_from is not None:  # setting it back after a failure: a deleted project has nothing to set
                return
            raise JobInputError("The project no longer exists.")
        if only_from is None or project.status == only_from:
            project.status = status
            project.progress = 100 if status == "completed" else 0


def _load_timeline(
    ctx: JobContext, project_id: uuid.UUID, size: tuple[int, int]
) -> tuple[Timeline, str, dict[int, uuid.UUID]]:
    """The timeline from the stored panels and voices (fetched to local files when storage is remote)."""
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        storyboard = storyboard_from_row(board)
        images = {r.order: ctx.storage.local_path(r.image_key) for r in board.shots if r.image_key}
        voices = {
            r.order: VoiceClip(path=ctx.storage.local_path(r.audio_key), duration=r.audio_duration or 0.0)
            for r in board.shots
            if r.audio_key
        }
        shot_ids = {r.order: r.id for r in board.shots}
        return build_timeline(storyboard, images, voices, size=size), str(board.id), shot_ids


def _record_video(
    ctx: JobContext, project_id: uuid.UUID, board_id: str, shot_ids: dict[int, uuid.UUID], timeline: Timeline,
    result: RenderResult, keys: tuple[str, str], settings: dict[str, Any],
) -> str:  # fmt: skip
    """The Video row, the project's subtitles, and the project marked completed, in one transaction."""
    video_key, srt_key = keys
    with transaction(ctx.sessions) as s:
        video = Video(
            project_id=project_id, storyboard_id=board_id, type=settings.get("type", "final"),
            output_url=video_key, subtitles_key=srt_key, resolution=f"{result.width}x{result.height}",
            format="mp4", file_size=result.file_size, duration=round(result.duration, 3),
            render_status="completed", render_progress=100, settings=settings, completed_at=datetime.now(UTC),
        )  # fmt: skip
        s.add(video)
        s.execute(delete(Subtitle).where(Subtitle.project_id == project_id))
        by_start = {round(sh.start + sh.voice_offset, 3): sh.order for sh in timeline.shots}
        # A shot deleted while the video rendered keeps its subtitle in the video, without a link to the shot.
        alive = set(s.scalars(select(ShotRow.id).where(ShotRow.id.in_(list(shot_ids.values())))))
        for cue in subtitle_cues(timeline):
            shot_id = shot_ids.get(by_start.get(cue.start, -1))
            s.add(Subtitle(project_id=project_id, shot_id=shot_id if shot_id in alive else None,
                           text=cue.text, start_time=cue.start, end_time=cue.end))  # fmt: skip
        project = s.get(Project, project_id)
        if project is not None:
            project.status, project.progress = "completed", 100
        s.flush()
        return str(video.id)
