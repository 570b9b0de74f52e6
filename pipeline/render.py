"""Render a timeline to an H.264 + AAC video: one encoded segment per shot, joined without re-encoding.

Frames, not seconds, are the unit. Shot i owns frames [b_i, b_(i+1)) where b_i = round(start_i * fps), so rounding
never accumulates and the video lasts the sum of the shot durations. A transition into shot i+1 happens entirely in
the last frames of shot i, so every panel is fully on screen from its start frame, when its voice and subtitle are
timed, until its outgoing transition begins. Segment i therefore needs the panels of shots i and i+1; it is cached
under a hash of everything that goes into it, so after one shot changes only the segments it touches are encoded
again (`SegmentCache`). Moves are sub-pixel smooth (pipeline.motion); text is composited per segment (pipeline
.overlays, libass); colours are tagged BT.709, limited range. This module runs a render: the frame plan and cache keys
are pipeline.frame_plan's, the encoding of a segment pipeline.segment_encoder's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from PIL import Image

from pipeline.audio import measure_true_peak
from pipeline.digests import file_digest, spec_digest
from pipeline.errors import MissingToolError, RenderError
from pipeline.ffgraph import BT709
from pipeline.fonts import find_cjk_font
from pipeline.frame_plan import RENDERER_VERSION, FramePlan, Segment, comic_tracks, segment_spec
from pipeline.mix import AudioPlan, mix_audio
from pipeline.models import RenderResult, Timeline
from pipeline.overlays import cover_image, text_warnings, watermark_layer
from pipeline.presets import Output, RenderSettings, SafeZone
from pipeline.segment_encoder import SegmentEncoder
from pipeline.subprocesses import dying_with_parent
from pipeline.subtitles import Cue, subtitle_cues, write_ass, write_srt

ProgressFn = Callable[[float, str], None]
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
LOUDNESS_TARGET = -14.0  # LUFS integrated, as the platforms normalise to
TRUE_PEAK_CEILING = -1.0  # dBTP, measured on the delivered file
AAC_HEADROOM = 0.5  # dB kept under the ceiling before the AAC encode, whose peaks overshoot the mix's


@dataclass(frozen=True)
class RenderOptions:
    """The renderer's technical knobs (the creator's choices are in `pipeline.presets.RenderSettings`)."""

    crossfade: float = 0.4
    audio_bitrate: str = "160k"
    font_path: str | None = None
    ffmpeg: str = "ffmpeg"
    parallel: int = 2  # segments encoded at once
    final_preset: str | None = None  # x264 preset, CRF and options for final renders, over the output's defaults
    final_crf: int | None = None
    final_x264_params: str | None = None

    def check(self) -> None:
        if not 0 <= self.crossfade <= 2:
            raise RenderError(f"crossfade {self.crossfade} must be between 0 and 2 seconds.")
        if not 1 <= self.parallel <= 16:
            raise RenderError(f"parallel {self.parallel} must be between 1 and 16 segments at once.")
        if self.final_crf is not None and not 0 <= self.final_crf <= 51:
            raise RenderError(f"crf {self.final_crf} must be between 0 and 51.")
        if self.final_preset is not None and self.final_preset not in X264_PRESETS:
            raise RenderError(f"x264 preset {self.final_preset!r} must be one of {', '.join(X264_PRESETS)}.")
        if self.final_x264_params and not re.fullmatch(r"[a-z0-9_-]+=[A-Za-z0-9_.,-]+(:[a-z0-9_-]+=[A-Za-z0-9_.,-]+)*",
                                                       self.final_x264_params):  # fmt: skip
            raise RenderError(f"x264 options {self.final_x264_params!r} must look like key=value:key=value.")


class SegmentCache(Protocol):
    """Where encoded segments are kept between renders, by the hash of their inputs."""

    def fetch(self, digest: str) -> str | None:
        """A local path of the segment, or None when it is not cached."""
        ...

    def store(self, digest: str, path: str) -> None: ...


class DirectoryCache:
    """A SegmentCache in a local directory (the CLI and benchmarks; the studio keeps segments in object storage)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def fetch(self, digest: str) -> str | None:
        path = self.directory / f"{digest}.mp4"
        return str(path) if path.is_file() else None

    def store(self, digest: str, path: str) -> None:
        tmp = self.directory / f"{digest}.{os.getpid()}.tmp"
        shutil.copyfile(path, tmp)
        os.replace(tmp, self.directory / f"{digest}.mp4")


def default_output(timeline: Timeline, settings: RenderSettings | None = None) -> Output:
    """The Output for a timeline already sized and timed: its own size and fps, the settings' quality."""
    settings = settings or RenderSettings()
    aspect = "9:16" if timeline.height > timeline.width else "16:9" if timeline.width > timeline.height else "1:1"
    resolved = settings.resolve(aspect)
    return replace(resolved, width=timeline.width, height=timeline.height, fps=timeline.fps)


def render_video(
    timeline: Timeline,
    out_path: str,
    workdir: str,
    options: RenderOptions | None = None,
    on_progress: ProgressFn | None = None,
    *,
    output: Output | None = None,
    cues: list[Cue] | None = None,
    cache: SegmentCache | None = None,
    audio: AudioPlan | None = None,
) -> RenderResult:
    """Render `timeline` to `out_path` (MP4 or MOV per the output's settings), with SRT, ASS and a cover beside it.

    Args:
        timeline: shots with exact starts, sized and timed for the output (`output.size`, `output.fps`).
        workdir: a scratch directory (plates, overlays, segments not cached).
        output: platform, quality, text mode and safe zone; by default the timeline's size at final quality.
        cues: the subtitle track (the creator's edits included); by default one cue per voiced line.
        cache: where segments are looked up and kept; without one every segment is encoded.
        audio: music and sound effects mixed with the voices; by default the voices alone.

    Raises:
        MissingToolError: ffmpeg is not installed.
        RenderError: the timeline is empty, the settings are invalid or ffmpeg failed (its output in `detail`).
    """
    options = options or RenderOptions()
    options.check()
    if not timeline.shots:
        raise RenderError("The timeline has no shots: plan a storyboard first.")
    output = output or default_output(timeline)
    if output.settings.kind == "final":
        output = replace(output, x264_preset=options.final_preset or output.x264_preset,
                         crf=output.crf if options.final_crf is None else options.final_crf,
                         x264_params=output.x264_params if options.final_x264_params is None
                         else options.final_x264_params)  # fmt: skip
    if (output.width, output.height, output.fps) != (timeline.width, timeline.height, timeline.fps):
        raise RenderError(f"the timeline is {timeline.width}x{timeline.height} at {timeline.fps} fps but the output "
                          f"is {output.width}x{output.height} at {output.fps} fps: build the timeline for the output.")  # fmt: skip
    exe = shutil.which(options.ffmpeg)
    if exe is None:
        raise MissingToolError(f"{options.ffmpeg} is not installed: apt-get install ffmpeg (or set COMICREEL_FFMPEG).")
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    progress = on_progress or (lambda fraction, step: None)
    font = find_cjk_font(options.font_path)
    cues = subtitle_cues(timeline) if cues is None else sorted(cues, key=lambda c: c.start)
    settings = output.settings

    # 1. The watermark, and the room it leaves for text; then frames: each shot's own, its transitions, its move.
    mark = None
    if settings.watermark.enabled:
        mark = watermark_layer(settings.watermark, width=output.width, height=output.height, safe=output.safe,
                               font_path=font.path)  # fmt: skip
        output = replace(output, safe=_clear_of(mark, output.safe, settings.watermark.position))
    progress(0.01, "merging_assets")
    plan = FramePlan(timeline, options.crossfade, quick=settings.kind == "preview")
    comic = comic_tracks(timeline, plan) if settings.motion_comic else {}
    segments = [segment_spec(i, s.transition, plan, output, cues, font) for i, s in enumerate(timeline.shots)]
    digests = {p: file_digest(p) for p in {s.image_path for s in timeline.shots}}
    for seg in segments:
        seg.spec["images"] = [digests[timeline.shots[j].image_path] for j in seg.spec["shots"]]
        seg.spec["comic"] = [comic[j].spec() if j in comic else None for j in seg.spec["shots"]]
        seg.digest = spec_digest(seg.spec)

    # 2. Encode the segments the cache does not have, `parallel` at a time, and the sound beside them.
    todo = []
    for seg in segments:
        cached = cache.fetch(seg.digest) if cache else None
        if cached:
            seg.path, seg.done = cached, seg.frames
        else:
            todo.append(seg)
    # Above 1080p a segment's plates and encoder take most of a gigabyte: one at a time.
    workers = options.parallel if output.width * output.height <= 1080 * 1920 else 1
    # Each ffmpeg gets its share of the cores: with a segment per core, one thread each spends a tenth less CPU
    # than x264's and the filters' own threads contending for the same cores (measured).
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    threads = max(1, cores // workers)  # of the cores this process may use (a container's, not the host's)
    encoder = SegmentEncoder(exe, timeline, plan, output, cues, font, work, mark, comic, threads)
    total = sum(s.frames for s in segments)
    # The sound does not depend on the picture: it is mixed and encoded meanwhile, in a thread of its own; the
    # subtitles are drawn in another while the first segments make their plates.
    draft = settings.kind == "preview"
    sound_digest = _sound_digest(timeline, audio or AudioPlan(), options, draft=draft)
    side = ThreadPoolExecutor(max_workers=2)
    track = side.submit(_soundtrack, exe, timeline, audio or AudioPlan(), options, work, cache, sound_digest,
                        draft=draft)
    encoder.lettering = side.submit(encoder.letter_subtitles, todo)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # The costliest first, so that two long shots don't end the render one after the other on one core.
            costliest = sorted(todo, key=lambda seg: -seg.frames * (1 if plan.moves[seg.index].is_pan else 1.5))
            pending: set[Future[None]] = {pool.submit(encoder.encode, seg) for seg in costliest}
            try:
                while pending:
                    finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in finished:
                        future.result()
                    progress(0.05 + 0.85 * sum(s.done for s in segments) / total, "rendering_video")
            finally:
                encoder.stop()  # a failure, a cancel or a shutdown: no ffmpeg is left running
                for future in pending:
                    future.cancel()
        if cache:
            for seg in todo:
                cache.store(seg.digest, seg.path)
        progress(0.92, "adding_audio")
        audio_path = track.result()
    finally:
        side.shutdown(wait=True, cancel_futures=True)  # their ffmpeg runs are seconds long: none is left behind

    # 3. Subtitle files; then the segments and the sound joined, without re-encoding.
    progress(0.94, "adding_subtitles")
    base = Path(out_path)
    srt_path, ass_path = str(base.with_suffix(".srt")), str(base.with_suffix(".ass"))
    write_srt(cues, srt_path)
    write_ass(cues, ass_path, width=output.width, height=output.height, font_family=font.family,
              style=settings.subtitle_style, safe=output.safe, font_path=font.path)  # fmt: skip
    _join(exe, segments, audio_path, out_path, plan.total / timeline.fps, settings.format, work)
    cover_path = str(base.with_suffix(".jpg"))
    cover_image(timeline.shots[0].image_path, settings.title, width=output.width, height=output.height,
                font_path=font.path).save(cover_path, quality=90)  # fmt: skip
    progress(1.0, "completed")
    return RenderResult(
        path=out_path, duration=plan.total / timeline.fps, width=output.width, height=output.height,
        file_size=os.path.getsize(out_path), subtitles_path=srt_path, ass_path=ass_path, cover_path=cover_path,
        segments=tuple(s.digest for s in segments), reused=len(segments) - len(todo), sound=sound_digest,
        warnings=tuple(dict.fromkeys([*text_warnings([settings.title, settings.watermark.text],
                                                     "the title and watermark", font.path), *encoder.warnings])),
    )  # fmt: skip


def _clear_of(mark: Image.Image, safe: SafeZone, corner: str) -> SafeZone:
    """The safe zone for text, less the band the watermark takes at the top or bottom."""
    box = mark.getbbox()
    if box is None:
        return safe
    gap = 0.01
    if corner.startswith("bottom"):
        return replace(safe, bottom=max(safe.bottom, (mark.height - box[1]) / mark.height + gap))
    return replace(safe, top=max(safe.top, box[3] / mark.height + gap))


def _soundtrack(exe: str, timeline: Timeline, audio: AudioPlan, options: RenderOptions, work: Path,
                cache: SegmentCache | None, digest: str, *, draft: bool) -> str:  # fmt: skip
    """The sound as delivered: voices, music and effects mixed to the loudness target and encoded to AAC (an .mp4
    with one audio stream), from the cache when nothing it is made of has changed. The AAC encode can overshoot the
    mix's peaks, so the encoded file is measured and the mix made again lower until it fits the ceiling. A draft
    (a preview's) is limited on its samples rather than on the peaks between them, encoded by the fast AAC coder and
    not measured: as loud, with peaks that may pass the ceiling by a fraction of a decibel, in half the time."""
    cached = cache.fetch(digest) if cache else None
    if cached:
        return cached
    out = str(work / f"sound_{digest[:12]}.mp4")
    seconds = round(timeline.duration * timeline.fps) / timeline.fps
    ceiling = TRUE_PEAK_CEILING - AAC_HEADROOM
    for _ in range(3):
        mix = mix_audio(timeline, audio, str(work / "mix.wav"), str(work / "mix"), target_lufs=LOUDNESS_TARGET,
                        true_peak=ceiling, ffmpeg=exe, oversample=1 if draft else 4)  # fmt: skip
        cmd = [exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", mix.path, "-c:a", "aac",
               *(["-aac_coder", "fast"] if draft else []), "-b:a", options.audio_bitrate, "-ac", "2", "-ar", "48000",
               "-t", f"{seconds:.6f}", "-f", "mp4", out]  # fmt: skip
        proc = subprocess.run(dying_with_parent(cmd), capture_output=True, text=True)
        if proc.returncode != 0:
            raise RenderError(f"ffmpeg could not encode the sound (exit code {proc.returncode}).",
                              detail=proc.stderr.strip()[-2000:])  # fmt: skip
        if draft:
            break
        delivered = measure_true_peak(out, ffmpeg=exe)
        if delivered is None or delivered <= TRUE_PEAK_CEILING:
            break
        ceiling -= delivered - TRUE_PEAK_CEILING + 0.2
    if cache:
        cache.store(digest, out)
    return out


def _sound_digest(timeline: Timeline, audio: AudioPlan, options: RenderOptions, *, draft: bool) -> str:
    """Everything the delivered sound is made of: each voice (its file) and where it starts, the music and
    effects (their files, levels and times), the length, the loudness target, the encoder and whether it is a
    draft."""
    voices = [[file_digest(s.voice.path), round(s.start + s.voice_offset, 6)] for s in timeline.shots if s.voice]
    music = audio.music
    return spec_digest({
        "version": RENDERER_VERSION, "voices": voices, "frames": round(timeline.duration * timeline.fps),
        "fps": timeline.fps, "target": [LOUDNESS_TARGET, TRUE_PEAK_CEILING, AAC_HEADROOM, options.audio_bitrate],
        "draft": draft,
        "music": [file_digest(music.path), music.volume, music.start, music.fade_in, music.fade_out] if music else None,
        "effects": [[file_digest(e.path), e.at, e.volume] for e in audio.effects],
    })  # fmt: skip


def _join(exe: str, segments: list[Segment], audio_path: str, out_path: str, seconds: float, fmt: str,
          work: Path) -> None:  # fmt: skip
    """The segments back to back and the encoded sound beside them, all by stream copy (nothing re-encoded)."""
    listing = work / "segments.txt"
    listing.write_text("".join(f"file '{_concat_path(s.path)}'\n" for s in segments), encoding="utf-8")
    tmp_out = str(Path(out_path).with_name(Path(out_path).stem + ".part." + fmt))
    cmd = [exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i",
           str(listing), "-i", audio_path, "-map", "0:v", "-map", "1:a", "-c", "copy", "-t", f"{seconds:.6f}", *BT709,
           "-movflags", "+faststart+write_colr", "-f", "mov" if fmt == "mov" else "mp4", tmp_out]  # fmt: skip
    proc = subprocess.run(dying_with_parent(cmd), capture_output=True, text=True)
    if proc.returncode != 0:
        Path(tmp_out).unlink(missing_ok=True)
        raise RenderError(f"ffmpeg could not join the segments (exit code {proc.returncode}).",
                          detail=proc.stderr.strip()[-2000:])  # fmt: skip
    os.replace(tmp_out, out_path)


def _concat_path(path: str) -> str:
    return os.path.abspath(path).replace("'", "'\\''")
