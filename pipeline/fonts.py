"""Fonts for on-screen text: a CJK font that draws both Hanzi and Latin letters (Noto Sans CJK SC by default), the
fallback fonts for what it lacks (emoji, symbols), and which characters a font can draw (its cmap, read with
fontTools), so that no glyph is drawn as an empty box."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from pipeline.errors import MissingToolError

# (path, face index): in the Noto CJK collections index 2 is Simplified Chinese.
_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
)
# Where characters the CJK font lacks are looked for, in this order: colour emoji first (a bitmap font, drawn at its
# one size and scaled), then outline emoji and symbol fonts. DejaVu Sans (installed with most desktops and with
# matplotlib's Debian package) has the common emoji faces and hearts in black and white.
_FALLBACKS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/truetype/noto/NotoEmoji-Regular.ttf",
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
BITMAP_EMOJI_SIZE = 109  # the one pixel size Noto Color Emoji's bitmaps exist at


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int
    family: str  # the name libass looks up in the fonts directory

    @property
    def directory(self) -> str:
        return str(Path(self.path).parent)


@functools.cache
def find_cjk_font(preferred: str | None = None) -> FontFace:
    """Return the configured font, else the first CJK font installed.

    Raises:
        MissingToolError: no CJK font is installed; says which package or setting fixes it.
    """
    candidates: tuple[tuple[str, int], ...] = ((preferred, 0),) if preferred else _CANDIDATES
    for path, index in candidates:
        if Path(path).is_file():
            family = "Noto Sans CJK SC" if "NotoSansCJK" in path else "Noto Serif CJK SC" if "NotoSerif" in path else ""
            if not family:
                family = ImageFont.truetype(path, 12, index=index).getname()[0] or Path(path).stem
            return FontFace(path=path, index=index, family=family)
    where = f"COMICREEL_FONT_PATH={preferred!r} does not exist" if preferred else "no CJK font is installed"
    raise MissingToolError(
        f"{where}: install one (Debian: apt-get install fonts-noto-cjk) or set COMICREEL_FONT_PATH to a .ttf/.ttc file."
    )


@functools.cache
def find_fallback_fonts() -> tuple[FontFace, ...]:
    """The installed fonts that draw what the main font lacks (emoji, symbols), in the order they are tried; empty
    when none is installed (then such characters are dropped, with a warning). Install fonts-noto-color-emoji for
    colour emoji."""
    return tuple(FontFace(path=path, index=0, family=Path(path).stem) for path in _FALLBACKS if Path(path).is_file())


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError):
        return frozenset()  # a font fontTools cannot read draws nothing we can vouch for


def glyph_coverage(font: FontFace | ImageFont.FreeTypeFont | str) -> frozenset[int]:
    """The code points `font` has a glyph for (a FontFace, a loaded Pillow font, or a path to a .ttf/.otf)."""
    if isinstance(font, FontFace):
        return _cmap(font.path, font.index)
    if isinstance(font, ImageFont.FreeTypeFont):
        return _cmap(str(font.path), font.index)
    return _cmap(font, 0)


def needs_glyph(char: str) -> bool:
    """Whether `char` is drawn at all: spaces, controls, joiners and variation selectors shape others or nothing."""
    code = ord(char)
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf") or 0xFE00 <= code <= 0xFE0F
                or 0xE0100 <= code <= 0xE01EF)  # fmt: skip


def missing_glyphs(text: str, font: FontFace | ImageFont.FreeTypeFont | str) -> set[str]:
    """The characters of `text` that `font` has no glyph for (they would be drawn as an empty box)."""
    covered = glyph_coverage(font)
    return {char for char in text if needs_glyph(char) and ord(char) not in covered}
