"""Place shots on the timeline: a voiced shot lasts as long as its voice (plus a breath), others as planned."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.errors import RenderError
from pipeline.models import ASPECT_SIZES, Storyboard, TimedShot, Timeline, VoiceClip

VOICE_LEAD = 0.35  # seconds of picture before the voice starts (covers the crossfade in)
VOICE_TAIL = 0.45  # seconds held after the voice ends
MIN_VOICED_SHOT = 1.5


def shot_duration(planned: float, voice: VoiceClip | None) -> float:
    """A voiced shot follows its voice length; an unvoiced one keeps its planned duration."""
    if voice is None:
        return round(planned, 3)
    return round(max(MIN_VOICED_SHOT, VOICE_LEAD + voice.duration + VOICE_TAIL), 3)


def build_timeline(
    storyboard: Storyboard,
    images: Mapping[int, str],
    voices: Mapping[int, VoiceClip],
    *,
    fps: int = 25,
    size: tuple[int, int] | None = None,
    anchors: Mapping[int, Mapping[str, tuple[float, float]]] | None = None,
) -> Timeline:
    """Give every shot its start time and length.

    Args:
        storyboard: the planned shots.
        images: panel image path by shot order; every shot needs one.
        voices: voice clip by shot order, for the voiced shots.
        fps: frames per second of the video.
        size: (width, height); defaults to the storyboard's aspect ratio at 1080p.
        anchors: by shot order, where each character's head is in its panel (x, y fractions), as the image
            backend reported it; a zoom centres on the speaker and a bubble points at them.

    Raises:
        RenderError: a shot has no panel image.
    """
    missing = [s.order for s in storyboard.shots if s.order not in images]
    if missing:
        raise RenderError(f"shots {missing} have no panel image yet: draw the panels before rendering.")
    width, height = size or ASPECT_SIZES[storyboard.aspect_ratio]
    timed: list[TimedShot] = []
    start = 0.0
    for shot in storyboard.shots:
        voice = voices.get(shot.order)
        duration = shot_duration(shot.duration, voice)
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
                voice_offset=VOICE_LEAD,
                kind=shot.kind,
                camera=shot.camera,
                motion=shot.motion,
                anchors=dict((anchors or {}).get(shot.order, {})),
            )
        )
        start += duration
    return Timeline(width=width, height=height, fps=fps, shots=tuple(timed))
