"""The text a diffusion model gets for a panel, assembled at draw time from the request: the style's words, framing
from the camera, each framed character from its structured appearance, the action (or the creator's own words),
place, time of day and weather. CLIP reads 77 tokens; the low-priority parts go first when it is too long, and
the characters last. No names (the model does not know them) and no words it cannot read (non-Latin script)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.appearance import appearance_of
from pipeline.emotions import emotion_of
from pipeline.errors import DrawError
from pipeline.image.base import PanelRequest
from pipeline.image.palettes import daypart_for
from pipeline.image.places import NEUTRAL, backdrop_of, without_names
from pipeline.image.weather import weather_for
from pipeline.models import STYLES, Character

CLIP_TOKENS = 77  # including the start and end tokens

STYLE_WORDS: dict[str, str] = {
    "anime": "anime style comic panel, cel shading, clean lineart, vibrant colors",
    "comic": "american comic book panel, bold ink outlines, halftone shading, flat colors",
    "chinese": "chinese manhua panel, ink wash painting style, soft brush strokes",
    "chibi": "chibi style comic panel, super deformed, cute, big heads, small bodies",
    "noir": "film noir comic panel, black and white, high contrast ink, dramatic shadows",
    "watercolor": "watercolor comic illustration, soft washes, paper texture",
}
CAMERA_WORDS: dict[str, str] = {
    "establishing": "establishing shot, wide landscape, scenery",
    "long": "wide shot, full body",
    "medium": "medium shot, upper body",
    "closeup": "close-up, face focus, portrait",
    "over-shoulder": "over-the-shoulder shot",
    "low-angle": "low-angle shot, from below",
    "high-angle": "high-angle shot, from above",
}
DAYPART_WORDS = {"day": "daytime", "dawn": "at dawn, sunrise light", "dusk": "at dusk, sunset light",
                 "night": "at night, dark sky"}  # fmt: skip
WEATHER_WORDS = {"rain": "rain", "snow": "snowing", "fog": "fog", "wind": "windy"}
QUALITY_WORDS = "best quality, detailed"
_LATIN = re.compile(r"^[\x20-\x7e\u00c0-\u024f]+$")  # what CLIP's vocabulary spells: ASCII and Latin accents


@dataclass(frozen=True)
class PromptPart:
    """A piece of the prompt: its text, its place in the prompt, and how late it is dropped (higher: kept longer)."""

    text: str
    priority: int
    keep: bool = False  # a character's words: shortened word by word, never dropped whole


def readable(text: str) -> str:
    """`text` if CLIP can read it (Latin script), else ""."""
    text = " ".join(text.split())
    return text if text and _LATIN.match(text) else ""


def character_words(character: Character) -> str:
    """A character's looks as the appearance module reads them ('teenage boy, short black hair, plaid shirt');
    the words it did not understand are kept when they are Latin script."""
    return ", ".join(w for w in (readable(p) for p in appearance_of(character).describe()) if w)


def prompt_parts(request: PanelRequest) -> list[PromptPart]:
    """The prompt's parts in prompt order, each with its priority (see `fit_prompt`)."""
    if request.style not in STYLE_WORDS:
        raise DrawError(f"unknown style {request.style!r}; use one of {', '.join(STYLES)}.")
    shot = request.shot
    framed = [name for name in shot.characters if name]
    parts = [PromptPart(STYLE_WORDS[request.style], 90), PromptPart(CAMERA_WORDS.get(shot.camera, ""), 70)]
    override = readable(request.prompt_override or "")
    if override:  # the creator's words say what the panel shows: before everything but the style
        parts.insert(1, PromptPart(override, 95))
    count = {0: "no humans" if shot.camera == "establishing" else "", 1: "solo", 2: "two people"}
    parts.append(PromptPart(count.get(len(framed), f"group of {len(framed)} people"), 60))
    for name in framed:
        looks = character_words(request.characters.get(name) or Character(name=name))
        parts.append(PromptPart(looks or "person", 100, keep=True))
    feeling = emotion_of(shot.emotion)
    if framed and feeling != "neutral" and shot.camera != "establishing":
        parts.append(PromptPart(f"{feeling} expression", 50))
    if not override and shot.kind == "action":
        parts.append(PromptPart(readable(without_names(shot.text, shot)), 80))
    backdrop = backdrop_of(shot)
    place = readable(shot.location) or (backdrop.replace("_", " ") if backdrop != NEUTRAL else "")
    indoors = {True: "indoors", False: "outdoors"}.get(shot.interior) if shot.interior is not None else ""
    parts.append(PromptPart(", ".join(p for p in (place, indoors) if p), 40))
    parts.append(PromptPart(DAYPART_WORDS[daypart_for(shot.time, shot.location, shot.scene_description)], 30))
    weathers = sorted(weather_for(shot) | frozenset(request.weather))
    parts.append(PromptPart(", ".join(WEATHER_WORDS.get(w, w) for w in weathers), 35))
    parts.append(PromptPart(QUALITY_WORDS, 10))
    return [p for p in parts if p.text]


def fit_prompt(parts: list[PromptPart], count_tokens: Callable[[str], int], limit: int = CLIP_TOKENS) -> str:
    """Join the parts with commas, dropping the lowest-priority parts until `count_tokens` (start and end tokens
    included) is within `limit`; then, if still too long, shortening characters' words from their least telling
    end (describe() lists the most telling first), the longest description first (of equals, the later one)."""
    kept = list(parts)

    def text() -> str:
        return ", ".join(p.text for p in kept if p.text)

    for part in sorted((p for p in parts if not p.keep), key=lambda p: p.priority):
        if count_tokens(text()) <= limit:
            break
        kept.remove(part)
    while count_tokens(text()) > limit:
        longest = max(((kept[i].text.count(", "), i) for i in range(len(kept)) if kept[i].keep), default=(0, -1))
        if longest[0] == 0:
            break  # one look per character and still too long: the pipeline truncates the tail
        index = longest[1]
        head = kept[index].text.rsplit(", ", 1)[0]
        kept[index] = PromptPart(head, kept[index].priority, keep=True)
    return text()


def build_prompt(request: PanelRequest, count_tokens: Callable[[str], int] | None = None) -> str:
    """The diffusion prompt for the request, within CLIP's 77 tokens as `count_tokens` counts them (pass the
    pipeline tokenizer's, see `token_counter`; None: one token per word or punctuation mark, an under-estimate)."""
    counter = count_tokens or (lambda s: 2 + len(re.findall(r"\w+|[^\w\s]", s)))
    return fit_prompt(prompt_parts(request), counter)


def token_counter(tokenizer: object) -> Callable[[str], int]:
    """Counts tokens as the pipeline's CLIP tokenizer does (start and end tokens included)."""

    def count(text: str) -> int:
        return len(tokenizer(text, truncation=False, verbose=False).input_ids)  # type: ignore[operator]  # a transformers tokenizer

    return count
