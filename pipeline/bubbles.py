"""Where a shot's line goes over its panel and how it is drawn: a speech bubble whose tail points at the speaker's
mouth, a thought cloud trailing small circles, or a narration caption box; each inside the safe box and never over
a face (pipeline.framing says where faces and mouths are). `is_thought` says which lines are thoughts."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from pipeline.fonts import FontFace
from pipeline.framing import Box, Framing, Point, Room, clamp, clip, grow, inside, shift
from pipeline.lettering import RGBA, Ink, balance_rows, draw_rows, fit_rows

Spots = Callable[[float, float], list[Point]]  # where a box of this width and height may go, best first

_ELLIPSE = 1.3  # an ellipse this much larger than the padded text box goes round the text

# A line is a thought when its emotion (the script's parenthetical) is one of these, or its text opens or closes
# with one of them in brackets, or opens with one and a colon: 小明(心想): …, （内心）…, OS：…, (thinking) ….
THOUGHT_WORDS = ("想", "心想", "暗想", "默想", "内心", "内心独白", "内心os", "os", "thinking", "thought", "thoughts",
                 "thinks", "inner monologue", "inner voice")  # fmt: skip
_MARK = "|".join(sorted((re.escape(w) for w in THOUGHT_WORDS if w != "想"), key=len, reverse=True))
_THOUGHT_TAG = re.compile(rf"^\s*[(（]\s*(?:{_MARK})\s*[)）]\s*|\s*[(（]\s*(?:{_MARK})\s*[)）]\s*$|"
                          rf"^\s*(?:{_MARK})\s*[:：]\s*", re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Look:
    """How bubbles, captions and sound words look for one subtitle style; `line` (the outline's width) is a
    fraction of the text size."""

    fill: RGBA
    ink: RGBA  # outline
    text: RGBA
    caption: RGBA  # the narration box
    line: float
    ellipse: bool  # an elliptic bubble, else a rounded box
    shadow: RGBA | None = None  # a hard drop shadow behind bubble and box
    sound: RGBA = (255, 214, 40, 255)  # the fill of onomatopoeia lettering (outlined in `ink`)


LOOKS: dict[str, Look] = {
    "simple": Look((255, 255, 255, 255), (24, 24, 28, 255), (24, 24, 28, 255), (255, 246, 205, 255), 0.07, False),
    "bold": Look((255, 255, 255, 255), (0, 0, 0, 255), (0, 0, 0, 255), (255, 255, 255, 255), 0.14, False,
                 sound=(255, 255, 255, 255)),
    "boxed": Look((16, 16, 20, 215), (16, 16, 20, 215), (250, 250, 250, 255), (16, 16, 20, 215), 0.0, False,
                  sound=(250, 250, 250, 255)),
    "yellow": Look((255, 236, 110, 255), (20, 20, 20, 255), (20, 20, 20, 255), (255, 236, 110, 255), 0.09, False),
    "comic": Look((255, 255, 255, 255), (25, 20, 40, 255), (25, 20, 40, 255), (255, 232, 150, 255), 0.11, True,
                  (228, 40, 96, 255), sound=(255, 196, 30, 255)),
}  # fmt: skip


def is_thought(shot: Any) -> bool:
    """Whether a shot's line is thought rather than said (drawn as a cloud): a dialogue line whose emotion is a
    thought word (`THOUGHT_WORDS`: 心想, 内心, 想, OS, thinking…, alone or among other words: '紧张，心想'), whose text
    is tagged with one in brackets or before a colon ('（心想）…', 'OS：…', '… (thinking)'), or a voice-over
    (Fountain's V.O.) of a character who is in frame. Reads `kind`, `speaker`, `emotion`, `text` (or `subtitle`),
    `off_screen`, and who is framed (`characters`, `anchors`, `faces`) from a StoryboardShot or a TimedShot."""
    if getattr(shot, "kind", "dialogue") != "dialogue" or not getattr(shot, "speaker", None):
        return False
    emotion = (getattr(shot, "emotion", None) or "").strip().lower()
    if any(part.strip() in THOUGHT_WORDS for part in re.split(r"[,，、;；/]", emotion)):
        return True
    text = getattr(shot, "text", None) or getattr(shot, "subtitle", "") or ""
    if _THOUGHT_TAG.search(text):
        return True
    framed = {*getattr(shot, "characters", ()), *getattr(shot, "anchors", {}), *(getattr(shot, "faces", None) or {})}
    return bool(getattr(shot, "off_screen", False)) and shot.speaker in framed


def without_thought_tag(text: str) -> str:
    """The words of a thought without the tag that marked it ('（心想）他怎么还不来' → '他怎么还不来')."""
    return _THOUGHT_TAG.sub("", text, count=1).strip() or text.strip()


# ---------------------------------------------------------------------------------------------------- bubbles


@dataclass(frozen=True)
class _Shape:
    ink: Ink
    rows: list[str]
    line_h: float
    width: float  # the bubble's (for a cloud, its ellipse's), around the rows and their padding
    height: float
    bump: float  # how far a cloud's bumps reach past its ellipse (0 for a bubble)
    complete: bool  # False when the rows had to be cut short


def _shapes(text: str, face: FontFace, size: float, room_w: float, stretch: float, cloud: bool) -> list[_Shape]:
    """The bubbles to try, in order: the text at full size, smaller, then at the smallest size in narrower ones (for
    a thin column of room) or flatter ones (for a thin strip), an ellipse or cloud hugging its text more closely."""
    tries = [(size, 0.8, 4, stretch), (size * 0.85, 0.8, 4, stretch), (size * 0.72, 0.8, 4, stretch),
             (size * 0.72, 1.0, 3, stretch), (size * 0.72, 0.6, 6, stretch), (size * 0.72, 0.45, 8, stretch),
             (size * 0.72, 0.32, 10, min(stretch, 1.15)), (size * 0.72, 0.24, 12, min(stretch, 1.15)),
             (size * 0.6, 1.0, 2, min(stretch, 1.15))]  # fmt: skip
    shapes: list[_Shape] = []
    for font_size, share, lines, hug in tries:
        pad = font_size * 0.55
        bump_share = 0.16 if cloud else 0.0
        max_w = share * room_w / (1 + 2 * bump_share)
        ink, rows = fit_rows(text, face, max_width=max_w / hug - 2 * pad, size=font_size, max_lines=lines,
                             min_size=size * 0.6)  # fmt: skip
        complete = "".join("".join(rows).split()).replace("-", "") == "".join(text.split()).replace("-", "")
        if complete:
            rows = balance_rows(text, ink, max_w / hug - 2 * pad, rows)
        line_h = ink.size * 1.28
        text_w = max(ink.length(row) for row in rows)
        w, h = (text_w + 2 * pad) * hug, (line_h * len(rows) + 2 * pad) * hug
        shape = _Shape(ink, rows, line_h, w, h, bump_share * min(w, h), complete)
        if (shape.complete or not shapes) and all((s.ink.size, s.rows) != (ink.size, rows) for s in shapes):
            shapes.append(shape)
    return shapes


def draw_bubble(
    layer: Image.Image, text: str, face: FontFace, look: Look, room: Room, framing: Framing, *, who: str | None,
    name: str | None, thought: bool = False,
) -> Box:  # fmt: skip
    """A speech bubble (or a thought cloud) with `name` above it, placed over, beside or under the face of `who`
    (the speaker, as `framing` knows them) but on no face, its tail toward their mouth. Returns the box it takes."""
    # 1. The sizes: text, outline, shadow, the name tag above the bubble.
    unit = room.unit
    size = 0.045 * unit
    line_w, offset = round(size * look.line), round(size * 0.12) if look.shadow else 0
    tag = Ink(face, max(8, size * 0.66))
    tag_stroke, tag_gap = max(1, round(tag.size * 0.12)), line_w + round(tag.size * 0.2)
    tag_top, tag_bottom = tag.font.getbbox(name or "", stroke_width=tag_stroke, anchor="ls")[1::2]  # by baseline
    tag_h = tag_bottom - tag_top + tag_gap if name else 0.0
    inner = room.inset(line_w + offset + 1)
    stretch = _ELLIPSE if (look.ellipse or thought) else 1.0

    # 2. Where: by the speaker (at the top over them, beside or above their face, else under the faces) at full
    #    size, then smaller, then narrower; failing that anywhere in the room; failing that, where it covers least.
    mouth = framing.mouths.get(who or "")
    head = framing.faces.get(who or "")
    shapes = _shapes(text, face, size, inner.box[2] - inner.box[0], stretch, thought)
    target = mouth or ((inner.box[0] + inner.box[2]) / 2, inner.box[1])
    shape, outer = _place(shapes, tag_h, target, head, inner)
    box = (outer[0] + shape.bump, outer[1] + tag_h + shape.bump, outer[2] - shape.bump, outer[3] - shape.bump)

    # 3. Draw: shadow, outline, fill (which hides the seam between tail and bubble), text, name tag.
    reach_past = line_w + offset + 0.005 * unit  # tails stop this far from faces: outline and shadow stay off them
    tail_room = Room(inner.box, tuple(grow(f, reach_past) for f in framing.faces.values()), unit)
    if thought:
        _draw_cloud(layer, box, shape.bump, mouth, look, line_w, offset, tail_room)
    else:
        _draw_speech(layer, box, mouth, look, line_w, offset, tail_room, min(shape.width, shape.height) * 0.42)
    rows_top = (box[1] + box[3]) / 2 - shape.line_h * len(shape.rows) / 2
    draw_rows(layer, shape.rows, shape.ink, (box[0] + box[2]) / 2, rows_top, shape.line_h, look.text)
    if name:
        tag_w = tag.length(name) + 2 * tag_stroke
        tag_x = min(max(box[0] + shape.width * (0.22 if stretch > 1 else 0.08), inner.box[0]), inner.box[2] - tag_w)
        tag.draw(layer, (tag_x + tag_stroke, outer[1] - tag_top), name, (255, 255, 255, 255), anchor="ls",
                 stroke=tag_stroke, stroke_fill=look.ink[:3] + (255,))  # fmt: skip
    return grow(outer, line_w + offset)


def _place(shapes: list[_Shape], tag_h: float, target: Point, head: Box | None, room: Room) -> tuple[_Shape, Box]:
    """The first shape with a spot by the speaker (over them, else under the faces); failing that, the first with a
    spot anywhere in the room, the nearest to `target`; failing that, the shape and spot that cover least."""
    above, below = _near(target, head, room)
    sized = [(shape, shape.width + 2 * shape.bump, shape.height + 2 * shape.bump + tag_h) for shape in shapes]
    for spots in (lambda w, h: [*above(w, h), *below(w, h)], lambda w, h: room.grid(w, h, target)):
        for shape, w, h in sized:
            box = room.place(w, h, spots(w, h))
            if box is not None:
                return shape, box
    candidates = [(shape, clamp(w, h, x, y, room.box)) for shape, w, h in sized
                  for x, y in (*above(w, h), *below(w, h), *room.grid(w, h, target))]  # fmt: skip
    return min(candidates, key=lambda c: room.overlap(c[1]))


def _near(target: Point, head: Box | None, room: Room) -> tuple[Spots, Spots]:
    """Centres for a w x h box by the speaker, first over them: at the top of the room above the mouth, at the top
    beside the face, just above the face, beside it; then under the faces."""
    tx, ty = target
    gap = 0.01 * room.unit  # past the faces' own margin
    top = room.box[1]
    if head is None:
        return (lambda w, h: [(tx, top + h / 2), (tx, ty - gap - h / 2)]), (lambda w, h: [(tx, ty + gap + h / 2)])
    x0, y0, x1, y1 = grow(head, room.margin)
    lowest = max([y1, *(b[3] for b in room.avoid if b[0] < x1 and b[2] > x0)])

    def above(w: float, h: float) -> list[Point]:
        left, right = x0 - gap - w / 2, x1 + gap + w / 2
        return [(tx, top + h / 2), (left, top + h / 2), (right, top + h / 2), (tx, y0 - gap - h / 2),
                (left, y0 + h / 2), (right, y0 + h / 2), (left, ty), (right, ty)]  # fmt: skip

    return above, lambda w, h: [(tx, lowest + gap + h / 2)]


def _draw_speech(
    layer: Image.Image, box: Box, mouth: Point | None, look: Look, line_w: int, offset: int, faces: Room,
    radius: float,
) -> None:  # fmt: skip
    tail = _tail(box, mouth, look.ellipse, faces)
    draw = ImageDraw.Draw(layer)
    for colour, grow_by, by in _passes(look, line_w, offset):
        moved = shift(box, by)
        if look.ellipse:
            draw.ellipse(grow(moved, grow_by), fill=colour)
        else:
            draw.rounded_rectangle(grow(moved, grow_by), radius=radius + grow_by, fill=colour)
        points = [(x + by, y + by) for x, y in tail]
        draw.polygon(points, fill=colour)
        if grow_by:
            draw.line([*points, points[0]], fill=colour, width=2 * grow_by, joint="curve")


def _tail(box: Box, mouth: Point | None, ellipse: bool, faces: Room) -> list[Point]:
    """A triangle: its base inside the bubble, its tip outside toward the mouth, stopping short of every face."""
    cx, cy, ux, uy, reach = _ray(box, mouth, ellipse)
    unit = faces.unit
    length = 0.04 * unit if mouth is None else min(0.12 * unit, max(0.02 * unit, math.dist((cx, cy), mouth) - reach))
    base, spread = 0.55 * reach, min(box[2] - box[0], box[3] - box[1]) * 0.22
    while True:  # shorten until neither side of the triangle crosses a face
        tip = (cx + ux * (reach + length), cy + uy * (reach + length))
        tail = [(cx + ux * base - uy * spread, cy + uy * base + ux * spread), tip,
                (cx + ux * base + uy * spread, cy + uy * base - ux * spread)]  # fmt: skip
        sides = [(a[0] + (tip[0] - a[0]) * k / 8, a[1] + (tip[1] - a[1]) * k / 8) for a in (tail[0], tail[2])
                 for k in range(1, 9)]  # fmt: skip
        if not length or not any(inside(p, f) for p in sides for f in faces.avoid):
            return clip(tail, faces.box)
        length = length * 0.8 if length > 0.01 * unit else 0.0  # no room at all: the tail hides in the bubble


def _draw_cloud(
    layer: Image.Image, box: Box, bump: float, mouth: Point | None, look: Look, line_w: int, offset: int, faces: Room
) -> None:
    """A thought: an ellipse scalloped with overlapping circles, and three shrinking circles toward the mouth."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    rx, ry = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    count = max(8, round(math.pi * (rx + ry) / (1.6 * bump)))
    circles: list[tuple[float, ...]] = [(cx + rx * math.cos(a), cy + ry * math.sin(a), bump * (1.0 if i % 2 else 0.85))
               for i, a in enumerate(2 * math.pi * k / count for k in range(count))]  # fmt: skip
    circles += _thought_dots(box, bump, mouth, faces, line_w)
    draw = ImageDraw.Draw(layer)
    for colour, grow_by, by in _passes(look, line_w, offset):
        draw.ellipse(grow(shift(box, by), grow_by), fill=colour)
        for x, y, r in circles:
            draw.ellipse((x - r - grow_by + by, y - r - grow_by + by, x + r + grow_by + by,
                          y + r + grow_by + by), fill=colour)  # fmt: skip


def _thought_dots(box: Box, bump: float, mouth: Point | None, faces: Room, line_w: int) -> list[tuple[float, ...]]:
    """Three shrinking circles (x, y, radius), apart from the cloud and each other, on the way to the mouth; smaller
    when full-sized ones would reach a face, none when even half-sized ones would."""
    cx, cy, ux, uy, reach = _ray(box, mouth, True)
    unit = faces.unit
    gap = 0.012 * unit + 2 * line_w
    for scale in (1.0, 0.8, 0.64, 0.5):
        dots: list[tuple[float, ...]] = []
        along = reach + bump
        for r in (0.022 * unit * scale, 0.016 * unit * scale, 0.011 * unit * scale):
            along += gap + r
            dots.append((cx + ux * along, cy + uy * along, r))
            along += r
        if all(inside((x, y), grow(faces.box, -r)) and not any(_touches((x, y, r), f) for f in faces.avoid)
               for x, y, r in dots):  # fmt: skip
            return dots
    return []


def _touches(circle: tuple[float, ...], box: Box) -> bool:
    x, y, r = circle
    return math.hypot(max(box[0] - x, 0, x - box[2]), max(box[1] - y, 0, y - box[3])) < r


def _passes(look: Look, line_w: int, offset: int) -> list[tuple[RGBA, int, int]]:
    """What a bubble is drawn in, in order: (colour, grown by, shifted by): its shadow, its outline, its fill (which
    covers the seam where the tail meets the body)."""
    passes = [(look.shadow, line_w, offset)] if look.shadow else []
    passes += [(look.ink, line_w, 0)] if line_w else []
    return [*passes, (look.fill, 0, 0)]


def _ray(box: Box, mouth: Point | None, ellipse: bool) -> tuple[float, float, float, float, float]:
    """From the bubble's centre toward the mouth (down and a little right without one): the centre, the unit
    direction, and how far the bubble's edge is along it."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half_w, half_h = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    dx, dy = (mouth[0] - cx, mouth[1] - cy) if mouth else (0.25 * half_w, half_h)
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist
    if ellipse:
        reach = 1 / math.hypot(ux / half_w, uy / half_h)
    else:
        reach = min(half_w / abs(ux) if ux else math.inf, half_h / abs(uy) if uy else math.inf)
    return cx, cy, ux, uy, reach


def draw_caption(layer: Image.Image, text: str, face: FontFace, look: Look, room: Room) -> Box:
    """A rectangular narration box across the top of the room, else across its bottom, else a narrower one in a
    corner, keeping off every face. Returns the box it takes."""
    unit = room.unit
    size = 0.04 * unit
    line_w = round(size * look.line)
    offset = round(size * 0.12) if look.shadow else 0
    inner = room.inset(line_w + offset)
    x0, y0, x1, y1 = inner.box
    pad = size * 0.5
    tries: list[tuple[Ink, list[str], Box]] = []
    for share in (1.0, 0.62):
        ink, rows = fit_rows(text, face, max_width=(x1 - x0) * share - 2 * pad, size=size, max_lines=4)
        w, h = (x1 - x0) * share, ink.size * 1.3 * len(rows) + 2 * pad
        corners = [(x0, y0), (x0, y1 - h)] if share == 1.0 else [(x0, y0), (x1 - w, y0), (x0, y1 - h), (x1 - w, y1 - h)]
        tries += [(ink, rows, (x, y, x + w, y + h)) for x, y in corners]
    ink, rows, box = next((t for t in tries if not inner.overlap(t[2])), min(tries, key=lambda t: inner.overlap(t[2])))
    box = (box[0], box[1], box[2] - 1, box[3])
    draw = ImageDraw.Draw(layer)
    if look.shadow:
        draw.rectangle(grow(shift(box, offset), line_w), fill=look.shadow)
    draw.rectangle(grow(box, line_w), fill=look.ink)
    draw.rectangle(box, fill=look.caption)
    line_h = ink.size * 1.3
    draw_rows(layer, rows, ink, (box[0] + box[2]) / 2, box[1] + pad, line_h, look.text)
    return grow(box, line_w + offset)
