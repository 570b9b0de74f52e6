"""How long a script will play, before any voice exists: words counted the way each language is read, spoken at the
pace's rates, with the same gaps and action lengths the timeline gives the finished video (pipeline.timeline).

The same figures serve the script's save (`word_count`, `estimated_duration`), the parse (each shot's duration and
the metadata's total) and the storyboard, so the creator sees one estimate that the final video keeps to.
"""

from __future__ import annotations

import re

from pipeline.timeline import MIN_VOICED_SHOT, Pacing

_HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]")  # Chinese (and Japanese kana) read one by one
_WORD = re.compile(r"[^\W\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff_]+(?:['’][^\W_]+)*")  # any other script's words

ACTION_GLANCE = 1.0  # a second to take in the panel, then about twice the reading pace of what it shows
ACTION_SECONDS_PER_HANZI = 0.11
ACTION_SECONDS_PER_WORD = 0.2
DEFAULT_PACE = Pacing()


def word_count(text: str) -> int:
    """Words as a reader counts them: every Hanzi (or kana) one, every word of other languages one."""
    return len(_HANZI.findall(text)) + len(_WORD.findall(text))


def speaking_seconds(text: str, pace: Pacing = DEFAULT_PACE) -> float:
    """Seconds a voice takes to say `text`."""
    return len(_HANZI.findall(text)) / pace.hanzi_per_second + len(_WORD.findall(text)) / pace.words_per_second


def action_seconds(text: str) -> float:
    """Seconds an action shot needs to be seen: ACTION_GLANCE plus a little per Hanzi or word it describes."""
    return ACTION_GLANCE + ACTION_SECONDS_PER_HANZI * len(_HANZI.findall(text)) + ACTION_SECONDS_PER_WORD * len(
        _WORD.findall(text)
    )


def shot_seconds(kind: str, text: str, pace: Pacing = DEFAULT_PACE) -> float:
    """How long a shot of this kind and text will last in the video: voiced lines their voice and the gap between
    lines, actions what they need within the pace's action range."""
    if kind == "action":
        low, high = pace.action_range
        return round(min(high, max(low, action_seconds(text))), 1)
    return round(max(MIN_VOICED_SHOT, pace.line_gap + speaking_seconds(text, pace)), 1)
