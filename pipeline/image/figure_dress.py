"""A posed figure's body drawn in its clothes: legs and shoes, the top by kind (collars, lapels, hoods, sashes) with
its pattern, arms and hands for the pose, and what is carried or worn on the body (backpack, bag, tie, scarf…);
front-facing, or from behind for the listener of an over-the-shoulder shot."""

from __future__ import annotations

from pipeline.image.figure_body import Skeleton
from pipeline.image.figure_pen import Pen, Point
from pipeline.image.looks import RGB, Look, mix
from pipeline.image.poses import Pose

WHITE, SEAT = (246, 246, 242), (125, 88, 58)
_SHORT_SLEEVES = ("t-shirt", "dress", "qipao")
_WIDE_SLEEVES = ("robe", "hanfu")
# How far each top reaches: a fraction of the legs below the crotch (−: above it), and its hem's flare.
_HEMS: dict[str, tuple[float, float]] = {"coat": (0.42, 1.2), "dress": (0.4, 1.55), "qipao": (0.72, 1.0),
                                         "robe": (0.97, 1.6), "hanfu": (0.97, 1.7), "suit": (0.04, 1.0),
                                         "jacket": (0.0, 1.0)}  # fmt: skip


def draw_body_front(pen: Pen, sk: Skeleton, look: Look, pose: Pose) -> None:
    """Everything below the head of a front-facing figure, back to front, arms included."""
    if sk.sitting:
        pen.rounded((sk.x - sk.hips - 0.7 * sk.r, sk.hip_y - 0.15 * sk.r, sk.x + sk.hips + 0.7 * sk.r, sk.floor),
                    0.1 * sk.r, SEAT)  # fmt: skip
    if (pack := look.backpack) is not None:  # the pack behind: its top shows over the shoulders, its sides below
        w = sk.shoulders * 0.85
        pen.rounded((sk.x - w, sk.top - 0.32 * sk.r, sk.x + w, sk.waist_y), 0.3 * sk.r, pack)
        pen.rounded((sk.x - sk.shoulders - 0.2 * sk.r, sk.chest, sk.x + sk.shoulders + 0.2 * sk.r, sk.waist_y + 0.4 * sk.r),
                    0.3 * sk.r, pack)  # fmt: skip
    if (cloak := look.wears("cloak")) is not None:
        pen.polygon([(sk.x - sk.shoulders, sk.top), (sk.x + sk.shoulders, sk.top),
                     (sk.x + sk.shoulders * 1.5, sk.floor - sk.foot_h), (sk.x - sk.shoulders * 1.5, sk.floor - sk.foot_h)],
                    cloak)  # fmt: skip
    _legs(pen, sk, look)
    hx, hy = sk.head
    neck = 0.26 * sk.r
    pen.rounded((hx - neck, hy + 0.5 * sk.r, hx + neck, sk.top + 0.3 * sk.r), 0.1 * sk.r, look.skin)
    _torso(pen, sk, look)
    _worn_on_body(pen, sk, look)
    _arms(pen, sk, look, pose)
    if pose.tremble:  # shaking: little strokes beside the shoulders
        for side in (-1, 1):
            x = sk.x + side * (sk.shoulders + sk.arm_w * 1.6)
            for k in range(3):
                y = sk.top + k * 0.3 * sk.r
                pen.line([(x, y), (x + side * 0.25 * sk.r, y - 0.12 * sk.r)], width=max(1, pen.width // 2 + 1))


def draw_hands_over_head(pen: Pen, sk: Skeleton, look: Look, pose: Pose) -> None:
    """Hands that rest on the head go over it: drawn again after the head."""
    for side in (-1, 1):
        arm = pose.near if side == sk.facing else pose.far
        if arm.to == "head" and arm.dx < 1.0:
            _hand(pen, sk, look, side, arm.hand)


def draw_body_back(pen: Pen, sk: Skeleton, look: Look) -> None:
    """A figure's body seen from behind: legs, the back of its top, arms hanging, the backpack on its back."""
    _legs(pen, sk, look)
    pen.rounded((sk.head[0] - 0.28 * sk.r, sk.head[1] + 0.5 * sk.r, sk.head[0] + 0.28 * sk.r, sk.top + 0.3 * sk.r),
                0.1 * sk.r, look.skin)  # fmt: skip
    _torso(pen, sk, look, back=True)
    if look.top == "hoodie":  # the hood lies on the back
        pen.chord((sk.x - 0.75 * sk.shoulders, sk.top - 0.3 * sk.r, sk.x + 0.75 * sk.shoulders, sk.top + 1.4 * sk.r),
                  0, 180, mix(look.clothing, (0, 0, 0), 0.15))  # fmt: skip
    for side in (-1, 1):
        _arm(pen, sk, look, side)
        _hand(pen, sk, look, side, "fist")
    if (pack := look.backpack) is not None:
        w = sk.shoulders * 0.78
        pen.rounded((sk.x - w, sk.top + 0.35 * sk.r, sk.x + w, sk.top + 0.6 * (sk.crotch - sk.top) + 0.4 * sk.r),
                    0.35 * sk.r, pack)  # fmt: skip
        pen.rounded((sk.x - w * 0.7, sk.top + 0.45 * (sk.crotch - sk.top), sk.x + w * 0.7,
                     sk.top + 0.6 * (sk.crotch - sk.top)), 0.15 * sk.r, mix(pack, (0, 0, 0), 0.2))  # fmt: skip


# -- legs ---------------------------------------------------------------------------------------------------------


def _legs(pen: Pen, sk: Skeleton, look: Look) -> None:
    covered = look.bottom in ("trousers", "jeans")
    leg_colour = look.bottom_colour if covered else look.skin
    thickness = sk.leg_w if covered else sk.leg_w * 0.8
    if covered or look.bottom == "shorts":  # the seat of the trousers
        top = sk.waist_y + 0.1 * (sk.hip_y - sk.waist_y)
        pen.polygon([(sk.x - sk.hips, top), (sk.x + sk.hips, top), (sk.x + sk.hips, sk.crotch),
                     (sk.x, sk.crotch + 0.1 * sk.r), (sk.x - sk.hips, sk.crotch)], look.bottom_colour)  # fmt: skip
    for side in (-1, 1):
        points = [sk.hip_at[side], sk.knees[side], sk.ankles[side]]
        pen.limbs([(points[1:], thickness * 0.8), (points[:2], thickness)], leg_colour)  # the calf, the thigh
        if look.bottom == "shorts":
            (hx, hy), (kx, ky) = sk.hip_at[side], sk.knees[side]
            pen.limb([(hx, hy), (hx + (kx - hx) * 0.55, hy + (ky - hy) * 0.55)], sk.leg_w * 1.1, look.bottom_colour)
        elif look.bottom == "jeans":
            (hx, hy), (kx, ky), (ax, ay) = points
            pen.line([(hx + side * 0.2 * sk.leg_w, hy + 0.3 * sk.r), (kx + side * 0.2 * sk.leg_w, ky),
                      (ax + side * 0.2 * sk.leg_w, ay - 0.2 * sk.r)], mix(look.bottom_colour, WHITE, 0.35),
                     max(1, pen.width // 2))  # fmt: skip
        if look.shoe_kind == "boots":
            (kx, ky), (ax, ay) = sk.knees[side], sk.ankles[side]
            pen.limb([(kx + (ax - kx) * 0.45, ky + (ay - ky) * 0.45), (ax, ay)], sk.leg_w * 0.95, look.shoes)
        _shoe(pen, sk, look, *sk.ankles[side], side)
    if look.bottom == "skirt":
        hem_y = sk.crotch + 0.32 * (sk.floor - sk.crotch) * (0.45 if sk.sitting else 1.0)
        outline = [(sk.x - sk.waist, sk.waist_y), (sk.x + sk.waist, sk.waist_y), (sk.x + sk.hips * 1.5, hem_y),
                   (sk.x - sk.hips * 1.5, hem_y)]  # fmt: skip
        pen.polygon(outline, look.bottom_colour)
        if look.bottom_pattern:
            pen.pattern(outline, look.bottom_pattern, look.bottom_colour, 0.5 * sk.r)
        for k in (-1, 0, 1):  # pleats
            pen.line([(sk.x + k * sk.waist * 0.5, sk.hip_y), (sk.x + k * sk.hips * 0.95, hem_y)],
                     mix(look.bottom_colour, (0, 0, 0), 0.3), max(1, pen.width // 2))  # fmt: skip
    elif covered and look.bottom_pattern:
        pen.pattern([(sk.x - sk.hips, sk.waist_y), (sk.x + sk.hips, sk.waist_y), (sk.x + sk.hips, sk.crotch),
                     (sk.x - sk.hips, sk.crotch)], look.bottom_pattern, look.bottom_colour, 0.5 * sk.r)  # fmt: skip


def _shoe(pen: Pen, sk: Skeleton, look: Look, ax: float, ay: float, side: int) -> None:
    w, h = sk.foot_w, sk.foot_h
    cx, bottom = ax + side * 0.08 * sk.r, ay + h - 0.35 * 0.8 * sk.leg_w
    if look.shoe_kind == "sandals":
        pen.ellipse((cx - w / 2, bottom - h, cx + w / 2, bottom), look.skin)
        pen.line([(cx - w * 0.4, bottom - h * 0.5), (cx + w * 0.4, bottom - h * 0.5)], look.shoes, max(2, h * 0.25))
        return
    pen.rounded((cx - w / 2, bottom - h, cx + w / 2, bottom), h * 0.45, look.shoes)
    if look.shoe_kind == "sneakers":
        pen.line([(cx - w * 0.42, bottom - h * 0.22), (cx + w * 0.42, bottom - h * 0.22)], WHITE, max(2, h * 0.18))
    elif look.shoe_kind == "heels":
        pen.rounded((cx + side * w * 0.15 - w * 0.1, bottom - h * 0.2, cx + side * w * 0.15 + w * 0.1, bottom + h * 0.4),
                    1, look.shoes)  # fmt: skip


# -- the top ------------------------------------------------------------------------------------------------------


def _torso_outline(sk: Skeleton, look: Look) -> list[Point]:
    reach, flare = _HEMS.get(look.top, (-0.03, 1.0))
    hem = sk.crotch + reach * (sk.floor - sk.crotch) * (0.45 if sk.sitting and reach > 0.1 else 1.0)
    if look.top in ("robe", "hanfu"):
        hem = min(hem, sk.floor - sk.foot_h * 0.8)
    shoulder, slope = sk.shoulders, 0.3 * sk.r
    hem_w = sk.hips * flare * (1.15 if sk.sitting and reach > 0.1 else 1.0)
    return [(sk.x - shoulder, sk.top + slope), (sk.x - shoulder * 0.7, sk.top), (sk.x + shoulder * 0.7, sk.top),
            (sk.x + shoulder, sk.top + slope), (sk.x + sk.waist, sk.waist_y), (sk.x + sk.hips, sk.hip_y),
            (sk.x + hem_w, hem), (sk.x - hem_w, hem), (sk.x - sk.hips, sk.hip_y), (sk.x - sk.waist, sk.waist_y)]  # fmt: skip


def _torso(pen: Pen, sk: Skeleton, look: Look, back: bool = False) -> None:
    outline = _torso_outline(sk, look)
    pen.polygon(outline, look.clothing)
    if look.pattern:
        pen.pattern(outline, look.pattern, look.clothing, 0.55 * sk.r)
    if back:
        return
    x, top, r, dark = sk.x, sk.top, sk.r, mix(look.clothing, (0, 0, 0), 0.3)
    hem = outline[6][1]
    thin = max(1, pen.width // 2 + 1)
    kind = look.top
    if kind in ("shirt", "school uniform", "coat", "suit", "jacket"):
        if kind in ("suit", "coat", "jacket"):  # an open front: the shirt under it, lapels either side
            opening = [(x - 0.3 * sk.shoulders, top), (x + 0.3 * sk.shoulders, top), (x, sk.chest + 0.35 * r)]
            pen.polygon(opening, WHITE)
        for side in (-1, 1):  # collar points
            pen.polygon([(x, top + 0.35 * r), (x + side * 0.32 * sk.shoulders, top - 0.05 * r),
                         (x + side * 0.42 * sk.shoulders, top + 0.3 * r)], mix(look.clothing, WHITE, 0.6)
                        if kind == "shirt" else dark)  # fmt: skip
        buttons = 2 if kind in ("suit", "jacket") else 4
        for k in range(buttons):
            y = sk.chest + 0.35 * r + (k + 0.5) * (hem - sk.chest - 0.35 * r) / (buttons + 0.5)
            pen.circle(x + (0.12 * r if kind == "coat" else 0), y, 0.06 * r, dark, outline=False)
        if kind == "school uniform":
            if look.female:  # a sailor collar and a bow
                pen.polygon([(x - sk.shoulders * 0.85, top + 0.1 * r), (x + sk.shoulders * 0.85, top + 0.1 * r),
                             (x, sk.chest + 0.3 * r)], (40, 50, 100))  # fmt: skip
                _bow(pen, x, sk.chest + 0.25 * r, 0.22 * r, (205, 40, 48))
            else:
                pen.rounded((x - 0.3 * r, top - 0.15 * r, x + 0.3 * r, top + 0.15 * r), 0.05 * r, dark)
    elif kind == "t-shirt":
        pen.arc((x - 0.4 * r, top - 0.35 * r, x + 0.4 * r, top + 0.3 * r), 0, 180, dark, thin)
    elif kind == "sweater":
        pen.rounded((outline[7][0], hem - 0.3 * r, outline[6][0], hem), 0.1 * r, dark)
        pen.arc((x - 0.42 * r, top - 0.35 * r, x + 0.42 * r, top + 0.32 * r), 0, 180, dark, max(2, round(0.1 * r)))
    elif kind == "hoodie":
        pen.arc((x - 0.62 * r, top - 0.45 * r, x + 0.62 * r, top + 0.45 * r), 340, 200, dark, max(2, round(0.14 * r)))
        pen.rounded((x - sk.waist * 0.5, sk.waist_y + 0.3 * r, x + sk.waist * 0.5, hem - 0.2 * r), 0.2 * r, dark)
        for side in (-1, 1):
            pen.line([(x + side * 0.15 * r, top + 0.2 * r), (x + side * 0.17 * r, sk.chest + 0.2 * r)], WHITE, thin)
    elif kind in ("robe", "hanfu"):  # crossed collar, right over left, and a sash
        collar = WHITE if kind == "hanfu" else mix(look.clothing, WHITE, 0.45)
        pen.line([(x - 0.35 * sk.shoulders, top), (x + 0.2 * sk.shoulders, sk.waist_y)], collar, max(2, round(0.12 * r)))
        pen.line([(x + 0.35 * sk.shoulders, top), (x - 0.05 * sk.shoulders, sk.chest)], collar, max(2, round(0.12 * r)))
        sash = look.accent if kind == "hanfu" else dark
        pen.rounded((x - sk.waist * 1.05, sk.waist_y - 0.2 * r, x + sk.waist * 1.05, sk.waist_y + 0.22 * r), 0.05 * r, sash)
    elif kind == "qipao":  # a mandarin collar, the opening across to the armpit, a side slit
        pen.rounded((x - 0.3 * r, top - 0.22 * r, x + 0.3 * r, top + 0.1 * r), 0.05 * r, look.clothing)
        pen.arc((x - 0.2 * sk.shoulders, top - 0.2 * r, x + 1.2 * sk.shoulders, sk.chest + 0.4 * r), 180, 260, dark, thin)
        pen.line([(outline[6][0] - 0.1 * r, hem), (x + sk.hips * 0.9, sk.crotch + 0.35 * (hem - sk.crotch))], dark, thin)
    elif kind == "dress":
        pen.line([(x - sk.waist, sk.waist_y), (x + sk.waist, sk.waist_y)], dark, thin)
    _overlays(pen, sk, look, hem)


def _overlays(pen: Pen, sk: Skeleton, look: Look, hem: float) -> None:
    x, r = sk.x, sk.r
    if (apron := look.wears("apron")) is not None:
        bottom = max(hem, sk.crotch + 0.3 * (sk.floor - sk.crotch))
        pen.rounded((x - sk.waist * 0.85, sk.chest - 0.1 * r, x + sk.waist * 0.85, bottom), 0.1 * r, apron)
        pen.line([(x - sk.waist * 0.6, sk.chest - 0.1 * r), (x, sk.top - 0.1 * r), (x + sk.waist * 0.6, sk.chest - 0.1 * r)],
                 apron, max(2, round(0.08 * r)))  # fmt: skip
    if (vest := look.wears("vest")) is not None:
        for side in (-1, 1):
            pen.polygon([(x + side * 0.2 * sk.shoulders, sk.top), (x + side * sk.shoulders * 0.8, sk.top + 0.2 * r),
                         (x + side * sk.hips, sk.hip_y), (x + side * 0.08 * r, sk.hip_y + 0.2 * r)], vest)  # fmt: skip
    if (overalls := look.wears("overalls")) is not None:
        pen.rounded((x - sk.waist * 0.7, sk.chest, x + sk.waist * 0.7, sk.hip_y), 0.1 * r, overalls)
        for side in (-1, 1):
            pen.line([(x + side * sk.waist * 0.6, sk.chest), (x + side * sk.shoulders * 0.6, sk.top)], overalls,
                     max(2, round(0.12 * r)))  # fmt: skip


def _bow(pen: Pen, x: float, y: float, size: float, colour: RGB) -> None:
    pen.polygon([(x, y), (x - 1.5 * size, y - size), (x - 1.5 * size, y + size)], colour)
    pen.polygon([(x, y), (x + 1.5 * size, y - size), (x + 1.5 * size, y + size)], colour)
    pen.circle(x, y, 0.4 * size, colour)


def _worn_on_body(pen: Pen, sk: Skeleton, look: Look) -> None:
    """Ties, belts, necklaces, badges, scarves, backpack straps and a bag across the body."""
    x, r = sk.x, sk.r
    if (tie := look.wears("tie")) is not None:
        pen.polygon([(x - 0.1 * r, sk.top + 0.15 * r), (x + 0.1 * r, sk.top + 0.15 * r), (x + 0.16 * r, sk.waist_y),
                     (x, sk.waist_y + 0.2 * r), (x - 0.16 * r, sk.waist_y)], tie)  # fmt: skip
    if (bow_tie := look.wears("bow tie")) is not None:
        _bow(pen, x, sk.top + 0.12 * r, 0.16 * r, bow_tie)
    if (belt := look.wears("belt")) is not None:
        pen.rounded((x - sk.waist * 1.02, sk.waist_y + 0.1 * r, x + sk.waist * 1.02, sk.waist_y + 0.32 * r), 0.04 * r, belt)
        pen.rounded((x - 0.14 * r, sk.waist_y + 0.06 * r, x + 0.14 * r, sk.waist_y + 0.36 * r), 0.03 * r, (225, 180, 70))
    if (necklace := look.wears("necklace")) is not None:
        pen.arc((x - 0.45 * r, sk.top - 0.5 * r, x + 0.45 * r, sk.top + 0.55 * r), 20, 160, necklace, max(2, pen.width))
        pen.circle(x, sk.top + 0.58 * r, 0.08 * r, necklace)
    if (badge := look.wears("badge")) is not None:
        pen.rounded((x + 0.35 * sk.shoulders, sk.chest - 0.1 * r, x + 0.7 * sk.shoulders, sk.chest + 0.15 * r), 0.03 * r, badge)
    if (scarf := look.scarf) is not None:  # round the neck, one end hanging down the chest
        hx = sk.head[0]
        pen.rounded((hx - 0.62 * r, sk.top - 0.3 * r, hx + 0.62 * r, sk.top + 0.22 * r), 0.2 * r, scarf)
        pen.rounded((hx + 0.12 * r, sk.top, hx + 0.48 * r, sk.chest + 0.55 * r), 0.1 * r, scarf)
    if (pack := look.backpack) is not None:  # shoulder straps
        for side in (-1, 1):
            sx = x + side * sk.shoulders * 0.55
            pen.rounded((sx - 0.13 * r, sk.top, sx + 0.13 * r, sk.chest + 0.5 * (sk.waist_y - sk.chest)), 0.06 * r, pack)
    if (bag := look.wears("bag")) is not None:  # strap from the near shoulder to the far hip
        start, end = (x + sk.shoulders * 0.6, sk.top), (x - sk.hips * 1.05, sk.hip_y)
        pen.line([start, end], bag, max(2, round(0.1 * r)))
        pen.rounded((end[0] - 0.55 * r, end[1] - 0.1 * r, end[0] + 0.35 * r, end[1] + 0.6 * r), 0.1 * r, bag)


# -- arms and hands -------------------------------------------------------------------------------------------------


def _arms(pen: Pen, sk: Skeleton, look: Look, pose: Pose) -> None:
    crossed = pose.name == "arms crossed"
    sides = (-1, 1) if not crossed else (1, -1)  # crossed: the near forearm lies over the far one
    for side in sides:
        _arm(pen, sk, look, side)
        arm = pose.near if side == sk.facing else pose.far
        _hand(pen, sk, look, side, arm.hand)
    held = look.wears("cane") or look.wears("umbrella")
    if held is not None:  # a stick held in the viewer's-left hand, down to the ground
        hx, hy = sk.hands[-1]
        pen.line([(hx, hy), (hx - 0.1 * sk.r, sk.floor)], held, max(3, round(0.12 * sk.r)))
        _hand(pen, sk, look, -1, "fist")
    if (lantern := look.wears("lantern")) is not None:
        hx, hy = sk.hands[1]
        pen.line([(hx, hy), (hx, hy + 0.6 * sk.r)], width=max(1, pen.width // 2 + 1))
        pen.ellipse((hx - 0.3 * sk.r, hy + 0.6 * sk.r, hx + 0.3 * sk.r, hy + 1.1 * sk.r), lantern)
    if (watch := look.wears("watch", "bracelet")) is not None:
        (ex, ey), (hx, hy) = sk.elbows[-1], sk.hands[-1]
        wx, wy = hx + (ex - hx) * 0.22, hy + (ey - hy) * 0.22
        pen.circle(wx, wy, sk.arm_w * 0.35, watch)


def _arm(pen: Pen, sk: Skeleton, look: Look, side: int) -> None:
    shoulder, elbow, hand = sk.shoulder_at[side], sk.elbows[side], sk.hands[side]
    sleeve = look.clothing
    if look.top in _SHORT_SLEEVES:
        pen.limb([shoulder, elbow, hand], sk.arm_w * 0.82, look.skin)
        cut = (shoulder[0] + (elbow[0] - shoulder[0]) * 0.5, shoulder[1] + (elbow[1] - shoulder[1]) * 0.5)
        pen.limb([shoulder, cut], sk.arm_w * 1.05, sleeve)
        return
    pen.limb([shoulder, elbow, hand], sk.arm_w, sleeve)
    if look.top in _WIDE_SLEEVES:  # the sleeve hangs from the forearm
        drop = 0.8 * sk.r
        pen.polygon([elbow, hand, (hand[0], hand[1] + drop), (elbow[0], elbow[1] + drop * 0.5)], sleeve)


def _hand(pen: Pen, sk: Skeleton, look: Look, side: int, kind: str) -> None:
    x, y = sk.hands[side]
    ex, ey = sk.elbows[side]
    hr = sk.hand_r * (1.2 if kind == "wave" else 1.0)
    skin = look.wears("gloves") or look.skin
    if kind == "point":  # the index finger on along the forearm
        dx, dy = x - ex, y - ey
        length = max(1e-6, (dx * dx + dy * dy) ** 0.5)
        tip = (x + dx / length * hr * 1.9, y + dy / length * hr * 1.9)
        pen.limb([(x, y), tip], hr * 0.55, skin)
    if kind == "wave":  # an open palm, fingers spread, and the motion beside it
        for k in (-2, -1, 0, 1):
            fx = x + k * hr * 0.42 + hr * 0.2
            pen.limb([(fx, y), (fx + k * hr * 0.15, y - hr * 1.55)], hr * 0.38, skin)
        for k in (1, 2):
            pen.arc((x - hr * (1.4 + 0.5 * k), y - hr * (1.6 + 0.5 * k), x + hr * (1.4 + 0.5 * k),
                     y + hr * (0.4 + 0.5 * k)), 200, 250, width=max(1, pen.width // 2 + 1))  # fmt: skip
    pen.circle(x, y, hr * (0.85 if kind == "fist" else 1.0), skin)
    if kind == "open":  # the thumb on the inner side
        pen.ellipse((x - side * hr * 1.05 - hr * 0.3, y - hr * 0.5, x - side * hr * 1.05 + hr * 0.3, y + hr * 0.2), skin)
    elif kind == "fist":
        pen.line([(x - hr * 0.4, y - hr * 0.1), (x + hr * 0.4, y - hr * 0.1)], width=max(1, pen.width // 2))
