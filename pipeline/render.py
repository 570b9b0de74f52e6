"""Render a timeline to an H.264 + AAC video: one encoded segment per shot, joined without re-encoding.

Frames, not seconds, are the unit. Shot i owns frames [b_i, b_(i+1)) where b_i = round(start_i * fps), so rounding
never accumulates and the video lasts the sum of the shot durations. A transition into shot i+1 happens entirely in
the last frames of shot i, so every panel is fully on screen from its start frame, when its voice and subtitle are
timed, until its outgoing transition begins. Segment i therefore needs the panels of shots i and i+1; it is cached
under a hash of everything that goes into it, so after one shot changes only the segments it touches are encoded
again (`SegmentCache`). Moves are sub-pixel smooth (pipeline.motion); text is composited per segment (pipeline
.overlays, libass); colours are tagged BT.709, limited range.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from pipeline.audio import measure_true_peak
from pipeline.errors import MissingToolError, RenderError
from pipeline.fonts import FontFace, find_cjk_font
from pipeline.mix import AudioPlan, mix_audio
from pipeline.models import PanelLayers, RenderResult, Timeline
from pipeline.motion import Move, auto_motion, fit_panel
from pipeline.motion_comic import (
    MOUTH_STATES,
    PARALLAX,
    Plates,
    Sprite,
    blink_track,
    comic_plates,
    comic_sprites,
    enable_expression,
    frame_ranges,
    mouth_track,
)
from pipeline.overlays import cover_image, shot_layer, text_warnings, title_layer, watermark_layer
from pipeline.presets import Output, RenderSettings, SafeZone
from pipeline.subprocesses import dying_with_parent
from pipeline.subtitles import Cue, subtitle_cues, write_ass, write_srt
from pipeline.yuv import overlaid, quantized, to_planes, zoomed

ProgressFn = Callable[[float, str], None]

RENDERER_VERSION = 6  # bump when a change to this module changes the pixels of a segment: old caches are not reused
TITLE_SECONDS = 2.6
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
_XFADE = {"dissolve": "fade", "wipe": "wipeleft", "slide": "slideleft"}
_BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
_TO_YUV = "scale=out_color_matrix=bt709:out_range=tv"  # then format=yuv420p or yuva420p
LOUDNESS_TARGET = -14.0  # LUFS integrated, as the platforms normalise to
TRUE_PEAK_CEILING = -1.0  # dBTP, measured on the delivered file
AAC_HEADROOM = 0.5  # dB kept under the ceiling before the AAC encode, whose peaks overshoot the mix's
_OVERLAY_FORMAT = "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p"
# A zoom's frames pass through a pipe of this size (Linux's most for anyone; 64 KiB by default): a 3 MB frame then
# takes 3 writes instead of 48, and both sides spend a third of the system time they did (measured).
_PIPE_BYTES = 1 << 20


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


@dataclass
class _Segment:
    index: int
    frames: int
    spec: dict[str, Any]
    digest: str = ""
    path: str = ""
    done: int = 0  # frames encoded so far
    inputs: list[str] = field(default_factory=list)


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
    plan = _FramePlan(timeline, options.crossfade, quick=settings.kind == "preview")
    comic = _comic_tracks(timeline, plan) if settings.motion_comic else {}
    segments = [_segment_spec(i, s.transition, plan, output, cues, font) for i, s in enumerate(timeline.shots)]
    digests = {p: _file_digest(p) for p in {s.image_path for s in timeline.shots}}
    for seg in segments:
        seg.spec["images"] = [digests[timeline.shots[j].image_path] for j in seg.spec["shots"]]
        seg.spec["comic"] = [comic[j].spec() if j in comic else None for j in seg.spec["shots"]]
        seg.digest = _digest(seg.spec)

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
    encoder = _SegmentEncoder(exe, timeline, plan, output, cues, font, work, mark, comic, threads)
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


@dataclass
class _ComicShot:
    """A shot drawn as a motion comic: its layers, its foreground's faster move, and on which of its frames each
    sprite shows (frames of the shot, from its start: the incoming transition's frames come before them)."""

    layers: PanelLayers
    move: Move  # the foreground's (the shot's own move)
    background: Move  # slower (parallax): it still moves apart when the foreground's travel is at its limit
    runs: dict[tuple[str, str], list[tuple[int, int]]]  # (character, state) -> inclusive frame runs
    _sprites: dict[tuple[str, str], tuple[str, int, int]] | None = None  # written as PNGs: (path, x, y)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def spec(self) -> list[Any]:
        """What decides its pixels, for the segment cache."""
        files = [self.layers.background, *self.layers.foreground, *(sp.path for sp in self.layers.sprites)]
        return [[_file_digest(f) for f in files], [[sp.character, sp.state, list(sp.box)] for sp in self.layers.sprites],
                sorted([list(k), v] for k, v in self.runs.items()), PARALLAX]  # fmt: skip

    def plates(self, size: tuple[int, int], work: Path, i: int) -> Plates:
        """The layers fitted to the plate, made anew at each call (they are large: the plate files keep them); the
        sprites written as PNGs the first time."""
        plates = comic_plates(self.layers, *size, self.move.resample)
        self._write_sprites(plates.sprites, work, i)
        return plates

    def _write_sprites(self, sprites: tuple[Sprite, ...], work: Path, i: int) -> None:
        """Each sprite as a PNG (softened like a panned plate), once."""
        with self._lock:
            if self._sprites is None:
                written = {}
                for n, (character, state, image, x, y) in enumerate(sprites):
                    path = str(work / f"sprite_{i:04d}_{n}.png")
                    self.move.soften(image).save(path, compress_level=1)
                    written[(character, state)] = (path, x, y)
                self._sprites = written

    def overlays(self, frames: int, size: tuple[int, int], work: Path, i: int) -> list[tuple[str, int, int,
                                                                                           list[tuple[int, int]]]]:
        """The sprites over the shot's own frames (a stream of `frames` frames from its start), as (path, x, y,
        inclusive runs of frames); written first when no plate of the shot was made yet."""
        if self._sprites is None:
            self._write_sprites(comic_sprites(self.layers, *size, resample=self.move.resample), work, i)
        assert self._sprites is not None
        out = []
        for key, runs in self.runs.items():
            inside = [(a, min(b, frames - 1)) for a, b in runs if a < frames]
            if key in self._sprites and inside:
                path, x, y = self._sprites[key]
                out.append((path, x, y, inside))
        return out


def _comic_tracks(timeline: Timeline, plan: _FramePlan) -> dict[int, _ComicShot]:
    """The shots drawn as a motion comic (those whose panel came in layers with a foreground), with the frames
    each speaker's mouth is open (from the loudness of their voice) and each face blinks."""
    fps, out = timeline.fps, {}
    for i, shot in enumerate(timeline.shots):
        if shot.layers is None or not shot.layers.foreground:
            continue
        runs: dict[tuple[str, str], list[tuple[int, int]]] = {}
        frames = plan.own[i]
        states = {sp.state for sp in shot.layers.sprites if sp.character == shot.speaker}
        if shot.voice and shot.speaker and states & set(MOUTH_STATES):
            track = mouth_track(shot.voice.path, fps=fps, frames=frames, voice_start=shot.voice_offset)
            for state in MOUTH_STATES:
                runs[(shot.speaker, state)] = frame_ranges([s == state for s in track])
        for character in {sp.character for sp in shot.layers.sprites if sp.state == "eyes_closed"}:
            runs[(character, "eyes_closed")] = frame_ranges(
                blink_track(character, fps=fps, frames=frames, shot_start=shot.start))
        out[i] = _ComicShot(shot.layers, plan.moves[i], replace(plan.moves[i], speed=1 / PARALLAX), runs)
    return out


class _FramePlan:
    """Frame numbers of a timeline: where each shot starts, how many frames it owns, how long its transitions are,
    and its move over all the frames it is visible."""

    def __init__(self, timeline: Timeline, crossfade: float, *, quick: bool = False) -> None:
        fps, shots = timeline.fps, timeline.shots
        self.shots = shots
        n = len(shots)
        ends = [s.start + s.duration for s in shots]
        self.bounds = [round(s.start * fps) for s in shots] + [round(ends[-1] * fps)]
        self.own = [self.bounds[i + 1] - self.bounds[i] for i in range(n)]
        if min(self.own) < 1:
            short = [s.order for s, f in zip(shots, self.own, strict=True) if f < 1]
            raise RenderError(f"shots {short} are shorter than one frame: give them at least {1 / fps:.2f} s.")
        self.total = self.bounds[-1]
        # fade_in[i]: frames of the transition from shot i-1 into shot i, taken from the end of shot i-1 and never
        # more than half of either shot.
        self.fade_in = [0] * (n + 1)
        for i in range(1, n):
            if shots[i - 1].transition != "cut" and crossfade > 0:
                self.fade_in[i] = max(0, min(round(crossfade * fps), self.own[i - 1] // 2, self.own[i] // 2))
        portrait = timeline.height > timeline.width
        self.moves = []
        for i, shot in enumerate(shots):
            motion = shot.motion if shot.motion != "auto" else auto_motion(shot.camera, shot.order, portrait)
            focus = shot.anchors.get(shot.speaker or "", (0.5, 0.45)) if shot.speaker else (0.5, 0.45)
            fx, fy = min(0.8, max(0.2, focus[0])), min(0.75, max(0.25, focus[1]))
            move = Move(motion, self.fade_in[i] + self.own[i], timeline.width, timeline.height, fps, (fx, fy),
                        quick=quick)  # fmt: skip
            move.check()
            self.moves.append(move)

    def transition_out(self, i: int) -> int:
        return self.fade_in[i + 1]


def _segment_spec(
    i: int, transition: str, plan: _FramePlan, output: Output, cues: list[Cue], font: FontFace
) -> _Segment:
    """Everything that decides the pixels of segment i, as plain data (hashed for the cache)."""
    shots_in = [i, i + 1] if plan.transition_out(i) else [i]
    start, frames = plan.bounds[i], plan.own[i]
    fps = output.fps
    settings = output.settings
    seg_cues = [c for c in cues if c.start * fps < start + frames and c.end * fps > start]
    spec: dict[str, Any] = {
        "version": RENDERER_VERSION, "size": [output.width, output.height], "fps": fps, "frames": frames,
        "x264": [output.x264_preset, output.crf, output.maxrate_kbps, output.x264_params], "shots": shots_in,
        "moves": [[m.motion, m.frames, m.focus, m.quick] for m in (plan.moves[j] for j in shots_in)],
        "fade_in": plan.fade_in[i], "fade_out": plan.transition_out(i),
        "transition": transition if plan.transition_out(i) else "cut", "text_mode": settings.text_mode, "style": settings.subtitle_style,
        "safe": [output.safe.top, output.safe.bottom, output.safe.left, output.safe.right],
        "cues": [[*_cue_frames(c, start, frames, fps), c.text, c.speaker, c.kind, c.shot_order] for c in seg_cues],
        "lettering": [[s.emotion, list(s.sound_effects), sorted(s.faces.items()), sorted(s.mouths.items()),
                       sorted(s.anchors.items())] for s in (plan.shots[j] for j in shots_in)],
        "watermark": _watermark_spec(settings), "title": settings.title if i == 0 else "",
        "font": [font.path, font.index],
    }  # fmt: skip
    return _Segment(index=i, frames=frames, spec=spec)


def _cue_frames(cue: Cue, start: int, frames: int, fps: int) -> tuple[int, int]:
    """The frames of a segment (starting at frame `start`, `frames` long) that show `cue`: [first, end). Frame k
    shows it when cue.start <= (start + k) / fps < cue.end."""
    first = max(0, math.ceil(cue.start * fps - start - 1e-6))
    return first, max(first, min(frames, math.ceil(cue.end * fps - start - 1e-6)))


def _watermark_spec(settings: RenderSettings) -> list[Any]:
    mark = settings.watermark
    if not mark.enabled:
        return []
    image = _file_digest(mark.image_path) if mark.image_path else None
    return [mark.text, image, mark.position, mark.opacity]


class _SegmentEncoder:
    """Builds one segment's filter graph and runs ffmpeg on it; stop() kills whatever still runs."""

    def __init__(self, exe: str, timeline: Timeline, plan: _FramePlan, output: Output, cues: list[Cue],
                 font: FontFace, work: Path, mark: Image.Image | None, comic: dict[int, _ComicShot],
                 threads: int) -> None:  # fmt: skip
        self.exe, self.timeline, self.plan, self.output, self.cues, self.font = exe, timeline, plan, output, cues, font
        self.work, self.comic, self.threads = work, comic, threads
        self.warnings: list[str] = []  # what the lettering could not show (collected from the encoding threads)
        self.mark = self._layer("watermark", mark) if mark is not None else (None, 0, 0)
        self.fonts = _font_folder(work, font)
        self._captions: dict[int, list[tuple[str, int, int, int, int]]] = {}  # segment -> (path, x, y, first, last)
        self.lettering: Future[None] | None = None  # letter_subtitles, running beside the first segments
        self._procs: set[subprocess.Popen[Any]] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._plates: dict[int, threading.Lock] = {}  # one lock per shot: its plates are made once
        self._made: set[int] = set()  # by this render (a work folder may hold an older render's)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            procs = list(self._procs)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    def _check_stopped(self) -> None:
        if self._stopped:
            raise RenderError("the render was stopped.")

    def encode(self, seg: _Segment) -> None:
        i, fps = seg.index, self.output.fps
        seg.path = str(self.work / f"segment_{i:04d}_{seg.digest[:12]}.mp4")
        graph = _Graph()
        writers: list[threading.Thread] = []
        try:
            self._graph(seg, graph)
            graph_path = self.work / f"segment_{i:04d}.graph"
            graph_path.write_text(graph.script(), encoding="utf-8")
            out = self.output
            cmd = [self.exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats",
                   "-filter_complex_threads", str(self.threads), *graph.inputs, "-filter_complex_script",
                   str(graph_path), "-map", "[vout]", "-frames:v", str(seg.frames), "-threads", str(self.threads),
                   "-c:v", "libx264", "-preset", out.x264_preset, "-crf", str(out.crf), "-pix_fmt", "yuv420p",
                   *_maxrate(out), *(["-x264-params", out.x264_params] if out.x264_params else []), *_BT709,
                   "-r", str(fps), "-an", "-f", "mp4", seg.path + ".part"]  # fmt: skip
            with self._process(cmd, text=True, pass_fds=[feed.read for feed in graph.feeds]) as proc:
                writers = [feed.start(f"feed-{i}") for feed in graph.feeds]
                assert proc.stdout is not None
                for line in proc.stdout:
                    if m := re.match(r"frame=(\d+)", line):
                        seg.done = min(seg.frames, int(m.group(1)))
                stderr = proc.stderr.read() if proc.stderr else ""
                code = proc.wait()
        finally:
            for writer in writers:  # ffmpeg has ended or been killed: a writer's pipe is read or broken
                writer.join()
            graph.close()
        failed = next((feed.error for feed in graph.feeds if feed.error), None)
        if code != 0 or failed:
            Path(seg.path + ".part").unlink(missing_ok=True)
            self._check_stopped()
            if failed:
                raise failed
            raise RenderError(f"ffmpeg could not render shot {self.timeline.shots[i].order} (exit code {code}).",
                              detail=stderr.strip()[-2000:])  # fmt: skip
        os.replace(seg.path + ".part", seg.path)
        seg.done = seg.frames

    @contextlib.contextmanager
    def _process(self, cmd: list[str], **popen: Any) -> Iterator[subprocess.Popen[Any]]:
        """ffmpeg running `cmd` (unless the render was stopped), its output piped; killed by stop(), or when the
        block leaves it running."""
        with self._lock:
            self._check_stopped()
            proc = subprocess.Popen(dying_with_parent(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
            self._procs.add(proc)
        try:
            yield proc
        finally:
            with self._lock:
                self._procs.discard(proc)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # -- the filter graph ----------------------------------------------------------------------------------------

    def _graph(self, seg: _Segment, graph: _Graph) -> None:
        """Build the filter graph of segment i and its inputs: the picture (its move, and the transition into the
        next shot), then the layers over it: the bubble, the title, the watermark, the subtitles."""
        i, order = seg.index, self.timeline.shots[seg.index].order
        self._picture(graph, i, seg.frames)
        settings = self.output.settings
        # The line as a bubble, a thought or a caption, and the sound cues as lettering (a creator's own captions
        # stay subtitles); nothing in subtitles mode.
        line = next((c for c in self.cues if c.shot_order == order and c.kind != "caption"), None)
        lettered = shot_layer(self.timeline.shots[i], line, width=self.output.width, height=self.output.height,
                              safe=self.output.safe, text_mode=settings.text_mode, style=settings.subtitle_style,
                              font_path=self.font.path)  # fmt: skip
        self.warnings.extend(lettered.warnings)
        whole = max(0, seg.frames - self.plan.transition_out(i) - 1)  # while the panel is whole
        graph.overlay(self._layer(f"bubble_{i}", lettered.image), f"enable='between(n,0,{whole})'")
        if seg.spec["title"]:
            seconds = min(TITLE_SECONDS, seg.frames / self.output.fps)
            layer = title_layer(settings.title, width=self.output.width, height=self.output.height,
                                safe=self.output.safe, font_path=self.font.path)  # fmt: skip
            graph.overlay(self._layer("title", layer), "eof_action=pass", looped=(self.output.fps, seconds))
        graph.overlay(self.mark)
        self._subtitles(graph, i)

    def _picture(self, graph: _Graph, i: int, n: int) -> None:
        """Shot i's panel moving for its n frames; the last ones blend into shot i+1 (entering with its move)."""
        fps, plan = self.output.fps, self.plan
        f_out = plan.transition_out(i)

        def moving(shot: int, frames: int, first: int, *, talking: bool) -> str:
            move, comic = plan.moves[shot], self.comic.get(shot)
            if move.motion.startswith("zoom-"):  # warped here frame by frame (its sprites first), piped to ffmpeg
                size = (move.width, move.height)
                return f"[{graph.feed(self._zoom_frames(shot, frames, first, talking), size, fps)}:v]"
            index = graph.input(self._plate_input(shot))
            still = f"[{index}:v]loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB)"
            if comic and move.is_pan:
                picture = graph.chain(f"{still},{comic.background.filter(first)}")
                return self._foreground(graph, picture, shot, frames, first, talking=talking)
            if comic:  # no move: the sprites on the panel
                picture = graph.chain(still)
                for path, x, y, runs in self._sprites(shot, frames, talking):
                    art = graph.chain(f"[{graph.input(_picture_file(path))}:v]{_OVERLAY_FORMAT}")
                    picture = graph.chain(f"{picture}{art}overlay=x={x}:y={y}:enable='{enable_expression(runs)}'")
                return graph.chain(f"{picture}{move.filter(first)}")
            return graph.chain(f"{still},{move.filter(first)}")

        a = moving(i, n, plan.fade_in[i], talking=True)
        if not f_out:
            graph.current = a
            return
        b = moving(i + 1, f_out, 0, talking=False)  # it enters before its line starts: no mouth moves yet
        kind = self.timeline.shots[i].transition
        if kind == "fade":  # through black: the panel darkens to one black frame, the next panel brightens
            h = f_out - f_out // 2
            a1 = graph.chain(f"{a}fade=t=out:start_frame={n - f_out - 1}:nb_frames={h},trim=end_frame={n - f_out + h}")
            b1 = graph.chain(f"{b}fade=t=in:start_frame={h - 1}:nb_frames={f_out - h + 1},trim=start_frame={h},"
                             "setpts=PTS-STARTPTS")  # fmt: skip
            graph.current = graph.chain(f"{a1}{b1}concat=n=2:v=1:a=0")
        else:  # xfade over the transition's frames alone: it costs as much for each frame it lets through
            whole, ending = graph.split(a)
            head = graph.chain(f"{whole}trim=end_frame={n - f_out}")
            tail = graph.chain(f"{ending}trim=start_frame={n - f_out},setpts=PTS-STARTPTS")
            mixed = graph.chain(f"{tail}{b}xfade=transition={_XFADE.get(kind, 'fade')}:duration={f_out / fps:.6f}:"
                                "offset=0")  # fmt: skip
            graph.current = graph.chain(f"{head}{mixed}concat=n=2:v=1:a=0")

    def letter_subtitles(self, segments: list[_Segment]) -> None:
        """Draw the subtitles the segments show with libass, in one ffmpeg run: one picture for each stretch of a
        segment's frames where the same cues are on screen, laid over those frames by `_subtitles` (libass
        blending its glyphs into every frame costs several times as much as laying one picture over it)."""
        fps, w, h = self.output.fps, self.output.width, self.output.height
        stretches: list[tuple[int, int, int]] = []  # segment, first frame, last frame
        events: list[Cue] = []  # stretch k is drawn at second k; a cue lasts over its stretches, as libass expects
        for seg in segments:
            start, n = self.plan.bounds[seg.index], seg.frames
            spans = [(*_cue_frames(c, start, n, fps), c) for c in self._shown_cues(seg.index, n)]
            cuts = sorted({0, n, *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
            first_stretch = len(stretches)
            for a, b in itertools.pairwise(cuts):
                if any(first <= a < end for first, end, _ in spans):
                    stretches.append((seg.index, a, b - 1))
            for first, end, cue in spans:  # one event a cue: libass keeps a cue where it is while it shows
                on = [k for k in range(first_stretch, len(stretches)) if first <= stretches[k][1] < end]
                if on:
                    events.append(replace(cue, start=on[0], end=on[-1] + 1))
        if not stretches:
            return
        ass = self.work / "subtitles.ass"
        write_ass(events, str(ass), width=w, height=h, font_family=self.font.family,
                  style=self.output.settings.subtitle_style, safe=self.output.safe, font_path=self.font.path)  # fmt: skip
        cmd = [self.exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
               f"color=c=black@0:s={w}x{h}:r=1,format=rgba", "-vf",
               f"subtitles=filename='{_filter_path(str(ass))}':fontsdir='{_filter_path(self.fonts)}':alpha=1",
               "-frames:v", str(len(stretches)), "-f", "rawvideo", "-pix_fmt", "rgba", "-"]  # fmt: skip
        with self._process(cmd) as proc:
            assert proc.stdout is not None
            for k, (i, first, last) in enumerate(stretches):
                frame = proc.stdout.read(w * h * 4)
                if len(frame) < w * h * 4:
                    break
                # libass blends over transparent black: the colours come premultiplied by their coverage.
                path, x, y = self._layer(f"subtitle_{i:04d}_{k}", Image.frombytes("RGBa", (w, h), frame).convert("RGBA"))
                if path:
                    self._captions.setdefault(i, []).append((path, x, y, first, last))
            else:
                k = len(stretches)
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            code = proc.wait()
        if code != 0 or k < len(stretches):
            self._check_stopped()
            raise RenderError(f"ffmpeg could not draw the subtitles (exit code {code}, {k} of {len(stretches)} "
                              "pictures).", detail=stderr.strip()[-2000:])  # fmt: skip

    def _shown_cues(self, i: int, n: int) -> list[Cue]:
        """The cues segment i shows: its shot's line (unless it is in a bubble), and the creator's captions tied to
        the shot or falling in its time."""
        fps, start, order = self.output.fps, self.plan.bounds[i], self.timeline.shots[i].order
        return [c for c in self.cues if (c.shot_order == order or
                (c.shot_order is None and c.start * fps < start + n and c.end * fps > start))
                and (self.output.settings.text_mode != "bubbles" or c.kind == "caption")]  # fmt: skip

    def _subtitles(self, graph: _Graph, i: int) -> None:
        """The segment's subtitles, as `letter_subtitles` drew them (waiting for it to end)."""
        if self.lettering is not None:
            self.lettering.result()
        for path, x, y, first, last in self._captions.get(i, []):
            graph.overlay((path, x, y), f"enable='between(n,{first},{last})'")

    def _foreground(self, graph: _Graph, picture: str, i: int, frames: int, first: int, *, talking: bool) -> str:
        """A panning motion comic: over shot i's moving background, its characters and effects moving faster
        (parallax), and on the frames the tracks pick a mouth half or wide open and closed eyes, following the
        crop to the nearest pixel."""
        fps, move = self.output.fps, self.comic[i].move
        index = graph.input(self._plate_input(i, foreground=True))
        fg = graph.chain(f"[{index}:v]loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB),"
                         f"{move.filter(first)}")  # fmt: skip
        x0, y0 = move.view_origin(first)
        for path, x, y, runs in self._sprites(i, frames, talking):
            art = graph.chain(f"[{graph.input(_picture_file(path))}:v]{_OVERLAY_FORMAT}")
            fg = graph.chain(f"{fg}{art}overlay=x='{x}-({x0})':y='{y}-({y0})':eval=frame:"
                             f"enable='{enable_expression(runs)}'")  # fmt: skip
        return graph.chain(f"{picture}{fg}overlay=0:0:format=yuv420")

    def _sprites(self, i: int, frames: int, talking: bool) -> list[tuple[str, int, int, list[tuple[int, int]]]]:
        """Shot i's sprites and the frames they show on, once its plates are made (none before its line starts)."""
        if not talking:
            return []
        return self.comic[i].overlays(frames, self.plan.moves[i].plate_size(), self.work, i)

    def _plate_input(self, i: int, *, foreground: bool = False) -> list[str]:
        """The raw plate of shot i in YUV (made once per render, shared by the two segments that show it): the
        panel, or for a panning motion comic its background, or its foreground (with alpha, moving with the faster
        move)."""
        comic = self.comic.get(i) if self.plan.moves[i].is_pan else None  # a zoom moves the panel whole
        with self._lock:
            made = self._plates.setdefault(i, threading.Lock())
        with made:
            if i not in self._made:
                if comic:  # both layers at once: they are made together
                    plates = comic.plates(self.plan.moves[i].plate_size(), self.work, i)
                    self._write_plate(i, "yuv420p", comic.background.plate(plates.background))
                    self._write_plate(i, "yuva420p", comic.move.plate(plates.foreground))
                else:
                    self._write_plate(i, "yuv420p", self.plan.moves[i].plate(self._fitted(i)))
                self._made.add(i)
        move = (comic.move if foreground else comic.background) if comic else self.plan.moves[i]
        pix_fmt = "yuva420p" if foreground else "yuv420p"
        return ["-f", "rawvideo", "-pix_fmt", pix_fmt, "-video_size", "{}x{}".format(*move.stacked_size()),
                "-framerate", str(self.output.fps), "-i", str(self.work / f"plate_{i:04d}.{pix_fmt}")]  # fmt: skip

    def _write_plate(self, i: int, pix_fmt: str, planes: list[np.ndarray]) -> None:
        self._check_stopped()
        path = self.work / f"plate_{i:04d}.{pix_fmt}"
        try:
            with open(f"{path}.part", "wb") as fh:
                for plane in planes:
                    fh.write(plane.data)
        except BaseException:
            Path(f"{path}.part").unlink(missing_ok=True)
            raise
        os.replace(f"{path}.part", path)

    def _fitted(self, i: int) -> Image.Image:
        """Shot i's panel fitted to its plate (RGB)."""
        with Image.open(self.timeline.shots[i].image_path) as panel:
            move = self.plan.moves[i]
            return fit_panel(panel, *move.plate_size(), move.resample)

    def _zoom_frames(self, i: int, frames: int, first: int, talking: bool) -> Iterator[list[np.ndarray]]:
        """Frames `first` ... `first + frames - 1` of shot i's zoom as yuv420p: the panel, with the sprites that
        show on each frame when it is talking (one picture per set of sprites, made when first shown)."""
        move = self.plan.moves[i]
        sprites = self._sprites(i, frames, talking) if i in self.comic else []
        panel = self._fitted(i)
        bare = quantized(to_planes(panel))
        arts: dict[str, Image.Image] = {}
        pictures: dict[tuple[int, ...], list[np.ndarray]] = {(): bare}
        frame: list[np.ndarray] = []
        for n in range(frames):
            shown = tuple(k for k, (_, _, _, runs) in enumerate(sprites) if any(a <= n <= b for a, b in runs))
            if shown not in pictures:
                if len(pictures) > 4:  # a mouth and a blink make a few sets at a time: keep the recent ones
                    del pictures[next(k for k in pictures if k)]
                for k in shown:
                    if sprites[k][0] not in arts:
                        with Image.open(sprites[k][0]) as art:
                            arts[sprites[k][0]] = art.convert("RGBA")
                pictures[shown] = overlaid(panel, bare, [(arts[sprites[k][0]], *sprites[k][1:3]) for k in shown])
            self._check_stopped()
            frame = frame or [np.empty_like(plane) for plane in bare]  # one buffer, written in turn
            zoomed(pictures[shown], move.scale(first + n), move.focus, frame)
            yield frame

    def _layer(self, name: str, layer: Image.Image) -> tuple[str | None, int, int]:
        """An RGBA overlay cropped to what it shows: its PNG path and where it goes (None when it is empty)."""
        box = layer.getbbox()
        if box is None:
            return None, 0, 0
        box = (box[0] // 2 * 2, box[1] // 2 * 2, min(layer.width, (box[2] + 1) // 2 * 2),
               min(layer.height, (box[3] + 1) // 2 * 2))  # fmt: skip
        path = str(self.work / f"{name}.png")
        layer.crop(box).save(path, compress_level=1)
        return path, box[0], box[1]


def _font_folder(work: Path, font: FontFace) -> str:
    """A folder holding the subtitles' font alone: libass reads every font of the folder it is given when a
    segment starts (the system's CJK folder is 90 MB, a tenth of a second per segment)."""
    folder = work / "fonts"
    folder.mkdir(exist_ok=True)
    link = folder / Path(font.path).name
    for old in folder.iterdir():
        if old != link or old.resolve() != Path(font.path).resolve():
            old.unlink()
    if not link.exists():
        link.symlink_to(Path(font.path).resolve())
    return str(folder)


def _picture_file(path: str) -> list[str]:
    """ffmpeg's input arguments for one picture file, read as named (a % in a folder's name is no frame number)."""
    return ["-f", "image2", "-pattern_type", "none", "-i", path]


class _Feed:
    """Raw frames written to ffmpeg through a pipe, from a thread of their own (ffmpeg reads its inputs in
    threads too, so two feeds of one segment never wait on each other)."""

    def __init__(self, frames: Iterator[list[np.ndarray]]) -> None:
        self.read, self._write = os.pipe()
        with contextlib.suppress(OSError):  # a system allowing less keeps the default
            fcntl.fcntl(self._write, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        self.frames = frames
        self.error: BaseException | None = None  # what stopped the frames, raised again by the encoding thread

    def write(self) -> None:
        try:
            with open(self._write, "wb") as pipe:
                self._write = -1  # the file closes it
                for frame in self.frames:
                    for plane in frame:
                        pipe.write(plane.data)
        except BrokenPipeError:
            pass  # ffmpeg stopped reading: it failed or was stopped, as its exit code says
        except Exception as exc:  # noqa: BLE001 - handed to the encoding thread, which raises it
            self.error = exc

    def start(self, name: str) -> threading.Thread:
        """Write the frames from a thread of their own, ffmpeg holding the pipe's other end (it has started)."""
        self.close_read()  # ffmpeg has its own copy: a pipe it stops reading breaks
        writer = threading.Thread(target=self.write, name=name, daemon=True)
        writer.start()
        return writer

    def close_read(self) -> None:
        if self.read >= 0:
            os.close(self.read)
            self.read = -1

    def close(self) -> None:
        self.close_read()
        if self._write >= 0:
            os.close(self._write)
            self._write = -1


class _Graph:
    """A filter graph being built: ffmpeg input arguments, labelled chains, the label of the picture so far, and
    the frames piped in."""

    def __init__(self) -> None:
        self.inputs: list[str] = []
        self.parts: list[str] = []
        self.current = ""
        self.feeds: list[_Feed] = []

    def input(self, args: list[str]) -> int:
        self.inputs.extend(args)
        return self.inputs.count("-i") - 1

    def feed(self, frames: Iterator[list[np.ndarray]], size: tuple[int, int], fps: int) -> int:
        """An input of yuv420p frames of `size` at `fps`, each given as its planes by `frames`."""
        self.feeds.append(_Feed(frames))
        return self.input(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "{}x{}".format(*size),
                           "-framerate", str(fps), "-i", f"pipe:{self.feeds[-1].read}"])  # fmt: skip

    def close(self) -> None:
        for feed in self.feeds:
            feed.close()

    def split(self, source: str) -> tuple[str, str]:
        """Two labels for the picture `source`, each to be used once."""
        first, second = f"[v{len(self.parts)}a]", f"[v{len(self.parts)}b]"
        self.parts.append(f"{source}split{first}{second}")
        return first, second

    def chain(self, filters: str) -> str:
        """Add `filters` (starting with their input labels) with a new output label, which is returned."""
        label = f"[v{len(self.parts)}]"
        self.parts.append(filters + label)
        return label

    def overlay(self, layer: tuple[str | None, int, int], options: str = "",
                looped: tuple[int, float] | None = None) -> None:  # fmt: skip
        """Put a still RGBA layer (path, x, y) over the picture; `looped` (fps, seconds) makes it a short clip whose
        alpha fades out over its last 0.6 s (the title)."""
        path, x, y = layer
        if not path:
            return
        if looped:
            fps, seconds = looped
            index = self.input(["-loop", "1", "-framerate", str(fps), "-t", f"{seconds:.3f}", *_picture_file(path)])
            fade = f",fade=t=out:st={max(0.0, seconds - 0.6):.3f}:d=0.6:alpha=1"
        else:
            index, fade = self.input(_picture_file(path)), ""
        art = self.chain(f"[{index}:v]{_OVERLAY_FORMAT}{fade}")
        self.current = self.chain(f"{self.current}{art}overlay=x={x}:y={y}" + (f":{options}" if options else ""))

    def script(self) -> str:
        return ";".join([*self.parts, f"{self.current}null[vout]"])


def _clear_of(mark: Image.Image, safe: SafeZone, corner: str) -> SafeZone:
    """The safe zone for text, less the band the watermark takes at the top or bottom."""
    box = mark.getbbox()
    if box is None:
        return safe
    gap = 0.01
    if corner.startswith("bottom"):
        return replace(safe, bottom=max(safe.bottom, (mark.height - box[1]) / mark.height + gap))
    return replace(safe, top=max(safe.top, box[3] / mark.height + gap))


def _maxrate(out: Output) -> list[str]:
    if not out.maxrate_kbps:
        return []
    return ["-maxrate", f"{out.maxrate_kbps}k", "-bufsize", f"{2 * out.maxrate_kbps}k"]


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
    voices = [[_file_digest(s.voice.path), round(s.start + s.voice_offset, 6)] for s in timeline.shots if s.voice]
    music = audio.music
    return _digest({
        "version": RENDERER_VERSION, "voices": voices, "frames": round(timeline.duration * timeline.fps),
        "fps": timeline.fps, "target": [LOUDNESS_TARGET, TRUE_PEAK_CEILING, AAC_HEADROOM, options.audio_bitrate],
        "draft": draft,
        "music": [_file_digest(music.path), music.volume, music.start, music.fade_in, music.fade_out] if music else None,
        "effects": [[_file_digest(e.path), e.at, e.volume] for e in audio.effects],
    })  # fmt: skip


def _join(exe: str, segments: list[_Segment], audio_path: str, out_path: str, seconds: float, fmt: str,
          work: Path) -> None:  # fmt: skip
    """The segments back to back and the encoded sound beside them, all by stream copy (nothing re-encoded)."""
    listing = work / "segments.txt"
    listing.write_text("".join(f"file '{_concat_path(s.path)}'\n" for s in segments), encoding="utf-8")
    tmp_out = str(Path(out_path).with_name(Path(out_path).stem + ".part." + fmt))
    cmd = [exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i",
           str(listing), "-i", audio_path, "-map", "0:v", "-map", "1:a", "-c", "copy", "-t", f"{seconds:.6f}", *_BT709,
           "-movflags", "+faststart+write_colr", "-f", "mov" if fmt == "mov" else "mp4", tmp_out]  # fmt: skip
    proc = subprocess.run(dying_with_parent(cmd), capture_output=True, text=True)
    if proc.returncode != 0:
        Path(tmp_out).unlink(missing_ok=True)
        raise RenderError(f"ffmpeg could not join the segments (exit code {proc.returncode}).",
                          detail=proc.stderr.strip()[-2000:])  # fmt: skip
    os.replace(tmp_out, out_path)


def _concat_path(path: str) -> str:
    return os.path.abspath(path).replace("'", "'\\''")


def _filter_path(path: str) -> str:
    """Escape a path for use inside an ffmpeg filter argument."""
    return path.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace(",", "\\,")


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _digest(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
