"""Text the renderer lays over the video, each a transparent RGBA layer the size of the frame: a shot's lettering
(text_mode "bubbles" or "both": its line as a speech bubble, a thought cloud or a narration caption, its sound cues
as onomatopoeia), the watermark and the opening title; and the cover thumbnail. Everything drawn stays inside the
platform's safe box, lettering keeps off every face, and every glyph comes from a font that has it (what none has is
left out, with a warning)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from pipeline.bubbles import LOOKS, Look, draw_bubble, draw_caption, is_thought, without_thought_tag
from pipeline.errors import RenderError
from pipeline.fonts import FontFace, find_cjk_font
from pipeline.framing import Framing, Room
from pipeline.lettering import Ink, draw_rows, fit_rows, glyph_warning
from pipeline.presets import CORNERS, TEXT_MODES, SafeZone, Watermark
from pipeline.sound_words import draw_sound_word, language_of, sound_word
from pipeline.subtitles import CUE_KINDS, Cue, check_style

RGBA = tuple[int, int, int, int]
_CLEAR: RGBA = (0, 0, 0, 0)
SOUND_SIZE = 0.12  # onomatopoeia lettering, as a fraction of the frame's short side
MAX_SOUND_WORDS = 2  # a shot's first cues get lettered; more would crowd the panel


@dataclass(frozen=True)
class Lettering:
    """A shot's lettering layer and what went wrong drawing it (characters no installed font has, sound words with
    no room left): warnings for the render job to show."""

    image: Image.Image
    warnings: tuple[str, ...] = ()


def shot_layer(
    shot: Any, cue: Cue | None, *, width: int, height: int, safe: SafeZone, text_mode: str = "bubbles",
    style: str = "simple", font_path: str | None = None, language: str | None = None,
) -> Lettering:  # fmt: skip
    """Everything lettered over one shot (a TimedShot) while its panel is whole, when `text_mode` shows bubbles:
    `cue` (its line; None: no line) as a speech bubble pointing at the speaker's mouth, a thought cloud
    (`is_thought`) or a narration caption, then the shot's `sound_effects` as onomatopoeia in `language` ("zh",
    "en"; by default the line's own). In text mode "subtitles" the layer is empty (libass draws the line).

    Raises:
        RenderError: an unknown text mode, `style` or cue kind, or a frame size that is not positive.
    """
    if text_mode not in TEXT_MODES:
        raise RenderError(f"text_mode {text_mode!r} is not one of {', '.join(TEXT_MODES)}.")
    check_style(style)
    _check_size(width, height)
    layer = Image.new("RGBA", (width, height), _CLEAR)
    if text_mode == "subtitles":
        return Lettering(layer)
    language = language or language_of(cue.text if cue else "")
    warnings = _letter(layer, cue, Framing.of_shot(shot, width, height), safe=safe, style=style,
                       font=find_cjk_font(font_path), thought=cue is not None and is_thought(shot),
                       sounds=tuple(getattr(shot, "sound_effects", ()))[:MAX_SOUND_WORDS], language=language,
                       where=f"shot {getattr(shot, 'order', '?')}", who=getattr(shot, "speaker", None))  # fmt: skip
    return Lettering(layer, tuple(warnings))


def text_layer(
    cue: Cue, *, width: int, height: int, safe: SafeZone, anchor: tuple[float, float] | None, style: str = "simple",
    font_path: str | None = None,
) -> Image.Image:  # fmt: skip
    """One line on a transparent layer, its speaker's head at `anchor` ((x, y) fractions of the frame; None: not in
    frame): a speech bubble (dialogue) or a caption box (narration, caption). `shot_layer` letters a whole shot
    (faces, mouths, thoughts, sound cues); this is the same lettering with only a head to go by.

    Raises:
        RenderError: an unknown `style` or cue kind, or a frame size that is not positive.
    """
    check_style(style)
    _check_size(width, height)
    layer = Image.new("RGBA", (width, height), _CLEAR)
    anchors = {cue.speaker or "": anchor} if anchor else {}
    _letter(layer, cue, Framing.build(width, height, anchors=anchors), safe=safe, style=style,
            font=find_cjk_font(font_path))  # fmt: skip
    return layer


def text_warnings(texts: Iterable[str], where: str, font_path: str | None = None) -> list[str]:
    """Warnings for the characters of `texts` that no installed font draws (the title and watermark: their layers
    leave those characters out)."""
    dropped = set().union(*(Ink(find_cjk_font(font_path), 12).printable(t)[1] for t in texts))
    return [glyph_warning(dropped, where)] if dropped else []


def _letter(
    layer: Image.Image, cue: Cue | None, framing: Framing, *, safe: SafeZone, style: str, font: FontFace,
    thought: bool = False, sounds: tuple[str, ...] = (), language: str | None = None, where: str = "a line",
    who: str | None = None,
) -> list[str]:  # fmt: skip
    """Draw a line (said or thought by `who`, by default its cue's speaker) and sound words on `layer`; returns the
    warnings."""
    if cue is not None and cue.kind not in CUE_KINDS:
        raise RenderError(f"Cue kind {cue.kind!r} is not one of {', '.join(CUE_KINDS)}.")
    width, height = layer.size
    look: Look = LOOKS[style]
    room = Room.of(width, height, safe.box(width, height), framing)
    ink = Ink(font, 12)  # only to find what no font draws
    warnings: list[str] = []

    def printable(text: str, what: str) -> str:
        kept, dropped = ink.printable(text)
        if dropped:
            warnings.append(glyph_warning(dropped, f"{where}, {what}"))
        return kept.strip()

    text = printable(without_thought_tag(cue.text) if thought and cue else cue.text if cue else "", "the line")
    if cue is not None and text:
        if cue.kind != "dialogue":  # narration and hand-typed captions
            room = room.with_avoid(draw_caption(layer, text, font, look, room))
        else:
            name = printable(cue.speaker or "", "the speaker's name") or None
            room = room.with_avoid(draw_bubble(layer, text, font, look, room, framing, who=who or cue.speaker,
                                               name=name, thought=thought))  # fmt: skip
    for cue_word in sounds:
        word = printable(sound_word(cue_word, language), f"the sound {cue_word!r}")
        placed = draw_sound_word(layer, word, font, look, room, size=SOUND_SIZE * min(width, height))
        if placed is not None:
            room = room.with_avoid(placed)
        elif word:
            warnings.append(f"{where}: no room for the sound word {word!r} away from faces and text; left out.")
    return warnings


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
        text = _printable(mark.text, face)
        if not text:
            return layer
        ink, rows = fit_rows(text, face, max_width=0.5 * (x1 - x0), size=0.032 * unit, max_lines=1)
        stroke = max(1, round(ink.size / 14))
        ascent, descent = ink.font.getmetrics()
        picture = Image.new("RGBA", (math.ceil(ink.length(rows[0])) + 2 * stroke, ascent + descent + 2 * stroke),
                            _CLEAR)  # fmt: skip
        ink.draw(picture, (stroke, stroke + ascent), rows[0], (255, 255, 255, 255), anchor="ls", stroke=stroke,
                 stroke_fill=(0, 0, 0, 255))  # fmt: skip
        box = picture.getbbox()
        picture = picture.crop(box) if box else picture
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
    face = find_cjk_font(font_path)
    title = _printable(title, face)
    if not title:
        return layer
    x0, y0, x1, y1 = safe.box(width, height)
    unit = min(width, height)
    ink, rows = fit_rows(title, face, max_width=(x1 - x0) * 0.9, size=0.075 * unit, max_lines=2,
                         min_size=0.035 * unit)  # fmt: skip
    line_h, pad = ink.size * 1.3, ink.size * 0.45
    band_h = line_h * len(rows) + 2 * pad
    top = max(y0, y0 + (y1 - y0) / 6 - band_h / 2)
    draw = ImageDraw.Draw(layer)
    draw.rectangle([x0, top, x1 - 1, top + band_h], fill=(0, 0, 0, 150))
    accent = max(2, round(ink.size * 0.08))
    draw.rectangle([x0, top + band_h - accent, x1 - 1, top + band_h], fill=(255, 214, 40, 230))
    draw_rows(layer, rows, ink, (x0 + x1) / 2, top + pad, line_h, (255, 255, 255, 255),
              stroke=(max(1, round(ink.size * 0.05)), (0, 0, 0, 255)))  # fmt: skip
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
    face = find_cjk_font(font_path)
    title = _printable(title, face)
    if not title:
        return cover.convert("RGB")
    unit = min(width, height)
    ink, rows = fit_rows(title, face, max_width=width * 0.86, size=0.1 * unit, max_lines=3, min_size=0.05 * unit)
    line_h = ink.size * 1.25
    bottom = height * (0.8 if height > width else 0.9)
    top = bottom - line_h * len(rows)
    fade_from = max(0.0, top - line_h)  # a darkening gradient: clear above the text, 70 % black from it down
    column = Image.new("L", (1, height))
    column.putdata([0 if y < fade_from else min(180, round(180 * (y - fade_from) / line_h)) for y in range(height)])
    shade = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    shade.putalpha(column.resize((width, height)))
    cover.alpha_composite(shade)
    draw_rows(cover, rows, ink, width / 2, top, line_h, (255, 222, 40, 255),
              stroke=(max(2, round(ink.size * 0.09)), (0, 0, 0, 255)))  # fmt: skip
    return cover.convert("RGB")


# ---------------------------------------------------------------------------------------------------- helpers


def _printable(text: str, face: FontFace) -> str:
    """`text` without what no font draws (`text_warnings` reports it)."""
    return Ink(face, 12).printable(text)[0].strip()


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
