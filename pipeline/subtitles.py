"""Subtitle cues from a timeline, written as SRT (for download) and styled ASS (burnt in by libass) and read back
for import; and the one text wrapper (`wrap_text`, `fit_text`) that every piece of on-screen text is laid out with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

import pysubs2
from PIL import ImageFont

from pipeline.errors import RenderError
from pipeline.fonts import FontFace, find_cjk_font
from pipeline.lettering import shrink_to_fit, wrap_rows
from pipeline.models import Timeline
from pipeline.presets import SUBTITLE_STYLES, SafeZone

CueKind = Literal["dialogue", "narration", "caption"]  # caption: a line typed in by hand, not spoken by anyone
CUE_KINDS: tuple[str, ...] = get_args(CueKind)
VOICE_HOLD = 0.3  # seconds a cue stays up after its voice ends (never past its shot)
DEFAULT_SAFE = SafeZone(top=0.05, bottom=0.05, left=0.05, right=0.05)

# A Latin word with its trailing spaces, a run of spaces, or any other single character (a Hanzi, a mark).
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class Cue:
    """One line of text on screen: when, what, who says it, and which shot it belongs to."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    kind: str = "dialogue"  # one of CUE_KINDS
    shot_order: int | None = None


def subtitle_cues(timeline: Timeline) -> list[Cue]:
    """One cue per voiced shot, shown from the moment its voice starts until `VOICE_HOLD` after it ends."""
    cues = []
    for shot in timeline.shots:
        if shot.voice and shot.subtitle.strip():
            start = shot.start + shot.voice_offset
            end = min(shot.start + shot.duration, start + shot.voice.duration + VOICE_HOLD)
            kind = "narration" if shot.kind == "narration" else "dialogue"
            cues.append(Cue(start=round(start, 3), end=round(end, 3), text=shot.subtitle.strip(),
                            speaker=shot.speaker, kind=kind, shot_order=shot.order))  # fmt: skip
    return cues


def check_style(style: str) -> None:
    """Raises RenderError when `style` is not one of `SUBTITLE_STYLES`."""
    if style not in SUBTITLE_STYLES:
        raise RenderError(f"Subtitle style {style!r} is not one of {', '.join(SUBTITLE_STYLES)}: pick one of those.")


# ---------------------------------------------------------------------------------------------------- wrapping


def load_font(face: FontFace, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, max(1, round(size)), index=face.index)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break `text` into rows no wider than `max_width` pixels when drawn in `font` (pipeline.lettering.wrap_rows:
    kinsoku for Chinese, Latin words whole unless one alone is wider than a row). Newlines in `text` are kept."""
    return wrap_rows(text, font.getlength, max_width)


def fit_text(
    text: str, face: FontFace, *, max_width: float, size: float, max_lines: int, min_size: float | None = None,
    max_rows: int | None = None,
) -> tuple[ImageFont.FreeTypeFont, list[str]]:  # fmt: skip
    """`text` in the largest font size that fits (pipeline.lettering.shrink_to_fit), with `face` alone."""
    return shrink_to_fit(text, lambda at: load_font(face, at), lambda font: font.getlength, max_width=max_width,
                         size=size, max_lines=max_lines, min_size=min_size, max_rows=max_rows)  # fmt: skip


# ---------------------------------------------------------------------------------------------------- SRT and ASS


@dataclass(frozen=True)
class _Look:
    """An ASS style preset. Sizes are fractions: `size` of the frame's short side, `outline`/`shadow` of the size."""

    size: float
    bold: bool
    colour: tuple[int, int, int]
    outline_colour: pysubs2.Color  # alpha 0 is opaque; with border_style 3 this is the box's colour
    shadow_colour: pysubs2.Color
    border_style: int  # 1: outline and drop shadow, 3: an opaque box behind each row
    outline: float
    shadow: float


_LOOKS: dict[str, _Look] = {
    "simple": _Look(0.068, False, (255, 255, 255), pysubs2.Color(20, 20, 20), pysubs2.Color(0, 0, 0, 120), 1, 0.06, 0.04),
    "bold": _Look(0.078, True, (255, 255, 255), pysubs2.Color(0, 0, 0), pysubs2.Color(0, 0, 0), 1, 0.13, 0.0),
    "boxed": _Look(0.065, False, (250, 250, 250), pysubs2.Color(0, 0, 0, 90), pysubs2.Color(0, 0, 0, 255), 3, 0.25, 0.0),
    "yellow": _Look(0.074, True, (255, 222, 40), pysubs2.Color(10, 10, 10), pysubs2.Color(0, 0, 0, 100), 1, 0.10, 0.06),
    "comic": _Look(0.080, True, (255, 255, 255), pysubs2.Color(25, 20, 40), pysubs2.Color(228, 40, 96), 1, 0.10, 0.12),
}  # fmt: skip
_STYLE_NAMES = {kind: kind.capitalize() for kind in CUE_KINDS}  # an event's style says which kind of line it is
_MAX_LINES = 3  # rows before the font shrinks
_MAX_HEIGHT = 0.45  # of the safe box's height: a cue never climbs higher (rows past it are cut)


def write_srt(cues: list[Cue], path: str) -> None:
    """Write the cues as SubRip (UTF-8), text as given (newlines kept, no markup)."""
    subs = pysubs2.SSAFile()
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=_ms(cue.start), end=_ms(cue.end), text=cue.text.replace("\n", r"\N")))
    subs.save(path, encoding="utf-8", format_="srt", keep_ssa_tags=True)


def write_ass(
    cues: list[Cue], path: str, *, width: int, height: int, font_family: str, style: str = "simple",
    safe: SafeZone | None = None, font_path: str | None = None,
) -> None:  # fmt: skip
    """Write the cues as ASS for libass at `width` x `height`, centred at the bottom of the safe box.

    Every row, outline, shadow and box included, stays inside `safe.box(width, height)` (5 % each side when None):
    rows are wrapped to the safe width as measured with the font at `font_path` (the default CJK font when None),
    a long cue shrinks to fit `_MAX_LINES` rows, and one that still climbs past `_MAX_HEIGHT` of the box is cut.

    Raises:
        RenderError: `style` is not one of `SUBTITLE_STYLES`, or the frame size is not positive.
    """
    # 1. Check inputs, then work out the look and the room in pixels.
    check_style(style)
    if width <= 0 or height <= 0:
        raise RenderError(f"Subtitle frame size {width}x{height} must be positive.")
    look, face = _LOOKS[style], find_cjk_font(font_path)
    x0, y0, x1, y1 = (safe or DEFAULT_SAFE).box(width, height)
    # libass sizes a font by its ascender + descender, Pillow by its em: wrap in whole em pixels and give libass the
    # matching (fractional) size, so that what was measured is what is drawn.
    em_per_size = 1000 / sum(load_font(face, 1000).getmetrics())
    em = max(4, round(look.size * min(width, height) * em_per_size))
    size = em / em_per_size
    reach = size * (look.outline + look.shadow) + 2  # how far outline and shadow (or the box) reach past the glyphs
    margin_l, margin_r, margin_v = round(x0 + reach), round(width - x1 + reach), round(height - y1 + reach)
    room_w, room_h = (width - margin_l - margin_r) * 0.97, (y1 - y0) * _MAX_HEIGHT - 2 * reach

    # 2. One style per kind of line, all with the same look.
    subs = pysubs2.SSAFile()
    subs.styles.clear()  # no unused "Default" style
    subs.info.update(
        {"PlayResX": str(width), "PlayResY": str(height), "WrapStyle": "2", "ScaledBorderAndShadow": "yes"}
    )
    for name in _STYLE_NAMES.values():
        subs.styles[name] = pysubs2.SSAStyle(
            fontname=font_family, fontsize=round(size, 2), primarycolor=pysubs2.Color(*look.colour),
            outlinecolor=look.outline_colour, backcolor=look.shadow_colour, bold=look.bold,
            borderstyle=look.border_style, outline=round(size * look.outline, 1), shadow=round(size * look.shadow, 1),
            alignment=pysubs2.Alignment.BOTTOM_CENTER, marginl=margin_l, marginr=margin_r, marginv=margin_v,
        )  # fmt: skip

    # 3. Each cue wrapped to the room, shrunk (down to 70 %) to fit `_MAX_LINES` rows, cut if it would climb too high.
    smallest = round(em * 0.7)
    rows_fit = max(_MAX_LINES, int(room_h // (smallest / em_per_size)))
    for cue in cues:
        font, rows = fit_text(cue.text, face, max_width=room_w, size=em, max_lines=_MAX_LINES, min_size=smallest,
                              max_rows=rows_fit)  # fmt: skip
        shrunk = "" if font.size == em else f"{{\\fs{font.size / em_per_size:.2f}}}"
        text = shrunk + r"\n".join(_escape_ass(row) for row in rows)
        subs.append(pysubs2.SSAEvent(start=_ms(cue.start), end=_ms(cue.end), text=text,
                                     style=_STYLE_NAMES.get(cue.kind, "Dialogue"), name=cue.speaker or ""))  # fmt: skip
    subs.save(path, encoding="utf-8", format_="ass")


def read_cues(path: str) -> list[Cue]:
    """Load an SRT or ASS file (anything pysubs2 reads) back as cues: text without markup, speaker from the ASS
    Name field, kind from the ASS style name; rows wrapped by `write_ass` are joined again.

    Raises:
        RenderError: the file cannot be read or parsed as subtitles.
    """
    try:
        subs = pysubs2.load(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pysubs2.exceptions.Pysubs2Error) as exc:
        raise RenderError("The subtitle file could not be read: upload an SRT or ASS file in UTF-8.",
                          detail=f"{path}: {exc}") from exc  # fmt: skip
    substation = subs.format in ("ass", "ssa")
    cues = []
    for event in subs:
        if event.is_comment:
            continue
        text = _unescape_ass(event.text) if substation else _plain_srt(event.text)
        kind = event.style.lower() if event.style.lower() in CUE_KINDS else "dialogue"
        cues.append(Cue(start=event.start / 1000, end=event.end / 1000, text=text, speaker=event.name or None,
                        kind=kind))  # fmt: skip
    return cues


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _escape_ass(text: str) -> str:
    r"""Make `text` literal for libass: braces would open override blocks and \N \n \h are commands, so a
    backslash before one of those gets a word joiner (invisible) after it, and braces become \{ and \}."""
    text = re.sub(r"\\(?=[Nnh{}])", "\\\\\u2060", text)
    return text.replace("{", r"\{").replace("}", r"\}").replace("\n", r"\N")


def _unescape_ass(text: str) -> str:
    """The inverse of `_escape_ass` for a whole event: drops override blocks, turns hard breaks into newlines and
    joins soft breaks (a space between Latin words, nothing next to a Hanzi)."""
    text = re.sub(r"(?<!\\)\{[^{}]*(?<!\\)\}", "", text)  # override blocks; escaped braces stay
    text = text.replace(r"\N", "\n").replace(r"\h", "\u00a0")
    text = re.sub(r"(.?)\\n(.?)", lambda m: m[1] + ("" if _CJK.match(m[1] or "a") or _CJK.match(m[2] or "a")
                                                    else " ") + m[2], text)  # fmt: skip
    return text.replace(r"\{", "{").replace(r"\}", "}").replace("\\\u2060", "\\")


def _plain_srt(text: str) -> str:
    """pysubs2 turns SRT's <i>, <b>, <u>, <s> into override tags and newlines into \\N: undo just that."""
    return re.sub(r"\{\\[ibus][01]\}", "", text).replace(r"\N", "\n")
