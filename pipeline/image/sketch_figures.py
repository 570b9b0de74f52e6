"""Characters for the sketch renderer: who stands where for the camera, each drawn on its own layer from its Look and
posed by what the shot says; each front-facing face is recorded (anchor, face box, mouth) with the sprites a motion
comic swaps in to make it talk and blink."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

from pipeline.emotions import Emotion, emotion_of
from pipeline.image.canvas import Box, PanelCanvas, Sprite
from pipeline.image.figure_body import Build, build_of, pose_skeleton
from pipeline.image.figure_dress import draw_body_back, draw_body_front, draw_hands_over_head
from pipeline.image.figure_face import Head, draw_head_front
from pipeline.image.figure_hair import draw_hair_behind, draw_head_back
from pipeline.image.figure_pen import Pen
from pipeline.image.looks import Look, cast_looks
from pipeline.image.poses import Pose, choose_pose, words_about
from pipeline.models import Character

# The sprites of a face: the state drawn again, as draw_head_front's arguments.
SPRITE_STATES: dict[str, dict[str, str]] = {"mouth_half": {"mouth": "half"}, "mouth_open": {"mouth": "open"},
                                            "eyes_closed": {"eyes": "closed"}}  # fmt: skip
# How far hair and hats reach out from a head seen from behind, in head radii (the listener must keep clear).
_HAIR_REACH = {"twin tails": 1.75, "afro": 1.6, "long": 1.15, "wavy": 1.15, "bob": 1.1}
_ANGLES = {"low-angle": 1.0, "high-angle": -1.0}


@dataclass(frozen=True)
class Placement:
    """One character as the shot frames it: where its head is (before it hangs), how big, posed how."""

    name: str
    look: Look
    build: Build
    pose: Pose
    x: float
    head_y: float
    r: float
    facing: int  # the side the others are on (−1 left, +1 right)
    back: bool  # seen from behind (the listener over whose shoulder the camera looks)
    emotion: Emotion
    angle: float  # +1 seen from below, −1 from above


class FigureMixin(PanelCanvas):
    def _characters(self, horizon: int) -> None:
        """Draw the shot's characters back to front, each on its layer "character:<name>"."""
        for placement in self._place_characters(horizon):
            self.layer(f"character:{placement.name}")
            self._figure(placement)

    # -- framing ------------------------------------------------------------------------------------------------

    def _place_characters(self, horizon: int) -> list[Placement]:
        shot = self.shot
        names = list(dict.fromkeys(shot.characters))
        if shot.camera == "establishing" or not names:
            return []
        cast = list(self.req.characters)
        order = {name: cast.index(name) if name in cast else len(cast) + i for i, name in enumerate(names)}
        looks = self._looks(names)
        if shot.camera == "closeup":
            names = names[:1]
        if shot.camera == "over-shoulder" and len(names) >= 2:
            speaker, listener = names[:2]
            return self._over_shoulder(speaker, listener, looks, order[listener] > order[speaker])
        names.sort(key=order.__getitem__)  # left to right as the cast is listed, so sides hold from shot to shot
        angle = _ANGLES.get(shot.camera, 0.0)
        ref = _reference_build(self.style.head_ratio, angle)
        builds = {name: build_of(looks[name], self.style.head_ratio, angle) for name in names}
        widths = [2.05 * builds[n].half_width * builds[n].head for n in names]  # in the adult's head radii
        r, floor = self._frame_size(shot.camera, sum(widths) / (2 * ref.half_width), ref, horizon)
        if shot.camera != "closeup":
            r = min(r, 0.94 * self.w / sum(widths))  # side by side without overlapping
        pan = self.w * self.rng.uniform(-0.04, 0.04)
        left = self.w / 2 + pan - r * sum(widths) / 2
        placements = []
        for i, name in enumerate(names):
            x = left + r * (sum(widths[:i]) + widths[i] / 2)
            facing = 0 if len(names) == 1 else (1 if i < (len(names) - 1) / 2 else -1 if i > (len(names) - 1) / 2 else 0)
            facing = facing or self.rng.choice((-1, 1))
            build = builds[name]
            pose = self._pose(name, names)
            size = r * build.head
            if shot.camera == "closeup":
                head_y = self.h * (0.46 if self.h > self.w else 0.5)
            else:  # everyone stands (or sits) on the same floor: a child's head is lower
                head_y = floor - pose_skeleton(build, pose, 0, 0, size, facing).floor
            placements.append(Placement(name, looks[name], build, pose, x, head_y, size, facing, False,
                                        self._feeling(name), angle))  # fmt: skip
        # Back to front: at one depth, whoever speaks (or acts) last, so a pointing arm passes in front.
        return sorted(placements, key=lambda p: p.name == (shot.speaker or names[0]))

    def _frame_size(self, camera: str, count: float, ref: Build, horizon: int) -> tuple[float, float]:
        """The adult head radius for this camera and how many (adults' widths) stand side by side, and the floor
        they stand on."""
        w, h = self.w, self.h
        portrait = h > w
        wide = 0.92 * w / (count * 2 * ref.half_width)  # side by side
        if camera == "closeup":
            r = min(0.36 * w, 0.45 * h)
            return r, h
        if camera in ("long", "low-angle", "high-angle"):
            height, floor = {"long": (0.46 if portrait else 0.6, horizon + 0.5 * (h - horizon)),
                             "low-angle": (0.9, 0.985 * h), "high-angle": (0.58, 0.9 * h)}[camera]  # fmt: skip
            r = min(height * h / (ref.sole_drop + 1), wide)
            return r, min(floor, 0.97 * h)
        top = 0.08 * h  # medium: the head's top near the top edge, the waist at the bottom
        r = min(0.89 * h / (1 + ref.waist_drop), wide)
        return r, top + r + ref.sole_drop * r

    def _over_shoulder(self, speaker: str, listener: str, looks: dict[str, Look], listener_right: bool) -> list[Placement]:
        """The speaker facing us beyond the listener, who is seen from behind, large, cut by the side edge it
        stands on (the side it holds in the wide shots) and kept clear of the speaker's face."""
        w, h = self.w, self.h
        side = 1 if listener_right else -1
        ref = _reference_build(self.style.head_ratio, 0.0)
        r_s = min(0.8 * 0.89 * h / (1 + ref.waist_drop), 0.21 * w)
        s_build, l_build = (build_of(looks[n], self.style.head_ratio) for n in (speaker, listener))
        r_s *= s_build.head
        x_s = w * (0.5 - side * 0.16) + w * self.rng.uniform(-0.02, 0.02)
        s_pose = self._pose(speaker, [speaker, listener])
        s_head_y = 0.1 * h + r_s
        face = Head(x_s, s_head_y, r_s, looks[speaker], self.style.eyes).face_box
        r_l = 1.4 * r_s / s_build.head * l_build.head
        l_head_y = s_head_y + 1.6 * r_s
        l_pose = choose_pose("", "neutral", self.rng)
        x_l = w * (0.5 + side * 0.45)
        margin = 0.02 * w
        for _ in range(60):  # slide the listener out of the frame until the speaker's face is clear
            if not any(_overlap(face, box, margin) for box in _back_boxes(looks[listener], l_build, x_l, l_head_y, r_l, h)):
                break
            x_l += side * 0.02 * w
        return [
            Placement(speaker, looks[speaker], s_build, s_pose, x_s, s_head_y, r_s, side, False, self._feeling(speaker), 0),
            Placement(listener, looks[listener], l_build, l_pose, x_l, l_head_y, r_l, -side, True, "neutral", 0),
        ]  # fmt: skip

    # -- who looks and stands how ----------------------------------------------------------------------------

    def _looks(self, names: list[str]) -> dict[str, Look]:
        """Each character's look from the whole cast (so it is the same in every panel); a name the cast lacks
        gets the next default colours."""
        looks = cast_looks(self.req.characters.values())
        taken = [look.clothing for look in looks.values()]
        for name in names:
            if name not in looks:
                looks[name] = Look.of(Character(name=name), len(looks), taken)
                taken.append(looks[name].clothing)
        return looks

    def _feeling(self, name: str) -> Emotion:
        """The shot's emotion is the speaker's; in narration and action everyone framed shares it."""
        shot = self.shot
        if shot.kind == "dialogue" and shot.speaker and shot.speaker != name:
            return "neutral"
        return emotion_of(shot.emotion)

    def _pose(self, name: str, framed: list[str]) -> Pose:
        shot = self.shot
        text = f"{shot.text}。{shot.scene_description}"
        for place in (shot.location, shot.time):  # a place ("走廊", "坐标") is not a pose
            text = text.replace(place, " ") if place else text
        names = tuple(dict.fromkeys([*framed, *self.req.characters]))
        subject = shot.speaker if shot.speaker in framed else framed[0]
        return choose_pose(words_about(text, name, names, subject), self._feeling(name), self.rng)

    # -- drawing -------------------------------------------------------------------------------------------------

    def _figure(self, p: Placement) -> None:
        sk = pose_skeleton(p.build, p.pose, p.x, p.head_y, p.r, p.facing)
        # Ink as heavy as the panel's, but never so heavy that a small figure's face drowns in it.
        pen = Pen(self.image, self.outline, max(1, min(self.line_w, round(0.07 * sk.r))), draw=self.draw)
        hx, hy = sk.head
        if p.back:
            draw_body_back(pen, sk, p.look)
            draw_head_back(pen, hx, hy, sk.r, p.look)
            return
        gaze = 0.5 * p.facing if self.shot.camera != "closeup" or len(self.shot.characters) > 1 else 0.0
        head = Head(hx, hy, sk.r, p.look, self.style.eyes, p.emotion, gaze, lift=-0.1 * p.angle)
        draw_hair_behind(pen, hx, hy, sk.r, p.look)
        draw_body_front(pen, sk, p.look, p.pose)
        draw_head_front(pen, head)
        draw_hands_over_head(pen, sk, p.look, p.pose)
        self.anchors[p.name] = (hx / self.w, hy / self.h)
        self.faces[p.name] = _clip(head.face_box, self.w, self.h)
        self.mouths[p.name] = head.mouth
        self.sprites[p.name] = face_sprites(self.image, pen, head, self.faces[p.name])


def face_sprites(image: Image.Image, pen: Pen, head: Head, box: Box) -> dict[str, Sprite]:
    """The face drawn again in each of SPRITE_STATES on a crop of `image` (where it was just drawn), kept only
    where it differs from the face as shown, and not where something was drawn over the face: pasting a sprite
    changes the mouth (or the eyes) and nothing else. A state that changes nothing (a mask hides the mouth) is left
    out."""
    x0, y0, x1, y1 = box
    if x1 - x0 < 2 or y1 - y0 < 2:
        return {}
    shown = image.crop(box)

    def redraw(**state: str) -> Image.Image:
        canvas = shown.copy()
        draw_head_front(pen.moved(canvas, (x0, y0)), head, **state)
        return canvas

    base = redraw()
    base_px = np.asarray(base)
    visible = np.all(np.asarray(shown) == base_px, axis=-1)  # the face is on top here
    sprites = {}
    for name, state in SPRITE_STATES.items():
        drawn = redraw(**state)
        changed = np.any(np.asarray(drawn) != base_px, axis=-1) & visible
        alpha = Image.fromarray((changed * 255).astype(np.uint8))
        bbox = alpha.getbbox()
        if bbox is None:
            continue
        sprite = drawn.convert("RGBA")
        sprite.putalpha(alpha)
        bx0, by0, bx1, by1 = bbox
        sprites[name] = Sprite((x0 + bx0, y0 + by0, x0 + bx1, y0 + by1), sprite.crop(bbox))
    return sprites


@cache
def _reference_build(head_ratio: float, angle: float) -> Build:
    """An average adult of the style: shots are framed for it, so a child stands shorter in the same frame."""
    return build_of(_ADULT, head_ratio, angle)


_ADULT = Look(skin=(245, 208, 170), hair=(30, 28, 32), hair_style="short", clothing=(50, 90, 190), top="shirt",
              pattern=None, bottom="trousers", bottom_colour=(45, 45, 60), bottom_pattern=None, shoes=(60, 42, 34),
              shoe_kind="shoes", accent=(142, 164, 219))  # fmt: skip


def _back_boxes(look: Look, build: Build, x: float, head_y: float, r: float, bottom: float) -> list[Box]:
    """What a figure seen from behind covers, roughly: its head with hair and hat, its shoulders down."""
    reach = max(_HAIR_REACH.get(look.hair_style, 1.05), 1.55 if look.hat_kind == "hat" else 1.05)
    top = 1.6 if look.hair_style == "bun" or look.hat else 1.1
    head = (round(x - reach * r), round(head_y - top * r), round(x + reach * r), round(head_y + r))
    half = (build.shoulders + build.arm * 1.3) * r
    body = (round(x - half), round(head_y + r + build.neck * r), round(x + half), round(bottom))
    return [head, body]


def _overlap(a: Box, b: Box, margin: float) -> bool:
    return a[0] - margin < b[2] and b[0] < a[2] + margin and a[1] - margin < b[3] and b[1] < a[3] + margin


def _clip(box: Box, w: int, h: int) -> Box:
    return max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
