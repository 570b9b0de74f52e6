"""Weather over a panel: rain, snow, fog and wind read from the shot's place, time, action lines and sound effects
(zh and en), drawn see-through on the effects layer, in front of the characters but never over a face."""

from __future__ import annotations

import random
import re
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from pipeline.image.canvas import PanelCanvas
from pipeline.image.palettes import daypart_for
from pipeline.image.places import backdrop_of, is_indoor, without_names, words_pattern
from pipeline.image.scene_pen import Area, lay_over
from pipeline.models import StoryboardShot

WEATHERS: tuple[str, ...] = ("rain", "snow", "fog", "wind")
# "风" alone is also 风景 (a view), 风筝 (a kite), 风格 (a style): only words that mean moving air count as wind.
WEATHER_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rain": (("雨", "雷", "闪电"),
             ("rain", "raining", "rainy", "downpour", "drizzle", "drizzling", "storm", "stormy", "thunder",
              "thunderstorm", "lightning", "shower", "pouring")),
    "snow": (("雪",), ("snow", "snowing", "snowy", "blizzard", "snowfall", "flurries", "sleet", "snowflake")),
    "fog": (("雾", "霾", "朦胧", "烟雨"), ("fog", "foggy", "mist", "misty", "haze", "hazy", "smog")),
    "wind": (("大风", "狂风", "寒风", "风声", "刮风", "微风", "风吹", "暴风", "台风", "风雨", "北风", "秋风", "晚风",
              "海风", "山风", "起风", "风呼", "风很大", "清风", "风沙"),
             ("wind", "windy", "gust", "gale", "breeze", "blustery", "storm", "stormy", "typhoon", "hurricane",
              "blizzard", "howling wind")),
}  # fmt: skip
_DROP, _FLAKE, _FOG, _NIGHT_FOG = (215, 225, 240), (255, 255, 255), (226, 228, 232), (75, 80, 95)
_LEAVES = ((110, 150, 60), (190, 130, 50), (170, 80, 40))


@lru_cache(maxsize=4096)  # a storyboard's panels each ask for their scene's: every shot's words read once
def weather_for(shot: StoryboardShot) -> frozenset[str]:
    """The weathers the shot's words name: its place, time, description, action or narration line (not what a
    character says: "明天会下雨吗" is no rain) and sound effects ("风声", "thunder")."""
    words = [shot.location, shot.time, shot.scene_description, *shot.sound_effects]
    if shot.kind != "dialogue":
        words.append(shot.text)
    text = without_names(" ".join(w for w in words if w), shot)
    return frozenset(name for name, pattern in _patterns() if pattern.search(text))


class WeatherMixin(PanelCanvas):
    def _weather(self) -> None:
        """Draw the shot's weather out of doors on the current layer (the effects layer, over the characters):
        sparse see-through rain streaks, snowflakes, a fog veil, wind streaks and blown leaves; none over a face."""
        weather = getattr(self, "weather", None) or weather_for(self.shot)  # the panel's (with its scene's), if set
        if not weather or is_indoor(backdrop_of(self.shot), self.shot.interior):
            return  # indoors the weather is only what the window shows
        night = daypart_for(self.shot.time, self.shot.location, self.shot.scene_description) == "night"
        pad = 2 * self.unit
        faces = [(x0 - pad, y0 - pad, x1 + pad, y1 + pad) for x0, y0, x1, y1 in getattr(self, "faces", {}).values()]
        rng = random.Random(self.rng.random())  # one draw: the variation moves the drops, nothing else shifts
        draw_weather(self.image, weather, self.unit, faces, night, rng)


def draw_weather(image: Image.Image, weather: frozenset[str] | set[str], unit: float, faces: list[Area],
                 night: bool, rng: random.Random) -> None:  # fmt: skip
    """Lay the weathers over `image` (1 % of its short side is `unit`), keeping marks off `faces` (boxes)."""
    if "fog" in weather:
        _fog(image, faces, night)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    marks = _Marks(ImageDraw.Draw(overlay), image.width, image.height, unit, faces, rng)
    windy = "wind" in weather
    if "rain" in weather:
        marks.rain(slant=0.45 if windy else 0.12)
    if "snow" in weather:
        marks.snow(drift=windy)
    if windy:
        marks.wind()
    lay_over(image, overlay, 0, 0)


class _Marks:
    """Scatters weather marks at the same density at any panel size, skipping any that would touch a face."""

    def __init__(self, pen: ImageDraw.ImageDraw, w: int, h: int, unit: float, faces: list[Area],
                 rng: random.Random) -> None:  # fmt: skip
        self.pen, self.w, self.h, self.unit, self.faces, self.rng = pen, w, h, unit, faces, rng

    def count(self, per_area: float) -> int:
        """How many marks for one every `per_area` square units."""
        return int(self.w * self.h / (self.unit * self.unit) / per_area)

    def clear(self, box: Area) -> bool:
        return not _hits(box, self.faces)

    def rain(self, slant: float) -> None:
        rng, unit = self.rng, self.unit
        width = max(1, round(unit * 0.18))
        for _ in range(self.count(55)):
            x, y = rng.uniform(-0.1, 1.0) * self.w, rng.uniform(-0.05, 1.0) * self.h
            length = rng.uniform(3.5, 7.0) * unit
            end = (x + length * slant, y + length)
            alpha = rng.randint(90, 140)
            if self.clear((x, y, *end)):
                self.pen.line([(x, y), end], fill=(*_DROP, alpha), width=width)

    def snow(self, drift: bool) -> None:
        rng = self.rng
        for _ in range(self.count(40)):
            x, y = rng.uniform(0, self.w), rng.uniform(0, self.h)
            r = rng.uniform(0.25, 0.7) * self.unit
            box = (x - r * (2.2 if drift else 1), y - r, x + r, y + r)
            alpha = rng.randint(170, 230)
            if self.clear(box):
                self.pen.ellipse(box, fill=(*_FLAKE, alpha))

    def wind(self) -> None:
        rng, unit = self.rng, self.unit
        for _ in range(self.count(700)):  # streaks of moving air
            x, y = rng.uniform(-0.2, 1.0) * self.w, rng.uniform(0.05, 0.95) * self.h
            length, bow = rng.uniform(15, 35) * unit, rng.uniform(1.5, 4) * unit
            box = (x, y - bow, x + length, y + bow)
            if self.clear(box):
                self.pen.arc(box, 200, 340, fill=(255, 255, 255, 120), width=max(1, round(unit * 0.3)))
        for _ in range(self.count(900)):  # leaves blown across
            x, y = rng.uniform(0, self.w), rng.uniform(0, self.h)
            r = rng.uniform(0.6, 1.1) * unit
            box = (x - r * 1.6, y - r * 0.7, x + r * 1.6, y + r * 0.7)
            colour = rng.choice(_LEAVES)
            if self.clear(box):
                self.pen.ellipse(box, fill=(*colour, 220))


def _fog(image: Image.Image, faces: list[Area], night: bool) -> None:
    """A veil thickest low down, where mist lies, and thin over faces so expressions still read: a third as thick at
    a face's centre, thickening smoothly past its edge (no box shows around a head)."""
    w, h = image.size
    alpha = _fog_alpha(w, h).astype(np.float32)
    for x0, y0, x1, y1 in faces:
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, max(1.0, (x1 - x0) * 0.75), max(1.0, (y1 - y0) * 0.75)
        left, top, right, bottom = max(0, int(cx - rx)), max(0, int(cy - ry)), min(w, int(cx + rx) + 1), min(h, int(cy + ry) + 1)
        if right <= left or bottom <= top:
            continue
        ys, xs = np.ogrid[top:bottom, left:right]
        reach = np.sqrt(((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2)  # 0 at the centre, 1 at the ellipse's edge
        clear = np.clip((1.0 - reach) / 0.35, 0.0, 1.0)  # full inside, fading out over the outer third
        alpha[top:bottom, left:right] *= 1.0 - (2.0 / 3.0) * clear * clear * (3 - 2 * clear)
    alpha = alpha.round().astype(np.uint8)
    veil = Image.new("RGBA", (w, h), (*(_NIGHT_FOG if night else _FOG), 0))
    veil.putalpha(Image.fromarray(alpha, "L"))
    lay_over(image, veil, 0, 0)


def _hits(box: Area, faces: list[Area]) -> bool:
    x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    return any(x0 < f[2] and f[0] < x1 and y0 < f[3] and f[1] < y1 for f in faces)


@lru_cache(maxsize=4)
def _fog_alpha(w: int, h: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, h)
    ramp = np.clip((t - 0.25) / 0.55, 0.0, 1.0)
    column = (75 + 95 * ramp * ramp * (3 - 2 * ramp)).astype(np.uint8)
    alpha = np.repeat(column[:, None], w, axis=1)
    alpha.setflags(write=False)
    return alpha


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, words_pattern(zh, en)) for name, (zh, en) in WEATHER_WORDS.items())
