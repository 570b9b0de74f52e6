from __future__ import annotations

import pytest

from pipeline.errors import ScriptParseError
from pipeline.estimate import word_count
from pipeline.parse import (
    decode_script,
    detect_format,
    is_prose,
    parse_result,
    parse_script,
    parse_script_with_warnings,
)


def _lines(text: str, fmt: str | None = None) -> list[tuple]:
    parsed = parse_script(text, fmt)  # type: ignore[arg-type]
    return [(s.type, s.character, s.emotion, s.text) for s in parsed.shots]


# -- the seed's format -------------------------------------------------------------------------------------------


def test_seed_format_sample(samples) -> None:
    parsed = parse_script(samples["confession.zh.txt"])
    assert parsed.format == "text" and parsed.language == "zh"
    assert [(s.location, s.time) for s in parsed.scenes] == [("现代都市街道", "傍晚"), ("学校天台", "夜晚")]
    first = parsed.scenes[0].shots
    assert [s.type for s in first] == ["narration", "dialogue", "dialogue", "dialogue", "action", "dialogue"]
    assert (first[1].character, first[1].emotion, first[1].text) == ("小明", "紧张", "那个...我有话想对你说。")
    assert first[3].sound_effects == ("心跳",)  # the cue belongs to the line after it
    assert first[4].text == "小红停下脚步,转过身看着小明" and set(first[4].characters) == {"小红", "小明"}
    xiaoming = parsed.character("小明")
    assert xiaoming.attributes == {"gender": "男", "role": "高中生"}
    assert xiaoming.appearance == {"hair": "黑色短发", "accessories": "戴眼镜"}
    assert parsed.character("小红").appearance == {"hair": "马尾辫", "accessories": "红色围巾"}
    assert len(parsed.shots) == 12
    assert [s.line for s in first] == [4, 5, 6, 8, 9, 10]


@pytest.mark.parametrize("heading", ["场景:教室,白天", "场景：教室，白天", "场景 ： 教室 ， 白天 ", "场景1：教室，白天",
                                     "场景一: 教室, 白天", "Scene: 教室, 白天", "场景: 教室 白天", "场景：教室 - 白天"])  # fmt: skip
def test_scene_headings_in_either_punctuation(heading: str) -> None:
    parsed = parse_script(f"{heading}\n小明: 你好。\n")
    assert (parsed.scenes[0].location, parsed.scenes[0].time) == ("教室", "白天")


def test_names_of_several_words_and_english_forms() -> None:
    text = """Scene: Kitchen, morning
Characters: Grandpa Joe (70s, bald, reading glasses), Mia (girl, 8, twin tails, pink backpack)
Narrator: The kettle sings.
Grandpa Joe (smiling): Good morning, Mia.
Mia: "Morning, Grandpa!"
Mary Jane Watson: Hi.
(Mia hugs Grandpa Joe.)
[SFX: kettle whistle]
Mia (laughing): Again!
"""
    assert _lines(text) == [
        ("narration", None, None, "The kettle sings."),
        ("dialogue", "Grandpa Joe", "smiling", "Good morning, Mia."),
        ("dialogue", "Mia", None, "Morning, Grandpa!"),  # the quotation marks are not spoken
        ("dialogue", "Mary Jane Watson", None, "Hi."),
        ("action", None, None, "Mia hugs Grandpa Joe."),
        ("dialogue", "Mia", "laughing", "Again!"),
    ]
    parsed = parse_script(text)
    assert parsed.shots[-1].sound_effects == ("kettle whistle",)
    assert set(parsed.shots[4].characters) == {"Mia", "Grandpa Joe"}
    assert parsed.character("Mia").attributes == {"gender": "女", "age": "8", "role": "girl"}


def test_a_clause_before_a_colon_is_not_a_speaker() -> None:
    parsed, warnings = parse_script_with_warnings("场景: 教室, 白天\n小明: 你好。\nNote that the rain stops: at last.\n")
    assert parsed.shots[-1].type == "action" and warnings[0].line == 3


@pytest.mark.parametrize("cue", ["[音效: 心跳]", "【音效：心跳】", "[SFX: 心跳]", "[ 音效 ： 心跳 ]", "[Sound: 心跳]"])
def test_sound_cues_in_every_bracket(cue: str) -> None:
    parsed = parse_script(f"场景: 教室, 白天\n{cue}\n小明: 你好。\n")
    assert parsed.shots[0].sound_effects == ("心跳",)


@pytest.mark.parametrize(
    "direction, camera",
    [("[镜头: 特写]", "closeup"), ("【镜头：近景】", "closeup"), ("[镜头: 中景]", "medium"), ("[镜头: 全景]", "long"),
     ("[镜头: 远景]", "long"), ("[镜头: 过肩]", "over-shoulder"), ("[镜头: 俯拍]", "high-angle"),
     ("[镜头: 仰拍]", "low-angle"), ("[Camera: close-up]", "closeup"), ("[Camera: wide shot]", "long"),
     ("[Camera: over-the-shoulder]", "over-shoulder"), ("[Camera: low angle]", "low-angle"), ("[特写]", "closeup")],
)  # fmt: skip
def test_camera_directions_apply_to_the_next_shot(direction: str, camera: str) -> None:
    parsed, warnings = parse_script_with_warnings(f"场景: 教室, 白天\n小红: 嗯。\n{direction}\n小明: 你好。\n小红: 好。\n")
    assert [s.camera for s in parsed.shots] == [None, camera, None]
    assert [s.character for s in parsed.shots] == ["小红", "小明", "小红"]  # never a speaker named "[镜头"
    assert not warnings


def test_directions_on_the_line_they_direct_and_unknown_ones() -> None:
    parsed, warnings = parse_script_with_warnings(
        "场景: 教室, 白天\n[镜头: 特写] 小明(紧张): 你好。\n[镜头: 鱼眼]\n[天气: 雨]\n小红: 嗯。\n"
    )
    assert [(s.character, s.camera) for s in parsed.shots] == [("小明", "closeup"), ("小红", None)]
    assert [w.line for w in warnings] == [3, 4] and "鱼眼" in warnings[0].message


@pytest.mark.parametrize("direction, transition", [("[转场: 淡入淡出]", "fade"), ("[转场：叠化]", "dissolve"),
                                                   ("[转场: 切]", "cut"), ("[Transition: wipe]", "wipe"),
                                                   ("[Transition: slide]", "slide")])  # fmt: skip
def test_transitions_set_how_the_last_shot_leaves(direction: str, transition: str) -> None:
    parsed = parse_script(f"场景: 教室, 白天\n小明: 你好。\n{direction}\n场景: 天台, 夜晚\n小红: 嗯。\n")
    assert [s.transition for s in parsed.shots] == [transition, None]


def test_leading_parenthetical_is_the_emotion_and_action_in_either_parentheses() -> None:
    assert _lines("场景: 教室, 白天\n小明: （小声）你好。\n(小红走进教室)\n（小明低头）\n") == [
        ("dialogue", "小明", "小声", "你好。"), ("action", None, None, "小红走进教室"), ("action", None, None, "小明低头")]  # fmt: skip


# -- Markdown ------------------------------------------------------------------------------------------------


def test_markdown_sample(samples) -> None:
    parsed = parse_script(samples["night-market.zh.md"], filename="night-market.zh.md")
    assert parsed.format == "markdown" and parsed.title == "夜市奇遇"
    assert [s.location for s in parsed.scenes] == ["古镇夜市", "古镇石桥"]
    dialogue = [s for s in parsed.shots if s.type == "dialogue"]
    assert dialogue[0].character == "阿福" and dialogue[0].emotion == "好奇" and "**" not in dialogue[0].text
    assert parsed.character("糖人婆婆").appearance == {"hair": "白发", "clothing": "围裙"}
    assert parsed.shots[-1].sound_effects == ("龙吟",)


def test_markdown_headings_bold_names_and_comments() -> None:
    text = "# 标题\n\n<!-- 作者注释\n不进入剧本 -->\n### 场景一：教室，白天\n\n**小明**（紧张）：你好。\n\n- **小红**: 嗯。\n"
    parsed = parse_script(text, "markdown")
    assert parsed.title == "标题" and parsed.scenes[0].location == "教室"
    assert [(s.character, s.emotion, s.text) for s in parsed.shots] == [("小明", "紧张", "你好。"), ("小红", None, "嗯。")]


# -- Fountain ------------------------------------------------------------------------------------------------


def test_fountain_sample(samples) -> None:
    parsed = parse_script(samples["lighthouse.en.fountain"], filename="lighthouse.en.fountain")
    assert parsed.format == "fountain" and parsed.language == "en" and parsed.title == "The Last Lighthouse"
    assert [(s.location, s.time, s.interior) for s in parsed.scenes] == [
        ("Rocky Coast", "Night", False), ("Lantern Room", "Night", True), ("Open Sea", "Night", False)]  # fmt: skip
    maya = parsed.character("Maya")
    assert maya.attributes["age"] == "30s" and maya.appearance["hair"] == "silver braid"
    lines = [(s.type, s.character, s.emotion) for s in parsed.shots if s.type != "action"]
    assert lines[0] == ("dialogue", "Maya", "determined")
    last = parsed.shots[-1]
    assert (last.type, last.character, last.off_screen, last.characters) == ("dialogue", "Old Tom", True, ())
    assert last.transition == "fade"  # FADE OUT.
    assert any(s.sound_effects == ("thunder",) for s in parsed.shots)
    assert all("FADE OUT" not in s.text for s in parsed.shots)


FOUNTAIN = """Title:
    **THE SIGNAL**
Credit: Written by
Author: A. Writer

/* A cut scene,
KAI
Never said.
*/

# ACT ONE

= Kai meets the commander.

EXT. LAUNCH PAD - DAY #1#

Wind. COMMANDER REYES (40s, grey buzz cut, navy uniform) watches the sky. DR. LIN MEI (30s, glasses, white coat) checks a tablet.

KAI (V.O.)
I was seven when the signal came.

REYES
(grim)
Status?

LIN
(beat)
Green. All green.
(nervous)
Mostly.

KAI (O.S.)
Commander!

REYES (CONT'D)
Not now, kid.

LIN ^
(laughing)
He never listens.

[[Camera: close-up]]
[[SFX: rocket rumble]]
[[A note for the director only.]]

!THE ROCKET LIFTS OFF.

DISSOLVE TO:

.INSIDE THE CAPSULE

@McCLANE
Yippee.

> THE END <
"""


def test_fountain_per_its_spec() -> None:
    parsed, warnings = parse_script_with_warnings(FOUNTAIN, "fountain")
    assert parsed.title == "THE SIGNAL" and not warnings
    assert [(s.location, s.time, s.interior) for s in parsed.scenes] == [
        ("Launch Pad", "Day", False), ("Inside The Capsule", "Day", None)]  # fmt: skip  (no time: the last one)
    said = [(s.character, s.emotion, s.text, s.off_screen) for s in parsed.shots if s.type == "dialogue"]
    assert said == [
        ("Kai", None, "I was seven when the signal came.", True),  # V.O.: spoken, not in frame
        ("Commander Reyes", "grim", "Status?", False),  # cued by part of the name: one character
        ("Dr. Lin Mei", None, "Green. All green.", False),  # (beat) is no emotion
        ("Dr. Lin Mei", "nervous", "Mostly.", False),  # a parenthetical mid-speech starts a new beat
        ("Kai", None, "Commander!", True),
        ("Commander Reyes", None, "Not now, kid.", False),
        ("Dr. Lin Mei", "laughing", "He never listens.", False),
        ("McCLANE", None, "Yippee.", False),  # a forced cue keeps its letters
    ]
    assert "Never said." not in str(parsed.to_dict()) and "ACT ONE" not in str(parsed.to_dict())
    assert {c.name for c in parsed.characters} == {"Commander Reyes", "Dr. Lin Mei", "Kai", "McCLANE"}
    reyes = parsed.character("Commander Reyes")
    assert reyes.attributes["age"] == "40s" and reyes.appearance["hair"] == "grey buzz cut"
    dual = next(s for s in parsed.shots if s.text == "He never listens.")
    assert set(dual.characters) == {"Dr. Lin Mei", "Commander Reyes"}  # dual dialogue: both in frame
    liftoff = next(s for s in parsed.shots if s.type == "action" and "Rocket" in s.text.title())
    assert liftoff.camera == "closeup" and liftoff.sound_effects == ("rocket rumble",)
    assert liftoff.transition == "dissolve"  # DISSOLVE TO:
    assert (parsed.shots[-1].type, parsed.shots[-1].text) == ("action", "THE END")  # centred text is action


def test_fountain_character_cued_before_being_described() -> None:
    text = "INT. ROOM - NIGHT\n\nREYES\nWho's there?\n\nCOMMANDER REYES (40s, scar) steps in.\n"
    parsed = parse_script(text, "fountain")
    assert [c.name for c in parsed.characters] == ["Commander Reyes"]
    assert parsed.shots[0].character == "Commander Reyes"


# -- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n", "# Title only\n"])
def test_empty_scripts_are_rejected_with_a_hint(text: str) -> None:
    with pytest.raises(ScriptParseError, match="script|line"):
        parse_script(text, fmt="markdown" if text.startswith("#") else None)


@pytest.mark.parametrize("data, message", [(b"\x89PNG\r\n\x1a\n\x00\x00", "control character|not text"),
                                           (b"\xff\xfe\x00\xd8", "not text|control"), (b"a" * 900_000, "too large")])  # fmt: skip
def test_binary_undecodable_and_huge_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ScriptParseError, match=message):
        parse_script(decode_script(data))


def test_prose_is_narrated_with_one_warning_naming_the_markup() -> None:
    story = "从前有一个女孩住在海边。她很喜欢海浪。\n\n有一天，暴风雨来了。她的父亲没有回家。"
    parsed, warnings = parse_script_with_warnings(story)
    assert [s.type for s in parsed.shots] == ["narration", "narration"]
    assert len(warnings) == 1 and warnings[0].line == 1 and is_prose(warnings)
    assert "场景" in warnings[0].message and "language model" in warnings[0].message
    assert not is_prose(parse_script_with_warnings("场景: 海边, 白天\n" + story)[1])


def test_undeclared_speakers_and_lines_before_a_scene_are_kept_with_warnings() -> None:
    parsed, warnings = parse_script_with_warnings("小明: 早。\n场景: 教室, 白天\n角色: 小明(男)\n小红: 嗯。\n")
    assert [s.character for s in parsed.shots] == ["小明", "小红"]
    assert {c.name for c in parsed.characters} == {"小明", "小红"}
    assert [(w.line, w.message[:10]) for w in warnings] == [(1, "a line bef"), (4, "小红 speaks ")]


# -- what every door returns -----------------------------------------------------------------------------------


def test_parse_result_has_the_seed_shape_and_metadata(samples) -> None:
    parsed, warnings = parse_script_with_warnings(samples["confession.zh.txt"])
    data = parse_result(parsed, warnings)
    scene = data["scenes"][0]
    assert {"id", "location", "time", "characters", "shots"} <= scene.keys()
    assert {"type", "text", "duration", "line"} <= scene["shots"][0].keys()
    assert data["characters"][0]["attributes"] == {"gender": "男", "role": "高中生"}
    meta = data["metadata"]
    assert (meta["total_scenes"], meta["total_shots"], meta["warnings"], meta["format"]) == (2, 12, [], "text")
    assert meta["estimated_duration"] == pytest.approx(sum(s.duration for s in parsed.shots), abs=0.1)


def test_word_count_counts_hanzi_one_each_and_words_of_other_languages() -> None:
    assert word_count("小明说：你好！") == 5
    assert word_count("Grandpa Joe's kettle sings, déjà vu.") == 6
    assert word_count("Привет мир 你好") == 4


def test_format_detection(samples) -> None:
    assert detect_format(samples["lighthouse.en.fountain"]) == "fountain"
    assert detect_format(samples["night-market.zh.md"]) == "markdown"
    assert detect_format(samples["confession.zh.txt"]) == "text"
    assert detect_format("小明: 你好", filename="a.fountain") == "fountain"


def test_short_names_resolve_only_when_they_are_unambiguous() -> None:
    fountain = parse_script("INT. LAB - DAY\n\nDR. LIN MEI\nReady.\n\nLIN\nGo.\n", "fountain")
    assert [s.character for s in fountain.shots] == ["Dr. Lin Mei", "Dr. Lin Mei"]  # cued first, shortened after
    two = parse_script("Characters: Anna Lee (woman), Anna Park (woman)\nScene: Park, day\nAnna: Hi.\n")
    assert two.shots[0].character == "Anna"  # not silently one of the two Annas


@pytest.mark.parametrize("text, fmt", [
    ("场景：，\n小明: 你好", None), ("INT./EXT. CAR - DAY\n\n@X\\1\nHi.\n\nX\\1 waves. [[SFX:\nboom]] She sits.\n", "fountain"),
    ("旁白（低沉）：很久以前。", None), ("Scene: Birthday party\nA: hi", None), ("Est. 1920, the house stood.\nAnna: hi\n", None),
])  # fmt: skip
def test_odd_input_parses_without_a_crash(text: str, fmt: str | None) -> None:
    parsed = parse_script(text, fmt)  # type: ignore[arg-type]
    assert parsed.shots
    if text.startswith("旁白"):
        assert (parsed.shots[0].type, parsed.shots[0].emotion) == ("narration", "低沉")
    if "Birthday" in text:
        assert (parsed.scenes[0].location, parsed.scenes[0].time) == ("Birthday party", "")
    if "INT./EXT." in text:
        assert parsed.scenes[0].interior is None and "[[" not in parsed.shots[-1].text
        assert parsed.shots[-1].sound_effects == ("boom",)
    if "Est. 1920" in text:
        assert parsed.format == "text" and parsed.shots[-1].character == "Anna"
