from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import RenderError
from pipeline.image.base import PanelRequest
from pipeline.image.sketch import SketchImageBackend
from pipeline.parse import parse_script
from pipeline.plan import PlanOptions, plan_storyboard
from pipeline.render import RenderOptions, render_video
from pipeline.shot_requests import voice_request
from pipeline.timeline import VOICE_LEAD, VOICE_TAIL, build_timeline
from pipeline.tts.espeak import EspeakTTSBackend
from tests.media import assert_video, frame_at

SCRIPT = """场景:学校天台,夜晚
角色:小明(男,高中生),小红(女,高中生,红色围巾)
旁白: 第二天晚上,两人约在了天台。
小红(微笑): 昨天的话,我想了一整天。
（小明看着远处的灯光）
小明(开心): 太好了!
"""


@pytest.fixture(scope="module")
def small_render(tmp_path_factory):
    work = tmp_path_factory.mktemp("render")
    parsed = parse_script(SCRIPT)
    board = plan_storyboard(parsed, PlanOptions(aspect_ratio="1:1"))
    chars = {c.name: c for c in parsed.characters}
    images, voices = {}, {}
    for shot in board.shots:
        path = str(work / f"{shot.order}.png")
        SketchImageBackend().draw(PanelRequest(shot, chars, 320, 320, "comic", shot.order), path)
        images[shot.order] = path
        if shot.voiced:
            voices[shot.order] = EspeakTTSBackend().synthesize(
                voice_request(shot, chars, "zh"), str(work / f"{shot.order}.wav")
            )
    timeline = build_timeline(board, images, voices, size=(320, 320))
    steps = []
    result = render_video(
        timeline, str(work / "out.mp4"), str(work / "tmp"), on_progress=lambda f, s: steps.append((f, s))
    )
    return board, voices, timeline, result, steps


def test_voiced_shots_follow_their_voice(small_render) -> None:
    board, voices, timeline, _, _ = small_render
    for shot in timeline.shots:
        if shot.order in voices:
            assert shot.duration == pytest.approx(
                max(1.5, VOICE_LEAD + voices[shot.order].duration + VOICE_TAIL), abs=1e-3
            )
        else:
            assert shot.duration == board.shots[shot.order - 1].duration


def test_mp4_streams_size_duration_sound_and_picture(small_render) -> None:
    _, _, timeline, result, steps = small_render
    assert_video(result.path, width=320, height=320, shot_durations=[s.duration for s in timeline.shots])
    assert steps[-1] == (1.0, "completed") and any(s == "rendering_video" for _, s in steps)


def test_crossfade_blends_two_panels(small_render) -> None:
    """Mid-crossfade the frame is a mix of the shot before and the shot after: each pixel lies between the two
    panels' pixels, near their average (a cut, or a crossfade of zero length, shows one panel or the other)."""
    _, _, timeline, result, _ = small_render
    second = timeline.shots[1]
    fade = RenderOptions().crossfade
    before = frame_at(result.path, second.start - 0.04).astype(float)  # the last frame before the fade
    middle = frame_at(result.path, second.start + fade / 2).astype(float)
    after = frame_at(result.path, second.start + fade + 0.04).astype(float)
    differ = np.abs(before - after) > 60  # pixels where the two panels clearly differ
    assert differ.mean() > 0.05
    share = (middle[differ] - after[differ]) / (before[differ] - after[differ])  # 1: all before, 0: all after
    assert 0.25 < np.median(share) < 0.75, np.median(share)


def test_srt_written_beside_the_video(small_render) -> None:
    result = small_render[3]
    srt = open(result.subtitles_path, encoding="utf-8").read()
    assert "昨天的话" in srt and "-->" in srt and "小明看着远处" not in srt  # actions are drawn, not spoken


def test_empty_timeline_is_refused(tmp_path) -> None:
    from pipeline.models import Timeline

    with pytest.raises(RenderError, match="no shots"):
        render_video(Timeline(320, 320, 25, ()), str(tmp_path / "x.mp4"), str(tmp_path))
