"""SketchImageBackend: procedural comic panels drawn with Pillow, offline and deterministic.

A panel is a background for the place and time of day, the shot's characters drawn from their appearance
(hair, clothing, glasses, scarf...) with an expression for the emotion, framed by the camera type, and the line
in a speech bubble (dialogue) or caption box (narration, action). The same character looks the same in every panel.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from assets_library import style_preset
from pipeline.errors import DrawError
from pipeline.fonts import find_cjk_font
from pipeline.image.base import DrawnPanel, PanelRequest
from pipeline.models import Character

RGB = tuple[int, int, int]

_COLOR_WORDS: tuple[tuple[str, RGB], ...] = (
    ("黑", (30, 28, 32)), ("black", (30, 28, 32)), ("白", (235, 235, 238)), ("white", (235, 235, 238)),
    ("银", (196, 200, 210)), ("silver", (196, 200, 210)), ("灰", (128, 128, 134)), ("grey", (128, 128, 134)),
    ("gray", (128, 128, 134)), ("红", (205, 40, 48)), ("red", (205, 40, 48)), ("蓝", (50, 90, 190)),
    ("blue", (50, 90, 190)), ("绿", (50, 150, 80)), ("green", (50, 150, 80)), ("黄", (235, 190, 40)),
    ("yellow", (235, 190, 40)), ("金", (225, 180, 70)), ("blond", (225, 190, 100)), ("棕", (120, 72, 40)),
    ("brown", (120, 72, 40)), ("紫", (120, 70, 160)), ("purple", (120, 70, 160)), ("粉", (240, 150, 180)),
    ("pink", (240, 150, 180)), ("橙", (240, 130, 40)), ("orange", (240, 130, 40)),
)  # fmt: skip
_SKIN = ((255, 224, 196), (245, 208, 170), (226, 180, 140), (200, 150, 110))
_HAPPY = ("开心", "微笑", "高兴", "笑", "慈祥", "happy", "smiling", "smile", "glad", "joy")
_SAD = ("伤心", "难过", "哭", "sad", "crying", "worried", "担心", "害怕", "afraid", "scared")
_SURPRISED = ("惊讶", "震惊", "吃惊", "surprised", "shocked", "疑惑", "confused")
_ANGRY = ("生气", "愤怒", "angry", "determined", "坚定", "紧张", "nervous")


def _stable_int(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def _color_in(text: str) -> RGB | None:
    lowered = text.lower()
    found = [(lowered.find(word), rgb) for word, rgb in _COLOR_WORDS if word in lowered]
    return min(found)[1] if found else None


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (int(a[0] + (b[0] - a[0]) * t), int(a[1] + (b[1] - a[1]) * t), int(a[2] + (b[2] - a[2]) * t))


@dataclass(frozen=True)
class Look:
    """How a character is drawn; derived only from the character, so it is the same in every panel."""

    skin: RGB
    hair: RGB
    hair_style: str  # short, long, ponytail, braid, bald
    clothing: RGB
    accent: RGB
    glasses: bool
    scarf: RGB | None
    hat: RGB | None
    beard: bool
    female: bool
    elder: bool

    @classmethod
    def of(cls, character: Character, index: int = 0) -> Look:
        """`index` is the character's place in the script's cast, so the first characters get distinct colours."""
        rng = random.Random(_stable_int("look", character.name))
        hair_text = str(character.appearance.get("hair", ""))
        clothing_text = str(character.appearance.get("clothing", ""))
        features = " ".join(str(f) for f in character.appearance.get("features", []))
        everything = " ".join([hair_text, clothing_text, features, *character.attributes.values()]).lower()
        female = character.attributes.get("gender") == "女" or any(
            w in everything for w in ("婆", "奶奶", "girl", "woman", "马尾", "ponytail")
        )
        elder = any(w in everything for w in ("老", "婆婆", "爷", "70s", "80s", "60s", "白发", "old", "white beard"))
        if not female and character.attributes.get("gender") != "男":
            female = bool(re.search(r"\b(maya|anna|mary|lily|she)\b", character.name.lower())) or False
        if "马尾" in hair_text or "ponytail" in hair_text.lower():
            style = "ponytail"
        elif "辫" in hair_text or "braid" in hair_text.lower():
            style = "braid"
        elif "长" in hair_text or "long" in hair_text.lower() or (female and "短" not in hair_text):
            style = "long"
        elif "光头" in hair_text or "bald" in hair_text.lower():
            style = "bald"
        else:
            style = "short"
        hair = _color_in(hair_text) or ((225, 225, 228) if elder else rng.choice([(30, 28, 32), (90, 55, 30)]))
        palette = [(52, 96, 180), (200, 70, 60), (60, 140, 90), (220, 150, 40), (150, 90, 170), (40, 150, 160)]
        default_coat = palette[index % len(palette)]
        clothing = _color_in(clothing_text.split(",")[0]) or default_coat
        scarf_words = ("围巾", "scarf")
        scarf_item = next((p for p in re.split(r"[,，]", clothing_text) if any(w in p for w in scarf_words)), None)
        if scarf_item and _color_in(clothing_text.split(",")[0]) and clothing_text.split(",")[0] == scarf_item:
            clothing = default_coat
        hat_item = next((p for p in re.split(r"[,，]", clothing_text) if "帽" in p or "hat" in p.lower()), None)
        return cls(
            skin=_SKIN[_stable_int("skin", character.name) % 2],
            hair=hair,
            hair_style=style,
            clothing=clothing,
            accent=_mix(clothing, (255, 255, 255), 0.45),
            glasses=any(w in everything for w in ("眼镜", "glasses", "spectacles")),
            scarf=(_color_in(scarf_item) or (200, 40, 50)) if scarf_item else None,
            hat=(_color_in(hat_item) or (215, 185, 110)) if hat_item else None,
            beard=any(w in everything for w in ("beard", "胡")),
            female=female,
            elder=elder,
        )


def _sky_colors(time: str, interior: bool | None) -> tuple[RGB, RGB, bool]:
    t = time.lower()
    if any(w in t for w in ("深夜", "夜", "night", "midnight")):
        return (10, 14, 40), (40, 48, 96), True
    if any(w in t for w in ("傍晚", "黄昏", "dusk", "evening", "sunset")):
        return (70, 60, 130), (250, 150, 90), False
    if any(w in t for w in ("清晨", "早", "dawn", "morning")):
        return (150, 190, 240), (255, 215, 180), False
    return (90, 160, 235), (200, 230, 255), False


class SketchImageBackend:
    """Draws comic panels procedurally; needs only Pillow and a CJK font."""

    name = "sketch"

    def __init__(self, font_path: str | None = None) -> None:
        self._font_path = font_path

    def draw(self, request: PanelRequest, out_path: str) -> DrawnPanel:
        if request.width < 64 or request.height < 64:
            raise DrawError(f"panel size {request.width}x{request.height} is too small: use at least 64x64.")
        try:
            preset = style_preset(request.style)
        except KeyError as exc:
            raise DrawError(str(exc)) from exc
        font = find_cjk_font(self._font_path)
        panel = _Panel(request, preset, font.path, font.index)
        image = panel.render()
        image.save(out_path, format="PNG", optimize=False, compress_level=1)
        return DrawnPanel(
            path=out_path,
            width=image.width,
            height=image.height,
            seed=request.seed,
            prompt=request.prompt_override or request.shot.prompt,
            params={"backend": self.name, "style": request.style, "camera": request.shot.camera},
        )


class _Panel:
    def __init__(self, request: PanelRequest, preset: dict, font_path: str, font_index: int) -> None:
        self.req = request
        self.shot = request.shot
        self.preset = preset
        self.w, self.h = request.width, request.height
        self.unit = min(self.w, self.h) / 100.0
        self.rng = random.Random(request.seed)
        self.outline: RGB = tuple(preset["outline"])  # type: ignore[assignment]
        self.line_w = max(2, int(preset["outline_width"] * self.unit / 10))
        self._font_path, self._font_index = font_path, font_index
        self.image = Image.new("RGB", (self.w, self.h))
        self.draw = ImageDraw.Draw(self.image)

    def font(self, size: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self._font_path, max(8, int(size)), index=self._font_index)

    def render(self) -> Image.Image:
        horizon = self._background()
        self._characters(horizon)
        if self.preset.get("halftone"):
            self._halftone()
        if self.shot.emotion and any(w in self.shot.emotion.lower() for w in _SURPRISED):
            self._speed_lines()
        self._text()
        border = max(4, int(self.preset["border"] * self.unit / 10))
        self.draw.rectangle([0, 0, self.w - 1, self.h - 1], outline=self.outline, width=border)
        return self.image

    # -- background -----------------------------------------------------------------------------------------

    def _gradient(self, box: tuple[int, int, int, int], top: RGB, bottom: RGB) -> None:
        x0, y0, x1, y1 = box
        for y in range(y0, y1):
            self.draw.line([(x0, y), (x1, y)], fill=_mix(top, bottom, (y - y0) / max(1, y1 - y0)))

    def _background(self) -> int:
        shot = self.shot
        place = f"{shot.location} {shot.time}".lower()
        top, bottom, night = _sky_colors(shot.time, shot.interior)
        horizon = int(self.h * (0.72 if shot.camera == "long" else 0.66))
        scenery = random.Random(_stable_int("place", shot.location))  # the same place looks the same each shot
        if shot.interior:
            wall = _mix((200, 180, 150), bottom, 0.25)
            self._gradient((0, 0, self.w, horizon), _mix(wall, (0, 0, 0), 0.25 if night else 0.0), wall)
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
                mx, my, mr = int(self.w * 0.8), int(self.h * 0.12), int(7 * self.unit)
                self.draw.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=(250, 245, 210))
            elif any(w in place for w in ("傍晚", "黄昏", "dusk", "evening", "sunset")):
                sx, sy, sr = int(self.w * 0.25), int(horizon * 0.85), int(10 * self.unit)
                self.draw.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(255, 190, 110))
            self._scenery(place, horizon, night, scenery)
        return horizon

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
                pts = [(0, self.h), (0, horizon + 10)]
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
                        color = (255, 220, 120) if lit else _mix(dark, (255, 255, 255), 0.2)
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
            self._gradient((0, horizon, self.w, self.h), water, _mix(water, (0, 0, 0), 0.4))
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
                self.draw.ellipse([hx - hr, horizon - hr // 2, hx + hr, horizon + hr], fill=_mix(dark, ground, 0.5))
        self._gradient((0, horizon, self.w, self.h), ground, _mix(ground, (0, 0, 0), 0.35))

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

    # -- characters -----------------------------------------------------------------------------------------

    def _characters(self, horizon: int) -> None:
        names = list(self.shot.characters)
        if not names:
            return
        cast = list(self.req.characters)
        camera = self.shot.camera
        scale = {"long": 0.42, "medium": 0.95, "over-shoulder": 1.05, "closeup": 1.9}[camera]
        head_r = int(min(self.w * 0.16, self.h * 0.09) * scale)
        count = len(names)
        for i, name in enumerate(names):
            index = cast.index(name) if name in cast else len(cast) + i
            look = Look.of(self.req.characters.get(name) or Character(name=name), index)
            if camera == "over-shoulder" and i == 1:
                cx, cy, r = int(self.w * 0.12), int(self.h * 0.62), int(head_r * 1.25)
                self._figure(cx, cy, r, look, emotion=None, back=True)
                continue
            if count == 1 or camera == "over-shoulder":
                cx = int(self.w * (0.5 if camera == "closeup" else 0.55))
            else:
                cx = int(self.w * (0.28 + 0.44 * i / (count - 1))) if count > 1 else self.w // 2
            cy = {"long": horizon - int(head_r * 6.2), "closeup": int(self.h * 0.58)}.get(camera, int(self.h * 0.5))
            emotion = self.shot.emotion if (name == self.shot.speaker or count == 1) else None
            self._figure(cx, cy, head_r, look, emotion=emotion, back=False)

    def _figure(self, cx: int, cy: int, r: int, look: Look, *, emotion: str | None, back: bool) -> None:
        d, ow = self.draw, self.line_w
        # body: a rounded torso under the head, legs when the whole figure fits
        torso_top, torso_bottom = cy + int(r * 0.9), cy + int(r * 4.2)
        d.rounded_rectangle([cx - int(r * 1.25), torso_top, cx + int(r * 1.25), torso_bottom], radius=int(r * 0.6),
                            fill=look.clothing, outline=self.outline, width=ow)  # fmt: skip
        d.line([(cx, torso_top + r // 3), (cx, torso_bottom - r // 3)], fill=look.accent, width=max(2, ow))
        if torso_bottom < self.h:
            for dx in (-0.55, 0.55):
                x = cx + int(r * dx)
                d.rounded_rectangle([x - int(r * 0.38), torso_bottom - r // 3, x + int(r * 0.38), torso_bottom + int(r * 2.2)],
                                    radius=int(r * 0.2), fill=_mix(look.clothing, (0, 0, 0), 0.45), outline=self.outline, width=ow)  # fmt: skip
        neck = int(r * 0.35)
        d.rectangle([cx - neck, cy + int(r * 0.7), cx + neck, torso_top + r // 4], fill=look.skin, outline=self.outline)
        if look.scarf:
            d.rounded_rectangle([cx - int(r * 0.95), cy + int(r * 0.75), cx + int(r * 0.95), cy + int(r * 1.25)],
                                radius=int(r * 0.2), fill=look.scarf, outline=self.outline, width=ow)  # fmt: skip
            d.rectangle(
                [cx + int(r * 0.3), cy + int(r * 1.1), cx + int(r * 0.7), cy + int(r * 2.2)],
                fill=look.scarf,
                outline=self.outline,
            )
        # hair behind the head
        if look.hair_style == "long":
            d.rounded_rectangle([cx - int(r * 1.12), cy - int(r * 0.6), cx + int(r * 1.12), cy + int(r * 1.5)],
                                radius=int(r * 0.5), fill=look.hair, outline=self.outline, width=ow)  # fmt: skip
        elif look.hair_style == "ponytail":
            d.ellipse(
                [cx + int(r * 0.7), cy - int(r * 0.2), cx + int(r * 1.5), cy + int(r * 1.6)],
                fill=look.hair,
                outline=self.outline,
                width=ow,
            )
        elif look.hair_style == "braid":
            for k in range(4):
                by = cy + int(r * (0.3 + 0.45 * k))
                d.ellipse(
                    [cx + int(r * 0.75), by, cx + int(r * 1.25), by + int(r * 0.5)],
                    fill=look.hair,
                    outline=self.outline,
                    width=ow,
                )
        d.ellipse(
            [cx - r, cy - r, cx + r, cy + r], fill=look.hair if back else look.skin, outline=self.outline, width=ow
        )
        if back:
            return
        if look.hair_style != "bald":  # fringe
            d.chord(
                [cx - r, cy - r, cx + r, cy + int(r * 0.5)], 180, 360, fill=look.hair, outline=self.outline, width=ow
            )
        if look.hat:
            d.ellipse(
                [cx - int(r * 1.5), cy - int(r * 0.85), cx + int(r * 1.5), cy - int(r * 0.45)],
                fill=look.hat,
                outline=self.outline,
                width=ow,
            )
            d.chord(
                [cx - int(r * 0.9), cy - int(r * 1.45), cx + int(r * 0.9), cy - int(r * 0.2)],
                180,
                360,
                fill=look.hat,
                outline=self.outline,
                width=ow,
            )
        if look.beard:
            d.chord(
                [cx - int(r * 0.85), cy - int(r * 0.1), cx + int(r * 0.85), cy + int(r * 1.15)],
                0,
                180,
                fill=look.hair,
                outline=self.outline,
                width=ow,
            )
        self._face(cx, cy, r, look, emotion or "")

    def _face(self, cx: int, cy: int, r: int, look: Look, emotion: str) -> None:
        d, ow = self.draw, max(2, self.line_w)
        e = emotion.lower()
        eye_y, eye_dx, eye_r = cy + int(r * 0.05), int(r * 0.38), max(2, int(r * 0.12))
        for sx in (-1, 1):
            ex = cx + sx * eye_dx
            if any(w in e for w in _HAPPY):
                d.arc(
                    [ex - eye_r * 2, eye_y - eye_r, ex + eye_r * 2, eye_y + eye_r * 2],
                    200,
                    340,
                    fill=self.outline,
                    width=ow,
                )
            else:
                big = 1.5 if any(w in e for w in _SURPRISED) else 1.0
                rr = int(eye_r * big)
                d.ellipse([ex - rr, eye_y - rr, ex + rr, eye_y + rr], fill=(25, 25, 30))
                d.ellipse([ex - rr // 3, eye_y - rr // 2, ex + rr // 3, eye_y], fill=(255, 255, 255))
            brow_y = eye_y - int(r * 0.28)
            tilt = int(r * 0.12) * (1 if any(w in e for w in _ANGRY) else -1 if any(w in e for w in _SAD) else 0)
            d.line(
                [(ex - eye_r * 2, brow_y - sx * tilt), (ex + eye_r * 2, brow_y + sx * tilt)],
                fill=self.outline,
                width=ow,
            )
            if look.glasses:
                gr = int(eye_r * 2.4)
                d.ellipse([ex - gr, eye_y - gr, ex + gr, eye_y + gr], outline=(40, 40, 50), width=ow)
        if look.glasses:
            d.line(
                [(cx - eye_dx + int(eye_r * 2.4), eye_y), (cx + eye_dx - int(eye_r * 2.4), eye_y)],
                fill=(40, 40, 50),
                width=ow,
            )
        if any(w in e for w in ("害羞", "shy", "blush")) or (look.female and not look.elder):
            for sx in (-1, 1):
                bx = cx + sx * int(r * 0.55)
                d.ellipse(
                    [bx - int(r * 0.15), cy + int(r * 0.3), bx + int(r * 0.15), cy + int(r * 0.42)],
                    fill=(240, 140, 150),
                )
        my, mw = cy + int(r * 0.55), int(r * 0.3)
        if any(w in e for w in _SURPRISED):
            d.ellipse(
                [cx - mw // 2, my - mw // 2, cx + mw // 2, my + mw // 2], fill=(120, 30, 40), outline=self.outline
            )
        elif any(w in e for w in _HAPPY):
            d.chord(
                [cx - mw, my - mw, cx + mw, my + mw // 2], 0, 180, fill=(150, 40, 50), outline=self.outline, width=ow
            )
        elif any(w in e for w in _SAD):
            d.arc([cx - mw, my, cx + mw, my + mw], 200, 340, fill=self.outline, width=ow)
        else:
            d.line([(cx - mw // 2, my), (cx + mw // 2, my)], fill=self.outline, width=ow)

    # -- effects and text -----------------------------------------------------------------------------------

    def _halftone(self) -> None:
        dots = Image.new("L", (self.w, self.h), 0)
        dd = ImageDraw.Draw(dots)
        step = max(6, int(2.2 * self.unit))
        for y in range(int(self.h * 0.55), self.h, step):
            r = max(1, int(step * 0.18 * (y - self.h * 0.55) / (self.h * 0.45)) + 1)
            for x in range((y // step % 2) * step // 2, self.w, step):
                dd.ellipse([x - r, y - r, x + r, y + r], fill=60)
        self.image.paste((0, 0, 0), (0, 0), dots)

    def _speed_lines(self) -> None:
        cx, cy = self.w / 2, self.h * 0.45
        for i in range(48):
            a = 2 * math.pi * i / 48 + self.rng.uniform(-0.03, 0.03)
            r0, r1 = max(self.w, self.h) * 0.42, max(self.w, self.h)
            self.draw.line([(cx + r0 * math.cos(a), cy + r0 * math.sin(a)), (cx + r1 * math.cos(a), cy + r1 * math.sin(a))],
                           fill=self.outline, width=max(1, self.line_w // 2))  # fmt: skip

    def _wrap(self, text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
        tokens = re.findall(r"[A-Za-z0-9'’\-.,!?;:]+\s*|\s+|.", text)
        lines, current = [], ""
        for token in tokens:
            closing = token in "，。、！？；：,.!?;:)）」』”’…—"
            if font.getlength(current + token) <= max_width or not current or closing:
                current += token
            else:
                lines.append(current.rstrip())
                current = token.lstrip()
        if current.strip():
            lines.append(current.rstrip())
        return lines

    def _fit_text(
        self, text: str, box_w: float, max_lines: int, size: float
    ) -> tuple[ImageFont.FreeTypeFont, list[str]]:
        while True:
            font = self.font(size)
            lines = self._wrap(text, font, box_w)
            if len(lines) <= max_lines or size <= 12:
                return font, lines[:max_lines]
            size *= 0.88

    def _text(self) -> None:
        text = self.shot.text.strip()
        if not text:
            return
        pad = int(3 * self.unit)
        if self.shot.kind == "dialogue":
            box_w = self.w * 0.72
            font, lines = self._fit_text(text, box_w - 2 * pad, 4, 5.2 * self.unit)
            line_h = font.size * 1.3
            bw = max(font.getlength(ln) for ln in lines) + 2 * pad
            bh = line_h * len(lines) + 2 * pad
            x0 = (self.w - bw) / 2
            y0 = self.h * 0.06 + int(self.preset["border"] * self.unit / 10)
            fill = tuple(self.preset["bubble_fill"])
            self.draw.polygon([(self.w * 0.46, y0 + bh - 4), (self.w * 0.54, y0 + bh - 4), (self.w * 0.52, y0 + bh + 6 * self.unit)],
                              fill=fill, outline=self.outline)  # fmt: skip
            self.draw.rounded_rectangle(
                [x0, y0, x0 + bw, y0 + bh], radius=int(bh / 3), fill=fill, outline=self.outline, width=self.line_w
            )
            self.draw.rectangle([self.w * 0.465, y0 + bh - self.line_w * 1.5, self.w * 0.535, y0 + bh - 1], fill=fill)
            if self.shot.speaker:
                tag = self.font(3.2 * self.unit)
                self.draw.text((x0 + pad, y0 - tag.size * 1.1), self.shot.speaker, font=tag, fill=(255, 255, 255),
                               stroke_width=max(2, self.line_w // 2), stroke_fill=self.outline)  # fmt: skip
        else:
            box_w = self.w * 0.86
            font, lines = self._fit_text(text, box_w - 2 * pad, 4, 4.4 * self.unit)
            line_h = font.size * 1.3
            bw = box_w
            bh = line_h * len(lines) + 2 * pad
            x0 = (self.w - bw) / 2
            y0 = self.h * 0.05
            self.draw.rectangle(
                [x0, y0, x0 + bw, y0 + bh],
                fill=tuple(self.preset["caption_fill"]),
                outline=self.outline,
                width=self.line_w,
            )
        for i, ln in enumerate(lines):
            lw = font.getlength(ln)
            self.draw.text(((self.w - lw) / 2, y0 + pad + i * line_h), ln, font=font, fill=(20, 20, 24))
