"""What one shot asks of the backends: its panel request (with a seed from its content) and its voice request."""

from __future__ import annotations

import hashlib

from pipeline.image.base import PanelRequest
from pipeline.models import ASPECT_SIZES, Character, Storyboard, StoryboardShot
from pipeline.tts.base import VoiceRequest, voice_for


def shot_seed(storyboard: Storyboard, shot: StoryboardShot) -> int:
    """A seed from what the panel shows (never from ids), so the same script gives the same panel from any door."""
    key = f"{storyboard.style}|{storyboard.aspect_ratio}|{shot.order}|{shot.camera}|{shot.prompt}|{shot.text}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


def panel_request(
    storyboard: Storyboard, shot: StoryboardShot, characters: dict[str, Character], seed: int,
    prompt_override: str | None = None,
) -> PanelRequest:  # fmt: skip
    width, height = ASPECT_SIZES[storyboard.aspect_ratio]
    return PanelRequest(shot=shot, characters=characters, width=width, height=height, style=storyboard.style,
                        seed=seed, prompt_override=prompt_override)  # fmt: skip


def voice_request(shot: StoryboardShot, characters: dict[str, Character], language: str) -> VoiceRequest:
    speaker = characters.get(shot.speaker) if shot.speaker else None
    return VoiceRequest(text=shot.text, language=language, voice=voice_for(speaker), emotion=shot.emotion)  # type: ignore[arg-type]  # language is "zh" or "en", checked by the parser
