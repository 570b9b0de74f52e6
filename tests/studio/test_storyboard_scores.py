"""The storyboard grid shows each panel's consistency: every character's similarity, low ones marked; and says when
model-drawn panels are not measured."""

from __future__ import annotations

from studio.ui.storyboard_tab import consistency_line, shot_caption, stale_summary

SHOT = {"order": 2, "type": "closeup", "duration": 2.0, "text": "太好了!", "image_key": "k", "kind": "dialogue",
        "dialogue": {"character": "小明"}, "generation_params": {"consistency": {
            "小明": {"reference": 0.91234, "others": 0.8, "copy_paste": 0.1},
            "小红": {"reference": None, "others": 0.612, "copy_paste": None},
            "路人": {"reference": None, "others": None, "copy_paste": None}}}}  # fmt: skip


def test_each_character_scores_with_low_ones_marked() -> None:
    assert consistency_line(SHOT, "en", 0.75) == "consistency: 小明 0.91 · 小红 0.61 ！low"
    assert consistency_line(SHOT, "zh", 0.5) == "一致性: 小明 0.91 · 小红 0.61"
    assert shot_caption(SHOT, "en", 0.75).splitlines() == ["#2 · closeup · 2.0s", "小明: 太好了!",
                                                           "consistency: 小明 0.91 · 小红 0.61 ！low"]  # fmt: skip
    unmeasured = {**SHOT, "generation_params": {"backend": "sketch"}}
    assert shot_caption(unmeasured, "en", 0.75).splitlines() == ["#2 · closeup · 2.0s", "小明: 太好了!"]


def test_the_summary_says_when_nothing_is_measured() -> None:
    board = {"shots": [SHOT]}
    assert "not measured" in stale_summary(board, "en", measured=False)
    assert "未测量" in stale_summary(board, "zh", measured=False)
    assert "measured" not in stale_summary(board, "en")
