"""The light a panel's place is drawn in: the time of day (day, dawn, dusk, night) from Chinese or English words,
indoors or out, dimmed by weather and pushed by the style (ink wash pales to paper, noir hardens, watercolour
softens)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.image.looks import RGB, mix
from pipeline.image.places import words_pattern

DAYPARTS: tuple[str, ...] = ("day", "dawn", "dusk", "night")
# Checked in this order: "傍晚" is dusk before "晚" is night, "日出" dawn before anything says day.
_DAYPART_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dusk": (("傍晚", "黄昏", "日落", "夕阳", "落日", "薄暮", "暮色"),
             ("dusk", "evening", "sunset", "twilight", "golden hour", "sundown")),
    "night": (("夜", "晚上", "晚", "凌晨", "月光", "星空"),
              ("night", "midnight", "nighttime", "moonlight", "starlight", "late night")),
    "dawn": (("清晨", "黎明", "破晓", "拂晓", "日出", "晨曦"), ("dawn", "sunrise", "daybreak", "early morning", "first light")),
    "day": (("白天", "早上", "早晨", "上午", "中午", "下午", "午后", "日间", "正午"),
            ("day", "daytime", "morning", "noon", "afternoon", "midday", "daylight")),
}  # fmt: skip

_SKIES: dict[str, tuple[RGB, RGB]] = {
    "day": ((90, 160, 235), (200, 230, 255)),
    "dawn": ((150, 165, 225), (255, 205, 170)),
    "dusk": ((70, 60, 130), (250, 150, 90)),
    "night": ((10, 14, 40), (40, 48, 96)),
}
# The light on things: its colour, how far it tints them, how far they fall to shadow. Indoors the lamps are on
# after dark, so a room at night is warm and only its window is dark.
_LIGHT: dict[tuple[str, bool], tuple[RGB, float, float]] = {
    ("day", False): ((255, 250, 235), 0.05, 0.0),
    ("dawn", False): ((255, 200, 170), 0.22, 0.08),
    ("dusk", False): ((255, 150, 90), 0.3, 0.2),
    ("night", False): ((70, 90, 170), 0.4, 0.55),
    ("day", True): ((255, 245, 225), 0.08, 0.0),
    ("dawn", True): ((255, 215, 185), 0.15, 0.06),
    ("dusk", True): ((255, 185, 125), 0.22, 0.1),
    ("night", True): ((255, 185, 110), 0.3, 0.18),
}
_SHADOW: RGB = (12, 14, 32)
_OVERCAST: RGB = (150, 155, 165)


@dataclass(frozen=True)
class Palette:
    """How a place is lit; backdrops draw every material through `lit`, so one drawing serves every light."""

    daypart: str  # one of DAYPARTS
    indoor: bool
    sky: tuple[RGB, RGB]  # top and bottom of the sky, or of what a window shows
    light: RGB  # the colour of the light on things
    tint: float  # how far materials take that colour
    dark: float  # how far materials fall toward the shadow colour
    overcast: bool = False  # rain, snow or fog: no sun, moon or stars
    snow: bool = False  # the ground is white
    paper: RGB | None = None  # ink wash and watercolour: materials pale toward the paper
    pale: float = 0.0  # how far toward the paper
    contrast: float = 1.0  # noir pushes colours apart

    @property
    def night(self) -> bool:
        return self.daypart == "night"

    @property
    def lamps_on(self) -> bool:
        """Lamps, lanterns and windows glow: after dusk, or indoors once it darkens."""
        return self.daypart in ("night", "dusk")

    def lit(self, colour: RGB) -> RGB:
        """A material's colour under this light."""
        r, g, b = colour
        lr, lg, lb = self.light
        out = mix(colour, (r * lr // 255, g * lg // 255, b * lb // 255), self.tint)
        out = mix(out, _SHADOW, self.dark)
        return self._finish(out)

    def glow(self, colour: RGB) -> RGB:
        """A light source's own colour: not darkened by the night, only by the style."""
        return self._finish(colour)

    def sky_at(self, t: float) -> RGB:
        """The sky's colour a fraction `t` of the way from its top to the horizon."""
        return self._finish(mix(self.sky[0], self.sky[1], t))

    def _finish(self, colour: RGB) -> RGB:
        if self.paper is not None:
            colour = mix(colour, self.paper, self.pale)
        if self.contrast != 1.0:
            c = self.contrast
            colour = tuple(max(0, min(255, int((v - 128) * c + 128))) for v in colour)  # type: ignore[assignment]
        return colour


def daypart_for(*texts: str) -> str:
    """The time of day the first of `texts` that says one names (the shot's time, then its place and
    description: "夜市" is at night); "day" when none does."""
    for text in texts:
        for name, pattern in _daypart_patterns():
            if text and pattern.search(text):
                return name
    return "day"


def palette_for(daypart: str, indoor: bool, weather: frozenset[str] | set[str] = frozenset(),
                shading: str = "cel", paper: RGB | None = None) -> Palette:  # fmt: skip
    """The light of a place at a time of day, indoors or out, under weather, in a style's shading.

    Args:
        daypart: one of DAYPARTS (see `daypart_for`).
        indoor: drawn as a room (lamps on after dark, the window shows the sky).
        weather: words of `weather.weather_for`; rain, snow and fog grey the sky, snow whitens the ground.
        shading: the style's shading ("wash" pales everything to paper, "noir" hardens, "watercolor" softens).
        paper: the style's paper tone, if any.
    """
    if daypart not in DAYPARTS:
        raise ValueError(f"unknown time of day {daypart!r}; use one of {DAYPARTS}")
    top, bottom = _SKIES[daypart]
    light, tint, dark = _LIGHT[(daypart, indoor)]
    overcast = bool({"rain", "snow", "fog"} & set(weather))
    if overcast:
        grey = mix(_OVERCAST, _SHADOW, 0.7) if daypart == "night" else _OVERCAST
        top, bottom = mix(top, grey, 0.65), mix(bottom, grey, 0.55)
        light, tint = mix(light, (200, 205, 215), 0.6), tint * 0.6
        dark = dark + (0.0 if indoor else 0.08)
    pale, contrast = 0.0, 1.0
    if shading == "wash":
        paper = paper or (238, 228, 205)
        pale = 0.55 if daypart != "night" else 0.3
        top = mix(top, paper, 0.5)  # ink wash leaves the sky as paper, a little toned
    elif shading == "watercolor":
        paper, pale = paper or (246, 242, 232), 0.18
    elif shading == "noir":
        paper, contrast = None, 1.6
        if daypart != "day":
            top = mix(top, (0, 0, 0), 0.6)
    else:
        paper = None
    return Palette(daypart=daypart, indoor=indoor, sky=(top, bottom), light=light, tint=tint, dark=dark,
                   overcast=overcast, snow="snow" in weather, paper=paper, pale=pale, contrast=contrast)  # fmt: skip


@lru_cache(maxsize=1)
def _daypart_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, words_pattern(zh, en)) for name, (zh, en) in _DAYPART_WORDS.items())
