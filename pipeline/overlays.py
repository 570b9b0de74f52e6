"""Text the renderer lays over the video, each a transparent RGBA layer the size of the frame: speech bubbles and
narration captions (text_mode "bubbles"), the watermark and the opening title; and the cover thumbnail. All text is
laid out with `pipeline.subtitles.fit_text`, and everything drawn stays inside the platform's safe box."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from pipeline.errors import RenderError
from pipeline.fonts import FontFace, find_cjk_font
from pipeline.presets import CORNERS, SafeZone, Watermark
from pipeline.subtitles import CUE_KINDS, Cue, check_style, fit_text, load_font

RGBA = tuple[int, int, int, int]
Box = tuple[float, float, float, float]
_CLEAR: RGBA = (0, 0, 0, 0)


@dataclass(frozen=True)
class _Look:
    """How bubbles and captions look for one subtitle style; `line` (the outline's width) is a fraction of the text
    size."""

    fill: RGBA
    ink: RGBA  # outline
    text: RGBA
    caption: RGBA  # the narration box
    line: float
    ellipse: bool  # an elliptic bubble, else a rounded box
    shadow: RGBA | None = None  # a hard drop shadow behind bubble and box


_LOOKS: dict[str, _Look] = {
    "simple": _Look((255, 255, 255, 255), (24, 24, 28, 255), (24, 24, 28, 255), (255, 246, 205, 255), 0.07, False),
    "bold": _Look((255, 255, 255, 255), (0, 0, 0, 255), (0, 0, 0, 255), (255, 255, 255, 255), 0.14, False),
    "boxed": _Look((16, 16, 20, 215), (16, 16, 20, 215), (250, 250, 250, 255), (16, 16, 20, 215), 0.0, False),
    "yellow": _Look((255, 236, 110, 255), (20, 20, 20, 255), (20, 20, 20, 255), (255, 236, 110, 255), 0.09, False),
    "comic": _Look((255, 255, 255, 255), (25, 20, 40, 255), (25, 20, 40, 255), (255, 232, 150, 255), 0.11, True,
                   (228, 40, 96, 255)),
}  # fmt: skip
_ELLIPSE = 1.3  # an ellipse this much larger than the padded text box goes round the text
_BUBBLE_ZONE = 0.55  # bubbles sit in this upper share of the safe box
_PORTRAIT_FLOOR = 0.80  # on a tall frame nothing goes below this share of the height (captions, buttons live there)


def text_layer(
    cue: Cue, *, width: int, height: int, safe: SafeZone, anchor: tuple[float, float] | None, style: str = "simple",
    font_path: str | None = None,
) -> Image.Image:  # fmt: skip
    """A speech bubble (dialogue) or a caption box (narration, caption) for `cue`, on a transparent layer.

    A bubble sits in the upper part of the safe box with the speaker's name above it and its tail pointing at
    `anchor` (the speaker's head as (x, y) fractions of the frame; None: a short tail pointing down), without
    covering the anchor itself. A narration caption spans the top of the safe box. The text is wrapped and shrunk to
    at most 4 rows.

    Raises:
        RenderError: an unknown `style` or cue kind, or a frame size that is not positive.
    """
    check_style(style)
    _check_size(width, height)
    if cue.kind not in CUE_KINDS:
        raise RenderError(f"Cue kind {cue.kind!r} is not one of {', '.join(CUE_KINDS)}.")
    face, look = find_cjk_font(font_path), _LOOKS[style]
    layer = Image.new("RGBA", (width, height), _CLEAR)
    if not cue.text.strip():
        return layer
    if cue.kind != "dialogue":  # narration and hand-typed captions
        _draw_caption(layer, cue.text.strip(), face, look, safe)
    else:
        _draw_bubble(layer, cue, face, look, safe, anchor)
    return layer


def watermark_layer(
    mark: Watermark, *, width: int, height: int, safe: SafeZone, font_path: str | None = None
) -> Image.Image:
    """The watermark in its corner of the safe box on a transparent layer, its alpha scaled by `mark.opacity`: an
    image (about 12 % of the frame's width) when `mark.image_path` is set, else the text with a thin outline. A mark
    with neither gives an empty layer.

    Raises:
        RenderError: a bad position or opacity, or an image that cannot be read.
    """
    _check_size(width, height)
    if mark.position not in CORNERS:
        raise RenderError(f"watermark.position {mark.position!r} is not one of {', '.join(CORNERS)}.")
    if not 0.0 <= mark.opacity <= 1.0:
        raise RenderError(f"watermark.opacity {mark.opacity} must be between 0 and 1.")
    layer = Image.new("RGBA", (width, height), _CLEAR)
    if not mark.enabled:
        return layer
    x0, y0, x1, y1 = safe.box(width, height)
    unit = min(width, height)
    if mark.image_path:
        picture = _open_image(mark.image_path, "watermark image").convert("RGBA")
        scale = min(0.12 * width / picture.width, (x1 - x0) / picture.width, 0.25 * (y1 - y0) / picture.height)
        picture = picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
                                 Image.Resampling.LANCZOS)  # fmt: skip
    else:
        face = find_cjk_font(font_path)
        font, rows = fit_text(mark.text.strip(), face, max_width=0.5 * (x1 - x0), size=0.032 * unit, max_lines=1)
        stroke = max(1, round(font.size / 14))
        left, top, right, bottom = font.getbbox(rows[0], stroke_width=stroke)
        picture = Image.new("RGBA", (math.ceil(right - left), math.ceil(bottom - top)), _CLEAR)
        ImageDraw.Draw(picture).text((-left, -top), rows[0], font=font, fill=(255, 255, 255, 255),
                                     stroke_width=stroke, stroke_fill=(0, 0, 0, 255))  # fmt: skip
    picture.putalpha(picture.getchannel("A").point(lambda a: round(a * mark.opacity)))
    inset = round(0.01 * unit)
    x = x0 + inset if mark.position.endswith("left") else x1 - inset - picture.width
    y = y0 + inset if mark.position.startswith("top") else y1 - inset - picture.height
    layer.alpha_composite(picture, (max(x0, x), max(y0, y)))
    return layer


def title_layer(title: str, *, width: int, height: int, safe: SafeZone, font_path: str | None = None) -> Image.Image:
    """The title, large, over a translucent band across the safe box's upper third (an empty title: an empty layer)."""
    _check_size(width, height)
    layer = Image.new("RGBA", (width, height), _CLEAR)
    if not title.strip():
        return layer
    x0, y0, x1, y1 = safe.box(width, height)
    unit = min(width, height)
    font, rows = fit_text(title.strip(), find_cjk_font(font_path), max_width=(x1 - x0) * 0.9, size=0.075 * unit,
                          max_lines=2, min_size=0.035 * unit)  # fmt: skip
    line_h, pad = font.size * 1.3, font.size * 0.45
    band_h = line_h * len(rows) + 2 * pad
    top = max(y0, y0 + (y1 - y0) / 6 - band_h / 2)
    draw = ImageDraw.Draw(layer)
    draw.rectangle([x0, top, x1 - 1, top + band_h], fill=(0, 0, 0, 150))
    accent = max(2, round(font.size * 0.08))
    draw.rectangle([x0, top + band_h - accent, x1 - 1, top + band_h], fill=(255, 214, 40, 230))
    _draw_rows(draw, rows, font, (x0 + x1) / 2, top + pad, line_h, (255, 255, 255, 255),
               stroke=(max(1, round(font.size * 0.05)), (0, 0, 0, 255)))  # fmt: skip
    return layer


def cover_image(panel_path: str, title: str, *, width: int, height: int, font_path: str | None = None) -> Image.Image:
    """A thumbnail: the panel scaled to cover `width` x `height` (centre crop) and the title written large in the
    lower part over a darkening gradient.

    Raises:
        RenderError: the panel cannot be read, or the size is not positive.
    """
    _check_size(width, height)
    panel = _open_image(panel_path, "panel").convert("RGB")
    cover = ImageOps.fit(panel, (width, height), Image.Resampling.LANCZOS, centering=(0.5, 0.5)).convert("RGBA")
    if not title.strip():
        return cover.convert("RGB")
    unit = min(width, height)
    font, rows = fit_text(title.strip(), find_cjk_font(font_path), max_width=width * 0.86, size=0.1 * unit,
                          max_lines=3, min_size=0.05 * unit)  # fmt: skip
    line_h = font.size * 1.25
    bottom = height * (0.8 if height > width else 0.9)
    top = bottom - line_h * len(rows)
    fade_from = max(0.0, top - line_h)  # a darkening gradient: clear above the text, 70 % black from it down
    column = Image.new("L", (1, height))
    column.putdata([0 if y < fade_from else min(180, round(180 * (y - fade_from) / line_h)) for y in range(height)])
    shade = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    shade.putalpha(column.resize((width, height)))
    cover.alpha_composite(shade)
    draw = ImageDraw.Draw(cover)
    _draw_rows(draw, rows, font, width / 2, top, line_h, (255, 222, 40, 255),
               stroke=(max(2, round(font.size * 0.09)), (0, 0, 0, 255)))  # fmt: skip
    return cover.convert("RGB")


# ---------------------------------------------------------------------------------------------------- helpers


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise RenderError(f"Overlay size {width}x{height} must be positive.")


def _open_image(path: str, what: str) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()  # independent of the file, which closes here
    except (OSError, UnidentifiedImageError) as exc:
        raise RenderError(f"The {what} could not be read: use a PNG or JPEG file.", detail=f"{path}: {exc}") from exc


def _draw_rows(
    draw: ImageDraw.ImageDraw, rows: list[str], font: ImageFont.FreeTypeFont, centre_x: float, top: float,
    line_h: float, fill: RGBA, *, stroke: tuple[int, RGBA] | None = None,
) -> None:  # fmt: skip
    for i, row in enumerate(rows):
        draw.text((centre_x, top + line_h * (i + 0.5)), row, font=font, fill=fill, anchor="mm",
                  stroke_width=stroke[0] if stroke else 0, stroke_fill=stroke[1] if stroke else None)  # fmt: skip


def _floor(height: int, width: int, safe_bottom: float) -> float:
    """The lowest y anything of ours may reach: the safe box's bottom, and on a tall frame never the bottom 20 %."""
    return min(safe_bottom, height * _PORTRAIT_FLOOR) if height > width else safe_bottom


def _draw_caption(layer: Image.Image, text: str, face: FontFace, look: _Look, safe: SafeZone) -> None:
    """A rectangular narration box across the top of the safe box."""
    width, height = layer.size
    x0, y0, x1, _ = safe.box(width, height)
    size = 0.04 * min(width, height)
    line_w = round(size * look.line)
    offset = round(size * 0.12) if look.shadow else 0
    pad = size * 0.5
    font, rows = fit_text(text, face, max_width=x1 - x0 - 2 * (pad + line_w) - offset, size=size, max_lines=4)
    line_h = font.size * 1.3
    box = (x0 + line_w, y0 + line_w, x1 - 1 - line_w - offset, y0 + line_w + line_h * len(rows) + 2 * pad)
    draw = ImageDraw.Draw(layer)
    if look.shadow:
        draw.rectangle(_grow(_shift(box, offset), line_w), fill=look.shadow)
    draw.rectangle(_grow(box, line_w), fill=look.ink)
    draw.rectangle(box, fill=look.caption)
    _draw_rows(draw, rows, font, (box[0] + box[2]) / 2, box[1] + pad, line_h, look.text)


@dataclass(frozen=True)
class _BubbleText:
    font: ImageFont.FreeTypeFont
    rows: list[str]
    line_h: float
    width: float  # the bubble's, around the rows and their padding
    height: float
    complete: bool  # False when the rows had to be cut short


def _bubble_text(text: str, face: FontFace, size: float, max_w: float, stretch: float) -> _BubbleText:
    """The rows and the bubble's size for a bubble at most `max_w` wide (an ellipse is `stretch` times its text)."""
    pad = size * 0.55
    font, rows = fit_text(text, face, max_width=max_w / stretch - 2 * pad, size=size, max_lines=4, min_size=size * 0.6)
    line_h = font.size * 1.28
    text_w = max(font.getlength(row) for row in rows)
    complete = "".join("".join(rows).split()) == "".join(text.split())
    w, h = (text_w + 2 * pad) * stretch, (line_h * len(rows) + 2 * pad) * stretch
    return _BubbleText(font, rows, line_h, w, h, complete)


def _draw_bubble(
    layer: Image.Image, cue: Cue, face: FontFace, look: _Look, safe: SafeZone, anchor: tuple[float, float] | None
) -> None:
    """A speech bubble with the speaker's name above it and a tail toward the anchor."""
    # 1. The room: the safe box, less the bottom on a tall frame; bubbles keep to its upper part.
    width, height = layer.size
    unit = min(width, height)
    x0, y0, x1, y1 = safe.box(width, height)
    floor = _floor(height, width, y1)
    size = 0.045 * unit
    line_w, offset = round(size * look.line), round(size * 0.12) if look.shadow else 0
    edge = line_w + offset + 1  # how far the outline and shadow reach past the bubble
    tag_font = load_font(face, max(8, size * 0.66))
    tag_stroke, tag_gap = max(1, round(tag_font.size * 0.12)), line_w + round(tag_font.size * 0.2)
    tag_box = tag_font.getbbox(cue.speaker or "", stroke_width=tag_stroke, anchor="ls")  # around the baseline
    tag_h = tag_box[3] - tag_box[1] + tag_gap if cue.speaker else 0.0

    # 2. Where it goes: at the top, over the head; aside, above or below it, narrower, or lower down when a
    #    bubble there would cover the head. (x0, y0, x1, y1) of the room; the name tag goes in the box's top.
    head = (anchor[0] * width, anchor[1] * height) if anchor else None
    clearance, stretch = 0.06 * unit, _ELLIPSE if look.ellipse else 1.0
    zone = (x0 + edge, y0 + edge, x1 - edge, min(y0 + (y1 - y0) * _BUBBLE_ZONE, floor) - edge)
    low = (zone[0], zone[1], zone[2], floor - edge)
    shares = (0.8, 0.6, 0.45)
    shapes = [_bubble_text(cue.text.strip(), face, size, share * (x1 - x0) - 2 * edge, stretch) for share in shares]
    shapes = shapes[:1] + [shape for shape in shapes[1:] if shape.complete]  # narrower only if nothing is cut
    tries = [(shape, _place(shape.width, shape.height + tag_h, room, head, clearance=clearance, below=below))
             for below, room in ((False, zone), (True, low)) for shape in shapes]  # fmt: skip
    text, (outer, _) = next((t for t in tries if t[1][1] >= clearance), max(tries, key=lambda t: t[1][1]))
    box = (outer[0], outer[1] + tag_h, outer[2], outer[3])
    tail = _tail(box, head, look.ellipse, unit=unit, limit=(x0 + edge, y0 + edge, x1 - edge, floor - edge))

    # 3. Draw: shadow, outline, fill (which covers the seam between tail and bubble), text, name tag.
    draw = ImageDraw.Draw(layer)
    radius = None if look.ellipse else min(text.width, text.height) * 0.42
    if look.shadow:
        _shape(draw, _shift(box, offset), [(x + offset, y + offset) for x, y in tail], look.shadow, line_w, radius)
    if line_w:
        _shape(draw, box, tail, look.ink, line_w, radius)
    _shape(draw, box, tail, look.fill, 0, radius)
    rows_top = (box[1] + box[3]) / 2 - text.line_h * len(text.rows) / 2
    _draw_rows(draw, text.rows, text.font, (box[0] + box[2]) / 2, rows_top, text.line_h, look.text)
    if cue.speaker:
        tag_x = min(max(box[0] + text.width * (0.22 if look.ellipse else 0.08), x0 + edge), x1 - edge - tag_box[2])
        draw.text((tag_x, box[1] - tag_gap - tag_box[3]), cue.speaker, font=tag_font, anchor="ls",
                  fill=(255, 255, 255, 255), stroke_width=tag_stroke, stroke_fill=look.ink[:3] + (255,))  # fmt: skip


def _shape(
    draw: ImageDraw.ImageDraw, box: Box, tail: list[tuple[float, float]], colour: RGBA, grow: int, radius: float | None
) -> None:
    """Bubble and tail in one colour, grown by `grow` on every side (radius None: an ellipse). Drawn in three
    passes (shadow, outline grown by the line width, fill) the fill hides the seam where the tail meets the bubble."""
    if radius is None:
        draw.ellipse(_grow(box, grow), fill=colour)
    else:
        draw.rounded_rectangle(_grow(box, grow), radius=radius + grow, fill=colour)
    draw.polygon(tail, fill=colour)
    if grow:
        draw.line([*tail, tail[0]], fill=colour, width=2 * grow, joint="curve")


def _place(
    w: float, h: float, room: Box, head: tuple[float, float] | None, *, clearance: float, below: bool = False
) -> tuple[Box, float]:
    """A `w` x `h` box in `room`: at its top centred over the head, else beside, below or above the head; only
    below the head when `below`. Returns the first box at least `clearance` from the head (else the farthest) and
    that distance (infinite without a head)."""
    rx0, ry0, rx1, ry1 = room

    def at(cx: float, cy: float) -> Box:
        cx = min(max(cx, rx0 + w / 2), rx1 - w / 2) if rx1 - rx0 >= w else (rx0 + rx1) / 2
        cy = min(max(cy, ry0 + h / 2), ry1 - h / 2) if ry1 - ry0 >= h else ry0 + h / 2
        return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    if head is None:
        return at((rx0 + rx1) / 2, ry0), math.inf
    hx, hy = head
    candidates = [at(hx, hy + clearance + h / 2)] if below else [
        at(hx, ry0), at(hx - w / 2 - clearance, ry0), at(hx + w / 2 + clearance, ry0),
        at(hx, hy - clearance - h / 2), at(hx, hy + clearance + h / 2)]  # fmt: skip

    def gap(box: Box) -> float:  # from the head to the box (0 inside)
        return math.hypot(max(box[0] - hx, 0, hx - box[2]), max(box[1] - hy, 0, hy - box[3]))

    best = next((box for box in candidates if gap(box) >= clearance), max(candidates, key=gap))
    return best, gap(best)


def _tail(
    box: Box, head: tuple[float, float] | None, ellipse: bool, *, unit: int, limit: Box
) -> list[tuple[float, float]]:
    """The tail as a triangle: its base inside the bubble, its tip outside, toward the head and short of it."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half_w, half_h = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    dx, dy = (head[0] - cx, head[1] - cy) if head else (0.25 * half_w, half_h)
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist
    if ellipse:
        reach = 1 / math.hypot(ux / half_w, uy / half_h)
    else:
        reach = min(half_w / abs(ux) if ux else math.inf, half_h / abs(uy) if uy else math.inf)
    length = 0.04 * unit if head is None else min(0.12 * unit, max(0.02 * unit, dist - reach - 0.05 * unit))
    tip_x = min(max(cx + ux * (reach + length), limit[0]), limit[2])
    tip_y = min(max(cy + uy * (reach + length), limit[1]), limit[3])
    base = 0.55 * reach
    spread = min(half_w, half_h) * 0.45
    return [(cx + ux * base - uy * spread, cy + uy * base + ux * spread), (tip_x, tip_y),
            (cx + ux * base + uy * spread, cy + uy * base - ux * spread)]  # fmt: skip


def _grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _shift(box: Box, by: float) -> Box:
    return (box[0] + by, box[1] + by, box[2] + by, box[3] + by)
