"""How each drawing style looks, for every step of a sketch panel: line weight, proportions, eyes, shading and
colour. Styles differ in all of these, not in dots alone (issue: `anime`, `chinese`, `comic`, `chibi`, `noir`,
`watercolor`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
