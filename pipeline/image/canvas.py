"""What every drawing step of a sketch panel can reach: the image, its pen, its size and line style."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from pipeline.image.base import PanelRequest
from pipeline.image.looks import RGB
from pipeline.models import StoryboardShot


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
