"""What every drawing step of a sketch panel can reach: the image, its pen, its size and line style."""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from pipeline.image.base import PanelRequest
from pipeline.image.looks import RGB
from pipeline.image.styles import StyleLook
from pipeline.models import StoryboardShot

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in panel pixels


@dataclass(frozen=True)
class Sprite:
    """A small RGBA picture and where it goes on the panel: a mouth half or wide open, closed eyes."""

    box: Box
    image: Image.Image


class PanelCanvas:
    """Attributes set by the panel (sketch._Panel); the scenery and figure mixins draw through them."""

    req: PanelRequest
    shot: StoryboardShot
    image: Image.Image
    draw: ImageDraw.ImageDraw
    w: int
    h: int
    unit: float  # one percent of the shorter side, in pixels
    outline: RGB
    line_w: int
    rng: random.Random  # seeded by the request: what varies between variations of one panel
    anchors: dict[str, tuple[float, float]]  # where each front-facing character's head is, as frame fractions
    style: StyleLook  # line weight, proportions, eyes, shading and colour of the panel's style
    weather: frozenset[str]  # what falls or blows in the scene: the shot's own words and the scene's (PanelRequest)
    faces: dict[str, Box]  # each visible face: effects (speed lines, screentone) and text keep off it
    mouths: dict[str, tuple[int, int]]  # where each visible mouth is: a bubble's tail points there
    # By character, the sprites a motion comic swaps in over the drawn (closed-mouthed, open-eyed) face:
    # "mouth_half", "mouth_open", "eyes_closed".
    sprites: dict[str, dict[str, Sprite]]

    def layer(self, name: str) -> None:
        """Send what is drawn next to the layer `name` ("background", "character:<name>", "effects"); the panel
        flattens them in that order. Provided by the panel (sketch._Panel)."""
        raise NotImplementedError
