"""Render requests, rendered videos and the project's subtitle track, for the API and the studio alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from db.models import ShotRow, Subtitle, Video
from db.queries import latest_storyboard
from db.session import transaction
from jobs.quota import QuotaExhausted
from pipeline.errors import PipelineError
from pipeline.presets import RenderSettings
from studio.edit_checks import MAX_TEXT
from studio.errors import InvalidParams, NotFound, QuotaExceeded
from studio.projects import owned_project, parse_uuid, start_task
from studio.services import Services

# Seconds of work per second of video, measured on 2 cores (bench/render.py), and per panel/line still to make.
_RTF = {"preview": 0.15, "final": 0.40}
_PER_PANEL, _PER_LINE = 0.8, 0.3


def start_render(svc: Services, *, user_id: uuid.UUID, project_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Queue a preview or final render; returns the task id and an estimate of how long it takes."""
    checked = RenderSettings.from_dict(settings)
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        board = latest_storyboard(s, project_id=project.id)
        aspect = board.aspect_ratio if board else project.aspect_ratio
        try:
            output = checked.resolve(aspect)
        except PipelineError as exc:
            raise InvalidParams(str(exc)) from None
        seconds, panels, lines = 0.0, 0, 0
        if board is not None:
            seconds, panels, lines = s.execute(
                select(func.coalesce(func.sum(ShotRow.duration), 0.0),
                       func.count().filter(ShotRow.image_key.is_(None)),
                       func.count().filter(ShotRow.audio_key.is_(None), ShotRow.kind != "action"))
                .where(ShotRow.storyboard_id == board.id)
            ).one()  # fmt: skip
    pixels = output.width * output.height / (1080 * 1920)
    estimate = 3 + float(seconds) * _RTF[checked.kind] * max(0.5, pixels) + panels * _PER_PANEL + lines * _PER_LINE
    try:
        task_id = start_task(svc, user_id=user_id, project_id=project_id, task_type="video_render",
                             payload={"settings": checked.to_dict()}, charge_quota=checked.kind == "final")  # fmt: skip
    except QuotaExhausted as exc:
        raise QuotaExceeded(f"{exc}: upgrade the plan or wait for the next period", used=exc.used,
                            total=exc.total) from None  # fmt: skip
    return {"render_task_id": task_id, "status": "queued", "estimated_time": round(estimate)}


def latest_video(svc: Services, *, user_id: uuid.UUID, project_id: str, kind: str | None = None) -> dict[str, Any]:
    """The newest completed video (of `kind`, preview or final, when given) with expiring download URLs."""
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        query = select(Video).where(Video.project_id == project.id, Video.render_status == "completed")
        if kind is not None:
            query = query.where(Video.type == kind)
        video = s.scalars(query.order_by(Video.created_at.desc())).first()
        if video is None or not video.output_url:
            raise NotFound(f"the project has no rendered {kind or ''} video yet: render it first".replace("  ", " "))
        return video_public(svc, video)


def video_public(svc: Services, video: Video) -> dict[str, Any]:
    def url(key: str | None) -> str | None:
        return svc.signed_url(key) if key else None

    expires = datetime.now(UTC) + timedelta(seconds=svc.settings.signed_url_ttl)
    return {
        "video_id": str(video.id), "type": video.type, "format": video.format, "video_key": video.output_url,
        "subtitles_key": video.subtitles_key, "ass_key": video.ass_key, "cover_key": video.cover_key,
        "download_url": url(video.output_url), "subtitles_url": url(video.subtitles_key), "ass_url": url(video.ass_key),
        "cover_url": url(video.cover_key), "expires_at": expires.isoformat(timespec="seconds"),
        "file_size": video.file_size, "duration": video.duration, "resolution": video.resolution,
        "settings": video.settings, "created_at": video.created_at.isoformat(),
    }  # fmt: skip


# -- the subtitle track (seed §3.6) -------------------------------------------------------------------------------


def list_subtitles(svc: Services, *, user_id: uuid.UUID, project_id: str) -> list[dict[str, Any]]:
    with svc.sessions() as s:
        project = owned_project(s, user_id, project_id)
        rows = s.scalars(select(Subtitle).where(Subtitle.project_id == project.id)
                         .order_by(Subtitle.start_time, Subtitle.created_at))  # fmt: skip
        return [subtitle_public(r) for r in rows]


def create_subtitle(
    svc: Services, *, user_id: uuid.UUID, project_id: str, text: str, start_time: float, end_time: float,
    shot_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Add a subtitle of the creator's own (a caption, a sound described); tied to a shot, it moves with it."""
    text = _checked_text(text)
    _check_times(start_time, end_time)
    with transaction(svc.sessions) as s:
        project = owned_project(s, user_id, project_id)
        shot_start = None
        sid = None
        if shot_id is not None:
            shot = s.get(ShotRow, parse_uuid(shot_id, "shot"))
            if shot is None or shot.project_id != project.id:
                raise NotFound(f"shot {shot_id} does not exist in this project")
            sid, shot_start = shot.id, _shot_start(s, shot)
        row = Subtitle(project_id=project.id, shot_id=sid, text=text, start_time=start_time, end_time=end_time,
                       origin="manual", shot_start=shot_start)  # fmt: skip
        s.add(row)
        s.flush()
        return subtitle_public(row)


def update_subtitle(
    svc: Services, *, user_id: uuid.UUID, project_id: str, subtitle_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a subtitle's text or times. A line made by a render becomes `edited`: later renders show its text
    instead of the shot's line (the voice still says the line) and keep its timing relative to the shot."""
    with transaction(svc.sessions) as s:
        project = owned_project(s, user_id, project_id)
        row = _owned_subtitle(s, project.id, subtitle_id)
        if "text" in changes:
            row.text = _checked_text(changes["text"])
        start, end = changes.get("start_time", row.start_time), changes.get("end_time", row.end_time)
        _check_times(start, end)
        row.start_time, row.end_time = start, end
        if row.origin == "auto":
            row.origin = "edited"
        s.flush()
        return subtitle_public(row)


def delete_subtitle(svc: Services, *, user_id: uuid.UUID, project_id: str, subtitle_id: str) -> None:
    """Remove a subtitle: the creator's own goes; an edited line goes back to the shot's line at the next render;
    a line made by a render comes back at the next render (change the shot's text to change it for good)."""
    with transaction(svc.sessions) as s:
        project = owned_project(s, user_id, project_id)
        s.delete(_owned_subtitle(s, project.id, subtitle_id))


def subtitle_public(r: Subtitle) -> dict[str, Any]:
    return {"subtitle_id": str(r.id), "shot_id": str(r.shot_id) if r.shot_id else None, "text": r.text,
            "start_time": r.start_time, "end_time": r.end_time, "origin": r.origin}  # fmt: skip


def _owned_subtitle(s: Any, project_id: uuid.UUID, subtitle_id: str) -> Subtitle:
    row = s.get(Subtitle, parse_uuid(subtitle_id, "subtitle"))
    if row is None or row.project_id != project_id:
        raise NotFound(f"subtitle {subtitle_id} does not exist in this project")
    return row


def _shot_start(s: Any, shot: ShotRow) -> float:
    """Where the shot starts in the last render, from its subtitle; else the sum of the planned durations before."""
    timed = s.scalars(select(Subtitle).where(Subtitle.shot_id == shot.id, Subtitle.shot_start.is_not(None))).first()
    if timed is not None:
        return float(timed.shot_start)
    before = s.scalar(select(func.coalesce(func.sum(ShotRow.duration), 0.0))
                      .where(ShotRow.storyboard_id == shot.storyboard_id, ShotRow.order < shot.order))  # fmt: skip
    return float(before or 0.0)


def _checked_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise InvalidParams(f"text must be 1-{MAX_TEXT} characters", field="text")
    return text.strip()


def _check_times(start: float, end: float) -> None:
    if not 0 <= start < end:
        raise InvalidParams(f"start_time ({start}) must be at least 0 and before end_time ({end})", field="end_time")
