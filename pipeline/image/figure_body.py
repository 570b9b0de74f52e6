"""A figure's proportions and joints: how many heads tall it is for its style, age, height and build, and where its
shoulders, elbows, hands, hips, knees and feet are for a pose, in panel pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pipeline.image.figure_pen import Point
from pipeline.image.looks import Look
from pipeline.image.poses import Arm, Pose

Sides = dict[int, Point]  # by side: −1 the viewer's left, +1 the viewer's right


@dataclass(frozen=True)
class Build:
    """Proportions in head radii (a head is two radii tall); `head` scales the head against the style's adult."""

    ratio: float  # the figure's height in heads
    head: float
    neck: float
    torso: float  # shoulder line to crotch
    legs: float  # crotch to sole
    shoulders: float  # half-widths
    waist: float
    hips: float
    arm: float  # thickness
    leg: float
    foot: float  # a shoe's width
    feet: float  # the feet's size against a level view's (bigger seen from below)
    stoop: float  # 0 … 1: an elder's bent back

    @property
    def waist_drop(self) -> float:
        """The waist below the head's centre, in head radii (a medium shot is framed to it)."""
        return 1 + self.neck + 0.62 * self.torso

    @property
    def sole_drop(self) -> float:
        """The soles below the head's centre, standing, in head radii."""
        return 1 + self.neck + self.torso + self.legs

    @property
    def half_width(self) -> float:
        """Half the width a standing figure takes, arms at its sides, in head radii."""
        return max(1.0, self.shoulders + self.arm * 1.2)


def build_of(look: Look, head_ratio: float, angle: float = 0.0) -> Build:
    """The proportions of `look` in a style whose adults are `head_ratio` heads tall. A child is shorter with a
    bigger head for its body, a teen slimmer, an elder a little shorter and stooped. `angle` > 0 sees the figure
    from below (longer legs, bigger feet, a smaller head), < 0 from above (a bigger head, shorter legs)."""
    ratio, head, widths, stoop = head_ratio, 1.0, 1.0, 0.0
    if look.child:
        ratio, head = max(2.2, head_ratio * 0.68), 0.88
    elif look.teen:
        ratio, head, widths = head_ratio * 0.95, 0.96, 0.88
    elif look.elder:
        ratio, stoop = head_ratio * 0.97, 0.6
    ratio *= {"tall": 1.07, "short": 0.92}.get(look.height or "", 1.0)
    body = 2 * (ratio - 1)  # below the head, in head radii
    ws = min(1.1, max(0.25, (ratio - 1) / 6))  # how much body a head has: 1 realistic … 0.25 chibi
    shoulders = (0.45 + 1.25 * ws) * (0.86 if look.female else 1.0) * widths
    waist, hips = shoulders * (0.7 if look.female else 0.78), shoulders * (0.95 if look.female else 0.76)
    arm, leg = (0.42 + 0.25 * ws) * widths, (0.6 + 0.45 * ws) * widths
    scale = {"slim": (0.85, 0.85, 0.85, 0.85, 0.85), "heavy": (1.12, 1.5, 1.25, 1.25, 1.25),
             "muscular": (1.22, 0.95, 1.0, 1.35, 1.15)}.get(look.build, (1.0,) * 5)  # fmt: skip
    shoulders, waist, hips, arm, leg = (v * s for v, s in zip((shoulders, waist, hips, arm, leg), scale, strict=True))
    neck = (0.15 + 0.25 * min(1.0, ws * 1.4)) * (0.3 if stoop else 1.0)
    torso = 0.4 * body
    legs = (body - neck - torso) * (1 + 0.3 * angle)
    return Build(ratio=ratio, head=head * (1 - 0.12 * angle), neck=neck, torso=torso, legs=legs, shoulders=shoulders,
                 waist=waist, hips=hips * (1 + 0.1 * angle), arm=arm, leg=leg,
                 foot=max(0.55 + 0.35 * ws, 1.25 * leg), feet=1 + 0.5 * angle, stoop=stoop)  # fmt: skip


@dataclass(frozen=True)
class Skeleton:
    """Where a posed figure's parts are, in panel pixels."""

    x: float  # the body's middle
    head: Point  # the head's centre (lowered when it hangs or the back is bent)
    r: float  # head radius
    top: float  # the shoulder line
    chest: float
    waist_y: float
    hip_y: float
    crotch: float
    floor: float  # the soles
    shoulders: float  # half-widths in pixels
    waist: float
    hips: float
    arm_w: float
    leg_w: float
    hand_r: float
    foot_w: float
    foot_h: float
    shoulder_at: Sides
    elbows: Sides
    hands: Sides
    hip_at: Sides
    knees: Sides
    ankles: Sides
    sitting: bool
    facing: int  # the side the pose's `near` arm is on


def pose_skeleton(build: Build, pose: Pose, x: float, head_y: float, r: float, facing: int) -> Skeleton:
    """The joints of a figure whose head (before it hangs) is centred at (x, head_y) with radius `r`; `facing` is
    the side (−1, +1) its `near` arm reaches toward."""
    drop = (0.3 * pose.head_down + 0.45 * build.stoop) * r
    top = head_y + r + build.neck * r
    torso, legs = build.torso * r, build.legs * r
    chest, waist_y, hip_y, crotch = top + 0.3 * torso, top + 0.6 * torso, top + 0.85 * torso, top + torso
    arm_w, leg_w, hips = build.arm * r, build.leg * r, build.hips * r
    calf = 0.8 * leg_w
    # A shoe seen from the front hides the calf's end: never narrower or lower than that.
    foot_w, foot_h = max(build.foot * build.feet * r, 1.1 * calf), (0.85 * calf + 0.06 * r) * max(1.0, build.feet)
    floor = crotch + legs
    sides = (-1, 1)
    hip_at = {s: (x + s * max(hips - leg_w * 0.55, leg_w * 0.45), hip_y) for s in sides}
    knees, ankles = {}, {}
    for s in sides:
        hx = hip_at[s][0]
        ankle_y = floor - foot_h + 0.35 * calf
        knee_y = (hip_y + ankle_y) / 2
        knee_x, ankle_x = hx + s * (0.05 + 0.05 * build.stoop) * r, hx + s * 0.08 * r
        if pose.legs == "wide":
            knee_x, ankle_x = hx + s * 0.3 * r, hx + s * 0.6 * r
        elif pose.legs in ("walk", "run") and s != facing:  # the stepping leg: knee up, heel off the ground
            lift = 0.12 if pose.legs == "walk" else 0.3
            knee_y -= lift * (ankle_y - hip_y)
            knee_x = hx + s * (0.15 if pose.legs == "run" else -0.05) * r
            ankle_y -= (lift + 0.05) * (ankle_y - hip_y)
            ankle_x = knee_x + s * 0.05 * r
        elif pose.legs == "sit":  # thighs toward us on the seat, shins down to the floor
            shin = ankle_y - knee_y
            knee_y, knee_x = hip_y + 0.28 * (knee_y - hip_y), hx + s * 0.2 * r
            ankle_y, ankle_x = knee_y + shin, knee_x + s * 0.05 * r
        knees[s], ankles[s] = (knee_x, knee_y), (ankle_x, ankle_y)
    if pose.legs == "sit":
        floor = max(a[1] for a in ankles.values()) + foot_h - 0.35 * calf
    skeleton = Skeleton(
        x=x, head=(x, head_y + drop), r=r, top=top, chest=chest, waist_y=waist_y, hip_y=hip_y, crotch=crotch,
        floor=floor, shoulders=build.shoulders * r, waist=build.waist * r, hips=hips, arm_w=arm_w, leg_w=leg_w,
        hand_r=max(0.55 * arm_w, 0.22 * r), foot_w=foot_w, foot_h=foot_h,
        shoulder_at={s: (x + s * (build.shoulders * r - arm_w * 0.25), top + arm_w * 0.45) for s in sides},
        elbows={}, hands={}, hip_at=hip_at, knees=knees, ankles=ankles, sitting=pose.legs == "sit", facing=facing,
    )  # fmt: skip
    bent = {s: _bend(skeleton, s, pose.near if s == facing else pose.far, 0.52 * torso, 0.47 * torso) for s in sides}
    return replace(skeleton, elbows={s: b[0] for s, b in bent.items()}, hands={s: b[1] for s, b in bent.items()})


def _target(sk: Skeleton, side: int, arm: Arm, reach: float) -> Point:
    sx, sy = sk.shoulder_at[side]
    if arm.to == "reach":
        return sx + side * arm.dx * reach, sy + arm.dy * reach
    if arm.to == "head":
        return sk.head[0] + side * arm.dx * sk.r, sk.head[1] + arm.dy * sk.r
    if arm.to == "knee":
        kx, ky = sk.knees[side]
        return kx + side * arm.dx * sk.r, ky + arm.dy * sk.r
    y = {"chest": sk.chest, "waist": sk.waist_y, "hip": (sk.waist_y + sk.hip_y) / 2}[arm.to]
    return sk.x + side * arm.dx * sk.shoulders, y + arm.dy * sk.r


def _bend(sk: Skeleton, side: int, arm: Arm, upper: float, fore: float) -> tuple[Point, Point]:
    """Elbow and hand for a hand that reaches for its target (as far as the arm goes). Elbow out: two-bone inverse
    kinematics, the elbow bent away from the body. Elbow down: the upper arm hangs at the side and the forearm comes
    toward us to the target (foreshortened, as a front view draws a hand held before the chest)."""
    sx, sy = sk.shoulder_at[side]
    tx, ty = _target(sk, side, arm, upper + fore)
    if not arm.elbow_out:
        elbow = (sx + side * 0.12 * upper, sy + 0.92 * upper)
        dist = math.hypot(tx - elbow[0], ty - elbow[1]) or 1e-6
        k = min(1.0, fore / dist)
        return elbow, (elbow[0] + (tx - elbow[0]) * k, elbow[1] + (ty - elbow[1]) * k)
    dist = math.hypot(tx - sx, ty - sy) or 1e-6
    ux, uy = (tx - sx) / dist, (ty - sy) / dist
    d = min(max(dist, abs(upper - fore) + 1.0), (upper + fore) * 0.999)
    hand = (sx + ux * d, sy + uy * d)
    along = (upper * upper - fore * fore + d * d) / (2 * d)
    off = math.sqrt(max(0.0, upper * upper - along * along))
    bx, by = sx + ux * along, sy + uy * along
    candidates = [(bx - off * uy, by + off * ux), (bx + off * uy, by - off * ux)]
    return max(candidates, key=lambda p: side * (p[0] - sk.x)), hand
