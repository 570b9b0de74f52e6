"""EspeakTTSBackend: offline voices through espeak-ng, the engine that is always there (and the failover's).

English goes straight to espeak-ng. Chinese is converted to numbered pinyin (pypinyin) and read with the
`cmn-latn-pinyin` voice, because the plain `cmn` voice mispronounces Hanzi on Debian's espeak-ng. A voice's pitch on
the shared scale becomes espeak-ng's `-p` through a table measured per variant; an emotion's range is shaped after.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess

from pipeline.errors import MissingToolError, VoiceError
from pipeline.models import VoiceClip
from pipeline.tts.base import VoiceRequest, wav_duration
from pipeline.tts.casting import voice_family
from pipeline.tts.dsp import pitch_track, read_wav, reshape_voice, write_wav
from pipeline.tts.prosody import prosody_for

_HANZI_RUN = re.compile(r"[\u3400-\u9fff]+")
_PUNCT = str.maketrans({"，": ", ", "。": ". ", "！": "! ", "？": "? ", "、": ", ", "；": "; ", "：": ": ",
                        "…": ", ", "—": ", ", "“": "", "”": "", "‘": "", "’": "", "（": ", ", "）": ", ",
                        "《": "", "》": "", "「": "", "」": ""})  # fmt: skip
# Median F0 (Hz) of each variant at -p 50, and semitones per -p point, measured on a few lines of each language.
_CALIBRATION: dict[tuple[str, str], tuple[float, float]] = {
    ("en", "m1"): (94.7, 0.16), ("en", "m2"): (101.5, 0.18), ("en", "m3"): (106.0, 0.16), ("en", "m4"): (96.0, 0.15),
    ("en", "f1"): (181.0, 0.17), ("en", "f2"): (198.0, 0.15), ("en", "f3"): (220.0, 0.14), ("en", "f4"): (181.0, 0.17),
    ("zh", "m1"): (84.0, 0.18), ("zh", "m2"): (93.0, 0.21), ("zh", "m3"): (95.0, 0.18), ("zh", "m4"): (81.0, 0.18),
    ("zh", "f1"): (158.0, 0.20), ("zh", "f2"): (172.0, 0.20), ("zh", "f3"): (185.0, 0.17), ("zh", "f4"): (160.0, 0.20),
}  # fmt: skip
_WPM = {"zh": 170, "en": 165}
_CORRECT_ABOVE = 0.3  # semitones off the voice's pitch after which the line is moved onto it


def to_numbered_pinyin(text: str) -> str:
    """'你好,世界' -> 'ni3 hao3, shi4 jie4' (neutral tone as 5); non-Hanzi text is kept."""
    from pypinyin import Style, lazy_pinyin

    def convert(match: re.Match[str]) -> str:
        return " " + " ".join(lazy_pinyin(match.group(0), style=Style.TONE3, neutral_tone_with_five=True)) + " "

    converted = _HANZI_RUN.sub(convert, text.translate(_PUNCT))
    converted = re.sub(r"\.{2,}", ", ", converted)
    return re.sub(r"\s+", " ", converted).strip()


def espeak_pitch(target_hz: float, language: str, variant: str) -> int:
    """espeak-ng's -p (0-99) that puts the variant's median F0 nearest `target_hz`."""
    base, slope = _CALIBRATION[(language, variant)]
    return int(round(min(99.0, max(0.0, 50 + 12 * math.log2(target_hz / base) / slope))))


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
        voice, prosody = request.voice, prosody_for(request.emotion)
        variant = f"{'f' if voice_family(voice) == 'female' else 'm'}{voice.variant}"
        if request.language == "zh":
            base, spoken = "cmn-latn-pinyin", to_numbered_pinyin(text)
        else:
            base, spoken = "en-us", text
        target = voice.hz * 2 ** (prosody.pitch / 12)
        cmd = [
            exe, "-v", f"{base}+{variant}", "-s", str(int(_WPM[request.language] * voice.speed * prosody.rate)),
            "-p", str(espeak_pitch(target, request.language, variant)), "-a", str(int(min(200, 100 * prosody.volume))),
            "-w", out_path, "--", spoken,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise VoiceError(
                f"espeak-ng could not voice {text[:30]!r} (exit code {proc.returncode}).",
                detail=proc.stderr.strip()[-1000:],
            )
        self._shape(out_path, target, prosody.range)
        return VoiceClip(path=out_path, duration=wav_duration(out_path), engine=self.name)

    @staticmethod
    def _shape(path: str, target_hz: float, range_scale: float) -> None:
        """Widen or narrow the melody for the emotion, and move the line onto its pitch where espeak-ng's own
        intonation left it more than a third of a semitone away (a voice at the edge of its variant's reach)."""
        audio, rate = read_wav(path)
        heard = pitch_track(audio, rate).median()
        off = abs(12 * math.log2(target_hz / heard)) if heard > 0 else 0.0
        if abs(range_scale - 1) < 1e-3 and off <= _CORRECT_ABOVE:
            return
        write_wav(path, reshape_voice(audio, rate, target_hz=target_hz if heard > 0 else None,
                                      range_scale=range_scale), rate)  # fmt: skip
