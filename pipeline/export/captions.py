"""What the printed exports share: a shot's caption and how its rows are drawn (pipeline.subtitles wraps them).

Dialogue reads `speaker: line` in a white strip; narration is slanted in a pale yellow box, as comics set it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import RenderError
from pipeline.models import TimedShot, Timeline

RGB = tuple[int, int, int]
INK: RGB = (26, 26, 26)
PAPER: RGB = (255, 255, 255)
NARRATION_PAPER: RGB = (255, 246, 213)
NARRATION_INK: RGB = (74, 52, 24)
SPEAKER_INK: RGB = (176, 36, 48)
LINE_SPACING = 1.35  # line height as a multiple of the font size
SLANT = 0.2  # horizontal shift per pixel of height for the slanted narration


@dataclass(frozen=True)
class Caption:
    """The words printed with a panel: `speaker` is set only for dialogue."""

    text: str
    speaker: str | None
    narration: bool

    @property
    def full_text(self) -> str:
        return f"{self.speaker}: {self.text}" if self.speaker else self.text

    @property
    def paper(self) -> RGB:
        return NARRATION_PAPER if self.narration else PAPER


def caption_of(shot: TimedShot) -> Caption | None:
    """The shot's spoken line as a caption; None for a shot with nothing said."""
    text = " ".join(shot.subtitle.split())
    if not text:
        return None
    speaker = (shot.speaker or "").strip() or None
    return Caption(text=text, speaker=speaker if shot.kind == "dialogue" else None, narration=shot.kind == "narration")


def check_panels(timeline: Timeline) -> None:
    """Raise RenderError unless the timeline has shots and every panel image exists."""
    if not timeline.shots:
        raise RenderError("The timeline has no shots: plan the storyboard before exporting.")
    missing = [s.order for s in timeline.shots if not s.image_path or not Path(s.image_path).is_file()]
    if missing:
        raise RenderError(f"shots {missing} have no panel image: draw the panels before exporting.")


def line_height(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * LINE_SPACING)


def draw_caption_rows(
    image: Image.Image, caption: Caption, rows: list[str], font: ImageFont.FreeTypeFont, xy: tuple[int, int],
    *, align_width: int | None = None,
) -> None:  # fmt: skip
    """Draw the rows from `xy` (top left); centred in `align_width` when given. The speaker's name, which starts
    the first row, is set in red; narration is slanted."""
    x0, y = xy
    height = line_height(font)
    for i, row in enumerate(rows):
        width = font.getlength(row)
        x = x0 + (round((align_width - width) / 2) if align_width else 0)
        ink = NARRATION_INK if caption.narration else INK
        if caption.narration:
            _draw_slanted(image, row, font, (x, y), ink, height)
        else:
            draw = ImageDraw.Draw(image)
            prefix = (
                f"{caption.speaker}:" if caption.speaker and i == 0 and row.startswith(f"{caption.speaker}:") else ""
            )
            if prefix:
                draw.text((x, y), prefix, font=font, fill=SPEAKER_INK)
            draw.text((x + font.getlength(prefix), y), row[len(prefix) :], font=font, fill=ink)
        y += height


def draw_centered_rows(image: Image.Image, rows: list[str], font: ImageFont.FreeTypeFont, left: int, top: int,
                       width: int, ink: RGB = INK) -> None:  # fmt: skip
    """Rows of plain text, each centred between `left` and `left + width`, from `top` down."""
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        draw.text(
            (left + round((width - font.getlength(row)) / 2), top + i * line_height(font)), row, font=font, fill=ink
        )


def _draw_slanted(image: Image.Image, row: str, font: ImageFont.FreeTypeFont, xy: tuple[int, int], ink: RGB,
                  height: int) -> None:  # fmt: skip
    """A row drawn upright into a mask, then sheared so its top leans right (the fonts have no italic face)."""
    lean = round(SLANT * height)
    mask = Image.new("L", (round(font.getlength(row)) + lean + 2, height), 0)
    ImageDraw.Draw(mask).text((0, 0), row, font=font, fill=255)
    # output (x, y) samples the mask at (x + SLANT * y - lean): the top row moves right by `lean`, the bottom stays.
    sheared = mask.transform(mask.size, Image.Transform.AFFINE, (1, SLANT, -lean, 0, 1, 0), Image.Resampling.BILINEAR)
    image.paste(Image.new("RGB", mask.size, ink), (xy[0], xy[1]), sheared)
