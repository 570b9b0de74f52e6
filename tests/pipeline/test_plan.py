from __future__ import annotations

import pytest

from pipeline.errors import PlanError
from pipeline.parse import parse_script
from pipeline.plan import PlanOptions, plan_storyboard

EXCHANGE = """场景: 教室, 白天
角色: 小明(男,高中生,黑色短发,格子衬衫,戴眼镜), 小红(女,高中生,马尾,米色毛衣), 老师(女,40岁)
（教室里只剩下风扇在转）
小明: 小红，你作业写完了吗？
小红: 还没有。
小明: 那我们一起写吧。
小红(害怕): 老师来了！
[镜头: 俯拍]
老师: 你们两个在干什么？
[转场: 擦除]
小明: 没什么。
场景: 教室, 夜晚
旁白: 晚上，教室空了。
场景: 天台, 夜晚
小红: 你看，星星。
"""


def _board(text: str = EXCHANGE, **options):  # type: ignore[no-untyped-def]
    return plan_storyboard(parse_script(text), PlanOptions(**options))


def test_a_scene_opens_on_its_place() -> None:
    shots = _board().shots
    assert (shots[0].camera, shots[0].characters) == ("establishing", ())  # nobody is named: the place alone
    with_people = _board("场景: 教室, 白天\n小明: 你好。\n小红: 嗯。\n").shots
    assert with_people[0].camera == "long" and with_people[0].characters == ("小明",)


def test_exchanges_alternate_over_the_shoulder_of_the_one_spoken_to() -> None:
    shots = _board().shots
    said = {s.text: s for s in shots}
    assert (said["还没有。"].camera, said["还没有。"].characters) == ("over-shoulder", ("小红", "小明"))
    assert (said["那我们一起写吧。"].camera, said["那我们一起写吧。"].characters) == ("over-shoulder", ("小明", "小红"))
    assert said["老师来了！"].camera == "closeup"  # an emotional line
    assert said["你们两个在干什么？"].camera == "high-angle"  # the script's direction wins
    assert said["没什么。"].characters == ("小明", "老师")  # over the shoulder of who spoke last, not of the first in the cast


def test_cuts_inside_a_scene_dissolve_to_the_same_place_and_fade_to_another() -> None:
    shots = _board().shots
    by_text = {s.text: s.transition for s in shots}
    assert by_text["还没有。"] == "cut" and by_text["小红，你作业写完了吗？"] == "cut"
    assert by_text["你们两个在干什么？"] == "wipe"  # the script's transition wins
    assert by_text["没什么。"] == "dissolve"  # the classroom again, at night
    assert by_text["晚上，教室空了。"] == "fade"  # to the rooftop
    assert shots[-1].transition == "cut"


def test_the_prompt_is_assembled_from_style_appearance_place_time_camera_and_emotion() -> None:
    shot = next(s for s in _board(style="anime").shots if s.text == "老师来了！")
    prompt = shot.prompt
    for words in ("anime style", "close-up", "教室", "白天", "小红", "ponytail", "beige sweater", "scared expression"):
        assert words in prompt, words
    xiaoming = next(s for s in _board().shots if s.text == "小红，你作业写完了吗？").prompt
    for words in ("teenage boy", "short black hair", "plaid shirt", "glasses"):
        assert words in xiaoming, words


def test_max_shots_merges_the_least_important_shots_and_keeps_every_line() -> None:
    text = "场景: 街道, 傍晚\n（风吹过街道）\n（落叶飘起）\n小明: 你好。\n小明: 今天天气不错。\n小红: 是啊。\n旁白: 他们走远了。\n旁白: 天黑了。\n"
    full = _board(text).shots
    assert len(full) == 7
    four = _board(text, max_shots=4).shots  # the place's two actions go into the first line, the narration merges
    assert [(s.speaker, s.text) for s in four] == [("小明", "你好。"), ("小明", "今天天气不错。"), ("小红", "是啊。"),
                                                   (None, "他们走远了。天黑了。")]  # fmt: skip
    merged = _board(text, max_shots=3).shots
    assert len(merged) == 3 and [s.order for s in merged] == [1, 2, 3]
    spoken = [(s.speaker, s.text) for s in merged if s.kind != "action"]
    assert spoken == [("小明", "你好。今天天气不错。"), ("小红", "是啊。"), (None, "他们走远了。天黑了。")]
    assert "风吹过街道" in merged[0].text + merged[0].scene_description
    assert sum(s.kind == "dialogue" for s in merged) == 2  # two people's lines are never one shot
    with pytest.raises(PlanError, match="max_shots"):
        _board(text, max_shots=2)


def test_duration_range_is_applied(samples) -> None:
    board = plan_storyboard(parse_script(samples["confession.zh.txt"]), PlanOptions(shot_duration_range=(3, 4)))
    assert all(3 <= s.duration <= 4 for s in board.shots)


@pytest.mark.parametrize(
    "options, message",
    [(PlanOptions(aspect_ratio="4:3"), "aspect_ratio"), (PlanOptions(style="oil"), "style"),
     (PlanOptions(max_shots=0), "max_shots"), (PlanOptions(shot_duration_range=(5, 2)), "shot_duration_range")],
)  # fmt: skip
def test_bad_options_say_what_to_change(samples, options, message) -> None:
    with pytest.raises(PlanError, match=message):
        plan_storyboard(parse_script(samples["confession.zh.txt"]), options)
