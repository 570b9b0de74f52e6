"""Drawing helpers shared by backdrops, props and weather: gradients, glows, see-through overlays that keep an
opaque layer opaque, and the pieces many places share (sky, ground, windows, ridges, trees, a skyline)."""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from pipeline.image.canvas import PanelCanvas
from pipeline.image.looks import RGB, mix
from pipeline.image.palettes import Palette

Point = tuple[float, float]
Area = tuple[float, float, float, float]  # x0, y0, x1, y1, in panel pixels


class ScenePen:
    """What scenery draws with: the current layer, its size and ink, the light (`pal`), the place's own random
    numbers (`scene`: the same place looks the same in every shot) and the variation's (`rng`)."""

    def __init__(self, canvas: PanelCanvas, pal: Palette, scene: random.Random) -> None:
        self.image, self.draw = canvas.image, canvas.draw
        self.w, self.h, self.unit = canvas.w, canvas.h, canvas.unit
        self.outline = canvas.outline
        self.thin = max(1, canvas.line_w // 2)  # scenery is inked thinner than figures, which stand out in front
        style = getattr(canvas, "style", None)  # set by the panel; absent only while a panel is being built
        self.shading = style.shading if style is not None else "cel"
        self.location = canvas.shot.location
        self.pal, self.scene, self.rng = pal, scene, canvas.rng

    def u(self, k: float) -> int:
        """`k` percent of the panel's short side, in pixels (at least one)."""
        return max(1, int(k * self.unit))

    def fill(self, box: Area, top: RGB, bottom: RGB | None = None) -> None:
        """A vertical gradient (flat styles band it in four steps) over `box`, clipped to the panel."""
        x0, y0, x1, y1 = max(0, int(box[0])), max(0, int(box[1])), min(self.w, int(box[2])), min(self.h, int(box[3]))
        if x1 <= x0 or y1 <= y0:
            return
        bottom = top if bottom is None else bottom
        t = np.linspace(0.0, 1.0, y1 - y0)[:, None]
        if self.shading == "flat":
            t = np.minimum(np.floor(t * 4) / 3, 1.0)
        column = np.asarray(top, float) * (1 - t) + np.asarray(bottom, float) * t
        strip = Image.fromarray(column.astype(np.uint8)[:, None, :], "RGB")
        self.image.paste(strip.resize((x1 - x0, y1 - y0), Image.Resampling.NEAREST), (x0, y0))

    def overlay(self, patch: Image.Image, x: int, y: int) -> None:
        """Lay an RGBA patch over the current layer at (x, y) (see `lay_over`)."""
        lay_over(self.image, patch, x, y)

    def glow(self, x: int, y: int, r: int, colour: RGB, alpha: int = 110) -> None:
        """A soft round light around (x, y)."""
        if r < 2:
            return
        patch = Image.new("RGBA", (2 * r + 1, 2 * r + 1), (*colour, 0))
        patch.putalpha(Image.fromarray((_radial(r) * alpha).astype(np.uint8)))
        self.overlay(patch, x - r, y - r)

    def lamp_glow(self, x: float, y: float, r: float, colour: RGB) -> None:
        """A lamp's glow around (x, y), only once the lamps are on."""
        if self.pal.lamps_on:
            self.glow(int(x), int(y), int(r), self.pal.glow(colour), 120)

    def veil(self, box: Area, colour: RGB, alpha_top: int, alpha_bottom: int) -> None:
        """A see-through vertical gradient of one colour (mist under an ink ridge, a light shaft, haze)."""
        x0, y0, x1, y1 = (int(v) for v in box)
        if x1 <= x0 or y1 <= y0:
            return
        alpha = np.linspace(alpha_top, alpha_bottom, y1 - y0).astype(np.uint8)[:, None]
        patch = Image.new("RGBA", (1, y1 - y0), (*colour, 0))
        patch.putalpha(Image.fromarray(alpha, "L"))
        self.overlay(patch.resize((x1 - x0, y1 - y0), Image.Resampling.NEAREST), x0, y0)

    def rect(self, box: Area, fill: RGB, outline: bool = True) -> None:
        self.draw.rectangle(box, fill=fill, outline=self.outline if outline else None, width=self.thin)  # type: ignore[arg-type]

    def poly(self, points: list[Point], fill: RGB, outline: bool = True) -> None:
        self.draw.polygon(points, fill=fill, outline=self.outline if outline else None, width=self.thin)

    def disc(self, x: float, y: float, r: float, fill: RGB, outline: bool = True) -> None:
        self.draw.ellipse(
            [x - r, y - r, x + r, y + r], fill=fill, outline=self.outline if outline else None, width=self.thin
        )

    # -- pieces many places share --------------------------------------------------------------------------

    def sky(self, bottom_y: int) -> None:
        """The sky down to `bottom_y`: stars and a moon at night (stars placed by the place, the moon by the seed),
        a low sun at dusk and dawn, clouds by day, grey clouds only when overcast; in ink wash, misty ink
        mountains along its foot."""
        self.fill((0, 0, self.w, bottom_y), self.pal.sky_at(0), self.pal.sky_at(1))
        if self.pal.overcast:
            self.clouds(bottom_y, count=6, grey=True)
        elif self.pal.night:
            for _ in range(70):
                x, y = self.scene.randrange(self.w), self.scene.randrange(max(1, int(bottom_y * 0.75)))
                r = self.scene.choice((0.12, 0.12, 0.25)) * self.unit
                self.draw.ellipse([x - r, y - r, x + r, y + r], fill=self.pal.glow((250, 250, 225)))
            mx, my = int(self.w * self.rng.uniform(0.62, 0.85)), int(bottom_y * self.rng.uniform(0.12, 0.3))
            self.glow(mx, my, self.u(16), self.pal.glow((250, 245, 210)), 70)
            self.disc(mx, my, 6 * self.unit, self.pal.glow((250, 245, 210)), outline=False)
        elif self.pal.daypart in ("dusk", "dawn"):
            sx, sy = int(self.w * (0.22 if self.pal.daypart == "dusk" else 0.78)), int(bottom_y * 0.86)
            self.glow(sx, sy, self.u(30), self.pal.glow((255, 200, 120)), 120)
            self.disc(sx, sy, 9 * self.unit, self.pal.glow((255, 190, 110)), outline=False)
            self.clouds(bottom_y, count=2)
        else:
            self.clouds(bottom_y, count=self.rng.randint(2, 4))
        if self.shading == "wash" and not self.pal.indoor:
            self.ridges(bottom_y, layers=2, height=0.3)

    def clouds(self, bottom_y: int, count: int, grey: bool = False) -> None:
        """Clouds placed by the panel's seed: the same place, a different sky for each variation."""
        colour = self.pal.lit((150, 152, 160) if grey else (255, 255, 255))
        colour = mix(self.pal.sky_at(0.3), colour, 0.6 if grey else 0.8)
        for _ in range(count):
            cx, cy = self.rng.randrange(self.w), int(bottom_y * self.rng.uniform(0.08, 0.5))
            width, height = self.rng.uniform(14, 26) * self.unit, self.rng.uniform(3, 6) * self.unit
            for k in (-1, 0, 1):
                ox = k * width * 0.35
                lift = height * (0.5 if k == 0 else 0.0)
                self.draw.ellipse(
                    [cx + ox - width / 3, cy - height - lift, cx + ox + width / 3, cy + height], fill=colour
                )

    def ground(self, top_y: int, colour: RGB) -> None:
        """The ground from `top_y` down, darker toward the viewer; white under snow."""
        if self.pal.snow:
            colour = mix(colour, (240, 244, 250), 0.75)
        near = self.pal.lit(mix(colour, (0, 0, 0), 0.3))
        self.fill((0, top_y, self.w, self.h), self.pal.lit(colour), near)

    def window(self, box: Area, panes: tuple[int, int] = (2, 2), frame: RGB = (235, 232, 225)) -> None:
        """A window showing the sky outside: daylight by day, dark with a moon at night (the room's lamps on)."""
        x0, y0, x1, y1 = box
        top, bottom = self.pal.sky
        if self.pal.night:
            top, bottom = mix(top, (0, 0, 0), 0.3), mix(bottom, (0, 0, 0), 0.3)
        self.fill(box, self.pal.glow(top), self.pal.glow(bottom))
        if self.pal.night and not self.pal.overcast:
            self.disc(
                x0 + (x1 - x0) * 0.7, y0 + (y1 - y0) * 0.3, (x1 - x0) * 0.08, self.pal.glow((245, 240, 205)), False
            )
        bar = max(2, self.u(0.8))
        colour = self.pal.lit(frame)
        for i in range(1, panes[0]):
            x = x0 + (x1 - x0) * i // panes[0]
            self.draw.rectangle([x - bar // 2, y0, x + bar // 2, y1], fill=colour)
        for j in range(1, panes[1]):
            y = y0 + (y1 - y0) * j // panes[1]
            self.draw.rectangle([x0, y - bar // 2, x1, y + bar // 2], fill=colour)
        self.draw.rectangle(box, outline=colour, width=bar * 2)
        self.draw.rectangle(box, outline=self.outline, width=self.thin)

    def ridges(self, base: int, layers: int = 3, height: float = 0.35, colour: RGB = (95, 120, 110)) -> None:
        """Mountain ridges standing on `base`, far ones paler; in ink wash, grey ink fading into mist below."""
        wash = self.shading == "wash"
        for layer in range(layers):
            depth = (layer + 1) / layers  # 1: the nearest
            top = base - int(base * height * (1.15 - 0.45 * depth))
            if wash:  # ink is ink: greys that darken toward the viewer, not lit like paint
                tone = mix(self.pal.sky_at(1.0), mix((70, 72, 76), (20, 20, 24), depth), 0.3 + 0.5 * depth)
            else:
                tone = mix(
                    self.pal.sky_at(1.0), self.pal.lit(mix(colour, (0, 0, 0), 0.25 * depth)), 0.35 + 0.55 * depth
                )
            points: list[Point] = [(0, base)]
            x, y = 0.0, float(top + self.scene.uniform(0, base - top) * 0.5)
            while x < self.w:
                points.append((x, y))
                x += self.scene.uniform(6, 16) * self.unit
                y = min(base - self.unit, max(top, y + self.scene.uniform(-1, 1) * 9 * self.unit))
            points += [(self.w, y), (self.w, base)]
            self.draw.polygon(points, fill=tone)
            if wash:  # the foot of each ridge dissolves into mist
                mist = self.pal.sky_at(1.0)
                self.veil((0, top + (base - top) // 3, self.w, base), mist, 0, 235)

    def tree(self, x: float, base: float, height: float, kind: str = "round", leaves: RGB = (70, 140, 70)) -> None:
        """A tree standing on `base`: a round crown, a pine or a bare trunk with a small crown."""
        trunk_w = max(2.0, height * 0.07)
        bark, crown = self.pal.lit((105, 75, 50)), self.pal.lit(leaves)
        if kind == "pine":
            self.rect((x - trunk_w / 2, base - height * 0.2, x + trunk_w / 2, base), bark)
            for k in range(3):
                y_top = base - height * (1.0 - 0.22 * k)
                half = height * (0.18 + 0.08 * k)
                self.poly([(x, y_top), (x - half, y_top + height * 0.42), (x + half, y_top + height * 0.42)], crown)
            return
        self.rect((x - trunk_w / 2, base - height * 0.55, x + trunk_w / 2, base), bark)
        r = height * 0.28
        for dx, dy in ((-0.5, 0.1), (0.5, 0.1), (0.0, -0.35)):
            self.disc(x + dx * r, base - height * 0.7 + dy * r, r, crown)

    def skyline(self, base: int, height: float, far: float = 0.0) -> None:
        """City blocks standing on `base` up to `height` of it, windows lit after dark; `far` pales them."""
        body = mix(self.pal.lit((95, 100, 125)), self.pal.sky_at(1.0), far)
        lit_share = 0.55 if self.pal.lamps_on else 0.12
        pane, dark_pane = self.pal.glow((255, 220, 120)), mix(body, (255, 255, 255), 0.18)
        x = -self.scene.uniform(0, 8) * self.unit
        while x < self.w:
            bw = self.scene.uniform(10, 22) * self.unit
            bh = self.scene.uniform(0.35, 1.0) * base * height
            lights = random.Random(self.scene.random())  # its own numbers: the rows vary with the horizon
            self.rect((x, base - bh, x + bw, base), body, outline=far < 0.3)
            step_y, step_x = 5 * self.unit, 4 * self.unit
            wy = base - bh + 3 * self.unit
            while wy < base - 3 * self.unit:
                wx = x + 2 * self.unit
                while wx < x + bw - 2 * self.unit:
                    colour = pane if lights.random() < lit_share else dark_pane
                    self.draw.rectangle([wx, wy, wx + 1.8 * self.unit, wy + 2.5 * self.unit], fill=colour)
                    wx += step_x
                wy += step_y
            x += bw + self.scene.uniform(0, 3) * self.unit

    def street_lamp(self, x: float, base: float, height: float = 0.0) -> None:
        """A street lamp on `base` (36 units tall unless `height` says), glowing after dark."""
        top = base - (height or 36 * self.unit)
        self.draw.line([(x, base), (x, top)], fill=self.pal.lit((60, 62, 70)), width=self.u(1.2))
        if self.pal.lamps_on:
            self.glow(int(x), int(top), self.u(14), self.pal.glow((255, 225, 150)), 110)
        self.disc(
            x,
            top,
            2.5 * self.unit,
            self.pal.glow((255, 235, 160)) if self.pal.lamps_on else self.pal.lit((225, 225, 210)),
        )

    def tower(self, x: float, base: float, scale: float = 1.0) -> None:
        """A striped lighthouse tower on `base`, its lamp lit after dark with a beam sweeping out to sea."""
        hw, height = 5 * self.unit * scale, 42 * self.unit * scale
        top = base - height
        self.poly(
            [(x - hw, base), (x + hw, base), (x + hw * 0.6, top), (x - hw * 0.6, top)], self.pal.lit((240, 240, 238))
        )
        for k in (1, 2, 3):
            y = base - height * k / 4
            inset = hw * 0.4 * k / 4
            self.draw.rectangle(
                [x - hw + inset, y - self.u(2 * scale), x + hw - inset, y], fill=self.pal.lit((200, 45, 40))
            )
        lamp = self.pal.glow((255, 230, 120)) if self.pal.lamps_on else self.pal.lit((200, 210, 215))
        self.rect((x - hw * 0.6, top - self.u(6 * scale), x + hw * 0.6, top), lamp)
        self.poly(
            [
                (x - hw * 0.8, top - self.u(6 * scale)),
                (x + hw * 0.8, top - self.u(6 * scale)),
                (x, top - self.u(10 * scale)),
            ],
            self.pal.lit((60, 60, 70)),
        )
        if self.pal.lamps_on:
            by = top - self.u(3 * scale)
            self.glow(int(x), int(by), self.u(12 * scale), self.pal.glow((255, 240, 170)), 140)
            reach = -self.w if x > self.w / 2 else 2 * self.w
            beam = [(x, by), (reach, by - self.u(22)), (reach, by + self.u(14))]
            patch = Image.new("RGBA", (self.w, self.h), (0, 0, 0, 0))
            ImageDraw.Draw(patch).polygon(beam, fill=(*self.pal.glow((255, 240, 170)), 60))
            self.overlay(patch, 0, 0)

    def sea(self, top: int, bottom: int) -> None:
        """Water from `top` to `bottom`: a gradient, wave strokes, the moon's or sun's path on it."""
        self.fill((0, top, self.w, bottom), self.pal.lit((60, 125, 180)), self.pal.lit((25, 60, 105)))
        wave = self.pal.lit((190, 215, 235))
        for k in range(14):
            t = (k + 1) / 15
            y = top + (bottom - top) * t
            x = self.scene.uniform(0, self.w)
            half = (3 + 10 * t) * self.unit
            self.draw.arc([x - half, y - self.unit, x + half, y + self.unit], 200, 340, fill=wave, width=self.thin)
        if not self.pal.overcast and self.pal.daypart != "day":
            x = self.w * (0.72 if self.pal.night else 0.22)
            for k in range(6):
                y = top + (bottom - top) * (k + 0.5) / 6
                half = (2 + 1.5 * k) * self.unit
                self.draw.line([(x - half, y), (x + half, y)], fill=self.pal.glow((250, 225, 160)), width=self.u(0.6))


def lay_over(image: Image.Image, patch: Image.Image, x: int, y: int) -> None:
    """Lay an RGBA patch over `image` at (x, y), clipped to it: blended onto an opaque image, composited onto a
    transparent layer (so a see-through patch never punches holes in a layer's alpha)."""
    box = (max(0, x), max(0, y), min(image.width, x + patch.width), min(image.height, y + patch.height))
    if box[0] >= box[2] or box[1] >= box[3]:
        return
    patch = patch.crop((box[0] - x, box[1] - y, box[2] - x, box[3] - y))
    if image.mode == "RGBA":
        image.alpha_composite(patch, dest=(box[0], box[1]))
    else:
        image.paste(patch, (box[0], box[1]), patch)


@lru_cache(maxsize=32)
def _radial(r: int) -> np.ndarray:
    """A round falloff, 1 at the centre to 0 at radius `r`, squared so a glow has no hard edge."""
    yy, xx = np.ogrid[-r : r + 1, -r : r + 1]
    falloff = np.clip(1.0 - np.sqrt(xx * xx + yy * yy) / r, 0.0, 1.0) ** 2
    falloff.setflags(write=False)
    return falloff
