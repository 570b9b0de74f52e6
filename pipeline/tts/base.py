"""The TTS backend contract: one WAV clip for one line, in a voice chosen per character."""

from __future__ import annotations

import hashlib
import wave
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, get_args

from pipeline.errors import VoiceError
from pipeline.models import Character, VoiceClip

VoiceGender = Literal["male", "female"]
VOICE_GENDERS: tuple[str, ...] = get_args(VoiceGender)
VOICE_VARIANTS = (1, 4)  # inclusive ranges of what a creator may set
VOICE_PITCH = (0, 99)
VOICE_SPEED = (0.5, 2.0)
VOICE_KEYS = ("gender", "variant", "pitch", "speed")


@dataclass(frozen=True)
class VoiceProfile:
    """A voice: `gender` picks the variant, `pitch` 0-99 and `speed` (1.0 = normal) colour it."""

    gender: VoiceGender = "male"
    variant: int = 1
    pitch: int = 50
    speed: float = 1.0
    voice_id: str | None = None  # a backend-specific id (a coqui speaker, a reference clip) when set


@dataclass(frozen=True)
class VoiceRequest:
    text: str
    language: Literal["zh", "en"]
    voice: VoiceProfile
    emotion: str | None = None


class TTSBackend(Protocol):
    name: str

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        """Write a WAV for the line to `out_path`. Raises VoiceError."""
        ...


NARRATOR = VoiceProfile(gender="male", variant=3, pitch=40, speed=0.95)


def check_voice(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The voice settings a creator chose, checked; returns them normalised (speed as a float).

    Raises:
        VoiceError: a key is unknown or a value is out of range; the message names the key and its range.
    """
    unknown = sorted(set(overrides) - set(VOICE_KEYS))
    if unknown:
        raise VoiceError(f"voice.{unknown[0]} is not a voice setting; use {', '.join(VOICE_KEYS)}.")
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue  # not set: the derived value applies
        if key == "gender":
            if value not in VOICE_GENDERS:
                raise VoiceError(f"voice.gender {value!r} must be one of {', '.join(VOICE_GENDERS)}.")
            out[key] = value
            continue
        low, high = {"variant": VOICE_VARIANTS, "pitch": VOICE_PITCH, "speed": VOICE_SPEED}[key]
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not number_ok or (key != "speed" and not isinstance(value, int)) or not low <= value <= high:
            kind = "a number" if key == "speed" else "a whole number"
            raise VoiceError(f"voice.{key} {value!r} must be {kind} from {low} to {high}.")
        out[key] = float(value) if key == "speed" else int(value)
    return out


def voice_for(character: Character | None) -> VoiceProfile:
    """A stable voice per character: gender from the script, pitch and variant from the name, then the creator's
    overrides (`character.voice`) on top. A gender override without a pitch moves the pitch to that gender's range."""
    if character is None:
        return NARRATOR
    overrides = character.voice or {}
    digest = int.from_bytes(hashlib.sha256(character.name.encode()).digest()[:4], "big")
    gender_text = character.attributes.get("gender", "")
    female = gender_text == "女" or any(w in character.name for w in ("婆", "妈", "姐", "妹", "奶"))
    if overrides.get("gender") in VOICE_GENDERS:
        female = overrides["gender"] == "female"
    elder = any(w in " ".join(character.attributes.values()) for w in ("老", "70s", "80s", "60s"))
    base = 62 if female else 38
    pitch = base + digest % 15 - (10 if elder else 0)
    speed = 0.92 if elder else 1.0 + (digest >> 8) % 8 / 100
    derived = VoiceProfile(gender="female" if female else "male", variant=1 + digest % 4, pitch=pitch, speed=speed)
    chosen = {k: v for k, v in overrides.items() if k in VOICE_KEYS and k != "gender" and v is not None}
    return replace(derived, **chosen)


def wav_duration(path: str) -> float:
    with wave.open(path, "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())
