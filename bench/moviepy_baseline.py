"""The render benchmark's baseline: the same video written with moviepy the usual way (an ImageClip per panel with a
Ken Burns resize and position, crossfades, a TextClip per subtitle, a TextClip watermark, one CompositeVideoClip).

It runs in its own venv (moviepy 2 needs Pillow < 12; the project has Pillow 12), started by bench/render.py:
    .venv-bench/bin/python bench/moviepy_baseline.py SPEC.json
SPEC.json (written by bench/render.py) holds the frame size, fps, encoder settings, font, dialogue WAV, title,
watermark, cues and, per shot, its panel, start, length, incoming crossfade and move.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip, vfx

Position = Callable[[float], tuple[float, float]]


def panel_clip(shot: dict[str, Any], width: int, height: int) -> ImageClip:
    """One panel, on screen from its incoming crossfade to its end, moving as the shot's move says."""
    fade = shot["fade_in"]
    length = shot["duration"] + fade
    clip = ImageClip(shot["image"]).with_start(shot["start"] - fade).with_duration(length)
    move = shot["move"]
    if move["kind"] == "pan":
        pw, ph = move["plate"]
        a, b = move["from"], move["to"]

        def along(t: float) -> float:
            return -(a + (b - a) * min(1.0, t / length))

        clip = clip.resized(new_size=(pw, ph))
        across_x, across_y = -(pw - width) / 2, -(ph - height) / 2
        position: Position = ((lambda t: (along(t), across_y)) if move["horizontal"]
                              else (lambda t: (across_x, along(t))))  # fmt: skip
        clip = clip.with_position(position)
    elif move["kind"] == "zoom":
        z0, z1 = move["zoom"]
        fx, fy = move["focus"]

        def scale(t: float) -> float:
            return z0 + (z1 - z0) * min(1.0, t / length)

        clip = clip.resized(lambda t: scale(t))
        clip = clip.with_position(lambda t: (fx * width * (1 - scale(t)), fy * height * (1 - scale(t))))
    if fade > 0:
        clip = clip.with_effects([vfx.CrossFadeIn(fade)])
    return clip


def text_clips(spec: dict[str, Any]) -> list[TextClip]:
    """The subtitles, low in the safe area; the title over the opening seconds; the watermark in its corner."""
    width, height, font = spec["width"], spec["height"], spec["font"]
    top, bottom, left, right = spec["safe"]
    x0, x1, y1 = width * left, width * (1 - right), height * (1 - bottom)
    clips = []
    for cue in spec["cues"]:
        sub = TextClip(font=font, text=cue["text"], font_size=round(height * 0.034), color="white",
                       stroke_color="black", stroke_width=4, method="caption", size=(round(x1 - x0), None),
                       text_align="center")  # fmt: skip
        clips.append(sub.with_start(cue["start"]).with_duration(cue["end"] - cue["start"])
                     .with_position((x0, y1 - sub.h)))  # fmt: skip
    if spec["title"]:
        title = TextClip(font=font, text=spec["title"], font_size=round(height * 0.05), color="white",
                         stroke_color="black", stroke_width=5, method="caption", size=(round(x1 - x0), None),
                         text_align="center", duration=spec["title_seconds"])  # fmt: skip
        clips.append(title.with_position((x0, height * top + height * 0.04)).with_effects([vfx.CrossFadeOut(0.6)]))
    mark = spec["watermark"]
    if mark["text"]:
        wm = TextClip(font=font, text=mark["text"], font_size=round(height * 0.022), color="white",
                      duration=spec["duration"])  # fmt: skip
        clips.append(wm.with_opacity(mark["opacity"]).with_position((x1 - wm.w, y1 - wm.h - height * 0.01)))
    return clips


def render(spec: dict[str, Any]) -> None:
    width, height = spec["width"], spec["height"]
    panels = [panel_clip(shot, width, height) for shot in spec["shots"]]
    video = CompositeVideoClip([*panels, *text_clips(spec)], size=(width, height), bg_color=(0, 0, 0))
    video = video.with_duration(spec["duration"]).with_audio(AudioFileClip(spec["audio"]))
    video.write_videofile(spec["out"], fps=spec["fps"], codec="libx264", preset=spec["preset"],
                          ffmpeg_params=["-crf", str(spec["crf"])], audio_codec="aac", logger=None)  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: moviepy_baseline.py SPEC.json (written by bench/render.py)")
    with open(sys.argv[1], encoding="utf-8") as fh:
        render(json.load(fh))
