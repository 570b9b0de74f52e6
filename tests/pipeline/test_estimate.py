"""One estimate of a script's length, from its save to its video: words counted per language, spoken at the voices'
rates, with the timeline's gaps and action lengths."""

from __future__ import annotations

import pytest

from pipeline.estimate import shot_seconds, speaking_seconds
from pipeline.parse import parse_script, script_seconds
from pipeline.plan import plan_storyboard
from pipeline.shot_requests import voice_request
from pipeline.timeline import Pacing, build_timeline
from studio.config import Settings
from studio.services import build_tts_backend


@pytest.mark.parametrize("name", ["confession.zh.txt", "night-market.zh.md", "lighthouse.en.fountain"])
def test_the_estimate_on_save_after_parse_and_of_the_video_agree(samples, name, tmp_path) -> None:
    text, pace = samples[name], Pacing()
    on_save = script_seconds(text, None, pace)  # what saving the script stores and shows
    parsed = parse_script(text, filename=name, pace=pace)
    assert on_save == pytest.approx(parsed.duration, abs=0.05)
    board = plan_storyboard(parsed)
    tts = build_tts_backend(Settings(data_dir=tmp_path))  # the default voices: Piper for English, espeak-ng for Chinese
    cast = {c.name: c for c in parsed.characters}
    voices = {s.order: tts.synthesize(voice_request(s, cast, board.language), str(tmp_path / f"{s.order}.wav"))
              for s in board.shots if s.voiced}  # fmt: skip
    video = build_timeline(board, {s.order: "panel.png" for s in board.shots}, voices, pacing=pace)
    assert parsed.duration == pytest.approx(video.duration, rel=0.15), (parsed.duration, video.duration)


def test_speaking_rates_are_settings_per_language() -> None:
    slow = Pacing(hanzi_per_second=2.0, words_per_second=1.5)
    assert speaking_seconds("你好世界", slow) == pytest.approx(2.0)
    assert speaking_seconds("hello big world", slow) == pytest.approx(2.0)
    assert shot_seconds("dialogue", "你好世界", slow) == pytest.approx(2.5)  # and the gap between lines
    assert shot_seconds("action", "她点头。", slow) == slow.action_range[0]
    assert Settings(speaking_rate_zh=2.0, speaking_rate_en=1.5).pacing.hanzi_per_second == 2.0
