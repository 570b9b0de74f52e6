"""Hair and what is worn on the head, for a head of radius `r` centred at (x, y): the hair behind the body, the
fringe and locks in front, hats, headphones, bows and earrings, and the whole head seen from behind."""

from __future__ import annotations

import math

from pipeline.image.figure_pen import Pen, Point
from pipeline.image.looks import Look, mix

_SIDE_SWEPT = ("long", "wavy", "ponytail", "twin tails", "braid", "braids", "bun")


def draw_hair_behind(pen: Pen, x: float, y: float, r: float, look: Look) -> None:
    """Hair that hangs behind the shoulders of a front-facing figure: drawn before the body."""
    style, colour = look.hair_style, look.hair
    if style in ("long", "wavy"):
        pen.rounded((x - 1.12 * r, y - 0.75 * r, x + 1.12 * r, y + 2.7 * r), 0.6 * r, colour)
        if style == "wavy":
            for k in range(5):
                pen.circle(x + (k - 2) * 0.5 * r, y + 2.65 * r, 0.3 * r, colour)
    elif style == "bob":
        pen.rounded((x - 1.1 * r, y - 0.7 * r, x + 1.1 * r, y + 0.85 * r), 0.45 * r, colour)
    elif style == "ponytail":
        pen.ellipse((x + 0.6 * r, y - 0.5 * r, x + 1.45 * r, y + 1.9 * r), colour)
    elif style == "twin tails":
        for side in (-1, 1):
            pen.ellipse((x + side * 0.8 * r, y - 0.5 * r, x + side * 1.6 * r, y + 2.6 * r), colour)
    elif style == "afro":
        pen.circle(x, y - 0.25 * r, 1.55 * r, colour)
    elif style == "curly":
        _curls(pen, x, y, r, colour, 1.05, range(150, 400, 25))


def draw_fringe(pen: Pen, x: float, y: float, r: float, look: Look) -> None:
    """The hair on and in front of a front-facing head: drawn over the face, under the eyes' level."""
    style, colour = look.hair_style, look.hair
    if style == "bald":
        pen.arc((x - 0.6 * r, y - 0.9 * r, x + 0.2 * r, y - 0.2 * r), 200, 260, mix(look.skin, (255, 255, 255), 0.6),
                max(2, round(0.06 * r)))  # fmt: skip
        return
    if style == "bun" and look.hat is None:
        pen.circle(x, y - 1.1 * r, 0.42 * r, colour)
    if style == "buzz cut":
        pen.chord((x - 0.93 * r, y - 1.03 * r, x + 0.93 * r, y - 0.1 * r), 180, 360, mix(colour, look.skin, 0.35))
        return
    if style in ("curly", "afro"):
        pen.chord((x - 1.0 * r, y - 1.1 * r, x + 1.0 * r, y + 0.35 * r), 180, 360, colour)
        _curls(pen, x, y, r, colour, 0.95, range(190, 360, 28))
        return
    # The hair over the crown follows the head's round top; only its lower edge, the fringe, changes by style.
    crown = [(x + 1.0 * r * math.cos(math.radians(a)), y - 0.04 * r + 1.07 * r * math.sin(math.radians(a)))
             for a in range(175, 370, 15)]  # fmt: skip
    fringe: list[Point]
    if style == "bob":  # blunt bangs straight across, sides to the chin
        fringe = [(x + 1.04 * r, y + 0.78 * r), (x + 0.68 * r, y + 0.78 * r), (x + 0.68 * r, y - 0.25 * r),
                  (x - 0.68 * r, y - 0.25 * r), (x - 0.68 * r, y + 0.78 * r), (x - 1.04 * r, y + 0.78 * r)]  # fmt: skip
    elif style in _SIDE_SWEPT:  # swept from a parting to one side
        fringe = [(x + 0.95 * r, y - 0.1 * r), (x + 0.55 * r, y - 0.42 * r), (x + 0.3 * r, y - 0.2 * r),
                  (x - 0.1 * r, y - 0.45 * r), (x - 0.45 * r, y - 0.12 * r), (x - 0.75 * r, y - 0.3 * r),
                  (x - 0.95 * r, y + 0.1 * r)]  # fmt: skip
    else:  # short: spiky bangs
        fringe = [(x + k * 0.2 * r, y - (0.45 if k % 2 == 0 else 0.16 + 0.03 * abs(k)) * r) for k in range(4, -5, -1)]
    pen.polygon([*crown, *fringe], colour)
    if style in ("long", "wavy"):  # locks in front of the ears down to the shoulders
        for side in (-1, 1):
            pen.polygon([(x + side * 0.8 * r, y - 0.5 * r), (x + side * 1.12 * r, y - 0.3 * r),
                         (x + side * 1.1 * r, y + 1.5 * r), (x + side * 0.82 * r, y + 1.2 * r)], colour)  # fmt: skip
    elif style == "twin tails":
        for side in (-1, 1):
            pen.circle(x + side * 0.88 * r, y - 0.58 * r, 0.13 * r, look.accent)
    elif style in ("braid", "braids"):
        for side in (1, -1) if style == "braids" else (1,):
            _braid(pen, x + side * 0.88 * r, y + 0.2 * r, r, colour, look.accent)


def draw_headwear(pen: Pen, x: float, y: float, r: float, look: Look) -> None:
    """Hats, headphones, hair bows, pins and earrings, over the hair."""
    if (colour := look.wears("earrings")) is not None:
        for side in (-1, 1):
            pen.circle(x + side * 0.93 * r, y + 0.36 * r, 0.07 * r, colour)
    if (colour := look.wears("headband")) is not None:
        pen.arc((x - 0.95 * r, y - 1.02 * r, x + 0.95 * r, y + 0.5 * r), 195, 345, colour, max(2, round(0.12 * r)))
    if (colour := look.wears("hairpin")) is not None:
        pen.rounded((x - 0.7 * r, y - 0.5 * r, x - 0.35 * r, y - 0.38 * r), 0.05 * r, colour)
    if (colour := look.wears("bow")) is not None:
        bx, by, s = x + 0.62 * r, y - 0.88 * r, 0.22 * r
        pen.polygon([(bx, by), (bx - 1.6 * s, by - s), (bx - 1.6 * s, by + s)], colour)
        pen.polygon([(bx, by), (bx + 1.6 * s, by - s), (bx + 1.6 * s, by + s)], colour)
        pen.circle(bx, by, 0.45 * s, colour)
    if (colour := look.wears("headscarf")) is not None:
        pen.chord((x - 1.05 * r, y - 1.15 * r, x + 1.05 * r, y + 0.2 * r), 180, 360, colour)
    _hat(pen, x, y, r, look)
    if (colour := look.wears("headphones")) is not None:
        pen.arc((x - 1.02 * r, y - 1.12 * r, x + 1.02 * r, y + 0.9 * r), 180, 360, colour, max(3, round(0.13 * r)))
        for side in (-1, 1):
            pen.rounded((x + side * 0.82 * r, y - 0.22 * r, x + side * 1.14 * r, y + 0.38 * r), 0.1 * r, colour)


def _hat(pen: Pen, x: float, y: float, r: float, look: Look, back: bool = False) -> None:
    kind, colour = look.hat_kind, look.hat
    if kind is None or colour is None:
        return
    dark = mix(colour, (0, 0, 0), 0.3)
    if kind == "hat":  # a brimmed hat: a wide brim under the crown
        pen.ellipse((x - 1.55 * r, y - 0.9 * r, x + 1.55 * r, y - 0.45 * r), colour)
        pen.chord((x - 0.92 * r, y - 1.55 * r, x + 0.92 * r, y - 0.25 * r), 180, 360, colour)
        pen.line([(x - 0.9 * r, y - 0.95 * r), (x + 0.9 * r, y - 0.95 * r)], dark, max(2, round(0.1 * r)))
    elif kind == "cap":
        pen.chord((x - 1.0 * r, y - 1.3 * r, x + 1.0 * r, y - 0.05 * r), 180, 360, colour)
        if not back:  # the bill toward us
            pen.chord((x - 0.95 * r, y - 0.88 * r, x + 0.95 * r, y - 0.42 * r), 0, 180, dark)
        pen.circle(x, y - 1.28 * r, 0.08 * r, dark)
    else:  # beanie: a knitted dome, a ribbed band, a pompom
        pen.chord((x - 1.02 * r, y - 1.28 * r, x + 1.02 * r, y + 0.05 * r), 180, 360, colour)
        pen.rounded((x - 1.02 * r, y - 0.72 * r, x + 1.02 * r, y - 0.42 * r), 0.1 * r, dark)
        pen.circle(x, y - 1.28 * r, 0.22 * r, mix(colour, (255, 255, 255), 0.5))


def draw_head_back(pen: Pen, x: float, y: float, r: float, look: Look) -> None:
    """A head seen from behind (the listener of an over-the-shoulder shot): hair, ears, tails, buns and hats."""
    style, colour = look.hair_style, look.hair
    if style in ("long", "wavy"):
        pen.rounded((x - 1.1 * r, y - 0.8 * r, x + 1.1 * r, y + 2.7 * r), 0.6 * r, colour)
    elif style == "bob":
        pen.rounded((x - 1.08 * r, y - 0.8 * r, x + 1.08 * r, y + 0.85 * r), 0.45 * r, colour)
    elif style == "afro":
        pen.circle(x, y - 0.2 * r, 1.55 * r, colour)
    elif style == "twin tails":
        for side in (-1, 1):
            pen.ellipse((x + side * 0.7 * r, y - 0.5 * r, x + side * 1.5 * r, y + 2.6 * r), colour)
    for side in (-1, 1):
        pen.ellipse((x + side * 0.78 * r, y - 0.12 * r, x + side * 1.04 * r, y + 0.3 * r), look.skin)
    bare = style in ("bald", "buzz cut")
    scalp = look.skin if style == "bald" else mix(colour, look.skin, 0.35) if style == "buzz cut" else colour
    pen.ellipse((x - 0.92 * r, y - r, x + 0.92 * r, y + r), scalp)
    if style == "curly":
        _curls(pen, x, y, r, colour, 0.95, range(0, 360, 30))
    elif style == "ponytail":
        pen.ellipse((x - 0.32 * r, y - 0.1 * r, x + 0.32 * r, y + 2.0 * r), colour)
        pen.circle(x, y - 0.1 * r, 0.14 * r, look.accent)
    elif style == "braids":
        for side in (-1, 1):
            _braid(pen, x + side * 0.38 * r, y + 0.55 * r, r, colour, look.accent)
    elif style == "braid":
        _braid(pen, x, y + 0.6 * r, r, colour, look.accent)
    elif style == "bun":
        pen.circle(x, y - 0.7 * r, 0.42 * r, colour)
    elif not bare:  # the crown's parting
        pen.arc((x - 0.5 * r, y - 0.9 * r, x + 0.5 * r, y + 0.4 * r), 240, 300, mix(colour, (0, 0, 0), 0.35))
    _hat(pen, x, y, r, look, back=True)
    if (band := look.wears("headphones")) is not None:
        pen.arc((x - 1.02 * r, y - 1.12 * r, x + 1.02 * r, y + 0.9 * r), 180, 360, band, max(3, round(0.13 * r)))


def _braid(pen: Pen, x: float, y: float, r: float, colour: tuple[int, int, int], tie: tuple[int, int, int]) -> None:
    """A braid hanging from (x, y): links narrowing to a tie."""
    for k in range(5):
        w = 0.2 * r * (1 - 0.08 * k)
        top = y + k * 0.38 * r
        pen.ellipse((x - w, top, x + w, top + 0.48 * r), colour)
    pen.circle(x, y + 5 * 0.38 * r + 0.1 * r, 0.1 * r, tie)


def _curls(pen: Pen, x: float, y: float, r: float, colour: tuple[int, int, int], reach: float,
           angles: range) -> None:  # fmt: skip
    """Curls round the head at `reach` head radii, at these angles (degrees, 0 to the right, 270 up)."""
    for angle in angles:
        a = math.radians(angle)
        pen.circle(x + reach * r * math.cos(a), y + reach * r * math.sin(a) - 0.1 * r, 0.3 * r, colour)
