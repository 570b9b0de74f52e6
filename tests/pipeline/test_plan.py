from __future__ import annotations

import pytest

from pipeline.errors import PlanError
from pipeline.parse import parse_script
from pipeline.plan import PlanOptions, plan_storyboard


def test_one_shot_per_line_with_camera_and_transition(samples) -> None:
    parsed = parse_script(samples["confession.zh.txt"])
    board = plan_storyboard(parsed, PlanOptions(aspect_ratio="16:9"))
    assert len(board.shots) == len(parsed.shots)
    assert [s.order for s in board.shots] == list(range(1, len(parsed.shots) + 1))
    assert board.shots[0].camera == "long"  # the opening establishes the place
    scene_starts = [s for s in board.shots if s.transition == "fade"]
    assert [s.scene_id for s in scene_starts] == [2]
    nervous = next(s for s in board.shots if s.emotion == "紧张")
    assert nervous.camera == "closeup" and "特写" in nervous.scene_description
    assert all(2.0 <= s.duration <= 8.0 and s.prompt for s in board.shots)


def test_duration_range_is_applied(samples) -> None:
    board = plan_storyboard(parse_script(samples["confession.zh.txt"]), PlanOptions(shot_duration_range=(3, 4)))
    assert all(3 <= s.duration <= 4 for s in board.shots)


@pytest.mark.parametrize(
    "options, message",
    [(PlanOptions(aspect_ratio="4:3"), "aspect_ratio"), (PlanOptions(style="oil"), "style"),
     (PlanOptions(max_shots=3), "max_shots"), (PlanOptions(shot_duration_range=(5, 2)), "shot_duration_range")],
)  # fmt: skip
def test_bad_options_say_what_to_change(samples, options, message) -> None:
    with pytest.raises(PlanError, match=message):
        plan_storyboard(parse_script(samples["confession.zh.txt"]), options)
