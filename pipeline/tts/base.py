"""The TTS backend contract: one WAV clip for one line, in a voice chosen per character."""

from __future__ import annotations

import hashlib
import wave
from dataclasses import dataclass
from typing import Literal, Protocol

from pipeline.models import Character, VoiceClip


@dataclass(frozen=True)
class VoiceProfile:
    """A voice: `gender` picks the variant, `pitch` 0-99 and `speed` (1.0 = normal) colour it."""

    gender: Literal["male", "female"] = "male"
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


def voice_for(character: Character | None) -> VoiceProfile:
    """A stable voice per character: gender from the script, pitch and variant from the name."""
    if character is None:
        return NARRATOR
    digest = int.from_bytes(hashlib.sha256(character.name.encode()).digest()[:4], "big")
    gender_text = character.attributes.get("gender", "")
    female = gender_text == "女" or any(w in character.name for w in ("婆", "妈", "姐", "妹", "奶"))
    elder = any(w in " ".join(character.attributes.values()) for w in ("老", "70s", "80s", "60s"))
    base = 62 if female else 38
    pitch = base + digest % 15 - (10 if elder else 0)
    speed = 0.92 if elder else 1.0 + (digest >> 8) % 8 / 100
    return VoiceProfile(gender="female" if female else "male", variant=1 + digest % 4, pitch=pitch, speed=speed)


def wav_duration(path: str) -> float:
    with wave.open(path, "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())
