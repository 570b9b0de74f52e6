"""The scenery side of a sketch panel: the place and its light (backdrops), the props the shot names (props), and
the weather over everything (weather). The panel calls `_background()`, then `_props(horizon)` on the background
layer, and `_weather()` on the effects layer after the characters."""

from __future__ import annotations

from pipeline.image.backdrops import BackdropMixin, light_of
from pipeline.image.places import BACKDROPS, backdrop_for, backdrop_of
from pipeline.image.props import PROPS, PropMixin, props_for
from pipeline.image.weather import WEATHERS, WeatherMixin, weather_for

__all__ = ["BACKDROPS", "PROPS", "WEATHERS", "SceneryMixin", "backdrop_for", "backdrop_of", "light_of", "props_for",
           "weather_for"]  # fmt: skip


class SceneryMixin(BackdropMixin, PropMixin, WeatherMixin):
    """`_background() -> horizon`, `_props(horizon)` and `_weather()` for the panel (sketch._Panel)."""
