"""Lettering: text drawn over the picture with every glyph present. `Ink` (a font at one size and its fallbacks)
measures and draws a line whose characters each come from the first font that has them; `wrap_rows` breaks text as
Chinese and English typesetting do (kinsoku, hyphens only inside words longer than a row); `fit_rows` shrinks a text
until it fits a number of rows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from PIL import Image, ImageDraw, ImageFont

from pipeline.fonts import BITMAP_EMOJI_SIZE, FontFace, find_fallback_fonts, glyph_coverage, needs_glyph

RGBA = tuple[int, int, int, int]
Pen = TypeVar("Pen")

# Kinsoku shori: marks that never open a row, and marks that never end one.
NO_ROW_START = frozenset("，。、！？；：,.!?;:)）」』”’…—〕】》〉｝〗〙〛・～")
NO_ROW_END = frozenset("“‘（(「『《〈【〔｛〖〘〚")
_HYPHEN_POINT = re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])")  # after a hyphen between two letters: well-|known


class Ink:
    """The main font and its fallbacks at one size. Each character is drawn with the first font that has a glyph for
    it; `printable` first drops what none has (the caller turns those into warnings)."""

    def __init__(self, face: FontFace, size: float, fallbacks: tuple[FontFace, ...] | None = None) -> None:
        self.faces = (face, *(find_fallback_fonts() if fallbacks is None else fallbacks))
        self.size = max(1, round(size))
        self._covers = [glyph_coverage(f) for f in self.faces]
        self._fonts: dict[int, tuple[ImageFont.FreeTypeFont, float]] = {}
        self._lengths: dict[str, float] = {}  # wrapping measures the same beginnings of rows again and again

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        """The main font (vertical metrics and line height come from it)."""
        return self._load(0)[0]

    def _load(self, i: int) -> tuple[ImageFont.FreeTypeFont, float]:
        """Font i and the scale it is drawn at: 1, except a bitmap font (colour emoji), which exists at one size."""
        if i not in self._fonts:
            face = self.faces[i]
            try:
                self._fonts[i] = (ImageFont.truetype(face.path, self.size, index=face.index), 1.0)
            except OSError:  # FreeType refuses sizes a bitmap-only font has no strike for
                font = ImageFont.truetype(face.path, BITMAP_EMOJI_SIZE, index=face.index)
                self._fonts[i] = (font, self.size / BITMAP_EMOJI_SIZE)
        return self._fonts[i]

    def which(self, char: str) -> int | None:
        """The index of the first font that draws `char` (0 for what needs no glyph), None when none does."""
        if not needs_glyph(char):
            return 0
        code = ord(char)
        return next((i for i, covered in enumerate(self._covers) if code in covered), None)

    def printable(self, text: str) -> tuple[str, set[str]]:
        """`text` without the characters no font can draw (and without invisible joiners and variation selectors,
        which a face without them would draw as boxes), and the characters dropped."""
        dropped = {char for char in text if self.which(char) is None}
        kept = "".join(c for c in text if c not in dropped and (needs_glyph(c) or c.isspace()))
        return kept, dropped

    def runs(self, text: str) -> list[tuple[str, int]]:
        """`text` cut into runs of characters drawn with the same font: (run, font index)."""
        runs: list[tuple[str, int]] = []
        for char in text:
            i = self.which(char)
            i = 0 if i is None else i
            if runs and (runs[-1][1] == i or not needs_glyph(char)):
                runs[-1] = (runs[-1][0] + char, runs[-1][1])
            else:
                runs.append((char, i))
        return runs

    def length(self, text: str) -> float:
        """The advance width of `text` in pixels."""
        if text not in self._lengths:
            total = 0.0
            for run, i in self.runs(text):
                font, scale = self._load(i)
                total += font.getlength(run) * scale
            self._lengths[text] = total
        return self._lengths[text]

    def draw(
        self, image: Image.Image, xy: tuple[float, float], text: str, fill: RGBA, *, anchor: str = "mm",
        stroke: int = 0, stroke_fill: RGBA | None = None,
    ) -> None:  # fmt: skip
        """Draw one row of `text` at `xy`; `anchor` is Pillow's two letters, horizontal (l, m, r) then vertical
        (m: the middle between ascender and descender, s: the baseline) of the main font."""
        runs = self.runs(text)
        draw = ImageDraw.Draw(image)
        if len(runs) == 1 and runs[0][1] == 0:
            _draw_run(draw, xy, text, self.font, fill, anchor, stroke, stroke_fill)
            return
        ascent, descent = self.font.getmetrics()
        x, y = xy
        baseline = y + (ascent - descent) / 2 if anchor[1] == "m" else y
        width = self.length(text)
        x -= {"l": 0.0, "m": width / 2, "r": width}[anchor[0]]
        for run, i in runs:
            font, scale = self._load(i)
            if scale == 1.0:
                _draw_run(draw, (x, baseline), run, font, fill, "ls", stroke, stroke_fill)
            else:
                _draw_scaled_run(image, (x, baseline), run, font, scale)
            x += font.getlength(run) * scale


def _draw_run(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont, fill: RGBA,
    anchor: str, stroke: int, stroke_fill: RGBA | None, *, colour_glyphs: bool = False,
) -> None:  # fmt: skip
    """Every glyph drawn over the picture goes through here (the coverage test watches it)."""
    draw.text(xy, text, font=font, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=stroke_fill,
              embedded_color=colour_glyphs)  # fmt: skip


def _draw_scaled_run(
    image: Image.Image, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont, scale: float
) -> None:
    """A run of a bitmap colour font: drawn at its own size in its own colours, scaled, laid on the baseline."""
    left, top, right, bottom = (round(v) for v in font.getbbox(text, anchor="ls"))
    if right <= left or bottom <= top:
        return
    sprite = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    _draw_run(ImageDraw.Draw(sprite), (-left, -top), text, font, (0, 0, 0, 255), "ls", 0, None, colour_glyphs=True)
    size = (max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale)))
    sprite = sprite.resize(size, Image.Resampling.LANCZOS)
    image.alpha_composite(sprite, (max(0, round(xy[0] + left * scale)), max(0, round(xy[1] + top * scale))))


def draw_rows(
    image: Image.Image, rows: list[str], ink: Ink, centre_x: float, top: float, line_h: float, fill: RGBA, *,
    stroke: tuple[int, RGBA] | None = None,
) -> None:  # fmt: skip
    """Rows centred on `centre_x`, the first row's line box starting at `top`."""
    for i, row in enumerate(rows):
        ink.draw(image, (centre_x, top + line_h * (i + 0.5)), row, fill, anchor="mm",
                 stroke=stroke[0] if stroke else 0, stroke_fill=stroke[1] if stroke else None)  # fmt: skip


def glyph_warning(dropped: set[str], where: str) -> str:
    """The warning for characters no installed font draws."""
    chars = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(dropped))
    return (f"{where}: no installed font draws {chars}; left out (install fonts-noto-color-emoji for emoji, or "
            "set COMICREEL_FONT_PATH to a font that has them).")  # fmt: skip


# ---------------------------------------------------------------------------------------------------- wrapping


def _wide(char: str) -> bool:
    """Hanzi, kana, full-width marks and emoji: a row may break before or after any of them."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(paragraph: str) -> list[str]:
    """Single spaces, single wide characters, and words (runs of everything else, cut after an inner hyphen)."""
    tokens: list[str] = []
    word: list[str] = []

    def flush() -> None:
        if word:
            tokens.extend(_HYPHEN_POINT.split("".join(word)))
            word.clear()

    for char in paragraph:
        if char.isspace() or _wide(char):
            flush()
            tokens.append(char)
        else:
            word.append(char)
    flush()
    return tokens


def _hyphenate(word: str, measure: Callable[[str], float], max_width: float) -> list[str]:
    """A word wider than a row cut into pieces that fit, each but the last ending with a hyphen."""
    pieces: list[str] = []
    rest = word
    while len(rest) > 1 and measure(rest) > max_width:
        cut = len(rest) - 1
        while cut > 1 and measure(rest[:cut] + "-") > max_width:
            cut -= 1
        cut = min(cut, max(1, len(rest) - 2)) if len(rest) > 3 else cut  # never leave one letter alone
        pieces.append(rest[:cut] + ("" if rest[cut - 1] == "-" else "-"))
        rest = rest[cut:]
    return [*pieces, rest]


def wrap_rows(text: str, measure: Callable[[str], float], max_width: float) -> list[str]:
    """Break `text` into rows no wider than `max_width` as `measure` (a font's advance width) counts them.

    Latin words break at spaces (and after a hyphen inside a word); a word wider than a row alone is hyphenated.
    Hanzi break between any two, except that no row opens with a closing mark (，。！？、）」』…) nor ends with an
    opening one (（「『): the character before it moves down with it. Newlines in `text` are kept.
    """
    rows: list[str] = []
    for paragraph in text.splitlines():
        row: list[str] = []
        for token in _tokens(paragraph):
            if token.isspace():
                if row:
                    row.append(token)
                continue
            if measure("".join(row) + token) <= max_width:
                row.append(token)
                continue
            if len(token) > 1 and measure(token) > max_width:  # a word longer than a row: hyphenated
                if "".join(row).strip():
                    rows.append("".join(row).strip())
                *whole, last = _hyphenate(token, measure, max_width)
                rows += whole
                row = [last]
                continue
            carry = _kinsoku_carry(row, token)
            if carry and measure("".join(carry) + token) > max_width:  # rows narrower than three marks: give up
                row, carry = row + carry, []
            if "".join(row).strip():
                rows.append("".join(row).strip())
            row = [*carry, token]
            while row and row[0].isspace():
                row.pop(0)
        if "".join(row).strip():
            rows.append("".join(row).strip())
    return rows


def _kinsoku_carry(row: list[str], token: str) -> list[str]:
    """What moves from the end of `row` to the next row so that the next row does not open with a closing mark and
    `row` does not end with an opening one (`row` is shortened in place; it keeps at least one token)."""
    carry: list[str] = []
    while sum(not t.isspace() for t in row) > 1:
        opener = next(t for t in (*carry, token) if not t.isspace())[0]
        if opener not in NO_ROW_START and "".join(row).rstrip()[-1] not in NO_ROW_END:
            break
        while row[-1].isspace():
            carry.insert(0, row.pop())
        carry.insert(0, row.pop())
    return carry


def balance_rows(text: str, ink: Ink, max_width: float, rows: list[str]) -> list[str]:
    """`text` in as many rows as `rows` but as even as they go (a bubble's last row is not left with one word): the
    rows at the narrowest width, down to half of `max_width`, that needs no more rows and no more hyphens."""
    best, low, high = rows, max_width * 0.5, max_width
    hyphens = sum(row.endswith("-") for row in rows)
    for _ in range(5):  # to a 64th of the width
        middle = (low + high) / 2
        trial = wrap_rows(text, ink.length, middle)
        if len(trial) <= len(rows) and sum(row.endswith("-") for row in trial) <= hyphens:
            best, high = trial, middle
        else:
            low = middle
    return best


def fit_rows(
    text: str, face: FontFace, *, max_width: float, size: float, max_lines: int, min_size: float | None = None,
    max_rows: int | None = None,
) -> tuple[Ink, list[str]]:  # fmt: skip
    """`shrink_to_fit` with `Ink` (fallback fonts): `text` should be `Ink.printable` already."""
    return shrink_to_fit(text, lambda at: Ink(face, at), lambda ink: ink.length, max_width=max_width, size=size,
                         max_lines=max_lines, min_size=min_size, max_rows=max_rows)  # fmt: skip


def shrink_to_fit(
    text: str, pen_at: Callable[[float], Pen], measure: Callable[[Pen], Callable[[str], float]], *, max_width: float,
    size: float, max_lines: int, min_size: float | None = None, max_rows: int | None = None,
) -> tuple[Pen, list[str]]:  # fmt: skip
    """Wrap `text` at the largest size from `size` down to `min_size` (steps of 8 %) that needs at most `max_lines`
    rows, with the pen `pen_at(size)` gives and the widths `measure(pen)` counts. If even `min_size` needs more, rows
    past `max_rows` (default `max_lines`) are cut and the last kept row ends with '…'.

    Returns:
        The pen at the chosen size and the rows.
    """
    floor = min_size if min_size is not None else size * 0.6
    while True:
        pen = pen_at(size)
        length = measure(pen)
        rows = wrap_rows(text, length, max_width)
        if len(rows) <= max_lines or size <= floor:
            break
        size = max(size * 0.92, floor)
    limit = max(1, max_rows if max_rows is not None else max_lines)
    if len(rows) > limit:
        last = rows[limit - 1]
        while last and length(last + "…") > max_width:
            last = last[:-1]
        rows = rows[: limit - 1] + [last.rstrip() + "…"]
    return pen, rows
