"""Lettering: rows broken as Chinese and English typesetting break them, every glyph drawn by a font that has it
(emoji from a fallback font or left out with a warning), thoughts told from speech, and sound cues turned into
onomatopoeia; and, for the sample scripts in every text mode, no string drawn with a glyph its font lacks."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageFont

import pipeline.lettering as lettering
from pipeline.bubbles import is_thought, without_thought_tag
from pipeline.fonts import find_cjk_font, find_fallback_fonts, missing_glyphs
from pipeline.lettering import Ink, balance_rows, wrap_rows
from pipeline.overlays import shot_layer, text_warnings, title_layer, watermark_layer
from pipeline.parse import parse_script
from pipeline.plan import PlanOptions, plan_storyboard
from pipeline.presets import PRESETS, SUBTITLE_STYLES, TEXT_MODES, Watermark
from pipeline.sound_words import sound_word
from pipeline.subtitles import Cue

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FACE = find_cjk_font()
DEJAVU = next((f for f in find_fallback_fonts() if "DejaVuSans" in f.path), None)
needs_dejavu = pytest.mark.skipif(DEJAVU is None, reason="DejaVu Sans (fonts-dejavu-core) is not installed")
NO_START = set("，。！？、）」』")
NO_END = set("（「『")
ZH_LINES = [
    "昨天的话，我想了一整天。其实我一直都想告诉你一件事情。",
    "你……你说什么？「我喜欢你」，她说。（停顿）好吗？",
    "我的答案是——明天也一起回家吧！",
    "婆婆，这个糖人是怎么做的呀？『看好了，小伙子』！",
    "嗯？怎么了，突然这么认真。",
]


def _ink(size: int = 40) -> Ink:
    return Ink(FACE, size)


@pytest.mark.parametrize("text", ZH_LINES)
@pytest.mark.parametrize("chars", [3, 4, 5, 6, 7, 9, 11])
def test_chinese_breaks_between_characters_but_never_before_a_closing_or_after_an_opening_mark(text, chars) -> None:
    ink = _ink()
    width = chars * 40 + 1
    rows = wrap_rows(text, ink.length, width)
    assert "".join(rows) == text, "nothing is lost or added"
    assert len(rows) > 1
    for i, row in enumerate(rows):
        assert ink.length(row) <= width, row
        if i:
            assert row[0] not in NO_START, rows
        if i < len(rows) - 1:
            assert row[-1] not in NO_END, rows


def test_english_breaks_at_spaces_and_hyphenates_only_a_word_longer_than_a_row() -> None:
    ink = _ink(30)
    text = "Honestly? I never thought we'd make it to the rooftop tonight, not after all that."
    for width in (180, 260, 400):
        rows = wrap_rows(text, ink.length, width)
        assert " ".join(rows) == text and not any(row.endswith("-") for row in rows)
        assert all(ink.length(row) <= width for row in rows)
    long = "The word antidisestablishmentarianism is long."
    rows = wrap_rows(long, ink.length, 200)
    assert all(ink.length(row) <= 200 for row in rows)
    hyphenated = [row for row in rows if row.endswith("-")]
    assert hyphenated and all(row.split()[-1][:-1] in "antidisestablishmentarianism" for row in hyphenated)
    assert "".join(r[:-1] if r.endswith("-") else r + " " for r in rows).strip() == long, "no letter lost"
    rows = wrap_rows("a well-known fact", ink.length, ink.length("a well-kno"))
    assert rows[0] == "a well-" and rows[1].startswith("known"), "a hyphenated word breaks at its hyphen"


def test_balanced_rows_keep_their_number_but_leave_no_lone_word_on_the_last() -> None:
    ink = _ink()
    for text in ("那个...我有话想对你说。", "Not tonight. Not on my watch."):
        rows = wrap_rows(text, ink.length, 400)
        even = balance_rows(text, ink, 400, rows)
        assert len(even) == len(rows) == 2 and "".join(even).replace(" ", "") == "".join(rows).replace(" ", "")
        assert ink.length(rows[-1]) < 0.6 * ink.length(rows[0]), "the plain wrap leaves a short last row"
        assert ink.length(even[-1]) > 0.75 * ink.length(even[0]), even


def test_mixed_lines_keep_latin_words_whole_and_newlines() -> None:
    ink = _ink(30)
    rows = wrap_rows("我用iPhone拍了一张照片，发给了Alice。\n第二行", ink.length, 8 * 30)
    assert rows[-1] == "第二行"
    assert any("iPhone" in row for row in rows) and any("Alice。" in row or "Alice" in row for row in rows)


def test_missing_glyphs_reads_the_font_cmap() -> None:
    assert missing_glyphs("天台 rooftop，「你好」！…—", FACE) == set()
    assert missing_glyphs("好😀🔥", FACE) == {"😀", "🔥"}
    assert missing_glyphs("a\u200db\ufe0f\n\t", FACE) == set(), "joiners, selectors and spaces need no glyph"
    font = ImageFont.truetype(FACE.path, 20, index=FACE.index)
    assert missing_glyphs("好😀", font) == {"😀"}


@needs_dejavu
def test_an_emoji_the_main_font_lacks_is_drawn_with_a_fallback_and_one_no_font_has_is_dropped() -> None:
    ink = _ink()
    assert ink.runs("好😀好")[1] == ("😀", ink.faces.index(DEJAVU))
    kept, dropped = ink.printable("好😀\ufe0f🔥！")
    assert (kept, dropped) == ("好😀！", {"🔥"})
    with_emoji, without = Image.new("RGBA", (300, 80)), Image.new("RGBA", (300, 80))
    ink.draw(with_emoji, (150, 40), "好😀好", (0, 0, 0, 255))
    ink.draw(without, (150, 40), "好 好", (0, 0, 0, 255))
    assert np.asarray(with_emoji)[..., 3].sum() > np.asarray(without)[..., 3].sum() * 1.2, "the emoji is drawn"
    warnings = text_warnings(["标题🔥"], "the title")
    assert len(warnings) == 1 and "U+1F525" in warnings[0] and "fonts-noto-color-emoji" in warnings[0]


@needs_dejavu
def test_a_bitmap_emoji_font_is_drawn_at_its_own_size_and_scaled(monkeypatch) -> None:
    real = ImageFont.truetype

    def bitmap_only(path, size=10, index=0, **kwargs):  # what FreeType does with Noto Color Emoji
        if "DejaVu" in str(path) and size != 109:
            raise OSError("invalid pixel size")
        return real(path, size, index=index, **kwargs)

    monkeypatch.setattr(ImageFont, "truetype", bitmap_only)
    ink = Ink(FACE, 40, fallbacks=(DEJAVU,))
    assert 30 < ink.length("😀") < 60, "measured at the ink's size, not 109 px"
    layer = Image.new("RGBA", (200, 100))
    ink.draw(layer, (100, 50), "好😀", (0, 0, 0, 255))
    ys, xs = np.nonzero(np.asarray(layer)[..., 3])
    assert np.ptp(ys) < 60 and np.ptp(xs) < 100


@pytest.mark.parametrize("cue, language, word", [
    ("心跳", None, "怦怦"), ("雷声", None, "轰隆隆!"), ("thunder", None, "BOOM!"), ("雷声", "en", "BOOM!"),
    ("thunder", "zh", "轰隆隆!"), ("敲门声", None, "咚咚咚"), ("knock at the door", None, "KNOCK KNOCK"),
    ("door", None, "SLAM!"), ("风声", None, "呼——"), ("锣声", None, "哐!"), ("龙吟", None, "吼——!"),
    ("creaking gears", None, "CREAK"), ("门铃", None, "叮铃铃"), ("时钟", None, "滴答滴答"),
    ("violin solo", None, "VIOLIN SOLO"), ("噗叽", None, "噗叽"),
])  # fmt: skip
def test_sound_cues_become_onomatopoeia_in_the_script_language(cue, language, word) -> None:
    assert sound_word(cue, language) == word


def _line(text: str = "他怎么还不来", **kw) -> SimpleNamespace:
    base = {"kind": "dialogue", "speaker": "小明", "emotion": None, "text": text, "characters": ("小明",)}
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize("shot, thought", [
    (_line(emotion="心想"), True), (_line(emotion="想"), True), (_line(emotion="紧张，心想"), True),
    (_line(emotion="内心OS"), True), (_line(emotion="thinking"), True), (_line(emotion="OS"), True),
    (_line("（内心）他怎么还不来"), True), (_line("OS：又迟到了"), True), (_line("Where is he? (thinking)"), True),
    (_line("(thought) Where is he?"), True), (_line(emotion="内心独白"), True),
    (_line("昨天的话，我想了一整天。"), False), (_line(emotion="想念"), False), (_line(emotion="thoughtful"), False),
    (_line(emotion="紧张"), False), (_line(kind="narration", emotion="心想"), False), (_line(speaker=None), False),
    (_line(off_screen=True), True), (_line(off_screen=True, characters=()), False),
    (SimpleNamespace(kind="dialogue", speaker="Tom", subtitle="Forty years.", off_screen=True,
                     anchors={"Tom": (0.5, 0.4)}), True),
    (SimpleNamespace(kind="dialogue", speaker="Tom", subtitle="Forty years.", anchors={"Tom": (0.5, 0.4)}), False),
])  # fmt: skip
def test_which_lines_are_thoughts(shot, thought) -> None:
    assert is_thought(shot) is thought


def test_a_thought_is_lettered_without_its_tag() -> None:
    assert without_thought_tag("（心想）他怎么还不来") == "他怎么还不来"
    assert without_thought_tag("OS：又迟到了") == "又迟到了"
    assert without_thought_tag("Where is he? (thinking)") == "Where is he?"
    assert without_thought_tag("我想了一整天") == "我想了一整天"


def _sample_shots(name: str) -> tuple[str, list[tuple[SimpleNamespace, Cue | None]]]:
    """Each planned shot as the renderer sees it (with the emotion and sound cues it letters) and its line."""
    parsed = parse_script((SAMPLES / name).read_text(encoding="utf-8"))
    board = plan_storyboard(parsed, PlanOptions())
    shots = []
    for s in board.shots:
        anchors = {n: (0.3 + 0.4 * i, 0.42) for i, n in enumerate(s.characters)}
        shot = SimpleNamespace(order=s.order, kind=s.kind, speaker=s.speaker, subtitle=s.text, emotion=s.emotion,
                               sound_effects=s.sound_effects, camera=s.camera, anchors=anchors, faces={}, mouths={})  # fmt: skip
        kind = "narration" if s.kind == "narration" else "dialogue"
        cue = Cue(0, 2, s.text, speaker=s.speaker, kind=kind, shot_order=s.order) if s.kind != "action" else None
        shots.append((shot, cue))
    return parsed.title, shots


@pytest.mark.parametrize("name", ["confession.zh.txt", "night-market.zh.md", "lighthouse.en.fountain"])
@pytest.mark.parametrize("mode", TEXT_MODES)
def test_every_string_drawn_for_the_samples_has_every_glyph_in_its_font(name, mode, monkeypatch) -> None:
    drawn: list[tuple[str, ImageFont.FreeTypeFont]] = []
    real = lettering._draw_run

    def watch(draw, xy, text, font, *args, **kwargs):
        drawn.append((text, font))
        real(draw, xy, text, font, *args, **kwargs)

    monkeypatch.setattr(lettering, "_draw_run", watch)
    title, shots = _sample_shots(name)
    safe = PRESETS["douyin"].safe
    warnings: list[str] = []
    for i, (shot, cue) in enumerate(shots):
        style = SUBTITLE_STYLES[i % len(SUBTITLE_STYLES)]
        warnings += shot_layer(shot, cue, width=540, height=960, safe=safe, text_mode=mode, style=style).warnings
    title_layer(title or "标题", width=540, height=960, safe=safe)
    watermark_layer(Watermark(text="@ComicReel 漫画"), width=540, height=960, safe=safe)
    assert not warnings, warnings
    for text, font in drawn:
        assert not missing_glyphs(text, font), (text, font.path)
    strings = "".join(text for text, _ in drawn)
    lines = [cue for _, cue in shots if cue]
    if mode == "subtitles":  # libass draws the lines in the main font: it must have every glyph of them
        assert all(not missing_glyphs(cue.text, FACE) for cue in lines)
    else:
        assert all(set(cue.text.replace(" ", "")) <= set(strings) for cue in lines), "every line is lettered"
        sounds = [s for shot, _ in shots for s in shot.sound_effects]
        assert sounds and all(set(sound_word(s, None).replace(" ", "")) & set(strings) for s in sounds)
