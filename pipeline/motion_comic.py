"""The motion comic: a panel's layers moving apart as the camera moves (parallax), the speaker's mouth opening with
the loudness of their voice frame by frame, and every face blinking now and then.

The image backend hands over the panel in layers (background; characters and effects) and, for each front-facing
character, sprites of the face with the mouth half or wide open and with the eyes closed (pipeline.image.base). The
renderer (pipeline.render) pans the foreground with the shot's move and the background a little slower
(`PARALLAX`; a zoom moves the panel whole, which costs a fraction of zooming two layers), and lays the sprites over
the foreground on the frames this module picks:
- a mouth from the voice: the loudness of each frame's slice of the line (RMS), against the line's own loud level,
  is closed, half or open; a state lasts at least two frames, so the mouth does not flicker;
- a blink of `BLINK_FRAMES` every 2.5-5 s, at moments drawn from the character's name (the same in every render).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.models import PanelLayers
from pipeline.motion import LANCZOS, fit_geometry, fit_panel
from pipeline.tts.dsp import read_wav

PARALLAX = 1.35  # the foreground moves this much more than the background (which pans 1/PARALLAX as fast)
HALF_OPEN, WIDE_OPEN = 0.2, 0.55  # of the line's loud level (its 90th percentile RMS)
BLINK_FRAMES_SECONDS = 0.12
BLINK_GAP = (2.5, 5.0)  # seconds between blinks
MOUTH_STATES = ("mouth_half", "mouth_open")


@dataclass(frozen=True)
class Plates:
    """A shot's layers fitted to the plate size: the background (RGB), the foreground (RGBA), and the sprites in
    plate pixels: (character, state, RGBA image, x, y)."""

    background: Image.Image
    foreground: Image.Image
    sprites: tuple[tuple[str, str, Image.Image, int, int], ...]


Sprite = tuple[str, str, Image.Image, int, int]  # (character, state, RGBA image, x, y) in plate pixels


def comic_plates(layers: PanelLayers, width: int, height: int, resample: Image.Resampling = LANCZOS) -> Plates:
    """The layers fitted to a width x height plate exactly as the flat panel would be (pipeline.motion.fit_panel,
    scaled by `resample`): the background carries the blurred surround when the panel's shape differs from the
    frame's."""
    with Image.open(layers.background) as bg:
        background = fit_panel(bg, width, height, resample)
    foreground = _foreground(layers)
    return Plates(background, _fit_layer(foreground, width, height, resample),
                  comic_sprites(layers, width, height, foreground, resample))  # fmt: skip


def comic_sprites(layers: PanelLayers, width: int, height: int, foreground: Image.Image | None = None,
                  resample: Image.Resampling = LANCZOS) -> tuple[Sprite, ...]:  # fmt: skip
    """The sprites alone, as `comic_plates` gives them (`foreground`: the layers composited, when at hand)."""
    foreground = foreground or _foreground(layers)
    scale, ox, oy = fit_geometry(foreground.width, foreground.height, width, height)
    sprites = []
    for sprite in layers.sprites:
        x0 = max(0, math.floor(ox + sprite.box[0] * scale) - 2)
        y0 = max(0, math.floor(oy + sprite.box[1] * scale) - 2)
        x1 = min(width, math.ceil(ox + sprite.box[2] * scale) + 2)
        y1 = min(height, math.ceil(oy + sprite.box[3] * scale) + 2)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        with Image.open(sprite.path) as image:
            cut = _fit_region(foreground, width, height, (x0, y0, x1, y1), (image.convert("RGBA"), sprite.box),
                              resample)  # fmt: skip
        sprites.append((sprite.character, sprite.state, cut, x0, y0))
    return tuple(sprites)


def _foreground(layers: PanelLayers) -> Image.Image:
    """The foreground layers composited, at the background's size."""
    with Image.open(layers.background) as bg:
        foreground = Image.new("RGBA", bg.size, (0, 0, 0, 0))
    for path in layers.foreground:
        with Image.open(path) as layer:
            foreground.alpha_composite(layer.convert("RGBA"))
    return foreground


def _fit_layer(layer: Image.Image, width: int, height: int, resample: Image.Resampling) -> Image.Image:
    """An RGBA layer scaled and placed like fit_panel places the panel (premultiplied, so edges keep no dark
    fringe)."""
    scale, ox, oy = fit_geometry(layer.width, layer.height, width, height)
    size = (max(1, round(layer.width * scale)), max(1, round(layer.height * scale)))
    resized = layer.convert("RGBa").resize(size, resample).convert("RGBA")
    out = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    out.paste(resized, (ox, oy))
    return out


def _fit_region(layer: Image.Image, width: int, height: int, box: tuple[int, int, int, int],
                over: tuple[Image.Image, tuple[int, int, int, int]], resample: Image.Resampling) -> Image.Image:  # fmt: skip
    """`_fit_layer(layer with over[0] laid at over[1], width, height, resample).crop(box)`, resampling only that
    region from only the source pixels it reads (Pillow's filters reach 3 source pixels at most, times the
    reduction, around it)."""
    scale, ox, oy = fit_geometry(layer.width, layer.height, width, height)
    size = (max(1, round(layer.width * scale)), max(1, round(layer.height * scale)))
    sx, sy = layer.width / size[0], layer.height / size[1]  # source pixels per output pixel, as the full resize has
    x0, y0 = max(box[0], ox), max(box[1], oy)
    x1, y1 = min(box[2], ox + size[0]), min(box[3], oy + size[1])
    out = Image.new("RGBA", (box[2] - box[0], box[3] - box[1]), (0, 0, 0, 0))
    if x1 <= x0 or y1 <= y0:
        return out
    region = ((x0 - ox) * sx, (y0 - oy) * sy, (x1 - ox) * sx, (y1 - oy) * sy)
    reach = math.ceil(3 * max(1.0, sx, sy)) + 2
    cx0, cy0 = max(0, math.floor(region[0]) - reach), max(0, math.floor(region[1]) - reach)
    cx1 = min(layer.width, math.ceil(region[2]) + reach)
    cy1 = min(layer.height, math.ceil(region[3]) + reach)
    source = layer.crop((cx0, cy0, cx1, cy1))
    image, at = over
    source.alpha_composite(image, (at[0] - cx0, at[1] - cy0))
    shifted = (region[0] - cx0, region[1] - cy0, region[2] - cx0, region[3] - cy0)
    resized = source.convert("RGBa").resize((x1 - x0, y1 - y0), resample, box=shifted)
    out.paste(resized.convert("RGBA"), (x0 - box[0], y0 - box[1]))
    return out


# -- when the mouth moves and the eyes close --------------------------------------------------------------------


def mouth_track(voice_path: str, *, fps: int, frames: int, voice_start: float) -> list[str]:
    """The mouth of each of a shot's frames: "closed", "mouth_half" or "mouth_open", from the loudness of the voice
    (which starts `voice_start` seconds into the shot)."""
    audio, rate = read_wav(voice_path)
    hop = rate / fps
    levels = np.zeros(frames)
    for n in range(frames):
        a = int((n / fps - voice_start) * rate)
        b = int(a + hop)
        if b <= 0 or a >= audio.size:
            continue
        chunk = audio[max(0, a) : min(audio.size, b)]
        levels[n] = float(np.sqrt(np.mean(chunk * chunk))) if chunk.size else 0.0
    loud = float(np.percentile(levels[levels > 0], 90)) if np.any(levels > 0) else 0.0
    if loud <= 1e-4:
        return ["closed"] * frames
    ratio = levels / loud
    raw = ["mouth_open" if r >= WIDE_OPEN else "mouth_half" if r >= HALF_OPEN else "closed" for r in ratio]
    return _without_single_frames(raw)


def _without_single_frames(raw: list[str]) -> list[str]:
    """A state held for one frame only takes the state before it (the first frame, the one after): the mouth
    never flickers, and a fast run of changes while speaking holds a half or open mouth rather than closing."""
    out = list(raw)
    n = 0
    while n < len(raw):
        end = n
        while end + 1 < len(raw) and raw[end + 1] == raw[n]:
            end += 1
        if end == n and len(raw) > 1:
            out[n] = out[n - 1] if n > 0 else raw[1]
        n = end + 1
    return out


def blink_track(character: str, *, fps: int, frames: int, shot_start: float) -> list[bool]:
    """Whether the character's eyes are closed on each of a shot's frames (the same moments in every render)."""
    rng = random.Random(int.from_bytes(hashlib.sha256(character.encode()).digest()[:8], "big"))
    closed = [False] * frames
    length = max(2, round(BLINK_FRAMES_SECONDS * fps))
    t = rng.uniform(0.5, BLINK_GAP[1])
    end = shot_start + frames / fps
    while t < end:
        if t >= shot_start:
            first = round((t - shot_start) * fps)
            for n in range(first, min(frames, first + length)):
                closed[n] = True
        t += rng.uniform(*BLINK_GAP)
    return closed


def frame_ranges(flags: list[bool]) -> list[tuple[int, int]]:
    """Runs of True as inclusive (first, last) frame numbers."""
    runs: list[tuple[int, int]] = []
    start = None
    for n, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = n
        elif not flag and start is not None:
            runs.append((start, n - 1))
            start = None
    return runs


def enable_expression(runs: list[tuple[int, int]]) -> str:
    """An ffmpeg `enable` expression true on those frames (n counts the stream's frames from 0)."""
    return "+".join(f"between(n,{a},{b})" for a, b in runs)
