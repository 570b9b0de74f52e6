"""The frame plan of a render and what decides each segment's pixels: where each shot starts and how many frames it
owns, its transitions and its move (`FramePlan`); a segment's spec, hashed as its cache key; and the shots drawn as a
motion comic, with the frames each sprite shows on (`ComicShot`)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.digests import file_digest
from pipeline.errors import RenderError
from pipeline.fonts import FontFace
from pipeline.models import PanelLayers, Timeline
from pipeline.motion import Move, auto_motion
from pipeline.motion_comic import (
    MOUTH_STATES,
    PARALLAX,
    Plates,
    Sprite,
    blink_track,
    comic_plates,
    comic_sprites,
    frame_ranges,
    mouth_track,
)
from pipeline.presets import Output, RenderSettings
from pipeline.subtitles import Cue

# Bump when a change to the renderer (this module, pipeline.segment_encoder, pipeline.motion, pipeline.yuv, the mix)
# changes the pixels of a segment or the sound: old caches are not reused.
RENDERER_VERSION = 6


@dataclass
class Segment:
    """Shot `index`'s frames of the video (its own, ending with the transition into the next shot): what decides
    them (`spec`, hashed as `digest`), the encoded file, and how many frames are encoded so far."""

    index: int
    frames: int
    spec: dict[str, Any]
    digest: str = ""
    path: str = ""
    done: int = 0


@dataclass
class ComicShot:
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
        return [[file_digest(f) for f in files], [[sp.character, sp.state, list(sp.box)] for sp in self.layers.sprites],
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


def comic_tracks(timeline: Timeline, plan: FramePlan) -> dict[int, ComicShot]:
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
        out[i] = ComicShot(shot.layers, plan.moves[i], replace(plan.moves[i], speed=1 / PARALLAX), runs)
    return out


class FramePlan:
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


def segment_spec(
    i: int, transition: str, plan: FramePlan, output: Output, cues: list[Cue], font: FontFace
) -> Segment:
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
        "cues": [[*cue_frames(c, start, frames, fps), c.text, c.speaker, c.kind, c.shot_order] for c in seg_cues],
        "lettering": [[s.emotion, list(s.sound_effects), sorted(s.faces.items()), sorted(s.mouths.items()),
                       sorted(s.anchors.items())] for s in (plan.shots[j] for j in shots_in)],
        "watermark": _watermark_spec(settings), "title": settings.title if i == 0 else "",
        "font": [font.path, font.index],
    }  # fmt: skip
    return Segment(index=i, frames=frames, spec=spec)


def cue_frames(cue: Cue, start: int, frames: int, fps: int) -> tuple[int, int]:
    """The frames of a segment (starting at frame `start`, `frames` long) that show `cue`: [first, end). Frame k
    shows it when cue.start <= (start + k) / fps < cue.end."""
    first = max(0, math.ceil(cue.start * fps - start - 1e-6))
    return first, max(first, min(frames, math.ceil(cue.end * fps - start - 1e-6)))


def _watermark_spec(settings: RenderSettings) -> list[Any]:
    mark = settings.watermark
    if not mark.enabled:
        return []
    image = file_digest(mark.image_path) if mark.image_path else None
    return [mark.text, image, mark.position, mark.opacity]
