"""Which backdrop and light a shot is drawn in, where its horizon falls, and the style's finish over the place.

A place looks the same in every shot of its scene: its drawing is seeded by the location alone; the panel's seed
only tilts the camera (the horizon), moves the clouds and the moon.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from PIL import Image, ImageDraw

from pipeline.image import backdrops_indoor as indoor
from pipeline.image import backdrops_outdoor as outdoor
from pipeline.image.canvas import PanelCanvas
from pipeline.image.looks import stable_int
from pipeline.image.palettes import Palette, daypart_for, palette_for
from pipeline.image.places import NEUTRAL, backdrop_of, is_indoor
from pipeline.image.scene_pen import ScenePen
from pipeline.image.styles import StyleLook
from pipeline.image.weather import weather_for
from pipeline.models import StoryboardShot

Backdrop = Callable[[ScenePen, int], None]
DRAWERS: dict[str, Backdrop] = {
    "street": outdoor.street, "rooftop": outdoor.rooftop, "market": outdoor.market, "park": outdoor.park,
    "bridge": outdoor.bridge, "mountain_road": outdoor.mountain_road, "forest": outdoor.forest,
    "beach": outdoor.beach, "sea": outdoor.open_sea, "lighthouse": outdoor.lighthouse, "temple": outdoor.temple,
    "classroom": indoor.classroom, "home": indoor.home, "bedroom": indoor.bedroom, "office": indoor.office,
    "cafe": indoor.cafe, "bookshop": indoor.bookshop, "shop": indoor.shop, "station": indoor.station,
    "hospital": indoor.hospital, "lantern_room": indoor.lantern_room, "spaceship": indoor.spaceship,
}  # fmt: skip
# Where the horizon (or the foot of a room's back wall) falls, as a share of the height: low when the camera
# looks up, high when it looks down, lower in wide shots so the figures stand in their place.
HORIZONS: dict[str, float] = {"establishing": 0.72, "long": 0.72, "medium": 0.66, "closeup": 0.66,
                              "over-shoulder": 0.66, "low-angle": 0.8, "high-angle": 0.45}  # fmt: skip


def light_of(shot: StoryboardShot, style: StyleLook | None, weather: frozenset[str] | None = None) -> Palette:
    """The light the shot's place is drawn in: its time of day, indoors or out, its weather (by default what the
    shot names), its style."""
    backdrop = backdrop_of(shot)
    daypart = daypart_for(shot.time, shot.location, shot.scene_description)
    return palette_for(daypart, is_indoor(backdrop, shot.interior), weather_for(shot) if weather is None else weather,
                       style.shading if style else "cel", style.paper if style else None)  # fmt: skip


def scene_pen(canvas: PanelCanvas) -> ScenePen:
    """A pen on the canvas's current layer, lit for its shot, seeded by its place."""
    style = getattr(canvas, "style", None)  # set by the panel; absent only while a panel is being built
    place = random.Random(stable_int("place", canvas.shot.location))
    return ScenePen(canvas, light_of(canvas.shot, style, getattr(canvas, "weather", None)), place)


class BackdropMixin(PanelCanvas):
    def _background(self) -> int:
        """Draw the shot's place on the current layer; return the horizon's y, where figures stand."""
        pen = scene_pen(self)
        backdrop = backdrop_of(self.shot)
        # The seed tilts the camera a little, so each variation of a panel frames its place differently.
        horizon = int(self.h * (HORIZONS.get(self.shot.camera, 0.66) + self.rng.uniform(-0.03, 0.03)))
        drawer: Backdrop
        if backdrop == NEUTRAL:
            drawer = indoor.plain_room if is_indoor(backdrop, self.shot.interior) else outdoor.open_land
        else:
            drawer = DRAWERS[backdrop]
        drawer(pen, horizon)
        finish_style(pen, horizon)
        return horizon


def finish_style(pen: ScenePen, horizon: int) -> None:
    """The style's last touch on the place: watercolour bleeds soft, noir throws blind-slat light across a room."""
    if pen.shading == "watercolor":
        small = pen.image.resize((max(1, pen.w // 6), max(1, pen.h // 6)), Image.Resampling.BILINEAR)
        soft = small.resize((pen.w, pen.h), Image.Resampling.BILINEAR)
        pen.image.paste(Image.blend(pen.image, soft, 0.55))
    elif pen.shading == "noir" and pen.pal.indoor:
        slats = Image.new("RGBA", (pen.w, max(1, horizon)), (0, 0, 0, 0))  # on the wall, not the floor
        draw = ImageDraw.Draw(slats)
        step, slant = pen.u(7), pen.w * 0.5
        for k in range(8):
            y = horizon * 0.05 + k * step
            draw.polygon([(0, y), (pen.w, y + slant), (pen.w, y + slant + step * 0.45), (0, y + step * 0.45)],
                         fill=(255, 250, 235, 70))  # fmt: skip
        pen.overlay(slats, 0, 0)
