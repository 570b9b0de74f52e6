"""Find a font that draws both Hanzi and Latin letters (Noto Sans CJK SC by default)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

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
                from PIL import ImageFont

                family = ImageFont.truetype(path, 12, index=index).getname()[0] or Path(path).stem
            return FontFace(path=path, index=index, family=family)
    where = f"COMICREEL_FONT_PATH={preferred!r} does not exist" if preferred else "no CJK font is installed"
    raise MissingToolError(
        f"{where}: install one (Debian: apt-get install fonts-noto-cjk) or set COMICREEL_FONT_PATH to a .ttf/.ttc file."
    )
