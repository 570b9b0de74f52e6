"""The storyboard as a vertical webtoon: one tall PNG (or numbered parts) of panels with their lines under them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import RenderError
from pipeline.export.captions import (
    INK,
    PAPER,
    Caption,
    caption_of,
    check_panels,
    draw_caption_rows,
    draw_centered_rows,
    line_height,
)
from pipeline.fonts import find_cjk_font
from pipeline.models import Timeline
from pipeline.subtitles import load_font, wrap_text

MAX_WEBTOON_HEIGHT = 60_000  # taller PNGs defeat many viewers and Pillow's decompression-bomb guard
WIDTH_RANGE = (240, 4000)


@dataclass(frozen=True)
class _Block:
    """One strip of the page: the title header, or a panel with its caption under it."""

    height: int
    image_path: str | None = None
    panel_height: int = 0
    caption: Caption | None = None
    rows: tuple[str, ...] = ()
    order: int = 0


def export_webtoon(
    timeline: Timeline, out_path: str, *, title: str = "", width: int = 800, font_path: str | None = None,
    max_height: int = MAX_WEBTOON_HEIGHT,
) -> list[str]:  # fmt: skip
    """Draw the timeline's panels top to bottom at `width`, each with its line in a caption strip.

    Args:
        timeline: the shots, in order; each needs its panel image.
        out_path: where the PNG goes (`.png`). A result taller than `max_height` is split between panels into
            `<stem>_01.png`, `<stem>_02.png`, ... beside it instead.
        title: printed in a header above the first panel when given.
        width: the picture's width in pixels; panels are scaled to it, keeping their aspect ratio.
        font_path: a .ttf/.ttc with CJK glyphs; by default the first one installed.
        max_height: the tallest PNG written.

    Returns:
        The paths written, in reading order: `[out_path]`, or the numbered parts.

    Raises:
        RenderError: bad arguments, a missing panel, or one panel alone taller than `max_height`.
        MissingToolError: no CJK font.
    """
    # 1. check the inputs
    _check_inputs(timeline, out_path, width, max_height)
    gutter, pad = round(width * 0.06), round(width * 0.04)
    face = find_cjk_font(font_path)
    font = load_font(face, max(14, round(width * 0.036)))
    title_font = load_font(face, max(20, round(width * 0.06)))

    # 2. lay the strips out (image headers only: nothing is decoded yet)
    blocks: list[_Block] = []
    if title.strip():
        title_rows = tuple(wrap_text(" ".join(title.split()), title_font, width - 2 * pad))
        blocks.append(_Block(height=len(title_rows) * line_height(title_font) + pad, rows=title_rows))
    for shot in timeline.shots:
        with Image.open(shot.image_path) as panel:
            panel_height = max(1, round(panel.height * width / panel.width))
        caption = caption_of(shot)
        rows = tuple(wrap_text(caption.full_text, font, width - 2 * pad)) if caption else ()
        caption_height = len(rows) * line_height(font) + 2 * pad if rows else 0
        blocks.append(_Block(height=panel_height + caption_height, image_path=shot.image_path,
                             panel_height=panel_height, caption=caption, rows=rows, order=shot.order))  # fmt: skip

    # 3. split between strips where the page would grow past max_height
    parts = _split(blocks, gutter, max_height)

    # 4. draw and save each part
    paths = [out_path] if len(parts) == 1 else [_part_path(out_path, i) for i in range(1, len(parts) + 1)]
    for part, path in zip(parts, paths, strict=True):
        page = Image.new("RGB", (width, _part_height(part, gutter)), PAPER)
        y = gutter
        for block in part:
            if block.image_path is None:
                draw_centered_rows(page, list(block.rows), title_font, 0, y, width)
                ImageDraw.Draw(page).line((pad, y + block.height - 2, width - pad, y + block.height - 2), fill=INK,
                                          width=max(2, width // 300))  # fmt: skip
            else:
                _draw_panel(page, block, y, width, pad, font)
            y += block.height + gutter
        page.save(path, format="PNG")
    return paths


def _check_inputs(timeline: Timeline, out_path: str, width: int, max_height: int) -> None:
    if not out_path.lower().endswith(".png"):
        raise RenderError(f"out_path {out_path!r} must end in .png: the webtoon is written as PNG.")
    if not WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1]:
        raise RenderError(f"width {width} must be between {WIDTH_RANGE[0]} and {WIDTH_RANGE[1]} pixels.")
    if not 1000 <= max_height <= MAX_WEBTOON_HEIGHT:
        raise RenderError(f"max_height {max_height} must be between 1000 and {MAX_WEBTOON_HEIGHT} pixels.")
    check_panels(timeline)


def _split(blocks: list[_Block], gutter: int, max_height: int) -> list[list[_Block]]:
    parts: list[list[_Block]] = [[]]
    for block in blocks:
        if block.height + 2 * gutter > max_height:
            raise RenderError(
                f"shot {block.order}'s panel is {block.height} px tall at this width, more than the {max_height} px "
                "a PNG part may be: export at a smaller width."
            )
        if parts[-1] and _part_height([*parts[-1], block], gutter) > max_height:
            parts.append([])
        parts[-1].append(block)
    return parts


def _part_height(part: list[_Block], gutter: int) -> int:
    return sum(b.height for b in part) + gutter * (len(part) + 1)


def _part_path(out_path: str, number: int) -> str:
    path = Path(out_path)
    return str(path.with_name(f"{path.stem}_{number:02d}{path.suffix}"))


def _draw_panel(page: Image.Image, block: _Block, y: int, width: int, pad: int, font: ImageFont.FreeTypeFont) -> None:
    if block.image_path is None:
        return
    with Image.open(block.image_path) as source:
        panel = source.convert("RGB").resize((width, block.panel_height), Image.Resampling.LANCZOS)
    page.paste(panel, (0, y))
    if block.caption is None:
        return
    top = y + block.panel_height
    ImageDraw.Draw(page).rectangle((0, top, width - 1, y + block.height - 1), fill=block.caption.paper)
    draw_caption_rows(page, block.caption, list(block.rows), font, (pad, top + pad))
