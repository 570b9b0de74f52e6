"""How an emotion sounds: a line's pitch, melody range, pace and loudness for the emotion the script gives it (in
Chinese or English), the same for every engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prosody:
    """`pitch` in semitones over the voice's own, `range` scales its rises and falls (2.0 twice as wide), `rate`
    scales its pace (1.2 = 20 % faster) and `volume` its loudness."""

    pitch: float = 0.0
    range: float = 1.0
    rate: float = 1.0
    volume: float = 1.0


NEUTRAL = Prosody()

# Wider and higher when happy or excited; lower, narrower and slower when sad; louder and faster when angry;
# higher and faster when scared; soft, low and narrow (close to a whisper) when shy.
_EMOTIONS: tuple[tuple[tuple[str, ...], Prosody], ...] = (
    (("激动", "兴奋", "狂喜", "excited", "thrilled", "ecstatic", "shout", "yell"), Prosody(3.0, 1.8, 1.15, 1.2)),
    (("开心", "高兴", "快乐", "喜", "笑", "得意", "happy", "glad", "joy", "cheer", "laugh", "smil", "delight"),
     Prosody(2.0, 1.5, 1.08, 1.05)),
    (("惊讶", "吃惊", "震惊", "惊", "surprise", "shock", "amaze", "astonish"), Prosody(3.0, 1.7, 1.05, 1.1)),
    (("生气", "愤怒", "怒", "恼", "气愤", "angry", "anger", "furious", "mad", "rage", "annoyed"),
     Prosody(1.0, 1.3, 1.12, 1.35)),
    (("害怕", "恐惧", "惊恐", "紧张", "慌", "怕", "scared", "afraid", "fear", "terrified", "nervous", "panic",
      "frighten", "worried", "anxious"), Prosody(3.0, 1.3, 1.15, 0.95)),
    (("伤心", "难过", "悲伤", "哭", "失落", "沮丧", "痛苦", "sad", "cry", "sob", "grie", "sorrow", "upset",
      "depress", "tear"), Prosody(-2.0, 0.5, 0.85, 0.85)),
    (("害羞", "羞", "小声", "低声", "耳语", "悄悄", "shy", "whisper", "quiet", "softly", "murmur", "timid", "embarrass"),
     Prosody(-1.0, 0.6, 0.92, 0.55)),
    (("疲惫", "累", "困", "虚弱", "tired", "weary", "exhausted", "sleepy", "weak"), Prosody(-1.5, 0.6, 0.85, 0.85)),
    (("平静", "冷静", "淡定", "严肃", "calm", "serious", "flat", "cold", "stern"), Prosody(-0.5, 0.75, 0.95, 1.0)),
)  # fmt: skip


def prosody_for(emotion: str | None) -> Prosody:
    """The prosody of an emotion word ('开心', 'whispering', 'sad, quietly'...): the first family that names it, or
    neutral for none or a word it does not know."""
    text = (emotion or "").strip().lower()
    if not text:
        return NEUTRAL
    for words, prosody in _EMOTIONS:
        if any(word in text for word in words):
            return prosody
    return NEUTRAL
