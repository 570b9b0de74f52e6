"""Subtitle cues from a timeline, written as SRT (for download) and ASS (burnt in by libass)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.models import Timeline

_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def subtitle_cues(timeline: Timeline) -> list[Cue]:
    """One cue per voiced shot, shown while the voice plays."""
    cues = []
    for shot in timeline.shots:
        if shot.voice and shot.subtitle.strip():
            start = shot.start + shot.voice_offset
            end = min(shot.start + shot.duration, start + shot.voice.duration + 0.3)
            cues.append(Cue(start=round(start, 3), end=round(end, 3), text=shot.subtitle.strip()))
    return cues


def wrap_subtitle(text: str, max_units: float) -> list[str]:
    """Break a line to at most `max_units` per row (a Hanzi counts 1, a Latin letter 0.55)."""
    rows, row, width = [], "", 0.0
    for token in re.findall(r"[A-Za-z0-9'’\-.,!?;:]+\s*|\s+|.", text):
        w = sum(1.0 if _CJK.match(ch) else 0.55 for ch in token)
        closing = token in "，。、！？；：,.!?;:)）」』”…"
        if row and width + w > max_units and not closing:
            rows.append(row.strip())
            row, width = token.lstrip(), w
        else:
            row, width = row + token, width + w
    if row.strip():
        rows.append(row.strip())
    return rows


def _srt_time(t: float) -> str:
    ms = int(round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _ass_time(t: float) -> str:
    cs = int(round(t * 100))
    return f"{cs // 360000:d}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def write_srt(cues: list[Cue], path: str) -> None:
    blocks = [f"{i}\n{_srt_time(c.start)} --> {_srt_time(c.end)}\n{c.text}\n" for i, c in enumerate(cues, start=1)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(blocks))


def write_ass(cues: list[Cue], path: str, *, width: int, height: int, font_family: str) -> None:
    size = int(min(width, height) * 0.052)
    margin_v = int(height * 0.07)
    max_units = (width * 0.86) / size
    header = (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {width}\nPlayResY: {height}\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Default,{font_family},{size},&H00FFFFFF,&H000000FF,&H00101010,&H80000000,"
        f"-1,0,0,0,100,100,0,0,1,{max(2, size // 12)},1,2,40,40,{margin_v},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    lines = []
    for cue in cues:
        text = "\\N".join(wrap_subtitle(cue.text, max_units)).replace("{", "(").replace("}", ")")
        lines.append(f"Dialogue: 0,{_ass_time(cue.start)},{_ass_time(cue.end)},Default,,0,0,0,,{text}")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header + "\n".join(lines) + "\n")
