"""Render a timeline to an H.264 + AAC MP4 with ffmpeg: gentle pans, crossfades, burnt-in subtitles.

A shot owns the frames from its start to the next shot's start; the crossfade into the next shot is drawn from the
extra frames of its own pan and the first frames of the next, so the video lasts exactly the sum of the shot durations.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.audio import mix_dialogue
from pipeline.errors import MissingToolError, RenderError
from pipeline.fonts import find_cjk_font
from pipeline.models import RenderResult, Timeline
from pipeline.subtitles import subtitle_cues, write_ass, write_srt

ProgressFn = Callable[[float, str], None]

_XFADE = {"dissolve": "fade", "fade": "fadeblack", "wipe": "wipeleft"}
_PANS = ((0.0, 0.5, 1.0, 0.5), (1.0, 0.5, 0.0, 0.5), (0.5, 0.0, 0.5, 1.0), (0.5, 1.0, 0.5, 0.0))


@dataclass(frozen=True)
class RenderOptions:
    crossfade: float = 0.4
    overscan: float = 1.06  # how much larger than the frame the panel is scaled, to leave room to pan
    crf: int = 23
    preset: str = "veryfast"
    audio_bitrate: str = "160k"
    subtitles: bool = True
    font_path: str | None = None
    ffmpeg: str = "ffmpeg"

    def check(self) -> None:
        if not 0 <= self.crossfade <= 2:
            raise RenderError(f"crossfade {self.crossfade} must be between 0 and 2 seconds.")
        if not 1.0 <= self.overscan <= 1.5:
            raise RenderError(f"overscan {self.overscan} must be between 1.0 and 1.5.")
        if not 0 <= self.crf <= 51:
            raise RenderError(f"crf {self.crf} must be between 0 and 51.")


def _filter_path(path: str) -> str:
    """Escape a path for use inside an ffmpeg filter argument."""
    return path.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace(",", "\\,")


def _build_graph(timeline: Timeline, options: RenderOptions, ass_path: str | None, font_dir: str) -> str:
    """The filter graph, in whole frames. Each shot is cut into a head (fading in), a body and a tail (fading out);
    only the short head/tail overlaps go through xfade and everything is concatenated, which keeps the work near one
    copy per frame (a chain of full-length xfades costs about ten times more)."""
    w, h, fps = timeline.width, timeline.height, timeline.fps
    ow, oh = int(w * options.overscan) // 2 * 2, int(h * options.overscan) // 2 * 2
    shots = timeline.shots
    n = len(shots)
    # Frame boundaries come from the exact start times, so rounding never accumulates.
    bounds = [round(s.start * fps) for s in shots] + [round(timeline.duration * fps)]
    own = [bounds[i + 1] - bounds[i] for i in range(n)]
    fades = [0] + [_fade_frames(shots[i].transition, options, fps, own[i - 1], own[i]) for i in range(1, n)]
    parts: list[str] = []
    segments: list[str] = []
    for i, shot in enumerate(shots):
        head, tail = fades[i], fades[i + 1] if i + 1 < n else 0
        frames = own[i] + tail
        x0, y0, x1, y1 = _PANS[shot.order % len(_PANS)]
        x_expr = f"(iw-ow)*({x0}+({x1 - x0})*n/{frames})"
        y_expr = f"(ih-oh)*({y0}+({y1 - y0})*n/{frames})"
        pieces = [(f"h{i}", 0, head)] if head else []
        pieces.append((f"b{i}", head, own[i]))
        if tail:
            pieces.append((f"t{i}", own[i], frames))
        parts.append(
            f"[{i}:v]scale={ow}:{oh}:flags=bicubic,format=yuv420p,setsar=1,loop=loop={frames - 1}:size=1:start=0,"
            f"crop={w}:{h}:x='{x_expr}':y='{y_expr}',fps={fps},setpts=N/({fps}*TB),"
            f"split={len(pieces)}" + "".join(f"[{name}in]" for name, _, _ in pieces)
        )
        for name, first, last in pieces:
            parts.append(f"[{name}in]trim=start_frame={first}:end_frame={last},setpts=PTS-STARTPTS[{name}]")
        if head:
            kind = _XFADE[shot.transition]
            parts.append(f"[t{i - 1}][h{i}]xfade=transition={kind}:duration={head / fps:.4f}:offset=0[x{i}]")
            segments.append(f"[x{i}]")
        segments.append(f"[b{i}]")
    parts.append("".join(segments) + f"concat=n={len(segments)}:v=1:a=0[joined]")
    if ass_path:
        parts.append(f"[joined]subtitles=filename='{_filter_path(ass_path)}':fontsdir='{_filter_path(font_dir)}'[vout]")
    else:
        parts.append("[joined]null[vout]")
    return ";".join(parts)


def _fade_frames(transition: str, options: RenderOptions, fps: int, before: int, after: int) -> int:
    """Frames of crossfade between two shots: none for a cut, and never more than half of either shot."""
    if transition == "cut" or options.crossfade <= 0:
        return 0
    return max(0, min(round(options.crossfade * fps), before // 2, after // 2))


def render_video(
    timeline: Timeline,
    out_path: str,
    workdir: str,
    options: RenderOptions | None = None,
    on_progress: ProgressFn | None = None,
) -> RenderResult:
    """Render `timeline` to `out_path` (MP4), writing the SRT beside it.

    Raises:
        MissingToolError: ffmpeg is not installed.
        RenderError: the timeline is empty or ffmpeg failed (its last output is in the message).
    """
    options = options or RenderOptions()
    options.check()
    if not timeline.shots:
        raise RenderError("The timeline has no shots: plan a storyboard first.")
    exe = shutil.which(options.ffmpeg)
    if exe is None:
        raise MissingToolError(f"{options.ffmpeg} is not installed: apt-get install ffmpeg (or set COMICREEL_FFMPEG).")
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    progress = on_progress or (lambda fraction, step: None)

    # 1. Subtitles and the dialogue track.
    progress(0.02, "adding_subtitles")
    cues = subtitle_cues(timeline)
    srt_path = str(Path(out_path).with_suffix(".srt"))
    write_srt(cues, srt_path)
    font = find_cjk_font(options.font_path)
    ass_path = str(work / "subtitles.ass") if options.subtitles and cues else None
    if ass_path:
        write_ass(cues, ass_path, width=timeline.width, height=timeline.height, font_family=font.family)
    progress(0.05, "adding_audio")
    audio_path = mix_dialogue(timeline, str(work / "dialogue.wav"))

    # 2. One ffmpeg run: inputs are the panels (one frame each) and the mixed track.
    graph = _build_graph(timeline, options, ass_path, font.directory)
    graph_path = work / "graph.txt"
    graph_path.write_text(graph, encoding="utf-8")
    cmd = [exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats"]
    for shot in timeline.shots:
        cmd += ["-i", shot.image_path]
    cmd += [
        "-i",
        audio_path,
        "-filter_complex_script",
        str(graph_path),
        "-map",
        "[vout]",
        "-map",
        f"{len(timeline.shots)}:a",
    ]
    cmd += ["-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf), "-pix_fmt", "yuv420p",
            "-r", str(timeline.fps), "-c:a", "aac", "-b:a", options.audio_bitrate, "-ac", "2", "-ar", "44100",
            "-t", f"{timeline.duration:.3f}", "-movflags", "+faststart"]  # fmt: skip
    tmp_out = str(Path(out_path).with_name(Path(out_path).stem + ".part.mp4"))
    cmd.append(tmp_out)

    # 3. Run it, turning its progress lines into a fraction.
    progress(0.08, "rendering_video")
    total_us = timeline.duration * 1_000_000
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if m := re.match(r"out_time_us=(\d+)", line):
                progress(0.08 + 0.9 * min(1.0, int(m.group(1)) / total_us), "rendering_video")
        stderr = proc.stderr.read() if proc.stderr else ""
        returncode = proc.wait()
    finally:
        if proc.poll() is None:  # stopped by an exception (a cancel, a shutdown): never leave ffmpeg running
            proc.kill()
            proc.wait()
            Path(tmp_out).unlink(missing_ok=True)
    if returncode != 0:
        Path(tmp_out).unlink(missing_ok=True)
        raise RenderError(
            f"ffmpeg could not render the video (exit code {returncode}).", detail=stderr.strip()[-2000:]
        )
    os.replace(tmp_out, out_path)
    progress(1.0, "completed")
    return RenderResult(
        path=out_path,
        duration=timeline.duration,
        width=timeline.width,
        height=timeline.height,
        file_size=os.path.getsize(out_path),
        subtitles_path=srt_path,
    )
