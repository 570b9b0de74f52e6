"""How each drawing style looks, for every step of a sketch panel: line weight, proportions, eyes, shading and
colour. Styles differ in all of these, not in dots alone (issue: `anime`, `chinese`, `comic`, `chibi`, `noir`,
`watercolor`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
from PIL import Image, ImageChops, ImageEnhance, ImageFilter

RGB = tuple[int, int, int]
Shading = Literal["cel", "halftone", "wash", "flat", "noir", "watercolor"]
Eyes = Literal["anime", "dot", "ink", "chibi"]


@dataclass(frozen=True)
class StyleLook:
    name: str
    outline: RGB  # ink colour
    line_scale: float  # line width against the default (1.0)
    head_ratio: float  # an adult's height in heads (chibi 2.6 … realistic 7.5)
    eyes: Eyes  # anime: big eyes with highlights; dot: simple; ink: brush strokes; chibi: huge round
    shading: Shading  # the texture of shadows: cel bands, halftone dots, ink wash, flat, hard black, paper bleed
    saturation: float  # colour saturation against the script's colours (1.0 = as described)
    warmth: float  # -1 cool … +1 warm: a tint over the whole panel
    border: float  # panel border, in units of 1 % of the short side
    paper: RGB | None = None  # a paper tone the colours sit on (ink wash, watercolour), or None


STYLE_LOOKS: dict[str, StyleLook] = {
    "anime": StyleLook("anime", (40, 30, 50), 0.8, 6.5, "anime", "cel", 1.15, 0.05, 1.0),
    "comic": StyleLook("comic", (18, 18, 22), 1.3, 7.0, "dot", "halftone", 1.05, 0.0, 1.4),
    "chinese": StyleLook("chinese", (35, 28, 24), 1.1, 7.0, "ink", "wash", 0.6, 0.15, 1.2, (238, 228, 205)),
    "chibi": StyleLook("chibi", (70, 45, 50), 1.0, 2.6, "chibi", "flat", 1.2, 0.1, 1.2),
    "noir": StyleLook("noir", (8, 8, 10), 1.5, 7.5, "dot", "noir", 0.0, -0.1, 1.6),
    "watercolor": StyleLook("watercolor", (70, 60, 70), 0.6, 6.5, "dot", "watercolor", 0.85, 0.05, 0.8,
                            (246, 242, 232)),
}  # fmt: skip


def style_look(name: str) -> StyleLook:
    """The look of a style by name; raises KeyError naming the known ones."""
    if name not in STYLE_LOOKS:
        raise KeyError(f"unknown style {name!r}; known: {sorted(STYLE_LOOKS)}")
    return STYLE_LOOKS[name]


def style_layer(layer: Image.Image, look: StyleLook, *, background: bool) -> Image.Image:
    """A layer in the style's colour: saturation, a warm or cool tint, black and white with hard contrast for noir,
    and for the background the style's paper and texture (an ink wash, a watercolour's bleed and grain). Only
    per-pixel colour changes on the layers above the background, so the layers still composite to the panel."""
    alpha = layer.getchannel("A") if layer.mode == "RGBA" else None
    rgb = layer.convert("RGB")
    if look.shading == "noir":
        grey = rgb.convert("L").point(_noir_curve())
        rgb = Image.merge("RGB", (grey, grey, grey))
    else:
        if look.saturation != 1.0:
            rgb = ImageEnhance.Color(rgb).enhance(look.saturation)
        if look.warmth:
            rgb = rgb.point(_tint(look.warmth))
    if background and look.paper:
        if look.shading == "watercolor":  # pigment bleeds a little and the paper's grain shows through
            rgb = rgb.filter(ImageFilter.GaussianBlur(max(1.0, min(rgb.size) / 500)))
        rgb = Image.blend(rgb, ImageChops.multiply(rgb, _paper(rgb.size, look.paper, look.shading)), 0.6)
    if alpha is None:
        return rgb
    rgb.putalpha(alpha)
    return rgb


@cache
def _noir_curve() -> list[int]:
    """A hard S-curve: mid greys pushed to black or white."""
    x = np.arange(256) / 255.0
    y = 1 / (1 + np.exp(-9 * (x - 0.5)))
    y = (y - y[0]) / (y[-1] - y[0])
    return [int(v) for v in np.round(y * 255)]


@cache
def _tint(warmth: float) -> list[int]:
    """Per-channel curves (R, G, B) warming (or cooling) the colours by `warmth` (-1 … 1)."""
    x = np.arange(256)
    r = np.clip(x * (1 + 0.08 * warmth) + 6 * warmth, 0, 255)
    b = np.clip(x * (1 - 0.1 * warmth) - 4 * warmth, 0, 255)
    return [int(v) for v in np.round(np.concatenate([r, x, b]))]


@cache
def _paper(size: tuple[int, int], tone: RGB, shading: str) -> Image.Image:
    """The paper under the colours: its tone with a soft, low-frequency mottle (an ink wash) or a fine grain
    (watercolour). Fixed, so every panel of the style sits on the same paper."""
    w, h = size
    rng = np.random.default_rng(7)
    if shading == "wash":
        small = rng.normal(0, 1, (max(2, h // 64), max(2, w // 64)))
        noise = np.asarray(Image.fromarray(((small - small.min()) / np.ptp(small) * 255).astype(np.uint8))
                           .resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32) / 255 - 0.5  # fmt: skip
        amount = 28
    else:
        noise = rng.normal(0, 0.5, (h, w)).astype(np.float32)
        amount = 10
    paper = np.clip(np.array(tone, dtype=np.float32)[None, None, :] + amount * noise[..., None], 0, 255)
    return Image.fromarray(paper.astype(np.uint8))
