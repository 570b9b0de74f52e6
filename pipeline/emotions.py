"""Emotion words of scripts (情绪, Fountain parentheticals) mapped to the few expressions a panel can show.

One table for the planner (which lines deserve a close-up), the panel renderer (which face to draw) and the voice
(how to say it), so that fear is never read as anger anywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, get_args

Emotion = Literal["neutral", "happy", "sad", "angry", "nervous", "shy", "surprised", "scared", "determined", "tired"]
EMOTIONS: tuple[str, ...] = get_args(Emotion)

WORDS: dict[Emotion, tuple[str, ...]] = {
    "happy": ("开心", "高兴", "快乐", "微笑", "笑", "大笑", "欣喜", "兴奋", "激动", "慈祥", "温柔", "得意", "欣慰",
              "happy", "smiling", "smile", "smiles", "laughing", "laughs", "glad", "joyful", "joy", "cheerful",
              "excited", "delighted", "warmly", "fond", "grinning", "proud", "relieved", "amused"),
    "sad": ("伤心", "难过", "悲伤", "哭", "哭泣", "哽咽", "失落", "沮丧", "心碎", "委屈", "遗憾", "sad", "crying",
            "cries", "tearful", "in tears", "sobbing", "upset", "heartbroken", "grieving", "disappointed", "gloomy",
            "melancholy", "wistful", "sorry"),
    "angry": ("生气", "愤怒", "恼火", "暴怒", "怒", "不耐烦", "咬牙", "angry", "furious", "mad", "annoyed",
              "irritated", "shouting", "yelling", "rage", "enraged", "snapping", "bitter", "impatient"),
    "nervous": ("紧张", "焦虑", "担心", "不安", "忐忑", "犹豫", "慌张", "着急", "nervous", "anxious", "worried",
                "uneasy", "hesitant", "hesitating", "stammering", "flustered", "tense", "urgent", "panicked"),
    "shy": ("害羞", "羞涩", "脸红", "腼腆", "shy", "blushing", "bashful", "embarrassed", "sheepish", "timid"),
    "surprised": ("惊讶", "吃惊", "震惊", "惊喜", "疑惑", "困惑", "诧异", "surprised", "shocked", "astonished",
                  "amazed", "stunned", "confused", "puzzled", "startled", "incredulous", "curious"),
    "scared": ("害怕", "恐惧", "惊恐", "胆怯", "颤抖", "恐慌", "scared", "afraid", "frightened", "terrified",
               "fearful", "trembling", "horrified", "whimpering"),
    "determined": ("坚定", "决心", "认真", "严肃", "果断", "冷静", "自信", "determined", "resolute", "serious",
                   "firm", "firmly", "stern", "confident", "focused", "defiant", "calm", "steady", "grim"),
    "tired": ("疲惫", "累", "困", "虚弱", "无力", "叹气", "tired", "exhausted", "weary", "sleepy", "drowsy", "weak",
              "sighing", "sighs", "yawning"),
    "neutral": ("平静", "淡定", "平淡", "neutral", "flat", "quiet", "quietly", "softly", "whispering", "小声", "低声"),
}  # fmt: skip
# Lines said with these feelings are worth a close-up.
STRONG: frozenset[str] = frozenset({"sad", "angry", "nervous", "shy", "surprised", "scared", "determined"})

_ORDER: tuple[Emotion, ...] = ("scared", "angry", "sad", "nervous", "shy", "surprised", "tired", "determined",
                               "happy", "neutral")  # fmt: skip


@lru_cache(maxsize=1024)
def emotion_of(words: str | None) -> Emotion:
    """The expression an emotion word (or phrase: '小声地，害怕', 'trembling, whispering') shows; 'neutral' when none.
    Exact words win over words found inside a phrase; a stronger feeling wins over a milder one."""
    if not words or not words.strip():
        return "neutral"
    text = words.strip().lower()
    for emotion in _ORDER:
        if text in WORDS[emotion]:
            return emotion
    for emotion in _ORDER:
        for word in WORDS[emotion]:
            if re.search(r"[a-z]", word):
                if re.search(rf"\b{re.escape(word)}\b", text):
                    return emotion
            elif word in text:
                return emotion
    return "neutral"


def is_strong(words: str | None) -> bool:
    """Whether a line said this way deserves a close-up."""
    return emotion_of(words) in STRONG
