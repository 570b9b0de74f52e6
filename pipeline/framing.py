"""Where things are on a frame, in pixels: each framed character's face and mouth (`Framing`, from what the panel
reported), and the room lettering may use (`Room`: the platform's safe box, less what it must keep off)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]

# Half a face's width per camera distance, as a fraction of the frame's short side, for a panel that reported only
# where heads are (anchors): a face is then this box around the head.
_HEAD_HALF = {"closeup": 0.2, "long": 0.04, "establishing": 0.03}
_HEAD_HALF_DEFAULT = 0.075  # medium, over-shoulder and the angles
_PORTRAIT_FLOOR = 0.80  # on a tall frame nothing goes below this share of the height (captions, buttons live there)


@dataclass(frozen=True)
class Framing:
    """Where each framed character's face (x0, y0, x1, y1) and mouth (x, y) are, in pixels of the frame."""

    faces: dict[str, Box]
    mouths: dict[str, Point]

    @classmethod
    def build(
        cls, width: int, height: int, *, anchors: Mapping[str, Iterable[float]] | None = None,
        faces: Mapping[str, Iterable[float]] | None = None, mouths: Mapping[str, Iterable[float]] | None = None,
        camera: str = "medium",
    ) -> Framing:  # fmt: skip
        """From frame fractions as a panel reports them. A character with a head anchor but no face box gets a box
        around the anchor sized by the camera's distance; one with a face but no mouth a mouth low in the face."""
        unit = min(width, height)
        boxes: dict[str, Box] = {}
        for name, values in (faces or {}).items():
            x0, y0, x1, y1 = (float(v) for v in values)
            boxes[name] = (x0 * width, y0 * height, x1 * width, y1 * height)
        half = _HEAD_HALF.get(camera, _HEAD_HALF_DEFAULT) * unit
        for name, values in (anchors or {}).items():
            if name not in boxes:
                ax, ay = (float(v) for v in values)
                boxes[name] = (ax * width - half, ay * height - 1.2 * half, ax * width + half, ay * height + 1.2 * half)
        points = {name: (float(x) * width, float(y) * height) for name, (x, y) in
                  ((n, tuple(v)) for n, v in (mouths or {}).items())}  # fmt: skip
        for name, (x0, y0, x1, y1) in boxes.items():
            points.setdefault(name, ((x0 + x1) / 2, y0 + 0.75 * (y1 - y0)))
        return cls(boxes, points)

    @classmethod
    def of_shot(cls, shot: Any, width: int, height: int) -> Framing:
        """From a TimedShot (or anything with `anchors`, and maybe `faces`, `mouths` and `camera`)."""
        return cls.build(width, height, anchors=getattr(shot, "anchors", None), faces=getattr(shot, "faces", None),
                         mouths=getattr(shot, "mouths", None), camera=getattr(shot, "camera", "medium"))  # fmt: skip


@dataclass(frozen=True)
class Room:
    """Where text may go on a frame: the safe box (less the bottom fifth of a tall frame) and the boxes to keep off
    (faces, grown by a gap, and text already placed)."""

    box: Box
    avoid: tuple[Box, ...]
    unit: int  # the frame's short side
    margin: float = 0.0  # how far the faces in `avoid` were grown

    @classmethod
    def of(cls, width: int, height: int, safe_box: tuple[int, int, int, int], framing: Framing) -> Room:
        x0, y0, x1, y1 = safe_box
        floor = min(y1, height * _PORTRAIT_FLOOR) if height > width else y1
        unit = min(width, height)
        gap = 0.015 * unit
        avoid = tuple(grow(face, gap) for face in framing.faces.values())
        return cls((x0, y0, x1, floor), avoid, unit, gap)

    def inset(self, by: float) -> Room:
        """The room for a shape whose outline and shadow reach `by` past its box."""
        return Room(grow(self.box, -by), tuple(grow(b, by) for b in self.avoid), self.unit, self.margin + by)

    def with_avoid(self, box: Box) -> Room:
        return Room(self.box, (*self.avoid, box), self.unit, self.margin)

    def overlap(self, box: Box) -> float:
        """How much of `box` covers what is to be avoided (0: nothing)."""
        return sum(_area(_intersection(box, other)) for other in self.avoid)

    def place(self, w: float, h: float, centres: Iterable[Point]) -> Box | None:
        """The first of `centres` where a `w` x `h` box (moved inside the room) covers nothing."""
        for cx, cy in centres:
            box = clamp(w, h, cx, cy, self.box)
            if not self.overlap(box):
                return box
        return None

    def grid(self, w: float, h: float, towards: Point) -> list[Point]:
        """Centres spread over the room, the nearest to `towards` first."""
        x0, y0, x1, y1 = self.box
        xs = [x0 + w / 2 + (x1 - x0 - w) * i / 8 for i in range(9)]
        ys = [y0 + h / 2 + (y1 - y0 - h) * j / 11 for j in range(12)]
        centres = [(x, y) for y in ys for x in xs]
        return sorted(centres, key=lambda p: (gap_to(clamp(w, h, p[0], p[1], self.box), towards), p))


def clamp(w: float, h: float, cx: float, cy: float, room: Box) -> Box:
    """A w x h box centred as near (cx, cy) as fits in `room` (centred in it when it does not fit)."""
    rx0, ry0, rx1, ry1 = room
    cx = min(max(cx, rx0 + w / 2), rx1 - w / 2) if rx1 - rx0 >= w else (rx0 + rx1) / 2
    cy = min(max(cy, ry0 + h / 2), ry1 - h / 2) if ry1 - ry0 >= h else ry0 + h / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def shift(box: Box, by: float) -> Box:
    return (box[0] + by, box[1] + by, box[2] + by, box[3] + by)


def _intersection(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def inside(point: Point, box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def gap_to(box: Box, point: Point) -> float:
    """From `point` to `box` (0 inside)."""
    x, y = point
    return math.hypot(max(box[0] - x, 0, x - box[2]), max(box[1] - y, 0, y - box[3]))


def clip(points: list[Point], box: Box) -> list[Point]:
    return [(min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])) for x, y in points]
