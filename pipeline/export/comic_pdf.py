"""The storyboard as comic pages: a grid of bordered panels with their lines, page numbers, the title on page one,
written as one multi-page PDF by Pillow."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from pipeline.errors import RenderError
from pipeline.export.captions import (
    INK,
    PAPER,
    caption_of,
    check_panels,
    draw_caption_rows,
    draw_centered_rows,
    line_height,
)
from pipeline.fonts import FontFace, find_cjk_font
from pipeline.models import TimedShot, Timeline
from pipeline.subtitles import fit_text, load_font, wrap_text

PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0), "A5": (148.0, 210.0), "B5": (176.0, 250.0), "Letter": (215.9, 279.4),
}  # fmt: skip
DPI_RANGE = (72, 600)
CAPTION_ROWS = 3  # rows kept under each panel; longer lines shrink, then end in '…'


@dataclass(frozen=True)
class PageGrid:
    """Panels per page as columns x rows, and the page's geometry in pixels."""

    columns: int
    rows: int
    width: int
    height: int
    margin: int
    gutter: int

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


def panel_grid(aspect: float) -> tuple[int, int]:
    """(columns, rows) on a portrait page for panels of `aspect` (width / height): tall 9:16 panels three abreast
    in two rows, wide 16:9 panels one per row in three rows, square ones two by two. Each gives the panels about
    the most paper a grid of four to six leaves them (the caption rows under each panel included)."""
    if aspect < 0.8:
        return 3, 2
    if aspect > 1.25:
        return 1, 3
    return 2, 2


def export_comic_pdf(
    timeline: Timeline, out_path: str, *, title: str = "", page: str = "A4", dpi: int = 150,
    font_path: str | None = None,
) -> str:  # fmt: skip
    """Lay the timeline's panels out as comic pages and write them as one PDF.

    Args:
        timeline: the shots, in order; each needs its panel image. The grid follows its frame's aspect ratio.
        out_path: where the PDF goes (`.pdf`).
        title: printed above the panels of the first page (and stored as the PDF's title) when given.
        page: the paper size, one of PAGE_SIZES_MM (portrait).
        dpi: pixels per inch of the pages' pictures.
        font_path: a .ttf/.ttc with CJK glyphs; by default the first one installed.

    Returns:
        `out_path`.

    Raises:
        RenderError: bad arguments or a missing panel.
        MissingToolError: no CJK font.
    """
    # 1. check the inputs
    _check_inputs(timeline, out_path, page, dpi)
    width_mm, height_mm = PAGE_SIZES_MM[page]
    width, height = round(width_mm / 25.4 * dpi), round(height_mm / 25.4 * dpi)
    columns, rows = panel_grid(timeline.width / timeline.height)
    grid = PageGrid(columns=columns, rows=rows, width=width, height=height, margin=round(width * 0.06),
                    gutter=round(width * 0.025))  # fmt: skip

    # 2. draw the pages
    shots = list(timeline.shots)
    chunks = [shots[i : i + grid.per_page] for i in range(0, len(shots), grid.per_page)]
    face = find_cjk_font(font_path)
    pages = [
        _draw_page(grid, chunk, number, len(chunks), title if number == 1 else "", face)
        for number, chunk in enumerate(chunks, start=1)
    ]

    # 3. write them as one PDF
    pages[0].save(out_path, format="PDF", save_all=True, append_images=pages[1:], resolution=float(dpi),
                  quality=90, title=" ".join(title.split()), creator="ComicReel")  # fmt: skip
    return out_path


def _check_inputs(timeline: Timeline, out_path: str, page: str, dpi: int) -> None:
    if not out_path.lower().endswith(".pdf"):
        raise RenderError(f"out_path {out_path!r} must end in .pdf.")
    if page not in PAGE_SIZES_MM:
        raise RenderError(f"page {page!r} is not a known paper size; use one of {sorted(PAGE_SIZES_MM)}.")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise RenderError(f"dpi {dpi!r} must be a whole number between {DPI_RANGE[0]} and {DPI_RANGE[1]}.")
    check_panels(timeline)


def _draw_page(grid: PageGrid, shots: list[TimedShot], number: int, total: int, title: str,
               face: FontFace) -> Image.Image:  # fmt: skip
    image = Image.new("RGB", (grid.width, grid.height), PAPER)
    inner = grid.width - 2 * grid.margin
    top = grid.margin
    # the title (first page only) and the page number take their room before the grid is measured
    if title.strip():
        title_font = load_font(face, round(grid.width * 0.045))
        title_rows = wrap_text(" ".join(title.split()), title_font, inner)[:2]
        draw_centered_rows(image, title_rows, title_font, grid.margin, top, inner)
        top += len(title_rows) * line_height(title_font) + grid.gutter
    number_font = load_font(face, round(grid.width * 0.022))
    bottom = grid.height - grid.margin - line_height(number_font)
    draw_centered_rows(image, [f"{number} / {total}"], number_font, grid.margin, bottom + grid.gutter // 2, inner)

    caption_size = round(grid.width * 0.024)
    caption_height = CAPTION_ROWS * round(caption_size * 1.35) + grid.gutter // 2
    cell_w = (inner - (grid.columns - 1) * grid.gutter) // grid.columns
    cell_h = (bottom - top - (grid.rows - 1) * grid.gutter) // grid.rows
    border = max(2, grid.width // 300)
    for i, shot in enumerate(shots):
        left = grid.margin + (i % grid.columns) * (cell_w + grid.gutter)
        cell_top = top + (i // grid.columns) * (cell_h + grid.gutter)
        box = _fit(shot.image_path, cell_w - 2 * border, cell_h - caption_height - 2 * border)
        x = left + (cell_w - box[0]) // 2
        with Image.open(shot.image_path) as source:
            image.paste(source.convert("RGB").resize(box, Image.Resampling.LANCZOS), (x, cell_top + border))
        ImageDraw.Draw(image).rectangle((x - border, cell_top, x + box[0] + border - 1, cell_top + box[1] + 2 * border - 1),
                                        outline=INK, width=border)  # fmt: skip
        caption = caption_of(shot)
        if caption is not None:
            font, rows = fit_text(caption.full_text, face, max_width=cell_w, size=caption_size, max_lines=CAPTION_ROWS,
                                  min_size=caption_size * 0.7)  # fmt: skip
            caption_top = cell_top + box[1] + 2 * border + grid.gutter // 4
            if caption.narration:
                ImageDraw.Draw(image).rectangle(
                    (left, caption_top, left + cell_w - 1, caption_top + len(rows) * line_height(font)),
                    fill=caption.paper,
                )
            draw_caption_rows(image, caption, rows, font, (left, caption_top), align_width=cell_w)
    return image


def _fit(path: str, max_w: int, max_h: int) -> tuple[int, int]:
    """The panel's size scaled to fit in max_w x max_h, keeping its aspect ratio."""
    with Image.open(path) as source:
        w, h = source.size
    scale = min(max_w / w, max_h / h)
    return max(1, round(w * scale)), max(1, round(h * scale))
