"""Backgrounds for the sketch renderer: sky by time of day, interiors, and scenery by place (city, sea, market...)."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter

from pipeline.image.canvas import PanelCanvas
from pipeline.image.looks import RGB, mix, stable_int


def _sky_colors(time: str, interior: bool | None) -> tuple[RGB, RGB, bool]:
    t = time.lower()
    if any(w in t for w in ("深夜", "夜", "night", "midnight")):
        return (10, 14, 40), (40, 48, 96), True
    if any(w in t for w in ("傍晚", "黄昏", "dusk", "evening", "sunset")):
        return (70, 60, 130), (250, 150, 90), False
    if any(w in t for w in ("清晨", "早", "dawn", "morning")):
        return (150, 190, 240), (255, 215, 180), False
    return (90, 160, 235), (200, 230, 255), False


class SceneryMixin(PanelCanvas):
    def _gradient(self, box: tuple[int, int, int, int], top: RGB, bottom: RGB) -> None:
        x0, y0, x1, y1 = box
        for y in range(y0, y1):
            self.draw.line([(x0, y), (x1, y)], fill=mix(top, bottom, (y - y0) / max(1, y1 - y0)))

    def _background(self) -> int:
        shot = self.shot
        place = f"{shot.location} {shot.time}".lower()
        top, bottom, night = _sky_colors(shot.time, shot.interior)
        # The seed tilts the camera a little, so each variation of a panel frames its place differently.
        horizon = int(self.h * ((0.72 if shot.camera in ("long", "establishing") else 0.66) + self.rng.uniform(-0.03, 0.03)))
        scenery = random.Random(stable_int("place", shot.location))  # the same place looks the same each shot
        if shot.interior:
            wall = mix((200, 180, 150), bottom, 0.25)
            self._gradient((0, 0, self.w, horizon), mix(wall, (0, 0, 0), 0.25 if night else 0.0), wall)
            wx0, wy0 = int(self.w * 0.12), int(self.h * 0.12)
            wx1, wy1 = int(self.w * 0.5), int(horizon * 0.6)
            self._gradient((wx0, wy0, wx1, wy1), top, bottom)
            self.draw.rectangle([wx0, wy0, wx1, wy1], outline=self.outline, width=self.line_w)
            self.draw.line([((wx0 + wx1) // 2, wy0), ((wx0 + wx1) // 2, wy1)], fill=self.outline, width=self.line_w)
            if "lantern" in place or "lamp" in place or "灯" in place:
                self._lamp(int(self.w * 0.75), int(horizon * 0.45), int(18 * self.unit))
            self._gradient((0, horizon, self.w, self.h), (150, 110, 80), (100, 70, 50))
        else:
            self._gradient((0, 0, self.w, horizon), top, bottom)
            if night:
                for _ in range(60):
                    x, y = scenery.randrange(self.w), scenery.randrange(int(horizon * 0.7))
                    r = scenery.choice((1, 1, 2)) * max(1, int(self.unit / 4))
                    self.draw.ellipse([x - r, y - r, x + r, y + r], fill=(250, 250, 220))
                mx, my = int(self.w * self.rng.uniform(0.62, 0.85)), int(self.h * self.rng.uniform(0.08, 0.16))
                mr = int(7 * self.unit)
                self.draw.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=(250, 245, 210))
            elif any(w in place for w in ("傍晚", "黄昏", "dusk", "evening", "sunset")):
                sx, sy, sr = int(self.w * 0.25), int(horizon * 0.85), int(10 * self.unit)
                self.draw.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(255, 190, 110))
            if not night:
                self._clouds(horizon, top)
            self._scenery(place, horizon, night, scenery)
        return horizon

    def _clouds(self, horizon: int, sky: RGB) -> None:
        """A few clouds placed by the panel's seed: the same place, a different sky for each variation."""
        for _ in range(self.rng.randint(2, 4)):
            cx, cy = self.rng.randrange(self.w), int(horizon * self.rng.uniform(0.08, 0.45))
            width, height = int(self.rng.uniform(14, 26) * self.unit), int(self.rng.uniform(4, 7) * self.unit)
            colour = mix(sky, (255, 255, 255), 0.75)
            for k in range(3):
                ox = int((k - 1) * width * 0.35)
                self.draw.ellipse([cx + ox - width // 3, cy - height, cx + ox + width // 3, cy + height], fill=colour)

    def _scenery(self, place: str, horizon: int, night: bool, rng: random.Random) -> None:
        dark = (25, 25, 45) if night else (80, 80, 110)
        if any(w in place for w in ("海", "sea", "coast", "ocean", "beach", "港")):
            self._gradient((0, horizon, self.w, self.h), (20, 50, 90) if night else (40, 110, 170), (10, 25, 50))
            for i in range(12):
                y = horizon + int((self.h - horizon) * (i + 1) / 13)
                x = rng.randrange(self.w)
                self.draw.arc([x - 40 * self.unit / 4, y - 6, x + 40 * self.unit / 4, y + 6], 200, 340,
                              fill=(200, 220, 240), width=max(1, self.line_w // 2))  # fmt: skip
            if "coast" in place or "rock" in place or "岸" in place:
                pts: list[tuple[float, float]] = [(0, self.h), (0, horizon + 10)]
                for i in range(7):
                    pts.append((int(self.w * 0.05 * i), horizon + rng.randrange(-40, 30) * self.unit / 5))
                pts += [(int(self.w * 0.35), self.h)]
                self.draw.polygon(pts, fill=(45, 40, 50), outline=self.outline)
            if "light" in place or "灯塔" in place or "coast" in place:
                self._lighthouse(int(self.w * 0.82), horizon, night)
            return
        ground = (70, 70, 80) if night else (120, 150, 90)
        if any(w in place for w in ("夜市", "market", "集市", "镇", "town")):
            for i in range(4):
                sx = int(self.w * (0.02 + 0.25 * i))
                sw, sh = int(self.w * 0.22), int(horizon * 0.22)
                self.draw.rectangle([sx, horizon - sh, sx + sw, horizon], fill=(140, 60, 40), outline=self.outline)
                self.draw.polygon([(sx - 8, horizon - sh), (sx + sw + 8, horizon - sh), (sx + sw // 2, horizon - sh - 40)],
                                  fill=(200, 50, 40), outline=self.outline)  # fmt: skip
            y = int(horizon * 0.35)
            self.draw.line([(0, y), (self.w, y + 20)], fill=self.outline, width=max(1, self.line_w // 2))
            for lx in range(int(self.w * 0.06), self.w, int(self.w * 0.14)):
                self._lantern(lx, y + int(20 * lx / self.w) + int(4 * self.unit), int(3.5 * self.unit))
        elif any(w in place for w in ("街", "street", "city", "都市", "市", "road", "路", "天台", "roof")):
            ground = (60, 60, 70) if night else (150, 150, 150)
            x = 0
            while x < self.w:
                bw = int(rng.uniform(10, 22) * self.unit)
                bh = int(rng.uniform(0.2, 0.5) * horizon)
                self.draw.rectangle([x, horizon - bh, x + bw, horizon], fill=dark, outline=self.outline)
                for wy in range(horizon - bh + int(3 * self.unit), horizon - int(3 * self.unit), int(5 * self.unit)):
                    for wx in range(x + int(2 * self.unit), x + bw - int(2 * self.unit), int(4 * self.unit)):
                        lit = rng.random() < (0.55 if night else 0.15)
                        color = (255, 220, 120) if lit else mix(dark, (255, 255, 255), 0.2)
                        self.draw.rectangle([wx, wy, wx + int(1.8 * self.unit), wy + int(2.5 * self.unit)], fill=color)
                x += bw + int(rng.uniform(0, 3) * self.unit)
            if "天台" in place or "roof" in place:
                self._gradient((0, horizon, self.w, self.h), (110, 110, 120), (70, 70, 80))
                rail_y = horizon - int(6 * self.unit)
                self.draw.line([(0, rail_y), (self.w, rail_y)], fill=self.outline, width=self.line_w)
                for px in range(0, self.w, int(8 * self.unit)):
                    self.draw.line([(px, rail_y), (px, horizon)], fill=self.outline, width=self.line_w)
                return
            for lx in (int(self.w * 0.15), int(self.w * 0.85)):
                self._street_lamp(lx, horizon, night)
        elif any(w in place for w in ("桥", "bridge")):
            water = (30, 40, 80) if night else (80, 140, 190)
            self._gradient((0, horizon, self.w, self.h), water, mix(water, (0, 0, 0), 0.4))
            r = int(self.w * 0.45)
            cx = self.w // 2
            self.draw.arc(
                [cx - r, horizon - r // 2, cx + r, horizon + r],
                180,
                360,
                fill=(120, 120, 130),
                width=int(5 * self.unit),
            )
            return
        else:
            for _ in range(3):
                hx = rng.randrange(self.w)
                hr = int(rng.uniform(25, 45) * self.unit)
                self.draw.ellipse([hx - hr, horizon - hr // 2, hx + hr, horizon + hr], fill=mix(dark, ground, 0.5))
        self._gradient((0, horizon, self.w, self.h), ground, mix(ground, (0, 0, 0), 0.35))

    def _street_lamp(self, x: int, base: int, night: bool) -> None:
        top = base - int(32 * self.unit)
        self.draw.line([(x, base), (x, top)], fill=self.outline, width=self.line_w)
        r = int(2.5 * self.unit)
        if night:
            glow = Image.new("RGBA", (r * 8, r * 8), (0, 0, 0, 0))
            ImageDraw.Draw(glow).ellipse([0, 0, r * 8, r * 8], fill=(255, 230, 150, 70))
            self.image.paste(glow, (x - r * 4, top - r * 4), glow.filter(ImageFilter.GaussianBlur(r)))
        self.draw.ellipse([x - r, top - r, x + r, top + r], fill=(255, 235, 160), outline=self.outline)

    def _lamp(self, x: int, y: int, r: int) -> None:
        glow = Image.new("RGBA", (r * 6, r * 6), (0, 0, 0, 0))
        ImageDraw.Draw(glow).ellipse([0, 0, r * 6, r * 6], fill=(255, 230, 140, 90))
        self.image.paste(glow, (x - r * 3, y - r * 3), glow.filter(ImageFilter.GaussianBlur(r // 2 + 1)))
        self.draw.rectangle([x - r, y - r, x + r, y + r], fill=(255, 225, 130), outline=self.outline, width=self.line_w)

    def _lantern(self, x: int, y: int, r: int) -> None:
        self.draw.ellipse([x - r, y, x + r, y + int(r * 1.6)], fill=(230, 50, 40), outline=self.outline)
        self.draw.line([(x, y + int(r * 1.6)), (x, y + int(r * 2.2))], fill=(240, 200, 60), width=2)

    def _lighthouse(self, x: int, base: int, night: bool) -> None:
        hw, top = int(5 * self.unit), base - int(45 * self.unit)
        self.draw.polygon([(x - hw, base), (x + hw, base), (x + hw // 2, top), (x - hw // 2, top)],
                          fill=(235, 235, 235), outline=self.outline)  # fmt: skip
        for i in range(1, 4):
            y = base - (base - top) * i // 4
            self.draw.line(
                [(x - hw + hw * i // 8, y), (x + hw - hw * i // 8, y)], fill=(200, 40, 40), width=int(2 * self.unit)
            )
        self.draw.rectangle(
            [x - hw // 2, top - int(5 * self.unit), x + hw // 2, top], fill=(255, 230, 120), outline=self.outline
        )
        if night:
            beam = Image.new("RGBA", (self.w, self.h), (0, 0, 0, 0))
            by = top - int(2.5 * self.unit)
            ImageDraw.Draw(beam).polygon([(x, by), (0, by - int(20 * self.unit)), (0, by + int(10 * self.unit))],
                                         fill=(255, 240, 170, 70))  # fmt: skip
            self.image.paste(beam, (0, 0), beam)
