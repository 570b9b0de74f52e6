from __future__ import annotations

import pytest

from pipeline.errors import ScriptParseError
from pipeline.parse import detect_format, parse_script


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
    assert xiaoming.appearance == {"hair": "黑色短发", "features": ["戴眼镜"]}
    assert parsed.character("小红").appearance["clothing"] == "红色围巾"
    assert len(parsed.shots) == 12


def test_markdown_sample(samples) -> None:
    parsed = parse_script(samples["night-market.zh.md"], filename="night-market.zh.md")
    assert parsed.format == "markdown" and parsed.title == "夜市奇遇"
    assert [s.location for s in parsed.scenes] == ["古镇夜市", "古镇石桥"]
    dialogue = [s for s in parsed.shots if s.type == "dialogue"]
    assert dialogue[0].character == "阿福" and dialogue[0].emotion == "好奇" and "**" not in dialogue[0].text
    assert parsed.character("糖人婆婆").appearance == {"hair": "白发", "clothing": "围裙"}
    assert parsed.shots[-1].sound_effects == ("龙吟",)


def test_fountain_sample(samples) -> None:
    parsed = parse_script(samples["lighthouse.en.fountain"], filename="lighthouse.en.fountain")
    assert parsed.format == "fountain" and parsed.language == "en" and parsed.title == "The Last Lighthouse"
    assert [(s.location, s.time, s.interior) for s in parsed.scenes] == [
        ("Rocky Coast", "Night", False), ("Lantern Room", "Night", True), ("Open Sea", "Night", False)]  # fmt: skip
    maya = parsed.character("Maya")
    assert maya.attributes["age"] == "30s" and maya.appearance["hair"] == "silver braid"
    lines = [(s.type, s.character, s.emotion) for s in parsed.shots if s.type != "action"]
    assert lines[0] == ("dialogue", "Maya", "determined")
    assert lines[-1] == ("narration", "Old Tom", None)  # (V.O.) is heard, not seen
    assert parsed.shots[-1].characters == ()
    assert any(s.sound_effects == ("thunder",) for s in parsed.shots)
    assert all("FADE OUT" not in s.text for s in parsed.shots)


def test_to_dict_has_the_seed_shape(samples) -> None:
    data = parse_script(samples["confession.zh.txt"]).to_dict()
    scene = data["scenes"][0]
    assert {"id", "location", "time", "characters", "shots"} <= scene.keys()
    assert {"type", "text", "duration"} <= scene["shots"][0].keys()
    assert data["characters"][0]["attributes"] == {"gender": "男", "role": "高中生"}
    assert data["metadata"]["total_shots"] == 12
    for shot in (s for sc in data["scenes"] for s in sc["shots"]):
        assert 2.0 <= shot["duration"] <= 8.0


@pytest.mark.parametrize("text", ["", "   \n\n", "# Title only\n"])
def test_empty_scripts_are_rejected_with_a_hint(text: str) -> None:
    with pytest.raises(ScriptParseError, match="script|line"):
        parse_script(text, fmt="markdown" if text.startswith("#") else None)


def test_format_detection(samples) -> None:
    assert detect_format(samples["lighthouse.en.fountain"]) == "fountain"
    assert detect_format(samples["night-market.zh.md"]) == "markdown"
    assert detect_format(samples["confession.zh.txt"]) == "text"
