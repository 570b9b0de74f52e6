"""Faces: a front-facing head drawn with the style's eyes and an expression for each emotion (fear is never anger:
raised brows, wide eyes and a trembling open mouth against lowered brows, narrowed eyes and bared teeth), and the
same head drawn again with the mouth open or the eyes closed for a motion comic's sprites."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.emotions import Emotion
from pipeline.image.figure_hair import draw_fringe, draw_headwear
from pipeline.image.figure_pen import Pen, Point
from pipeline.image.looks import RGB, Look, mix

MOUTH_RED, TONGUE, TEETH = (150, 40, 52), (225, 110, 120), (250, 250, 248)
SWEAT, BLUSH = (170, 215, 245), (240, 140, 150)


@dataclass(frozen=True)
class Expression:
    """How one emotion shows on a face."""

    brow_lift: float  # head radii up (+) or down (−)
    brow_slant: float  # > 0: inner ends down (anger, resolve); < 0: inner ends up (sorrow, fear)
    eyes: str  # open, wide, narrow, half, smile
    pupils: float  # pupil size against a calm eye's (fear: pinpoints)
    look_down: float  # 0 … 1: the gaze lowered
    mouth: str  # line, grin, frown, grimace, o, wobble, wavy, small, firm, sigh
    marks: tuple[str, ...] = ()  # blush, sweat, tear, gloom, vein, bags


EXPRESSIONS: dict[str, Expression] = {
    "neutral": Expression(0.0, 0.0, "open", 1.0, 0.0, "line"),
    "happy": Expression(0.05, -0.1, "smile", 1.0, 0.0, "grin"),
    "sad": Expression(0.02, -0.4, "open", 1.0, 0.6, "frown", ("tear",)),
    "angry": Expression(-0.06, 0.5, "narrow", 0.9, 0.0, "grimace", ("vein",)),
    "nervous": Expression(0.04, -0.25, "open", 0.7, 0.0, "wavy", ("sweat",)),
    "shy": Expression(0.02, -0.2, "open", 1.0, 0.45, "small", ("blush",)),
    "surprised": Expression(0.16, 0.0, "wide", 0.65, 0.0, "o"),
    "scared": Expression(0.12, -0.45, "wide", 0.4, 0.0, "wobble", ("sweat", "gloom")),
    "determined": Expression(-0.03, 0.28, "narrow", 1.0, 0.0, "firm"),
    "tired": Expression(-0.03, -0.1, "half", 1.0, 0.3, "sigh", ("bags",)),
}
# By style: eye half-width and half-height in head radii, and the eyes' height on the face.
EYE_SIZES: dict[str, tuple[float, float, float]] = {"anime": (0.16, 0.21, 0.14), "dot": (0.085, 0.1, 0.1),
                                                    "ink": (0.17, 0.08, 0.1), "chibi": (0.24, 0.29, 0.22)}  # fmt: skip


@dataclass(frozen=True)
class Head:
    """A head as drawn: centre and radius in panel pixels, who it is, how the style draws eyes, how it feels."""

    x: float
    y: float
    r: float
    look: Look
    eyes: str  # the style's eyes: anime, dot, ink, chibi
    emotion: Emotion = "neutral"
    gaze: float = 0.0  # −1 … 1: where the eyes look, left to right
    lift: float = 0.0  # the features moved up (−) or down (+) in head radii: seen from below or above

    @property
    def face_box(self) -> tuple[int, int, int, int]:
        return round(self.x - 0.92 * self.r), round(self.y - self.r), round(self.x + 0.92 * self.r), round(self.y + self.r)

    @property
    def mouth(self) -> tuple[int, int]:
        return round(self.x), round(self.y + (0.55 + self.lift) * self.r)

    @property
    def eye_y(self) -> float:
        return self.y + (EYE_SIZES[self.eyes][2] + (0.06 if self.look.child else 0.0) + self.lift) * self.r


def draw_head_front(pen: Pen, head: Head, mouth: str = "panel", eyes: str = "open") -> None:
    """The whole front of the head, from the ears to the hat. `mouth`: "panel" (the emotion's, closed unless the
    emotion opens it), "half" or "open" (talking); `eyes`: "open" (the emotion's) or "closed" (a blink)."""
    x, y, r, look = head.x, head.y, head.r, head.look
    for side in (-1, 1):  # ears
        pen.ellipse((x + side * 0.8 * r, y - 0.12 * r, x + side * 1.04 * r, y + 0.3 * r), look.skin)
    pen.ellipse((x - 0.92 * r, y - r, x + 0.92 * r, y + r), look.skin)
    draw_fringe(pen, x, y, r, look)
    expression = EXPRESSIONS[head.emotion]
    for side in (-1, 1):
        _eye(pen, head, side, expression, closed=eyes == "closed")
        _brow(pen, head, side, expression)
    _nose_and_lines(pen, head)
    _face_marks(pen, head, expression)
    if look.facial_hair == "beard":
        pen.chord((x - 0.86 * r, y - 0.2 * r, x + 0.86 * r, y + 1.16 * r), 0, 180, _facial_hair_colour(look))
    elif look.facial_hair == "stubble":
        for k in range(14):
            px, py = x + (k % 7 - 3) * 0.17 * r, y + (0.7 + 0.14 * (k // 7) + 0.05 * abs(k % 7 - 3)) * r
            pen.circle(px, py, max(1.0, 0.025 * r), mix(look.skin, (60, 50, 50), 0.6), outline=False)
    _mouth(pen, head, expression.mouth if mouth == "panel" else mouth)
    if look.facial_hair in ("beard", "moustache"):
        mx, my = head.mouth
        for side in (-1, 1):
            pen.ellipse((mx + side * 0.04 * r, my - 0.2 * r, mx + side * 0.36 * r, my - 0.06 * r),
                        _facial_hair_colour(look))  # fmt: skip
    _glasses(pen, head)
    if (mask := look.wears("mask")) is not None:
        pen.rounded((x - 0.78 * r, y + 0.22 * r, x + 0.78 * r, y + 0.9 * r), 0.25 * r, mask)
        for side in (-1, 1):
            pen.line([(x + side * 0.78 * r, y + 0.35 * r), (x + side * 0.95 * r, y + 0.1 * r)])
    draw_headwear(pen, x, y, r, look)


def _facial_hair_colour(look: Look) -> RGB:
    return (215, 215, 218) if look.elder else look.hair


def _eye(pen: Pen, head: Head, side: int, expression: Expression, *, closed: bool) -> None:
    r, look = head.r, head.look
    ew, eh, _ = EYE_SIZES[head.eyes]
    scale = 1.15 if look.child and head.eyes != "chibi" else 1.0
    ew, eh = ew * r * scale, eh * r * scale
    ex, ey = head.x + side * (0.38 + 0.04 * (head.eyes == "chibi")) * r, head.eye_y
    inner = -side  # the inner corner is toward the nose
    if closed:  # a blink: the lid's curve, lashes down
        pen.arc((ex - ew, ey - eh * 0.5, ex + ew, ey + eh * 0.7), 10, 170, width=max(2, round(pen.width * 1.3)))
        return
    state = expression.eyes
    if state == "wide":
        ew, eh = ew * 1.18, eh * 1.3
    iris = (90, 80, 75) if sum(look.hair) > 600 else mix(look.hair, (40, 28, 26), 0.45)
    gx, gy = head.gaze * 0.28 * ew, expression.look_down * 0.3 * eh
    pupil = expression.pupils
    if head.eyes == "dot" and state != "wide":
        pen.ellipse((ex - ew + gx, ey - eh + gy, ex + ew + gx, ey + eh + gy), (25, 25, 30), outline=False)
        pen.circle(ex + gx - ew * 0.3, ey + gy - eh * 0.35, max(1.0, ew * 0.3), (255, 255, 255), outline=False)
    elif head.eyes == "dot":  # wide open: a white ring round a small dot
        pen.ellipse((ex - ew * 1.6, ey - eh * 1.6, ex + ew * 1.6, ey + eh * 1.6), (255, 255, 255))
        pen.circle(ex + gx, ey + gy, max(1.5, ew * 0.75 * pupil), (25, 25, 30), outline=False)
    else:
        white = (25, 22, 30) if head.eyes == "chibi" else (255, 255, 255)
        pen.ellipse((ex - ew, ey - eh, ex + ew, ey + eh), white)
        iw, ih = (ew * 0.92, eh * 0.92) if head.eyes == "chibi" else (ew * 0.72 * pupil ** 0.5, eh * 0.78 * pupil ** 0.5)
        if head.eyes == "ink":
            iw = ih = eh * 0.95 * pupil ** 0.5
        pen.ellipse((ex + gx - iw, ey + gy - ih, ex + gx + iw, ey + gy + ih), iris, outline=False)
        pr = min(iw, ih) * 0.5 * pupil
        pen.circle(ex + gx, ey + gy, max(1.0, pr), (15, 12, 18), outline=False)
        shine = 0.42 if head.eyes == "chibi" else 0.3
        pen.circle(ex + gx - iw * 0.35, ey + gy - ih * 0.4, max(1.0, min(iw, ih) * shine), (255, 255, 255), False)
        if head.eyes in ("anime", "chibi"):
            pen.circle(ex + gx + iw * 0.35, ey + gy + ih * 0.45, max(1.0, min(iw, ih) * 0.13), (255, 255, 255), False)
        lash = max(2, round(pen.width * (1.8 if head.eyes == "ink" else 1.5)))
        pen.arc((ex - ew, ey - eh, ex + ew, ey + eh), 195, 345, width=lash)
        if look.female:  # a flick of lashes at the outer corner
            pen.line([(ex + side * ew * 0.85, ey - eh * 0.5), (ex + side * ew * 1.3, ey - eh * 0.85)], width=lash)
    skin, lid = look.skin, max(2, round(pen.width * 1.5))
    outer = ex + side * ew * 1.3
    if state == "narrow":  # the upper lid slants down to the nose
        top = ey - eh * 1.25
        pen.polygon([(outer, top), (ex + inner * ew * 1.3, top), (ex + inner * ew * 1.3, ey - eh * 0.05),
                     (outer, ey - eh * 0.6)], skin, outline=False)  # fmt: skip
        pen.line([(outer, ey - eh * 0.6), (ex + inner * ew * 1.1, ey - eh * 0.05)], width=lid)
    elif state == "half":  # heavy lids
        pen.polygon([(ex - ew * 1.3, ey - eh * 1.25), (ex + ew * 1.3, ey - eh * 1.25), (ex + ew * 1.3, ey),
                     (ex - ew * 1.3, ey)], skin, outline=False)  # fmt: skip
        pen.line([(ex - ew * 1.1, ey), (ex + ew * 1.1, ey)], width=lid)
    elif state == "smile":  # cheeks raised: the lower lid curves up
        pen.chord((ex - ew * 1.4, ey + eh * 0.05, ex + ew * 1.4, ey + eh * 2.2), 180, 360, skin, outline=False)
        pen.arc((ex - ew * 1.1, ey + eh * 0.05, ex + ew * 1.1, ey + eh * 1.6), 200, 340, width=lid)


def _brow(pen: Pen, head: Head, side: int, expression: Expression) -> None:
    r = head.r
    ew, eh, _ = EYE_SIZES[head.eyes]
    ex = head.x + side * 0.38 * r
    base = head.eye_y - (eh * (1.3 if expression.eyes == "wide" else 1.0) + 0.13 + expression.brow_lift) * r
    slant = expression.brow_slant * 0.16 * r
    outer, inner = (ex + side * (ew + 0.07) * r, base - slant * 0.5), (ex - side * (ew * 0.9) * r, base + slant)
    colour = mix(head.look.hair, (20, 20, 24), 0.45) if head.look.hair_style != "bald" else pen.ink
    width = max(2, round(pen.width * (2.2 if head.eyes == "ink" else 1.4) + 0.02 * r))
    pen.line([outer, inner], colour, width)


def _nose_and_lines(pen: Pen, head: Head) -> None:
    """The nose (chibi faces have none), an elder's wrinkles, freckles."""
    x, y, r = head.x, head.y + head.lift * head.r, head.r
    if head.eyes == "ink":
        pen.arc((x - 0.12 * r, y + 0.18 * r, x + 0.08 * r, y + 0.4 * r), 300, 90)
    elif head.eyes != "chibi":
        pen.line([(x + 0.02 * r, y + 0.24 * r), (x - 0.05 * r, y + 0.36 * r), (x + 0.04 * r, y + 0.37 * r)],
                 width=max(1, pen.width * 0.8))  # fmt: skip
    if head.look.elder:  # wrinkles: the forehead and beside the mouth
        for k in (0, 1):
            pen.arc((x - 0.4 * r, y - (0.62 - 0.12 * k) * r, x + 0.4 * r, y - (0.42 - 0.12 * k) * r), 200, 340,
                    width=max(1, pen.width // 2))  # fmt: skip
        for side in (-1, 1):
            pen.line([(x + side * 0.3 * r, y + 0.38 * r), (x + side * 0.38 * r, y + 0.58 * r)],
                     width=max(1, pen.width // 2))  # fmt: skip
    if head.look.freckles:
        for side in (-1, 1):
            for dx, dy in ((0.0, 0.0), (0.1, 0.05), (-0.08, 0.07)):
                pen.circle(x + side * (0.42 + dx) * r, y + (0.32 + dy) * r, max(1.0, 0.025 * r), (170, 110, 80), False)


def _face_marks(pen: Pen, head: Head, expression: Expression) -> None:
    x, y, r = head.x, head.y, head.r
    eye_y = head.eye_y
    if "blush" in expression.marks:
        for side in (-1, 1):
            bx, by = x + side * 0.5 * r, eye_y + 0.3 * r
            pen.ellipse((bx - 0.18 * r, by - 0.07 * r, bx + 0.18 * r, by + 0.07 * r), BLUSH, outline=False)
            for k in (-1, 0, 1):
                pen.line([(bx + (k * 0.09 - 0.03) * r, by + 0.05 * r), (bx + (k * 0.09 + 0.03) * r, by - 0.05 * r)],
                         mix(BLUSH, (180, 40, 60), 0.5), max(1, pen.width // 2))  # fmt: skip
    if "sweat" in expression.marks:
        side = 1 if head.gaze <= 0 else -1
        _drop(pen, x + side * 0.72 * r, y - 0.45 * r, 0.1 * r)
    if "tear" in expression.marks:
        _drop(pen, x - 0.42 * r, eye_y + 0.3 * r, 0.07 * r)
    if "gloom" in expression.marks:  # fear's shadow lines across the forehead
        for k in range(-2, 3):
            pen.line([(x + k * 0.13 * r, y - 0.82 * r), (x + k * 0.13 * r, y - 0.5 * r)], (110, 120, 175),
                     max(1, pen.width // 2))  # fmt: skip
    if "vein" in expression.marks:  # anger's throbbing vein
        vx, vy, s = x + 0.5 * r, y - 0.55 * r, 0.1 * r
        for dx, dy, start in ((-1, -1, 0), (1, -1, 90), (1, 1, 180), (-1, 1, 270)):
            pen.arc((vx + dx * s * 1.2 - s, vy + dy * s * 1.2 - s, vx + dx * s * 1.2 + s, vy + dy * s * 1.2 + s),
                    start, start + 90, (210, 30, 40), max(2, pen.width))  # fmt: skip
    if "bags" in expression.marks:
        ew = EYE_SIZES[head.eyes][0] * r
        for side in (-1, 1):
            ex = x + side * 0.38 * r
            pen.arc((ex - ew, eye_y + 0.05 * r, ex + ew, eye_y + 0.25 * r), 20, 160, mix(head.look.skin, (90, 60, 80), 0.5))


def _drop(pen: Pen, x: float, y: float, size: float) -> None:
    pen.polygon([(x, y - size * 1.8), (x - size * 0.85, y), (x + size * 0.85, y)], SWEAT, outline=False)
    pen.circle(x, y, size, SWEAT, outline=False)
    pen.arc((x - size, y - size, x + size, y + size), 0, 180, width=max(1, pen.width // 2))


def _mouth(pen: Pen, head: Head, kind: str) -> None:
    mx, my = head.mouth
    r = head.r
    mw = (0.22 if head.eyes == "chibi" else 0.3) * r
    emotion = head.emotion
    if kind == "half" or kind == "open":  # talking: the emotion's open mouth, half or wide
        k = 0.55 if kind == "half" else 1.0
        if emotion == "happy":
            pen.chord((mx - 0.8 * mw, my - 0.35 * mw * k, mx + 0.8 * mw, my + 0.9 * mw * k), 0, 180, MOUTH_RED)
        elif emotion in ("angry", "determined"):
            pen.rounded((mx - 0.7 * mw, my - 0.25 * mw, mx + 0.7 * mw, my + 0.7 * mw * k), 0.15 * mw, MOUTH_RED)
            pen.rounded((mx - 0.6 * mw, my - 0.2 * mw, mx + 0.6 * mw, my + 0.05 * mw), 0.05 * mw, TEETH, outline=False)
        else:
            pen.ellipse((mx - 0.5 * mw, my - 0.25 * mw * k, mx + 0.5 * mw, my + 0.6 * mw * k), MOUTH_RED)
        if kind == "open":
            pen.chord((mx - 0.35 * mw, my + 0.15 * mw, mx + 0.35 * mw, my + 0.58 * mw), 180, 360, TONGUE, False)
        return
    points: list[Point]
    if kind == "grin":
        pen.chord((mx - mw, my - 0.55 * mw, mx + mw, my + 0.75 * mw), 0, 180, MOUTH_RED)
        pen.chord((mx - 0.5 * mw, my + 0.3 * mw, mx + 0.5 * mw, my + 0.72 * mw), 180, 360, TONGUE, outline=False)
    elif kind == "frown":
        pen.arc((mx - 0.6 * mw, my - 0.05 * mw, mx + 0.6 * mw, my + 0.6 * mw), 200, 340, width=max(2, pen.width))
    elif kind == "grimace":  # bared teeth
        pen.rounded((mx - 0.8 * mw, my - 0.25 * mw, mx + 0.8 * mw, my + 0.3 * mw), 0.1 * mw, TEETH)
        pen.line([(mx - 0.75 * mw, my + 0.02 * mw), (mx + 0.75 * mw, my + 0.02 * mw)], width=max(1, pen.width // 2))
    elif kind == "o":
        pen.ellipse((mx - 0.28 * mw, my - 0.3 * mw, mx + 0.28 * mw, my + 0.4 * mw), MOUTH_RED)
    elif kind == "wobble":  # fear: open, the upper lip trembling
        points = [(mx - 0.6 * mw + 0.24 * mw * k, my - (0.12 if k % 2 else 0.0) * mw) for k in range(6)]
        points += [(mx + 0.45 * mw, my + 0.35 * mw), (mx, my + 0.55 * mw), (mx - 0.45 * mw, my + 0.35 * mw)]
        pen.polygon(points, MOUTH_RED)
    elif kind == "wavy":
        points = [(mx - 0.55 * mw + 0.22 * mw * k, my + (0.1 if k % 2 else -0.1) * mw) for k in range(6)]
        pen.line(points, width=max(2, pen.width))
    elif kind == "small":
        pen.arc((mx - 0.35 * mw, my - 0.3 * mw, mx + 0.35 * mw, my + 0.15 * mw), 20, 160, width=max(2, pen.width))
    elif kind == "firm":
        pen.line([(mx - 0.6 * mw, my + 0.1 * mw), (mx - 0.5 * mw, my), (mx + 0.5 * mw, my), (mx + 0.6 * mw, my + 0.1 * mw)],
                 width=max(2, pen.width))  # fmt: skip
    elif kind == "sigh":
        pen.ellipse((mx - 0.2 * mw, my - 0.1 * mw, mx + 0.2 * mw, my + 0.18 * mw), MOUTH_RED)
    else:  # a calm closed mouth
        pen.arc((mx - 0.45 * mw, my - 0.3 * mw, mx + 0.45 * mw, my + 0.1 * mw), 30, 150, width=max(2, pen.width))


def _glasses(pen: Pen, head: Head) -> None:
    kind = head.look.glasses
    if kind is None:
        return
    r, ey = head.r, head.eye_y
    ew, eh, _ = EYE_SIZES[head.eyes]
    gr = max(ew, eh, 0.12) * r * 1.35
    frame = head.look.wears(kind) or (40, 40, 50)
    width = max(2, pen.width)
    for side in (-1, 1):
        ex = head.x + side * 0.38 * r
        lens = (25, 25, 32) if kind == "sunglasses" else None
        pen.rounded((ex - gr, ey - gr * 0.85, ex + gr, ey + gr * 0.85), gr * 0.5, lens, frame, width)
        if kind == "sunglasses":
            pen.line([(ex - gr * 0.5, ey - gr * 0.3), (ex - gr * 0.15, ey - gr * 0.6)], (200, 200, 210), width)
        pen.line([(ex + side * gr, ey - gr * 0.3), (head.x + side * 0.88 * r, ey - gr * 0.4)], frame, width)
    pen.line([(head.x - 0.38 * r + gr, ey - gr * 0.2), (head.x + 0.38 * r - gr, ey - gr * 0.2)], frame, width)
