"""EspeakTTSBackend: offline voices through espeak-ng.

English goes straight to espeak-ng. Chinese is converted to numbered pinyin (pypinyin) and read with the
`cmn-latn-pinyin` voice, because the plain `cmn` voice mispronounces Hanzi on Debian's espeak-ng.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import VoiceClip
from pipeline.tts.base import VoiceRequest, wav_duration

_HANZI_RUN = re.compile(r"[\u3400-\u9fff]+")
_PUNCT = str.maketrans({"，": ", ", "。": ". ", "！": "! ", "？": "? ", "、": ", ", "；": "; ", "：": ": ",
                        "…": ", ", "—": ", ", "“": "", "”": "", "‘": "", "’": "", "（": ", ", "）": ", ",
                        "《": "", "》": "", "「": "", "」": ""})  # fmt: skip
_EMOTION_RATE = {"紧张": 1.08, "害怕": 1.1, "惊讶": 1.05, "激动": 1.1, "开心": 1.05, "伤心": 0.9, "害羞": 0.95,
                 "nervous": 1.08, "afraid": 1.1, "worried": 1.05, "sad": 0.9, "excited": 1.1}  # fmt: skip


def to_numbered_pinyin(text: str) -> str:
    """'你好,世界' -> 'ni3 hao3, shi4 jie4' (neutral tone as 5); non-Hanzi text is kept."""
    from pypinyin import Style, lazy_pinyin

    def convert(match: re.Match[str]) -> str:
        return " " + " ".join(lazy_pinyin(match.group(0), style=Style.TONE3, neutral_tone_with_five=True)) + " "

    converted = _HANZI_RUN.sub(convert, text.translate(_PUNCT))
    converted = re.sub(r"\.{2,}", ", ", converted)
    return re.sub(r"\s+", " ", converted).strip()


class EspeakTTSBackend:
    name = "espeak"

    def __init__(self, binary: str = "espeak-ng") -> None:
        self._binary = binary

    def synthesize(self, request: VoiceRequest, out_path: str) -> VoiceClip:
        exe = shutil.which(self._binary)
        if exe is None:
            raise MissingToolError(
                f"{self._binary} is not installed: apt-get install espeak-ng (or set COMICREEL_ESPEAK_BINARY)."
            )
        text = request.text.strip()
        if not text:
            raise VoiceError("Nothing to say: the line is empty.")
        voice = request.voice
        variant = f"+{'f' if voice.gender == 'female' else 'm'}{voice.variant}"
        if request.language == "zh":
            base, spoken, wpm = "cmn-latn-pinyin", to_numbered_pinyin(text), 170
        else:
            base, spoken, wpm = "en-us", text, 165
        rate = _EMOTION_RATE.get((request.emotion or "").lower(), 1.0) * voice.speed
        cmd = [
            exe,
            "-v",
            base + variant,
            "-s",
            str(int(wpm * rate)),
            "-p",
            str(voice.pitch),
            "-w",
            out_path,
            "--",
            spoken,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise VoiceError(f"espeak-ng could not voice {text[:30]!r} (exit code {proc.returncode}).",
                             detail=proc.stderr.strip()[-1000:])
        return VoiceClip(path=out_path, duration=wav_duration(out_path))
