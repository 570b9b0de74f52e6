"""SketchImageBackend: procedural comic panels drawn with Pillow, offline and deterministic.

A panel is a background for the place and time of day (sketch_scenery), the shot's characters drawn from their
appearance with an expression for the emotion (sketch_figures, looks). The same character looks the same in every
panel. No text is drawn: the renderer shows each line as a subtitle or a bubble pointing at the speaker, whose head
the panel reports in `params["anchors"]`.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFont

from pipeline.emotions import emotion_of
from pipeline.errors import DrawError
from pipeline.fonts import find_cjk_font
from pipeline.image.base import DrawnPanel, PanelRequest
from pipeline.image.canvas import Box, Sprite
from pipeline.image.looks import RGB
from pipeline.image.sketch_figures import FigureMixin
from pipeline.image.sketch_scenery import SceneryMixin
from pipeline.image.styles import style_layer, style_look
from pipeline.image.weather import weather_for


class SketchImageBackend:
    """Draws comic panels procedurally; needs only Pillow and a CJK font."""

    name = "sketch"

    def __init__(self, font_path: str | None = None) -> None:
        self._font_path = font_path

    def draw(self, request: PanelRequest, out_path: str) -> DrawnPanel:
        if request.width < 64 or request.height < 64:
            raise DrawError(f"panel size {request.width}x{request.height} is too small: use at least 64x64.")
        try:
            style_look(request.style)
        except KeyError as exc:
            raise DrawError(str(exc)) from exc
        font = find_cjk_font(self._font_path)
        panel = _Panel(request, font.path, font.index)
        image = panel.render()
        image.save(out_path, format="PNG", optimize=False, compress_level=1)
        layers, sprites = panel.save_layers(out_path) if request.layers else ({}, ())
        return DrawnPanel(
            path=out_path,
            width=image.width,
            height=image.height,
            seed=request.seed,
            prompt=request.prompt_override or request.shot.prompt,
            params={"backend": self.name, "style": request.style, "camera": request.shot.camera,
                    "anchors": {name: [round(x, 4), round(y, 4)] for name, (x, y) in panel.anchors.items()},
                    "faces": {name: [round(v / size, 4) for v, size in zip(box, (image.width, image.height) * 2,
                                                                          strict=True)]
                              for name, box in panel.faces.items()},
                    "mouths": {name: [round(x / image.width, 4), round(y / image.height, 4)]
                               for name, (x, y) in panel.mouths.items()}},
            layers=layers,
            sprites=sprites,
        )


class _Panel(SceneryMixin, FigureMixin):
    def __init__(self, request: PanelRequest, font_path: str, font_index: int) -> None:
        self.req = request
        self.shot = request.shot
        if request.prompt_override:
            # No text-to-image model here: the override's words steer place, time of day and weather instead.
            words = request.prompt_override
            self.shot = replace(self.shot, location=f"{words} {self.shot.location}", time=f"{words} {self.shot.time}")
        self.w, self.h = request.width, request.height
        self.unit = min(self.w, self.h) / 100.0
        self.rng = random.Random(request.seed)
        self.style = style_look(request.style)
        self.weather = weather_for(self.shot) | frozenset(request.weather)
        self.outline: RGB = self.style.outline
        self.line_w = max(2, int(0.5 * self.style.line_scale * self.unit))
        self._font_path, self._font_index = font_path, font_index
        self.layers: dict[str, Image.Image] = {}  # by name, in drawing order: background, character:<name>…, effects
        self.layer("background")
        self.anchors: dict[str, tuple[float, float]] = {}  # each front-facing character's head, as frame fractions
        self.faces: dict[str, Box] = {}
        self.mouths: dict[str, tuple[int, int]] = {}
        self.sprites: dict[str, dict[str, Sprite]] = {}

    def layer(self, name: str) -> None:
        if name not in self.layers:
            mode, colour = ("RGB", (0, 0, 0)) if name == "background" else ("RGBA", (0, 0, 0, 0))
            self.layers[name] = Image.new(mode, (self.w, self.h), colour)  # type: ignore[arg-type]
        self.image = self.layers[name]
        self.draw = ImageDraw.Draw(self.image)

    def font(self, size: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self._font_path, max(8, int(size)), index=self._font_index)

    def render(self) -> Image.Image:
        horizon = self._background()
        self._props(horizon)
        self._characters(horizon)
        self.layer("effects")
        self._weather()
        self._effects()
        self.layer("background")  # the frame goes with the place: a foreground moving apart does not carry it
        border = max(4, int(self.style.border * self.unit))
        self.draw.rectangle([0, 0, self.w - 1, self.h - 1], outline=self.outline, width=border)
        for name, layer in self.layers.items():
            self.layers[name] = style_layer(layer, self.style, background=name == "background")
        for states in self.sprites.values():  # in the style's colours too (a per-pixel change: they still fit)
            for state, sprite in states.items():
                states[state] = Sprite(sprite.box, style_layer(sprite.image, self.style, background=False))
        return self.flatten()

    def save_layers(self, out_path: str) -> tuple[dict[str, str], tuple[dict[str, Any], ...]]:
        """Each layer and sprite as a PNG beside `out_path`."""
        stem = Path(out_path).with_suffix("")
        layers: dict[str, str] = {}
        for n, (name, layer) in enumerate(self.layers.items()):
            if name != "background" and layer.getbbox() is None:
                continue  # nothing drawn on it
            path = f"{stem}.layer{n}.png"
            layer.save(path, format="PNG", compress_level=1)
            layers[name] = path
        sprites: list[dict[str, Any]] = []
        for name, states in self.sprites.items():
            for state, sprite in states.items():
                path = f"{stem}.sprite{len(sprites)}.png"
                sprite.image.save(path, format="PNG", compress_level=1)
                sprites.append({"character": name, "state": state, "path": path, "box": list(sprite.box)})
        return layers, tuple(sprites)

    def flatten(self) -> Image.Image:
        """The layers composited in order."""
        image = self.layers["background"].copy()
        for name, layer in self.layers.items():
            if name != "background":
                image.paste(layer, (0, 0), layer)
        return image

    # -- effects ------------------------------------------------------------------------------------------------

    def _effects(self) -> None:
        """Screentone (the comic style's halftone dots) and speed lines (a surprise, a fright, anger), never over a
        face: drawn apart, then cleared where the faces are, then laid on the effects layer."""
        fx = Image.new("RGBA", (self.w, self.h), (0, 0, 0, 0))
        if self.style.shading in ("halftone", "noir"):
            self._halftone(fx)
        if emotion_of(self.shot.emotion) in ("surprised", "scared", "angry"):
            self._speed_lines(ImageDraw.Draw(fx))
        if fx.getbbox() is None:
            return
        clear = Image.new("L", (self.w, self.h), 255)
        cd = ImageDraw.Draw(clear)
        for x0, y0, x1, y1 in self.faces.values():
            mx, my = (x1 - x0) * 0.15, (y1 - y0) * 0.15
            cd.ellipse([x0 - mx, y0 - my, x1 + mx, y1 + my], fill=0)
        fx.putalpha(ImageChops.multiply(fx.getchannel("A"), clear))
        self.image.alpha_composite(fx)

    def _halftone(self, fx: Image.Image) -> None:
        dots = Image.new("L", (self.w, self.h), 0)
        dd = ImageDraw.Draw(dots)
        step = max(6, int(2.2 * self.unit))
        for y in range(int(self.h * 0.55), self.h, step):
            r = max(1, int(step * 0.18 * (y - self.h * 0.55) / (self.h * 0.45)) + 1)
            for x in range((y // step % 2) * step // 2, self.w, step):
                dd.ellipse([x - r, y - r, x + r, y + r], fill=60)
        fx.paste((0, 0, 0, 255), (0, 0), dots)

    def _speed_lines(self, draw: ImageDraw.ImageDraw) -> None:
        cx, cy = self.w / 2, self.h * 0.45
        for i in range(48):
            a = 2 * math.pi * i / 48 + self.rng.uniform(-0.03, 0.03)
            r0, r1 = max(self.w, self.h) * 0.42, max(self.w, self.h)
            draw.line([(cx + r0 * math.cos(a), cy + r0 * math.sin(a)), (cx + r1 * math.cos(a), cy + r1 * math.sin(a))],
                      fill=(*self.outline, 255), width=max(1, self.line_w // 2))  # fmt: skip
