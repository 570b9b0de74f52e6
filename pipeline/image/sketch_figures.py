"""Characters for the sketch renderer: figures framed by the camera, dressed by their Look, faces by emotion."""

from __future__ import annotations

from pipeline.image.canvas import PanelCanvas
from pipeline.image.looks import ANGRY, HAPPY, RGB, SAD, SURPRISED, Look, mix
from pipeline.models import FRAMING, Character

# A figure's height below its head's centre, in head radii (torso and legs), and a child's head beside an adult's:
# a child is shorter with a bigger head for its body.
ADULT_HEIGHT, CHILD_HEIGHT, CHILD_HEAD = 6.4, 4.5, 0.85


class FigureMixin(PanelCanvas):
    def _characters(self, horizon: int) -> None:
        names = list(self.shot.characters)
        if not names:
            return
        cast = list(self.req.characters)
        camera = FRAMING.get(self.shot.camera, "medium")  # angles are drawn at their distance (for now)
        scale = {"long": 0.42, "medium": 0.95, "over-shoulder": 1.05, "closeup": 1.9}[camera]
        # The seed frames the shot a little differently on each variation: a small pan and zoom.
        head_r = int(min(self.w * 0.16, self.h * 0.09) * scale * self.rng.uniform(0.94, 1.06))
        pan = int(self.w * self.rng.uniform(-0.05, 0.05))
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
            r = head_r
            if look.child and camera != "closeup":  # a smaller figure standing on the same ground
                r = int(head_r * CHILD_HEAD)
                cy += int(head_r * ADULT_HEIGHT - r * CHILD_HEIGHT)
            emotion = self.shot.emotion if (name == self.shot.speaker or count == 1) else None
            self._figure(cx + pan, cy, r, look, emotion=emotion, back=False)
            self.anchors[name] = ((cx + pan) / self.w, (cy - r * 0.2) / self.h)

    def _figure(self, cx: int, cy: int, r: int, look: Look, *, emotion: str | None, back: bool) -> None:
        d, ow = self.draw, self.line_w
        # body: a rounded torso under the head, legs when the whole figure fits; a child's are shorter and narrower
        torso, legs, half = (3.0, 1.5, 1.0) if look.child else (4.2, 2.2, 1.25)
        torso_top, torso_bottom = cy + int(r * 0.9), cy + int(r * torso)
        if look.backpack and not back:  # the pack behind the shoulders, seen either side of the torso
            d.rounded_rectangle([cx - int(r * (half + 0.25)), torso_top + r // 4, cx + int(r * (half + 0.25)),
                                 torso_top + int(r * 2.2)], radius=int(r * 0.4), fill=look.backpack,
                                outline=self.outline, width=ow)  # fmt: skip
        d.rounded_rectangle([cx - int(r * half), torso_top, cx + int(r * half), torso_bottom], radius=int(r * 0.6),
                            fill=look.clothing, outline=self.outline, width=ow)  # fmt: skip
        d.line([(cx, torso_top + r // 3), (cx, torso_bottom - r // 3)], fill=look.accent, width=max(2, ow))
        if look.backpack:
            self._backpack(cx, torso_top, r, half, look.backpack, back=back)
        if torso_bottom < self.h:
            for dx in (-0.55, 0.55):
                x = cx + int(r * dx * half / 1.25)
                d.rounded_rectangle([x - int(r * 0.38), torso_bottom - r // 3, x + int(r * 0.38), torso_bottom + int(r * legs)],
                                    radius=int(r * 0.2), fill=mix(look.clothing, (0, 0, 0), 0.45), outline=self.outline, width=ow)  # fmt: skip
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
        elif look.hair_style in ("braid", "braids"):
            for side in (1, -1) if look.hair_style == "braids" else (1,):
                for k in range(4):
                    by = cy + int(r * (0.3 + 0.45 * k))
                    x0, x1 = sorted((cx + side * int(r * 0.75), cx + side * int(r * 1.25)))
                    d.ellipse([x0, by, x1, by + int(r * 0.5)], fill=look.hair, outline=self.outline, width=ow)
        elif look.hair_style == "twin tails":  # a tail tied high on each side of the head
            for side in (1, -1):
                x0, x1 = sorted((cx + side * int(r * 0.8), cx + side * int(r * 1.55)))
                d.ellipse(
                    [x0, cy - int(r * 0.5), x1, cy + int(r * 1.3)], fill=look.hair, outline=self.outline, width=ow
                )
        elif look.hair_style == "bun":
            d.ellipse([cx - int(r * 0.45), cy - int(r * 1.5), cx + int(r * 0.45), cy - int(r * 0.6)], fill=look.hair,
                      outline=self.outline, width=ow)  # fmt: skip
        bald = look.hair_style == "bald"
        d.ellipse(
            [cx - r, cy - r, cx + r, cy + r],
            fill=look.hair if back and not bald else look.skin,
            outline=self.outline,
            width=ow,
        )
        if back:
            return
        if not bald:  # fringe
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

    def _backpack(self, cx: int, torso_top: int, r: int, half: float, colour: RGB, *, back: bool) -> None:
        """Shoulder straps seen from the front; from behind, the pack itself over the torso."""
        d, ow = self.draw, self.line_w
        if back:
            d.rounded_rectangle([cx - int(r * half * 0.8), torso_top + r // 3, cx + int(r * half * 0.8),
                                 torso_top + int(r * 2.3)], radius=int(r * 0.35), fill=colour, outline=self.outline,
                                width=ow)  # fmt: skip
            return
        for side in (-1, 1):
            x = cx + side * int(r * half * 0.55)
            strap = [x - int(r * 0.14), torso_top, x + int(r * 0.14), torso_top + int(r * 1.9)]
            d.rounded_rectangle(strap, radius=int(r * 0.08), fill=colour, outline=self.outline, width=max(1, ow // 2))

    def _face(self, cx: int, cy: int, r: int, look: Look, emotion: str) -> None:
        d, ow = self.draw, max(2, self.line_w)
        e = emotion.lower()
        eye_y, eye_dx, eye_r = cy + int(r * 0.05), int(r * 0.38), max(2, int(r * 0.12))
        for sx in (-1, 1):
            ex = cx + sx * eye_dx
            if any(w in e for w in HAPPY):
                d.arc(
                    [ex - eye_r * 2, eye_y - eye_r, ex + eye_r * 2, eye_y + eye_r * 2],
                    200,
                    340,
                    fill=self.outline,
                    width=ow,
                )
            else:
                big = 1.5 if any(w in e for w in SURPRISED) else 1.0
                rr = int(eye_r * big)
                d.ellipse([ex - rr, eye_y - rr, ex + rr, eye_y + rr], fill=(25, 25, 30))
                d.ellipse([ex - rr // 3, eye_y - rr // 2, ex + rr // 3, eye_y], fill=(255, 255, 255))
            brow_y = eye_y - int(r * 0.28)
            tilt = int(r * 0.12) * (1 if any(w in e for w in ANGRY) else -1 if any(w in e for w in SAD) else 0)
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
        if any(w in e for w in SURPRISED):
            d.ellipse(
                [cx - mw // 2, my - mw // 2, cx + mw // 2, my + mw // 2], fill=(120, 30, 40), outline=self.outline
            )
        elif any(w in e for w in HAPPY):
            d.chord(
                [cx - mw, my - mw, cx + mw, my + mw // 2], 0, 180, fill=(150, 40, 50), outline=self.outline, width=ow
            )
        elif any(w in e for w in SAD):
            d.arc([cx - mw, my, cx + mw, my + mw], 200, 340, fill=self.outline, width=ow)
        else:
            d.line([(cx - mw // 2, my), (cx + mw // 2, my)], fill=self.outline, width=ow)
