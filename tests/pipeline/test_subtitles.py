"""Subtitles: cue timing from a timeline, ASS burnt in by ffmpeg/libass staying inside the platform's safe zone,
distinct styles, SRT/ASS read back, and the shared text wrapper."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from pipeline.errors import RenderError
from pipeline.fonts import find_cjk_font
from pipeline.models import TimedShot, Timeline, VoiceClip
from pipeline.presets import PRESETS, SUBTITLE_STYLES, SafeZone
from pipeline.subtitles import (
    VOICE_HOLD,
    Cue,
    fit_text,
    load_font,
    read_cues,
    subtitle_cues,
    wrap_text,
    write_ass,
    write_srt,
)

LONG = {
    "cjk": "这是一段非常长的中文台词，用来测试字幕在抖音竖屏安全区内能否正确换行，而且绝对不会跑到右侧按钮或者底部的文字说明下面去。",
    "latin": "This is a rather long English line of dialogue, written to check that the subtitle wraps inside the "
    "safe zone and never runs under the like and share buttons on the right.",
}
BACKGROUND = 128  # a mid grey, so that light text, dark outlines and dark boxes all show


def _burn(tmp_path, cues: list[Cue], *, width: int, height: int, style: str, safe: SafeZone | None) -> np.ndarray:
    """The first frame of a grey clip with the cues burnt in by ffmpeg's subtitles filter, as (h, w, 3)."""
    face = find_cjk_font()
    path = tmp_path / f"{style}.ass"
    write_ass(cues, str(path), width=width, height=height, font_family=face.family, style=style, safe=safe)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c=0x808080:s={width}x{height}:d=1,format=rgb24",
         "-vf", f"subtitles=filename={path}:fontsdir={face.directory}", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)


def _drawn(frame: np.ndarray) -> np.ndarray:
    """Where the frame differs from the grey background: text, outline, shadow or box."""
    return np.abs(frame.astype(int) - BACKGROUND).max(axis=2) > 16


def _shot(order: int, start: float, duration: float, *, voice: float | None, text: str = "台词", **kw) -> TimedShot:
    clip = VoiceClip(path=f"{order}.wav", duration=voice) if voice is not None else None
    return TimedShot(order=order, image_path=f"{order}.png", start=start, duration=duration, transition="cut",
                     subtitle=text, speaker=kw.pop("speaker", None), voice=clip, voice_offset=0.25, **kw)  # fmt: skip


def test_one_cue_per_voiced_shot_while_its_voice_plays() -> None:
    timeline = Timeline(540, 960, 25, (
        _shot(1, 0.0, 3.0, voice=2.0, speaker="小红", text=" 你好。 "),
        _shot(2, 3.0, 2.0, voice=None, text="（他看着远处）", kind="action"),
        _shot(3, 5.0, 2.0, voice=1.9, kind="narration", text="第二天。"),
    ))  # fmt: skip
    first, second = subtitle_cues(timeline)
    assert first == Cue(start=0.25, end=0.25 + 2.0 + VOICE_HOLD, text="你好。", speaker="小红", kind="dialogue",
                        shot_order=1)  # fmt: skip
    assert (second.start, second.end) == (5.25, 7.0)  # held past the voice, but never past its shot
    assert (second.kind, second.speaker, second.shot_order) == ("narration", None, 3)


DOUYIN = PRESETS["douyin"].safe


@pytest.fixture(scope="module")
def burnt(tmp_path_factory) -> dict[tuple[str, str], np.ndarray]:
    """Every style x {long Hanzi, long English}, burnt into a 1080x1920 frame with the Douyin safe zone."""
    frames = {}
    for style in SUBTITLE_STYLES:
        for name, text in LONG.items():
            work = tmp_path_factory.mktemp(f"{style}-{name}")
            frames[style, name] = _burn(work, [Cue(0.0, 5.0, text, speaker="小红")], width=1080, height=1920,
                                        style=style, safe=DOUYIN)  # fmt: skip
    return frames


@pytest.mark.parametrize("style", SUBTITLE_STYLES)
@pytest.mark.parametrize("name", list(LONG))
def test_burnt_text_stays_inside_the_douyin_safe_zone(burnt, style, name) -> None:
    drawn = _drawn(burnt[style, name])
    ys, xs = np.nonzero(drawn)
    assert drawn.sum() > 5000, "no subtitle was drawn"
    assert not drawn[round(1920 * 0.80) :].any(), "text in the bottom 20 % (the caption and progress bar)"
    assert not drawn[:, round(1080 * 0.85) :].any(), "text in the right 15 % (the like and share buttons)"
    assert not drawn[: round(1920 * 0.08)].any(), "text in the top 8 %"
    assert not drawn[:, : round(1080 * 0.05)].any(), "text in the left 5 %"
    assert ys.max() > 1920 * 0.70, "the subtitle should sit at the bottom of the safe area"
    assert xs.max() - xs.min() > 1080 * 0.5, "a long line should use the safe width"


def test_styles_look_different(burnt) -> None:
    frames = [burnt[style, "latin"].astype(int) for style in SUBTITLE_STYLES]
    for i in range(len(frames)):
        for j in range(i + 1, len(frames)):
            changed = np.abs(frames[i] - frames[j]).max(axis=2) > 40
            assert changed.mean() > 0.003, (SUBTITLE_STYLES[i], SUBTITLE_STYLES[j])


@pytest.mark.parametrize("repeat", [2, 40])
def test_landscape_player_keeps_its_margins(tmp_path, repeat) -> None:
    """A long cue shrinks; an absurdly long one is cut (ending in '…') before it climbs out of the safe box."""
    safe = PRESETS["bilibili"].safe
    cue = Cue(0, 5, LONG["cjk"] * repeat)
    drawn = _drawn(_burn(tmp_path, [cue], width=1920, height=1080, style="boxed", safe=safe))
    ys, xs = np.nonzero(drawn)
    x0, y0, x1, y1 = safe.box(1920, 1080)
    assert drawn.any() and x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1
    assert read_cues(str(tmp_path / "boxed.ass"))[0].text.endswith("…") == (repeat > 2)


def test_braces_are_text_not_override_tags(tmp_path) -> None:
    """Unescaped, `{xyz}` would be an (ignored) override block and `{\\i1}` would turn italics on."""
    plain = _drawn(_burn(tmp_path, [Cue(0, 5, "ab")], width=640, height=360, style="simple", safe=None))
    braced = _drawn(_burn(tmp_path, [Cue(0, 5, r"a{xyz}b{\i1}")], width=640, height=360, style="simple", safe=None))
    columns = [np.nonzero(drawn.any(axis=0))[0] for drawn in (plain, braced)]
    assert np.ptp(columns[1]) > 3 * np.ptp(columns[0])
    assert read_cues(str(tmp_path / "simple.ass"))[0].text == r"a{xyz}b{\i1}"


def test_unknown_style_names_the_allowed_ones(tmp_path) -> None:
    with pytest.raises(RenderError, match="simple, bold, boxed, yellow, comic"):
        write_ass([Cue(0, 1, "x")], str(tmp_path / "x.ass"), width=640, height=360, font_family="x", style="fancy")


CUES = [
    Cue(0.0, 1.5, "昨天的话，我想了一整天。", speaker="小红"),
    Cue(1.5, 4.25, LONG["latin"], speaker="Ming"),
    Cue(4.25, 6.0, LONG["cjk"], kind="narration"),
    Cue(6.0, 7.0, "Typed in {by hand}", kind="caption"),
]


def test_srt_round_trip(tmp_path) -> None:
    path = str(tmp_path / "x.srt")
    write_srt(CUES, path)
    back = read_cues(path)
    assert [c.text for c in back] == [c.text for c in CUES]
    assert [(c.start, c.end) for c in back] == [(c.start, c.end) for c in CUES]
    assert "1\n00:00:00,000 --> 00:00:01,500\n昨天的话" in open(path, encoding="utf-8").read()


def test_ass_round_trip_joins_wrapped_rows(tmp_path) -> None:
    path = str(tmp_path / "x.ass")
    write_ass(CUES, path, width=540, height=960, font_family="Noto Sans CJK SC", style="comic", safe=DOUYIN)
    assert r"\n" in open(path, encoding="utf-8").read()  # the long lines were wrapped
    back = read_cues(path)
    assert [c.text for c in back] == [c.text for c in CUES]
    assert [(c.speaker, c.kind) for c in back] == [("小红", "dialogue"), ("Ming", "dialogue"), (None, "narration"),
                                                       (None, "caption")]  # fmt: skip
    assert [t for c in back for t in (c.start, c.end)] == pytest.approx([t for c in CUES for t in (c.start, c.end)],
                                                                        abs=0.01)  # fmt: skip


def test_unreadable_subtitle_file_is_refused(tmp_path) -> None:
    path = tmp_path / "x.srt"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RenderError, match="SRT or ASS"):
        read_cues(str(path))


def test_wrap_keeps_every_character_within_the_width() -> None:
    font = load_font(find_cjk_font(), 40)
    text = "她说：“我们明天见！”然后转身走了。Supercalifragilisticexpialidocious words wrap, too."
    for width in range(120, 420, 10):  # some of these widths end a row just before or after a mark
        rows = wrap_text(text, font, width)
        assert len(rows) > 3 and all(font.getlength(row) <= width for row in rows)
        # every character kept; a word wider than a row is hyphenated where it breaks (text has no hyphen of its own)
        assert "".join(r.removesuffix("-") for r in rows).replace(" ", "") == text.replace(" ", "")
        assert not any(row[0] in "，。！？：”" or row[-1] == "“" for row in rows), (width, rows)


def test_fit_text_shrinks_then_cuts() -> None:
    face = find_cjk_font()
    font, rows = fit_text(LONG["cjk"], face, max_width=400, size=40, max_lines=4)
    assert font.size < 40 and len(rows) <= 4 and not rows[-1].endswith("…")
    font, rows = fit_text(LONG["cjk"] * 4, face, max_width=400, size=40, max_lines=4, min_size=30)
    assert font.size == 30 and len(rows) == 4 and rows[-1].endswith("…")
    assert font.getlength(rows[-1]) <= 400
