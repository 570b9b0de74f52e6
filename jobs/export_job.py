"""The export job: bring panels and voices up to date, then make a webtoon PNG, a comic PDF or a zipped 剪映 draft
from the same timeline as the video, and store it under the project's exports."""

from __future__ import annotations

import re
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from db.models import Project
from jobs.context import JobContext
from jobs.inputs import JobInputError, Progress, storyboard_or_fail
from jobs.render_job import load_timeline, subtitle_track
from jobs.work import draw_and_voice
from jobs.workdirs import work_dir
from pipeline.export import EXPORT_KINDS, export_comic_pdf, export_jianying_draft, export_webtoon
from pipeline.models import Timeline
from pipeline.presets import RenderSettings
from pipeline.subtitles import Cue
from storage.base import project_key

CONTENT_TYPES = {".png": "image/png", ".pdf": "application/pdf", ".zip": "application/zip"}
_UNSAFE_IN_FOLDER_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def export_project(
    ctx: JobContext, project_id: uuid.UUID, payload: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    """Draw and voice whatever is missing, make the export `payload["kind"]` names and upload it.

    Returns:
        {"kind", "key", "file_size", "file_name"}: the stored object's key, size in bytes and name.
    """
    kind = payload.get("kind")
    if kind not in EXPORT_KINDS:
        raise JobInputError(f"export kind {kind!r} is unknown; use one of {list(EXPORT_KINDS)}.")
    draw_and_voice(ctx, project_id, lambda f, step: progress(0.6 * f, step))  # what is missing or stale
    progress(0.6, "merging_assets")
    timeline, cues, title = _load_timeline(ctx, project_id)
    font_path = ctx.render_options.font_path
    with work_dir(ctx) as tmp:
        progress(0.65, f"exporting_{kind}")
        if kind == "webtoon":
            parts = export_webtoon(timeline, str(Path(tmp) / "webtoon.png"), title=title, font_path=font_path)
            path = parts[0] if len(parts) == 1 else _zip(Path(tmp) / "webtoon.zip", [Path(p) for p in parts], Path(tmp))
        elif kind == "pdf":
            path = export_comic_pdf(timeline, str(Path(tmp) / "comic.pdf"), title=title, font_path=font_path)
        else:
            drafts = Path(tmp) / "drafts"
            drafts.mkdir()
            folder = Path(
                export_jianying_draft(timeline, cues, str(drafts), name=_draft_name(title))
            )
            path = _zip(Path(tmp) / "jianying.zip", sorted(p for p in folder.rglob("*") if p.is_file()), drafts)
        progress(0.95, "uploading")
        suffix = Path(path).suffix
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        file_name = f"{kind}_{stamp}_{uuid.uuid4().hex[:6]}{suffix}"
        key = project_key(project_id, "exports", file_name)
        ctx.storage.put_file(key, path, CONTENT_TYPES[suffix])
        size = Path(path).stat().st_size
    return {"kind": kind, "key": key, "file_size": size, "file_name": file_name}


def _load_timeline(ctx: JobContext, project_id: uuid.UUID) -> tuple[Timeline, list[Cue], str]:
    """The timeline as a final render at the project's shape in 1080p would time it, the subtitle track (the
    creator's edits included) and the project's name."""
    with ctx.sessions() as s:
        project = s.get(Project, project_id)
        if project is None:
            raise JobInputError("The project no longer exists.")
        name = project.name
        aspect = storyboard_or_fail(s, project_id).aspect_ratio
    timeline, _, shot_ids = load_timeline(ctx, project_id, RenderSettings().resolve(aspect))
    return timeline, subtitle_track(ctx, project_id, timeline, shot_ids), name


def _draft_name(title: str) -> str:
    """The project's name as a folder name JianYing and every desktop system accept."""
    name = _UNSAFE_IN_FOLDER_NAME.sub("_", " ".join(title.split())).strip(" .")[:80].strip()
    return name or "ComicReel"


def _zip(out: Path, files: list[Path], root: Path) -> str:
    """Zip `files` under their paths relative to `root`."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.relative_to(root).as_posix())
    return str(out)
