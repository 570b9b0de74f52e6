"""Render a script with no server: the studio's own project, job bodies and seeds, on a throwaway data directory.

The CLI and the benchmark call this, so a script gives the same panels and timing here as through the studio or the
API (only the database and storage are temporary).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs import render_job, work
from studio import projects
from studio.config import Settings
from studio.services import build_services

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class OfflineRender:
    video_path: str
    subtitles_path: str
    width: int
    height: int
    duration: float
    file_size: int
    shots: list[dict[str, Any]]  # order, duration (as timed), text, panel_sha256


def render_offline(
    text: str, out_path: str, *, settings: Settings, style: str = "comic", aspect_ratio: str = "9:16",
    fmt: str | None = None, render: dict[str, Any] | None = None, name: str = "script",
    on_progress: Progress | None = None,
) -> OfflineRender:  # fmt: skip
    """Script text to `out_path` (MP4 or MOV) and the SRT beside it, through the same steps as a studio project.
    `render` holds the render settings (`pipeline.presets.RenderSettings.to_dict()` keys; final 1080p by default).

    Raises:
        PipelineError: the script or a tool failed (the message says what to do).
        AppError: an input the studio would refuse too (e.g. a bad style).
    """
    progress = on_progress or (lambda fraction, step: None)
    with tempfile.TemporaryDirectory(prefix="comicreel-") as tmp:
        local = settings.model_copy(update={
            "data_dir": Path(tmp), "database_url": None, "redis_url": None, "storage_backend": "local",
            "storage_dir": None, "embedded_workers": 0, "secret_key": "offline",
        })  # fmt: skip
        svc = build_services(local, immediate=True)
        try:
            user = svc.default_user_id
            project = projects.create_project(svc, user_id=user, name=name[:255] or "script", style=style,
                                              aspect_ratio=aspect_ratio)  # fmt: skip
            projects.save_script(svc, user_id=user, project_id=project["id"], content=text, format=fmt)
            pid = uuid.UUID(project["id"])
            work.parse_project_script(svc.ctx, pid, lambda f, step: progress(0.01 * f, step))
            work.plan_project_storyboard(svc.ctx, pid, {}, lambda f, step: progress(0.01 + 0.01 * f, step))
            done = render_job.render_project(svc.ctx, pid, render or {},
                                       lambda f, step: progress(0.02 + 0.98 * f, step))  # fmt: skip
            progress(1.0, "completed")
            out = Path(out_path)
            out.parent.mkdir(parents=True, exist_ok=True)
            srt = out.with_suffix(".srt")
            svc.storage.download(done["video_key"], str(out))
            svc.storage.download(done["subtitles_key"], str(srt))
            board = projects.get_storyboard(svc, user_id=user, project_id=project["id"])
            shots = [{"order": s["order"], "duration": s["duration"], "text": s["text"],
                      "panel_sha256": hashlib.sha256(svc.storage.get_bytes(s["image_key"])).hexdigest()}
                     for s in board["shots"]]  # fmt: skip
            return OfflineRender(video_path=str(out), subtitles_path=str(srt), width=done["width"],
                                 height=done["height"], duration=done["duration"], file_size=done["file_size"],
                                 shots=shots)  # fmt: skip
        finally:
            svc.stop()
            shutil.rmtree(tmp, ignore_errors=True)
