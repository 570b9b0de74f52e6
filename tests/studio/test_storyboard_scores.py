"""The storyboard grid shows each panel's consistency: per character its similarity to its reference, to its other
panels and its copy-paste score (missing ones left out), failing ones marked low with the reason (too unlike, or a
copy of the reference); and says when model-drawn panels are not measured."""

from __future__ import annotations

from studio.ui.storyboard_tab import consistency_line, shot_caption, stale_summary

SHOT = {"order": 2, "type": "closeup", "duration": 2.0, "text": "太好了!", "image_key": "k", "kind": "dialogue",
        "dialogue": {"character": "小明"}, "generation_params": {"consistency": {
            "小明": {"reference": 0.91234, "others": 0.8, "copy_paste": 0.1},
            "小红": {"reference": None, "others": 0.612, "copy_paste": None},
            "阿强": {"reference": 0.7, "others": None, "copy_paste": None},
            "路人": {"reference": None, "others": None, "copy_paste": None}}}}  # fmt: skip
COPY = {**SHOT, "generation_params": {"consistency": {  # the reference picture pasted in: similar, but a copy
    "小明": {"reference": 0.99, "others": 0.8, "copy_paste": 0.95}}}}  # fmt: skip


def test_every_score_of_each_character_with_missing_ones_left_out() -> None:
    assert consistency_line(SHOT, "en", 0.5).splitlines() == [
        "小明: ref 0.91 · shots 0.80 · copy 0.10", "小红: shots 0.61", "阿强: ref 0.70"]  # fmt: skip
    assert consistency_line(SHOT, "zh", 0.5).splitlines() == [
        "小明: 参考 0.91 · 镜头 0.80 · 照搬 0.10", "小红: 镜头 0.61", "阿强: 参考 0.70"]  # fmt: skip
    assert "0.00" not in consistency_line(SHOT, "en", 0.5)  # nothing to compare with is not a zero


def test_low_ones_are_marked_with_why() -> None:
    assert consistency_line(SHOT, "en", 0.75).splitlines() == [
        "小明: ref 0.91 · shots 0.80 · copy 0.10", "小红: shots 0.61 ！low (too unlike)", "阿强: ref 0.70 ！low (too unlike)"]  # fmt: skip
    assert consistency_line(SHOT, "zh", 0.75).splitlines()[1] == "小红: 镜头 0.61 ！偏低(不够像)"
    # a near copy of the reference fails though it is most alike; so it does with no threshold set
    for threshold in (0.75, None):
        assert consistency_line(COPY, "en", threshold) == "小明: ref 0.99 · shots 0.80 · copy 0.95 ！low (a copy)"
        assert consistency_line(COPY, "zh", threshold) == "小明: 参考 0.99 · 镜头 0.80 · 照搬 0.95 ！偏低(照搬参考图)"
    assert "low" not in consistency_line(SHOT, "en", None)


def test_the_caption_ends_with_the_scores() -> None:
    assert shot_caption(SHOT, "en", 0.75).splitlines() == [
        "#2 · closeup · 2.0s", "小明: 太好了!", "小明: ref 0.91 · shots 0.80 · copy 0.10",
        "小红: shots 0.61 ！low (too unlike)", "阿强: ref 0.70 ！low (too unlike)"]  # fmt: skip
    unmeasured = {**SHOT, "generation_params": {"backend": "sketch"}}
    assert shot_caption(unmeasured, "en", 0.75).splitlines() == ["#2 · closeup · 2.0s", "小明: 太好了!"]
    nothing = {**SHOT, "generation_params": {"consistency": {"路人": {"reference": None, "others": None,
                                                                      "copy_paste": None}}}}  # fmt: skip
    assert shot_caption(nothing, "zh", 0.75).splitlines() == ["#2 · closeup · 2.0s", "小明: 太好了!"]


def test_the_summary_says_when_nothing_is_measured() -> None:
    board = {"shots": [SHOT]}
    assert "not measured" in stale_summary(board, "en", measured=False)
    assert "未测量" in stale_summary(board, "zh", measured=False)
    assert "measured" not in stale_summary(board, "en")
