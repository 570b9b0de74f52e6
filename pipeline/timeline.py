"""Place shots on the timeline: a voiced shot lasts as long as its voice plus the gap between lines, others as
planned."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import RenderError
from pipeline.models import ASPECT_SIZES, PanelLayers, Storyboard, TimedShot, Timeline, VoiceClip

VOICE_LEAD = 0.2  # seconds of picture before the voice starts: the viewer sees who speaks before hearing them
LINE_GAP = 0.5  # seconds from the end of one line to the start of the next (the shot's tail + the next one's lead)
MIN_VOICED_SHOT = 1.2


@dataclass(frozen=True)
class Pacing:
    """How tight the cut is: the silence between lines, and how long a shot nobody speaks in may last (its
    planned length, from how much happens in it, is kept within `action_range`); and how fast the voices speak
    (Hanzi a second for Chinese, words a second for other languages), which estimates use before any voice exists
    (pipeline.estimate)."""

    line_gap: float = LINE_GAP
    action_range: tuple[float, float] = (1.5, 4.0)
    hanzi_per_second: float = 3.3
    words_per_second: float = 3.0

    def check(self) -> None:
        if not 0.0 <= self.line_gap <= 3.0:
            raise RenderError(f"line gap {self.line_gap} s must be between 0 and 3 seconds (0.5 is brisk).")
        low, high = self.action_range
        if not 0.5 <= low <= high <= 30:
            raise RenderError(f"action shot range {self.action_range} must satisfy 0.5 <= min <= max <= 30 seconds.")
        if not (0.5 <= self.hanzi_per_second <= 20 and 0.3 <= self.words_per_second <= 10):
            raise RenderError(f"speaking rates {self.hanzi_per_second} Hanzi/s and {self.words_per_second} words/s "
                              "must be within 0.5-20 and 0.3-10.")  # fmt: skip

    @property
    def lead(self) -> float:
        """Picture before the voice: VOICE_LEAD, or all of the gap when the gap is shorter."""
        return min(VOICE_LEAD, self.line_gap)

    @property
    def tail(self) -> float:
        """Picture held after the voice, before the next shot."""
        return self.line_gap - self.lead


def shot_duration(planned: float, voice: VoiceClip | None, pacing: Pacing | None = None) -> float:
    """A voiced shot follows its voice length (lead + voice + tail); an unvoiced one keeps its planned duration."""
    if voice is None:
        return round(planned, 3)
    pacing = pacing or Pacing()
    return round(max(MIN_VOICED_SHOT, pacing.lead + voice.duration + pacing.tail), 3)


def _marks(params: Mapping[str, Any]) -> dict[str, dict[str, tuple[float, ...]]]:
    """The places a panel reports (heads, faces, mouths), as tuples of fractions by character; anything else in
    the stored params (an old or imported row) is left out."""
    sizes = {"anchors": 2, "faces": 4, "mouths": 2}
    out: dict[str, dict[str, tuple[float, ...]]] = {}
    for key, size in sizes.items():
        found = params.get(key)
        out[key] = {str(name): tuple(float(v) for v in values) for name, values in
                    (found.items() if isinstance(found, Mapping) else ())
                    if isinstance(values, list | tuple) and len(values) == size
                    and all(isinstance(v, int | float) and math.isfinite(v) for v in values)}  # fmt: skip
    return out


def build_timeline(
    storyboard: Storyboard,
    images: Mapping[int, str],
    voices: Mapping[int, VoiceClip],
    *,
    fps: int = 25,
    size: tuple[int, int] | None = None,
    panels: Mapping[int, Mapping[str, Any]] | None = None,
    layers: Mapping[int, PanelLayers] | None = None,
    pacing: Pacing | None = None,
) -> Timeline:
    """Give every shot its start time and length.

    Args:
        storyboard: the planned shots.
        images: panel image path by shot order; every shot needs one.
        voices: voice clip by shot order, for the voiced shots.
        fps: frames per second of the video.
        size: (width, height); defaults to the storyboard's aspect ratio at 1080p.
        panels: by shot order, what the image backend reported of its panel (DrawnPanel.params): where each
            character's head, face and mouth are (`anchors`, `faces`, `mouths`, as fractions); a zoom centres on
            the speaker, a bubble points at their mouth and keeps off every face.
        layers: by shot order, the panel in layers (for the motion comic), when the backend made them.
        pacing: the gap between lines (by default `LINE_GAP`).

    Raises:
        RenderError: a shot has no panel image, or the pacing is out of range.
    """
    pacing = pacing or Pacing()
    pacing.check()
    missing = [s.order for s in storyboard.shots if s.order not in images]
    if missing:
        raise RenderError(f"shots {missing} have no panel image yet: draw the panels before rendering.")
    width, height = size or ASPECT_SIZES[storyboard.aspect_ratio]
    timed: list[TimedShot] = []
    start = 0.0
    for shot in storyboard.shots:
        voice = voices.get(shot.order)
        duration = shot_duration(shot.duration, voice, pacing)
        timed.append(
            TimedShot(
                order=shot.order,
                image_path=images[shot.order],
                start=round(start, 3),
                duration=duration,
                transition=shot.transition,
                subtitle=shot.text if voice else "",
                speaker=shot.speaker,
                voice=voice,
                voice_offset=pacing.lead,
                kind=shot.kind,
                camera=shot.camera,
                motion=shot.motion,
                **_marks((panels or {}).get(shot.order, {})),  # type: ignore[arg-type]  # 2 or 4 numbers each
                layers=(layers or {}).get(shot.order),
                emotion=shot.emotion,
                sound_effects=shot.sound_effects,
            )
        )
        start += duration
    return Timeline(width=width, height=height, fps=fps, shots=tuple(timed))
